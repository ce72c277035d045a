// The event store on EventStoreDB / KurrentDB over gRPC (@eventstore/db-client 6.2.1).
//
// Facts about the client this adapter relies on (paths under node_modules/@eventstore/db-client):
// - Appends carry an exact expectation: `expectedRevision: BigInt(n)` sets AppendReq.Options.revision and
//   NO_STREAM sets no_stream (dist/streams/appendToStream/append.js:13-30, batchAppend.js:69-86). ANY is the
//   client's default (appendToStream/index.js:8), so every call here passes one explicitly; ANY is never used.
// - The client uses BatchAppend when the server lists it in ServerFeatures and the call has no per-call
//   credentials, the classic client-streaming Append otherwise (appendToStream/index.js:9-22). Both map a wrong
//   expected version to WrongExpectedVersionError whose `actualVersion` is a bigint or "no_stream"
//   (append.js:60-67; utils/CommandError.js:159-202), or resolve `success: false` with
//   `throwOnAppendFailure=false` (then the reported revision is not trusted here: batchAppend.js:29 passes a
//   boolean to BigInt).
// - binaryEvent sends `data` as raw bytes with content-type application/octet-stream (events/binaryEvent.js:6-12,
//   append.js:110-112) and a Uint8Array `metadata` as raw bytes (append.js:115-118; a Buffer is copied to a plain
//   Uint8Array by events/convertMetadata.js). On read, octet-stream data comes back as the stored bytes
//   (utils/convertGrpcEvent.js:121), JSON data is parsed (:106-107). Custom metadata is ALWAYS JSON-parsed when it
//   parses (convertGrpcEvent.js:57-67), whatever the content type: raw JSON metadata cannot come back byte for
//   byte. So the metadata is stored as a JSON string whose value is the metadata text (JSON.stringify(text)):
//   JSON.parse gives the text back exactly, and the stored bytes stay a JSON document.
// - A read of a missing stream fails while iterating, not when readStream() is called: the server answers a
//   stream_not_found message and ReadStream destroys the call with StreamNotFoundError (streams/utils/ReadStream.js:46-50).
// - Catch-up subscriptions are exclusive of their start: subscribeToStream sends `fromRevision` as
//   ReadReq.Options.StreamOptions.revision (streams/subscribeToStream.js:28) and the server starts at revision + 1
//   (EventStore server, Enumerators.StreamSubscription: `startRevision + 1 ?? StreamRevision.Start`). So
//   `afterRevision` n maps to `fromRevision: BigInt(n)`, and "start" to START.
// - $all positions (commit/prepare) are log offsets with gaps; they are never used as revisions here.
// - `dispose()` cancels every open call of the client (Client/index.js:160-179).
//
// What EventStoreDB does not do, and this adapter does itself:
// - Event ids are not unique in EventStoreDB: a write at the stream's current revision is taken without looking
//   at ids, and the idempotency check of a write at an older revision compares ids only, not content. The port
//   wants store-wide unique ids and a retry only when the batch is byte-identical. So each store instance keeps
//   the ids of every stream it appends to (read once, then kept up to date) and checks a fresh batch against
//   them before writing; and every successful append is read back and compared byte for byte with the batch.
//   Within a stream the check is exact (the append only succeeds if the stream is still at the revision the ids
//   were checked up to). Across streams it covers the streams this instance has appended to; an id written to
//   another stream by another process is not seen.
// - Whether an append wrote or was a retry: EventStoreDB answers both with the batch's last revision, and the
//   position of an idempotent answer differs by server version (none on 20.x, the original's on 22.x+), so it
//   is not used. The adapter knows the stream's end before sending (read, or trusted after its own last
//   append): sent at the end, the batch was written; sent below it, it was a retry. One case is misreported:
//   another process appends byte-identical events with the same ids between that knowledge and this append;
//   then this call says written: true although the other wrote them (what is stored is exactly this batch).
//
// The server's faults (see docs/operations.md, "What each server fault does"):
// - A timeout can come after the commit (the server commits, then answers its commit timeout; the client's deadline
//   passes while the answer is on its way), and a broken connection tells nothing. So every failure that is not a
//   refusal made before writing is settled by reading the batch's revisions back from the leader: stored byte for
//   byte, the append succeeded; nothing there, it is sent again (same ids and expected revision: a late commit of
//   the first attempt makes the server answer the second as an idempotent success); unreadable, the outcome is
//   unknown (AppendFailedError "unknown").
// - NotLeader (status NOT_FOUND, trailers exception=not-leader and the leader's endpoint) means the node did not
//   handle the call; the client reconnects to the named leader by itself (Client/index.js shouldReconnect), so the
//   call is sent again there. Every append and read here sets requires-leader (Client/index.js callArguments).
//
// Costs and limits: appends through one instance run one at a time; each costs the append, a read-back of the
// batch, and a read of the stream's new events when this instance did not write the end itself (the first
// append to a stream reads all its ids: about 60 bytes of memory per event, kept while the store is open).
// An append larger than `maxAppendSize` (the server's MaxAppendSize, 1 MiB by default, counted as the server counts
// it: esdbAppendSize) is refused before sending with AppendTooLargeError, as is one the server refuses for its size;
// it is not split, as that would break atomicity. Data is stored as application/octet-stream (the server's
// JavaScript projections do not see it as JSON).
import {
  AccessDeniedError,
  BACKWARDS,
  binaryEvent,
  END,
  EventStoreDBClient,
  InvalidArgumentError,
  MaxAppendSizeExceededError,
  NO_STREAM,
  NotLeaderError,
  RequiredMetadataPropertyMissingError,
  type ResolvedEvent,
  START,
  StreamDeletedError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from "@eventstore/db-client";
import { checkAfter, checkAppend, checkRead, checkStream, firstRevision, isStoredBatch } from "./batch.js";
import {
  AppendFailedError,
  type AppendResult,
  AppendTooLargeError,
  DuplicateEventIdError,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  StoreNotLeaderError,
  type Subscription,
  WrongExpectedRevisionError,
} from "./port.js";

export interface EsdbEventStore extends EventStore {
  /** The connection string with any password masked. */
  readonly target: string;
  /** The largest append this store sends, in bytes as the server counts them (`esdbAppendSize`). */
  readonly maxAppendSize: number;
}

export interface EsdbStoreOptions {
  /**
   * The largest append to send, in bytes as the server counts them (`esdbAppendSize`): set it to the server's
   * MaxAppendSize. Default: the `maxAppendSize` parameter of the connection string, else 1 MiB (the server's default).
   * A larger batch is refused with AppendTooLargeError without being sent.
   */
  readonly maxAppendSize?: number;
  /**
   * Attempts of one append (or read) that is known not to have been carried out: a timeout read back as not written,
   * NotLeader. Default 3.
   */
  readonly appendAttempts?: number;
  /** Wait before the second attempt, doubled for each further one. Default 50 ms. */
  readonly retryDelayMs?: number;
}

/** The server's default MaxAppendSize. */
const DEFAULT_MAX_APPEND_SIZE = 1024 * 1024;

/** The ids stored in one stream, revisions 0..count-1, as far as this instance has read them. */
interface StreamIds {
  count: number;
  /** idKey() of each id. */
  readonly ids: Set<string>;
  /** This instance believes the stream ends at count - 1 (it has just read or written the end). */
  trusted: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LONE_SURROGATE = /\p{Cs}/u;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Opens an EventStoreDB / KurrentDB store. `connectionString`: `esdb://USER:PASSWORD@HOST:2113?tls=true`,
 * `esdb+discover://...`, or the same with `kurrentdb://` / `kurrentdb+discover://` (client 6.2.1 only knows the
 * esdb schemes; the kurrentdb ones are rewritten to them); `maxAppendSize=BYTES` in its query is this store's
 * setting (taken out before the client sees the string). Connects lazily, on the first call.
 */
export function openEsdbStore(connectionString: string, options: EsdbStoreOptions = {}): EsdbEventStore {
  const { url, maxAppendSize: fromUrl } = takeMaxAppendSize(toEsdbScheme(connectionString));
  const maxAppendSize = options.maxAppendSize ?? fromUrl ?? DEFAULT_MAX_APPEND_SIZE;
  if (!Number.isSafeInteger(maxAppendSize) || maxAppendSize <= 0)
    throw new RangeError(`maxAppendSize must be a positive integer, got ${maxAppendSize}`);
  const attempts = Math.max(1, options.appendAttempts ?? 3);
  const retryDelayMs = options.retryDelayMs ?? 50;
  const pause = (attempt: number) =>
    new Promise<void>((resolve) => setTimeout(resolve, retryDelayMs * 2 ** (attempt - 1)));
  const client = EventStoreDBClient.connectionString(url);
  const read = (stream: string, from: number | "end", maxCount: number) =>
    readEvents(client, stream, from, maxCount, { attempts, pause });
  const streams = new Map<string, StreamIds>();
  const subscriptions = new Set<EsdbSubscription>();
  let appending: Promise<unknown> = Promise.resolve();
  let closed = false;

  const assertOpen = () => {
    if (closed) throw new Error("event store is closed");
  };

  /** Reads the stream's ids from `known.count` on, to its end. */
  const refresh = async (stream: string): Promise<StreamIds> => {
    let known = streams.get(stream);
    if (!known) streams.set(stream, (known = { count: 0, ids: new Set(), trusted: false }));
    for await (const e of read(stream, known.count, Number.POSITIVE_INFINITY)) {
      if (e.revision !== known.count) {
        known.trusted = false;
        throw new Error(
          `stream ${stream}: expected revision ${known.count} while reading ids, got ${e.revision}`,
        );
      }
      known.ids.add(idKey(e.id));
      known.count++;
    }
    known.trusted = true;
    return known;
  };

  const lastRevision = async (stream: string): Promise<number | "no_stream"> => {
    for await (const e of read(stream, "end", 1)) return e.revision;
    return "no_stream";
  };

  /** The events stored at first..first+count-1 (fewer when the stream ends before). */
  const readBack = async (stream: string, first: number, count: number): Promise<RecordedEvent[]> => {
    const stored: RecordedEvent[] = [];
    for await (const e of read(stream, first, count)) stored.push(e);
    return stored;
  };

  /**
   * Sends the batch until the server has carried it out or refused it: a NotLeader answer (nothing written; the
   * client reconnects to the leader it names) is retried; an answer that leaves the outcome open (a timeout, a lost
   * connection) is settled by reading the stream back by revision — stored: the append succeeded; not stored: sent
   * again (same ids, same expected revision: if the first attempt commits late, the server answers the second as an
   * idempotent success). Answers the server's success, or "stored" when the read-back found the batch.
   */
  const send = async (
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
    size: number,
  ): Promise<{ nextExpectedRevision: bigint } | "stored"> => {
    const first = firstRevision(expected);
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await client.appendToStream(stream, events.map(toEventData), {
          expectedRevision: expected === "no_stream" ? NO_STREAM : BigInt(expected),
          requiresLeader: true,
        });
        if (!result.success)
          throw new WrongExpectedRevisionError(stream, expected, await lastRevision(stream));
        return result;
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError) throw error;
        if (error instanceof WrongExpectedVersionError) {
          throw new WrongExpectedRevisionError(stream, expected, toActual(error.actualVersion));
        }
        if (error instanceof MaxAppendSizeExceededError) {
          throw new AppendTooLargeError(stream, size, error.maxAppendSize ?? maxAppendSize);
        }
        if (error instanceof NotLeaderError) {
          if (attempt >= attempts) throw new StoreNotLeaderError(stream, endpointOf(error), attempt);
          await pause(attempt);
          continue;
        }
        if (refusedBeforeWriting(error)) throw error;
        let stored: RecordedEvent[];
        try {
          stored = await readBack(stream, first, events.length);
        } catch {
          throw new AppendFailedError(stream, "unknown", attempt, error);
        }
        if (stored.length > 0) {
          if (isStoredBatch(stored, events)) return "stored";
          throw new WrongExpectedRevisionError(stream, expected, await lastRevision(stream));
        }
        if (attempt >= attempts) throw new AppendFailedError(stream, "no", attempt, error);
        await pause(attempt);
      }
    }
  };

  const append = async (
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> => {
    assertOpen();
    const size = esdbAppendSize(events);
    if (size > maxAppendSize) throw new AppendTooLargeError(stream, size, maxAppendSize);
    let known = streams.get(stream);
    if (!known?.trusted || last(known) !== expected) known = await refresh(stream);
    const current = last(known);
    if (current === expected) {
      checkUnique(stream, events, streams);
    } else if (expected !== "no_stream" && (current === "no_stream" || expected > current)) {
      // The stream is behind the expectation: nothing of the batch can be stored there. Not sent: the stream
      // could reach `expected` meanwhile, and the server would then write ids that were not checked.
      throw new WrongExpectedRevisionError(stream, expected, current);
    }
    // Otherwise `expected` < current: only an idempotent retry can succeed, and the server cannot write.
    const first = firstRevision(expected);
    const lastOfBatch = first + events.length - 1;
    // Until this append has fully succeeded, what this instance knows of the stream's end may be wrong (the
    // server may have written and the answer or the read-back been lost): the next append reads it again.
    known.trusted = false;
    const sent = await send(stream, events, expected, size);
    if (sent !== "stored") {
      if (sent.nextExpectedRevision !== BigInt(lastOfBatch)) {
        throw new Error(
          `stream ${stream}: append at ${expected} of ${events.length} events answered revision ` +
            `${sent.nextExpectedRevision}, not ${lastOfBatch}`,
        );
      }
      // Success means the server wrote the batch, or found the same ids at first..lastOfBatch (its idempotency
      // check compares ids only). Either way the stored events must be this batch, byte for byte.
      let stored: RecordedEvent[];
      try {
        stored = await readBack(stream, first, events.length);
      } catch (error) {
        throw new AppendFailedError(stream, "unknown", 1, error);
      }
      if (!isStoredBatch(stored, events)) {
        throw new WrongExpectedRevisionError(stream, expected, await lastRevision(stream));
      }
    }
    if (current !== expected) {
      known.trusted = true; // nothing was written: the end read before this append still stands
      return { nextExpectedRevision: lastOfBatch, written: false };
    }
    for (const e of events) known.ids.add(idKey(e.id));
    known.count = lastOfBatch + 1;
    known.trusted = true;
    return { nextExpectedRevision: lastOfBatch, written: true };
  };

  const store: EsdbEventStore = {
    target: redactPassword(connectionString),
    maxAppendSize,
    async append(stream, events, expectedRevision) {
      assertOpen();
      checkAppend(stream, events, expectedRevision);
      for (const e of events) checkEsdbEvent(e);
      // One append at a time per instance: the id check and the write of one batch are not interleaved with
      // another batch's (exact revisions mean one writer per stream anyway).
      const run = appending.then(() => append(stream, events, expectedRevision));
      appending = run.catch(() => {});
      return run;
    },
    async *read(stream, fromRevision = 0, maxCount = Number.POSITIVE_INFINITY) {
      assertOpen();
      checkRead(stream, fromRevision, maxCount);
      for await (const e of read(stream, fromRevision, maxCount)) {
        assertOpen();
        yield e;
      }
    },
    async lastRevision(stream) {
      assertOpen();
      checkStream(stream);
      return lastRevision(stream);
    },
    subscribe(stream, afterRevision, onEvent, onError): Subscription {
      assertOpen();
      checkStream(stream);
      checkAfter(afterRevision);
      const sub = new EsdbSubscription(client, stream, afterRevision, onEvent, onError, (s) =>
        subscriptions.delete(s),
      );
      subscriptions.add(sub);
      return sub;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((s) => s.close()));
      await appending;
      await client.dispose();
    },
  };
  return store;
}

