// The event store port: one ordered stream per exchange, optimistic concurrency, idempotent event ids.

/** An event to append. `data` and `metadata` are JSON text exactly as they are to be stored. */
export interface NewEvent {
  /** Unique id (a UUID); re-sending the same ids at the same expected revision is an idempotent retry. */
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

/** A stored event, byte for byte as appended. */
export interface RecordedEvent extends NewEvent {
  readonly stream: string;
  /** 0-based position of the event in its stream. */
  readonly revision: number;
}

/** The revision the stream must be at: the last event's revision, or "no_stream" when it must be empty. */
export type ExpectedRevision = number | "no_stream";

export interface AppendResult {
  /**
   * Revision of the last event of the stream after the append. For an idempotent retry (`written: false`):
   * the revision of the batch's last event as stored (the stream may have moved on since).
   */
  readonly nextExpectedRevision: number;
  /** False when the whole batch was already stored (an idempotent retry): nothing was written. */
  readonly written: boolean;
}

/** The stream was not at the expected revision: another writer appended, or the caller is stale. */
export class WrongExpectedRevisionError extends Error {
  readonly code = "WRONG_EXPECTED_REVISION";
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | "no_stream",
  ) {
    super(`stream ${stream}: expected revision ${expected}, actual ${actual}`);
    this.name = "WrongExpectedRevisionError";
  }
}

/**
 * An event id of the batch is already stored and the batch is not an exact idempotent retry (the same ids
 * at the same expected revision), or the batch itself repeats an id. Nothing was written.
 */
export class DuplicateEventIdError extends Error {
  readonly code = "DUPLICATE_EVENT_ID";
  constructor(
    readonly stream: string,
    readonly eventId: string,
  ) {
    super(`stream ${stream}: event id ${eventId} is already stored or repeated in the batch`);
    this.name = "DuplicateEventIdError";
  }
}

/**
 * An append started while an earlier append (called before it, not yet answered) was failing: it was not
 * attempted. Its expected revision was computed by a caller that counted on the earlier batch, so even a
 * revision that happens to match would put it after events the caller never saw. Nothing was written.
 */
export class AppendAbortedError extends Error {
  readonly code = "APPEND_ABORTED";
  constructor(readonly stream: string) {
    super(`stream ${stream}: not attempted, an append called before it failed while this one was in flight`);
    this.name = "AppendAbortedError";
  }
}

/**
 * The batch is larger than the store takes in one append (EventStoreDB's MaxAppendSize, counted as the server counts:
 * the UTF-8 bytes of each event's data and metadata as sent, plus twice its type's length). Nothing was written; the
 * same batch will never fit, so split the work into smaller appends.
 */
export class AppendTooLargeError extends Error {
  readonly code = "APPEND_TOO_LARGE";
  constructor(
    readonly stream: string,
    /** The batch's size in bytes. */
    readonly size: number,
    /** The largest append the store takes, in bytes. */
    readonly limit: number,
  ) {
    super(
      `stream ${stream}: an append of ${size} bytes is over the store's limit of ${limit} bytes; nothing was written`,
    );
    this.name = "AppendTooLargeError";
  }
}

/**
 * An append failed after its outcome was looked for. `written: "no"`: the stream was read back and does not hold the
 * batch (after `attempts` attempts, each timed out or refused before writing); the batch may be decided again.
 * `written: "unknown"`: the store could not be read back (unreachable), so the batch may or may not be stored: read
 * the stream's end before deciding anything after it (a re-send of the same batch at the same revision is safe).
 */
export class AppendFailedError extends Error {
  readonly code = "APPEND_FAILED";
  constructor(
    readonly stream: string,
    readonly written: "no" | "unknown",
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(
      written === "no"
        ? `stream ${stream}: the append was not written (read back after ${attempts} attempt${attempts === 1 ? "" : "s"}; last failure: ${messageOf(cause)})`
        : `stream ${stream}: whether the append was written is unknown (it failed with ${messageOf(cause)} and the stream could not be read back); read the stream's end before going on`,
    );
    this.name = "AppendFailedError";
  }
}

/**
 * The node the store reached is not the leader of its cluster and no leader took the append (or the read that needs
 * the leader) in the attempts made: nothing was written. `leader`: where the node said the leader is.
 */
export class StoreNotLeaderError extends Error {
  readonly code = "NOT_LEADER";
  constructor(
    readonly stream: string,
    readonly leader: string | null,
    readonly attempts: number,
  ) {
    super(
      `stream ${stream}: the store's node is not the leader${leader ? ` (it names ${leader})` : ""} and no leader took the call in ${attempts} attempt${attempts === 1 ? "" : "s"}; nothing was written`,
    );
    this.name = "StoreNotLeaderError";
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

export interface Subscription {
  /**
   * What reading the stream cannot show, for stores whose rows can be changed outside this code (a SQLite file):
   * null when the stream's events are stored at exactly the revisions 0..last, each once, and — with `soleStream` —
   * the store holds no event of any other stream; otherwise what is wrong. Absent: the store assigns and keeps
   * positions itself (memory, EventStoreDB).
   */
  positionsProblem?(stream: string, options?: { soleStream?: boolean }): Promise<string | null>;
  close(): Promise<void>;
}

export interface EventStore {
  /**
   * True when concurrent `append` calls are applied in call order: a caller may start an append before the
   * previous one resolved, and the store applies (or refuses) them one after the other as called. Absent or
   * false: the caller must wait for each append before starting the next if it depends on it.
   */
  readonly appendsInOrder?: boolean;
  /** Appends all events atomically (one transaction) if the stream is at `expectedRevision`. */
  append(
    stream: string,
    events: readonly NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult>;
  /** Events of the stream from `fromRevision` (inclusive) in order; at most `maxCount` when given. */
  read(stream: string, fromRevision?: number, maxCount?: number): AsyncIterable<RecordedEvent>;
  /** Revision of the stream's last event, or "no_stream". */
  lastRevision(stream: string): Promise<number | "no_stream">;
  /**
   * Delivers every event after `afterRevision` (exclusive; "start" = from the first), then new ones as
   * they are appended, in order, until closed. Errors of the handler or the store go to `onError`.
   */
  subscribe(
    stream: string,
    afterRevision: number | "start",
    onEvent: (event: RecordedEvent) => void | Promise<void>,
    onError?: (error: unknown) => void,
  ): Subscription;
  /**
   * What reading the stream cannot show, for stores whose rows can be changed outside this code (a SQLite file):
   * null when the stream's events are stored at exactly the revisions 0..last, each once, and — with `soleStream` —
   * the store holds no event of any other stream; otherwise what is wrong. Absent: the store assigns and keeps
   * positions itself (memory, EventStoreDB).
   */
  positionsProblem?(stream: string, options?: { soleStream?: boolean }): Promise<string | null>;
  close(): Promise<void>;
}
