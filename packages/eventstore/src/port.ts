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