/**
 * One catch-up subscription: `subscribeToStream` from the checkpoint (exclusive), events handled one at a time
 * in order (the handler is awaited before the next is taken from the client's stream). The first error of the
 * handler or the server goes to `onError` and ends it.
 */
class EsdbSubscription implements Subscription {
  private closed = false;
  private inHandler = false;
  private readonly call: ReturnType<EventStoreDBClient["subscribeToStream"]>;
  private readonly done: Promise<void>;

  constructor(
    client: EventStoreDBClient,
    private readonly stream: string,
    afterRevision: number | "start",
    private readonly onEvent: (event: RecordedEvent) => void | Promise<void>,
    private readonly onError: ((error: unknown) => void) | undefined,
    onEnd: (s: EsdbSubscription) => void,
  ) {
    this.call = client.subscribeToStream(stream, {
      fromRevision: afterRevision === "start" ? START : BigInt(afterRevision),
    });
    this.done = this.run(afterRevision === "start" ? 0 : afterRevision + 1).finally(() => onEnd(this));
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await this.call.unsubscribe();
      this.call.destroy();
    }
    return this.inHandler ? undefined : this.done;
  }

  private async run(from: number): Promise<void> {
    await Promise.resolve(); // never call the handler before subscribe() has returned
    let next = from;
    try {
      for await (const resolved of this.call as AsyncIterable<ResolvedEvent>) {
        if (this.closed) return;
        const event = toRecorded(resolved, this.stream);
        if (event.revision < next) continue; // already delivered
        if (event.revision > next) {
          throw new Error(`subscription to ${this.stream}: expected revision ${next}, got ${event.revision}`);
        }
        this.inHandler = true;
        try {
          const r = this.onEvent(event);
          if (r !== undefined) await r;
        } finally {
          this.inHandler = false;
        }
        next = event.revision + 1;
      }
      if (!this.closed) throw new Error(`subscription to ${this.stream} was ended by the server`);
    } catch (error) {
      if (this.closed) return;
      this.closed = true;
      this.call.destroy();
      this.report(error);
    }
  }

  private report(error: unknown): void {
    if (this.onError) {
      try {
        this.onError(error);
      } catch (inner) {
        console.error(`eventstore: onError of a subscription to ${this.stream} threw`, inner);
      }
    } else {
      console.error(`eventstore: subscription to ${this.stream} ended by an error`, error);
    }
  }
}

