// The in-process event store: streams in arrays, subscribers woken on append. Not durable.
import { checkAfter, checkAppend, checkRead, checkStream, firstRevision, isStoredBatch } from "./batch.js";
import {
  type AppendResult,
  DuplicateEventIdError,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  type Subscription,
  WrongExpectedRevisionError,
} from "./port.js";
import { Tail, Tails } from "./tail.js";

export interface MemoryEventStore extends EventStore {
  /** `append` without the promise: the same checks and results, thrown or returned synchronously. */
  appendSync(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): AppendResult;
  /** Up to `maxCount` events of the stream from `fromRevision` (inclusive), in order. */
  readBatch(stream: string, fromRevision: number, maxCount: number): RecordedEvent[];
}

const PAGE = 1_000;

export function createMemoryStore(): MemoryEventStore {
  const streams = new Map<string, RecordedEvent[]>();
  const ids = new Set<string>(); // event ids are unique across all streams, as in the SQLite table
  const tails = new Tails();
  let closed = false;

  const assertOpen = () => {
    if (closed) throw new Error("event store is closed");
  };

  const readBatch = (stream: string, fromRevision: number, maxCount: number): RecordedEvent[] => {
    assertOpen();
    checkRead(stream, fromRevision, maxCount);
    const log = streams.get(stream);
    return log ? log.slice(fromRevision, fromRevision + maxCount) : [];
  };

  const appendSync = (
    stream: string,
    events: readonly NewEvent[],
    expectedRevision: ExpectedRevision,
  ): AppendResult => {
    assertOpen();
    checkAppend(stream, events, expectedRevision);
    const log = streams.get(stream) ?? [];
    const actual = log.length === 0 ? "no_stream" : log.length - 1;
    if (actual !== expectedRevision) {
      const first = firstRevision(expectedRevision);
      const stored = log.slice(first, first + events.length);
      if (isStoredBatch(stored, events))
        return { nextExpectedRevision: first + events.length - 1, written: false };
      throw new WrongExpectedRevisionError(stream, expectedRevision, actual);
    }
    for (const e of events) if (ids.has(e.id)) throw new DuplicateEventIdError(stream, e.id);
    let revision = log.length;
    const recorded = events.map(
      (e): RecordedEvent =>
        Object.freeze({
          stream,
          revision: revision++,
          id: e.id,
          type: e.type,
          data: e.data,
          metadata: e.metadata,
        }),
    );
    for (const e of recorded) {
      log.push(e);
      ids.add(e.id);
    }
    streams.set(stream, log);
    tails.wake(stream);
    return { nextExpectedRevision: log.length - 1, written: true };
  };

  return {
    appendsInOrder: true, // appendSync runs as `append` is called
    appendSync,
    readBatch,
    async append(stream, events, expectedRevision) {
      return appendSync(stream, events, expectedRevision);
    },
    async *read(stream, fromRevision = 0, maxCount = Number.POSITIVE_INFINITY) {
      checkRead(stream, fromRevision, maxCount);
      let next = fromRevision;
      let remaining = maxCount;
      while (remaining > 0) {
        const want = Math.min(PAGE, remaining);
        const page = readBatch(stream, next, want);
        yield* page;
        if (page.length < want) return;
        next += page.length;
        remaining -= page.length;
      }
    },
    async lastRevision(stream) {
      assertOpen();
      checkStream(stream);
      const n = streams.get(stream)?.length ?? 0;
      return n === 0 ? "no_stream" : n - 1;
    },
    subscribe(stream, afterRevision, onEvent, onError): Subscription {
      assertOpen();
      checkStream(stream);
      checkAfter(afterRevision);
      const tail = new Tail({
        stream,
        from: afterRevision === "start" ? 0 : afterRevision + 1,
        fetch: (from, max) => (closed ? [] : (streams.get(stream)?.slice(from, from + max) ?? [])),
        pageSize: PAGE,
        pollIntervalMs: 0,
        onEvent,
        onError,
        onEnd: (t) => tails.remove(t),
      });
      tails.add(tail);
      return tail;
    },
    async close() {
      if (closed) return;
      closed = true;
      await tails.closeAll();
    },
  };
}