/**
 * Events of a stream from `from` (inclusive; "end" with a count of 1 = the last event), at most `maxCount`, read from
 * the leader (a follower may not hold the last appends yet: every read here decides or checks a write). A missing
 * stream reads as empty. The call is cancelled if the caller stops early. A NotLeader answer or a lost connection
 * before the first event is retried (the client reconnects meanwhile); after it, it is the caller's error.
 */
async function* readEvents(
  client: EventStoreDBClient,
  stream: string,
  from: number | "end",
  maxCount: number,
  retry: { attempts: number; pause: (attempt: number) => Promise<void> },
): AsyncGenerator<RecordedEvent> {
  if (maxCount === 0) return;
  for (let attempt = 1; ; attempt++) {
    const call = client.readStream(stream, {
      fromRevision: from === "end" ? END : BigInt(from),
      direction: from === "end" ? BACKWARDS : undefined,
      requiresLeader: true,
      ...(maxCount === Number.POSITIVE_INFINITY ? {} : { maxCount: BigInt(maxCount) }),
    });
    let finished = false;
    let yielded = false;
    try {
      for await (const resolved of call as AsyncIterable<ResolvedEvent>) {
        yielded = true;
        yield toRecorded(resolved, stream);
      }
      finished = true;
      return;
    } catch (error) {
      finished = true;
      if (error instanceof StreamNotFoundError) return;
      if (yielded || attempt >= retry.attempts || !retryableRead(error)) {
        if (error instanceof NotLeaderError)
          throw new StoreNotLeaderError(stream, endpointOf(error), attempt);
        throw error;
      }
    } finally {
      if (!finished) await call.cancel();
    }
    await retry.pause(attempt);
  }
}

/** A read that failed this way may succeed when sent again: another node is the leader, or the connection broke. */
function retryableRead(error: unknown): boolean {
  return error instanceof NotLeaderError || error instanceof UnavailableError;
}

/**
 * True for the server's refusals that come before anything is written (the append is not retried and not read
 * back). Any other failure — a timeout, a deadline, a lost connection, an unknown error — may come after the commit.
 */
function refusedBeforeWriting(error: unknown): boolean {
  return (
    error instanceof AccessDeniedError ||
    error instanceof StreamDeletedError ||
    error instanceof InvalidArgumentError ||
    error instanceof RequiredMetadataPropertyMissingError ||
    error instanceof TypeError ||
    error instanceof RangeError
  );
}

function endpointOf(error: NotLeaderError): string | null {
  return error.leader ? `${error.leader.address}:${error.leader.port}` : null;
}

/**
 * An append's size as EventStoreDB counts it against MaxAppendSize (Event.SizeOnDisk, summed over the batch): the
 * bytes of each event's data and metadata as this adapter sends them (the data's UTF-8, the metadata's JSON string
 * in UTF-8) plus twice the length of its type in UTF-16 code units.
 */
export function esdbAppendSize(events: readonly NewEvent[]): number {
  let size = 0;
  for (const e of events) {
    size += Buffer.byteLength(e.data, "utf8") + Buffer.byteLength(JSON.stringify(e.metadata), "utf8");
    size += e.type.length * 2;
  }
  return size;
}

/** The `maxAppendSize` parameter of a connection string (this store's, not the client's), and the string without it. */
function takeMaxAppendSize(url: string): { url: string; maxAppendSize: number | undefined } {
  const match = /([?&])maxAppendSize=([^&]*)(&?)/i.exec(url);
  if (!match) return { url, maxAppendSize: undefined };
  const value = match[2]!;
  if (!/^[1-9][0-9]*$/.test(value))
    throw new RangeError(`maxAppendSize in the connection string must be a positive integer, got "${value}"`);
  const rest =
    url.slice(0, match.index) + (match[3] ? match[1] : "") + url.slice(match.index + match[0].length);
  return { url: rest.replace(/[?&]$/, ""), maxAppendSize: Number(value) };
}

function toRecorded(resolved: ResolvedEvent, stream: string): RecordedEvent {
  const e = resolved.event;
  if (!e) throw new Error(`stream ${stream}: a read answered a link without its event`);
  if (e.isJson || !(e.data instanceof Uint8Array)) {
    throw new Error(`stream ${stream}: event ${e.id} is not one this store wrote (JSON content type)`);
  }
  const revision = Number(e.revision);
  if (!Number.isSafeInteger(revision))
    throw new Error(`stream ${stream}: revision ${e.revision} is too large`);
  return Object.freeze({
    stream: e.streamId,
    revision,
    id: e.id,
    type: e.type,
    data: decoder.decode(e.data),
    metadata: fromMetadata(e.metadata),
  });
}

function toEventData(e: NewEvent) {
  return binaryEvent({
    id: e.id,
    type: e.type,
    data: encoder.encode(e.data),
    metadata: encoder.encode(JSON.stringify(e.metadata)),
  });
}

/** The metadata text from what the client made of the stored bytes (see the top of the file). */
function fromMetadata(m: unknown): string {
  if (typeof m === "string") return m; // written here: a JSON string holding the text
  if (m === undefined) return ""; // no metadata at all (not written here)
  if (m instanceof Uint8Array) return decoder.decode(m); // not JSON (not written here)
  return JSON.stringify(m); // a JSON value written by another program: re-serialized, not byte-exact
}

function checkEsdbEvent(e: NewEvent): void {
  if (!UUID.test(e.id)) {
    // EventStoreDB stores a 128-bit id and answers it in this form: any other spelling would not read back.
    throw new TypeError(`event id ${e.id}: EventStoreDB needs a lowercase UUID (8-4-4-4-12 hex digits)`);
  }
  if (LONE_SURROGATE.test(e.data) || LONE_SURROGATE.test(e.metadata)) {
    throw new TypeError(`event ${e.id}: data and metadata must be well-formed Unicode to be stored as UTF-8`);
  }
}

function checkUnique(
  stream: string,
  events: readonly NewEvent[],
  streams: ReadonlyMap<string, StreamIds>,
): void {
  for (const e of events) {
    const key = idKey(e.id);
    for (const known of streams.values()) {
      if (known.ids.has(key)) throw new DuplicateEventIdError(stream, e.id);
    }
  }
}

/** A UUID as a 16-character string of its bytes: about 55 bytes of heap in a Set, against 200+ for the text. */
function idKey(id: string): string {
  return Buffer.from(id.replace(/-/g, ""), "hex").toString("latin1");
}

function last(known: StreamIds): number | "no_stream" {
  return known.count === 0 ? "no_stream" : known.count - 1;
}

/** The client's actual version (a bigint revision or "no_stream") as the port's. */
export function toActual(actual: bigint | string): number | "no_stream" {
  if (typeof actual === "bigint") {
    const n = Number(actual);
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`actual revision ${actual} is out of range`);
    return n;
  }
  if (actual === "no_stream") return "no_stream";
  throw new Error(`unexpected actual version "${actual}"`);
}

/** kurrentdb:// and kurrentdb+discover:// as the esdb schemes client 6.2.1 parses. */
export function toEsdbScheme(connectionString: string): string {
  return connectionString
    .trim()
    .replace(/^kurrentdb(\+discover)?:\/\//i, (_m, discover = "") => `esdb${discover}://`);
}

function redactPassword(url: string): string {
  return url.replace(/^([a-z+]+:\/\/)([^@/]*)@/i, (_m, scheme: string, user: string) => {
    return `${scheme}${user.split(":")[0]}:***@`;
  });
}
