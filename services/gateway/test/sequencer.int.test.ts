// The sequencer's pipelining: answers only after durability, in log order, and a failed append stopping everything behind it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AppendResult,
  createMemoryStore,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  openSqliteStore,
  WrongExpectedRevisionError,
} from "@pmx/eventstore";
import { ExchangeProjection } from "@pmx/projections";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../src/clock.js";
import { rebuild } from "../src/exchange.js";
import {
  appendBytesOf,
  type CommandInput,
  type Outcome,
  Sequencer,
  type SequencerOptions,
  SequencerUnavailable,
} from "../src/sequencer.js";

const STREAM = "pmx";

interface HeldCall {
  readonly events: readonly NewEvent[];
  readonly expected: ExpectedRevision;
  settled: boolean;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** A store whose appends stay open until the test settles them; `write` really stores them (in a memory store). */
class HeldStore {
  readonly calls: HeldCall[] = [];
  readonly inner = createMemoryStore();
  readonly store: EventStore;

  constructor(appendsInOrder: boolean) {
    const { inner, calls } = this;
    this.store = {
      appendsInOrder,
      append: (_stream, events, expected) =>
        new Promise<AppendResult>((resolve, reject) => {
          calls.push({ events, expected, settled: false, resolve, reject });
        }),
      read: (stream, from, max) => inner.read(stream, from, max),
      lastRevision: (stream) => inner.lastRevision(stream),
      subscribe: (stream, after, onEvent, onError) => inner.subscribe(stream, after, onEvent, onError),
      close: () => inner.close(),
    };
  }

  /** Writes call `i` to the memory store and resolves it (or rejects it with the store's error). */
  write(i: number): void {
    const call = this.open(i);
    try {
      call.resolve(this.inner.appendSync(STREAM, call.events, call.expected));
    } catch (error) {
      call.reject(error);
    }
  }

  /** Resolves call `i` as written, without storing anything. */
  pretendWritten(i: number): void {
    const call = this.open(i);
    call.resolve({ nextExpectedRevision: 0, written: true });
  }

  fail(i: number, error: unknown): void {
    this.open(i).reject(error);
  }

  private open(i: number): HeldCall {
    const call = this.calls[i];
    if (!call || call.settled) throw new Error(`append ${i} is not open`);
    call.settled = true;
    return call;
  }
}

/** Lets the event loop turn a few times (setImmediate pumps, promise chains). */
const turns = async (n = 5) => {
  for (let k = 0; k < n; k++) await new Promise((r) => setImmediate(r));
};

async function until(check: () => boolean): Promise<void> {
  for (let k = 0; k < 1_000 && !check(); k++) await turns(1);
  if (!check()) throw new Error("condition not met");
}

/** A submitted command and what became of it so far. */
interface Tracked {
  readonly promise: Promise<Outcome>;
  state: "pending" | "resolved" | "rejected";
  outcome?: Outcome;
  error?: unknown;
}

function newSequencer(store: EventStore, extra: Partial<SequencerOptions> = {}) {
  const committed: number[][] = [];
  const stopped: string[] = [];
  const order: string[] = [];
  const projection = new ExchangeProjection();
  const sequencer = new Sequencer({
    store,
    stream: STREAM,
    projection,
    clock: new ManualClock(1_700_000_000_000),
    onCommitted: (batch) => committed.push(batch.map((b) => b.meta.seq)),
    onStopped: (reason) => stopped.push(reason),
    ...extra,
  });
  const open = (accountId: string): Tracked => {
    const t: Tracked = { promise: sequencer.submit({ type: "OpenAccount", accountId }), state: "pending" };
    t.promise.then(
      (outcome) => {
        t.state = "resolved";
        t.outcome = outcome;
        order.push(accountId);
      },
      (error: unknown) => {
        t.state = "rejected";
        t.error = error;
        order.push(accountId);
      },
    );
    return t;
  };
  return { sequencer, projection, open, committed, stopped, order };
}

describe("Sequencer pipelining (a store that applies appends in call order)", () => {
  it("starts deciding and appending batch k+1 while batch k is in flight, answering each only once durable", async () => {
    const held = new HeldStore(true);
    const { sequencer, open, committed } = newSequencer(held.store);
    const a = open("a");
    await until(() => held.calls.length === 1);
    const b = open("b");
    await until(() => held.calls.length === 2); // pipelined: appended before the first append resolved
    expect(held.calls[1]!.expected).toBe(held.calls[0]!.events.length - 1); // right behind batch 1
    await turns();
    expect([a.state, b.state]).toEqual(["pending", "pending"]);
    expect(sequencer.appendsInFlight).toBe(2);

    held.write(0);
    await until(() => a.state !== "pending");
    await turns();
    expect(a.state).toBe("resolved");
    expect(b.state).toBe("pending");
    expect(committed).toEqual([[1]]);
    expect(sequencer.stats.batchesCommitted).toBe(1);

    held.write(1);
    await until(() => b.state !== "pending");
    expect(b.state).toBe("resolved");
    expect(b.outcome).toMatchObject({ ok: true, seq: 2 });
    expect(committed).toEqual([[1], [2]]);
    expect(sequencer.stats).toMatchObject({ batchesCommitted: 2, commandsCommitted: 2, eventsAppended: 2 });
    expect(await held.inner.lastRevision(STREAM)).toBe(1);
  });

  it("releases answers in log order even when a later append resolves first", async () => {
    const held = new HeldStore(true);
    const { open, order, committed } = newSequencer(held.store);
    const a = open("a");
    await until(() => held.calls.length === 1);
    const b = open("b");
    await until(() => held.calls.length === 2);
    held.pretendWritten(1);
    await turns(10);
    expect([a.state, b.state]).toEqual(["pending", "pending"]);
    expect(committed).toEqual([]);
    held.pretendWritten(0);
    await until(() => b.state !== "pending");
    expect(order).toEqual(["a", "b"]);
    expect(committed).toEqual([[1], [2]]);
  });

  it("keeps at most maxAppendsInFlight appends open; the rest waits in the queue", async () => {
    const held = new HeldStore(true);
    const { open } = newSequencer(held.store, { maxAppendsInFlight: 3 });
    const tracked: Tracked[] = [];
    for (const id of ["a", "b", "c", "d", "e"]) {
      tracked.push(open(id));
      await turns();
    }
    expect(held.calls.length).toBe(3);
    held.write(0);
    await until(() => held.calls.length === 4); // a slot freed: the queued d and e go as one batch
    expect(held.calls[3]!.events.length).toBe(2);
    held.write(1);
    held.write(2);
    held.write(3);
    await Promise.all(tracked.map((t) => t.promise));
    expect(held.calls.length).toBe(4);
  });

  it("on a failed append stops writes, rejects that batch and every one behind it with WRITES_STOPPED, and appends nothing more", async () => {
    const held = new HeldStore(true);
    const { sequencer, open, stopped } = newSequencer(held.store);
    const a = open("a");
    await until(() => held.calls.length === 1);
    const b = open("b");
    await until(() => held.calls.length === 2);
    const c = open("c"); // queued: both slots are taken
    await turns();
    expect(held.calls.length).toBe(2);

    held.fail(0, new WrongExpectedRevisionError(STREAM, "no_stream", 4));
    await until(() => c.state !== "pending" && b.state !== "pending");
    for (const t of [a, b, c]) {
      expect(t.state).toBe("rejected");
      expect(t.error).toBeInstanceOf(SequencerUnavailable);
      expect((t.error as SequencerUnavailable).code).toBe("WRITES_STOPPED");
      expect((t.error as Error).message).toBe(stopped[0]);
    }
    expect(stopped).toHaveLength(1);
    expect(stopped[0]).toMatch(/another writer appended to the log \(expected revision no_stream, found 4\)/);

    // The store refuses the append behind the failed one as it would; that changes nothing.
    held.fail(1, new WrongExpectedRevisionError(STREAM, 0, 4));
    await turns(10);
    expect(stopped).toHaveLength(1);
    const late = open("d");
    await until(() => late.state !== "pending");
    expect((late.error as SequencerUnavailable).code).toBe("WRITES_STOPPED");
    expect(held.calls.length).toBe(2);
    expect(sequencer.stats.batchesCommitted).toBe(0);
    await sequencer.close();
  });

  it("answers what was durable before a failure, and refuses what came after", async () => {
    const held = new HeldStore(true);
    const { open, stopped } = newSequencer(held.store);
    const a = open("a");
    await until(() => held.calls.length === 1);
    const b = open("b");
    await until(() => held.calls.length === 2);
    held.write(0);
    held.fail(1, new Error("disk full"));
    await until(() => b.state !== "pending");
    expect(a.state).toBe("resolved");
    expect(b.state).toBe("rejected");
    expect(stopped).toEqual([
      "appending to the log failed (disk full); this gateway stopped accepting writes",
    ]);
  });

  it("runs whenDurable work once every decided batch is durable, holding the next batch until then", async () => {
    const held = new HeldStore(true);
    const { sequencer, projection, open } = newSequencer(held.store);
    const a = open("a");
    await until(() => held.calls.length === 1);
    const b = open("b");
    await until(() => held.calls.length === 2);
    const seen: { decided: number; durable: number }[] = [];
    sequencer.whenDurable(() => {
      seen.push({ decided: projection.eventCount, durable: held.inner.readBatch(STREAM, 0, 100).length });
    });
    held.write(0);
    const c = open("c");
    await turns(10);
    expect(seen).toEqual([]);
    expect(held.calls.length).toBe(2); // c waits: a slot is free, but the state must catch up with the log first
    held.write(1);
    await until(() => held.calls.length === 3);
    expect(seen).toEqual([{ decided: 2, durable: 2 }]);
    held.write(2);
    await Promise.all([a.promise, b.promise, c.promise]);
  });

  it("close waits for the batches in flight", async () => {
    const held = new HeldStore(true);
    const { sequencer, open } = newSequencer(held.store);
    const a = open("a");
    await until(() => held.calls.length === 1);
    let closed = false;
    const closing = sequencer.close().then(() => {
      closed = true;
    });
    await turns(10);
    expect(closed).toBe(false);
    held.write(0);
    await closing;
    expect(a.state).toBe("resolved");
  });
});

describe("Sequencer on a store without appendsInOrder", () => {
  it("appends one batch at a time, whatever maxAppendsInFlight says", async () => {
    const held = new HeldStore(false);
    const { sequencer, open } = newSequencer(held.store, { maxAppendsInFlight: 4 });
    const a = open("a");
    await until(() => held.calls.length === 1);
    const b = open("b");
    await turns(10);
    expect(held.calls.length).toBe(1);
    expect(sequencer.appendsInFlight).toBe(1);
    held.write(0);
    await until(() => held.calls.length === 2);
    held.write(1);
    await Promise.all([a.promise, b.promise]);
  });
});

describe("Sequencer end to end", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const burst = async (store: EventStore, maxBatch: number) => {
    const { sequencer, open, committed } = newSequencer(store, { maxBatch });
    const tracked = Array.from({ length: 2_500 }, (_, k) => open(`acct-${k}`));
    const outcomes = await Promise.all(tracked.map((t) => t.promise));
    await sequencer.close();
    return { outcomes, committed };
  };

  it("on the memory store: every command answered once, seqs in submission order, every batch committed in order", async () => {
    const store = createMemoryStore();
    const { outcomes, committed } = await burst(store, 1_000);
    expect(outcomes.map((o) => (o.ok ? o.seq : -1))).toEqual(outcomes.map((_, k) => k + 1));
    expect(committed.flat()).toEqual(outcomes.map((_, k) => k + 1));
    expect(committed.length).toBe(3);
    expect(await store.lastRevision(STREAM)).toBe(2_499);
  });

  it("on SQLite with the worker writer: the log read back is the state the answers came from", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pmx-sequencer-"));
    dirs.push(dir);
    const store = openSqliteStore(join(dir, "events.db"), { writer: "worker" });
    const { outcomes, committed } = await burst(store, 300);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(committed.flat()).toEqual(outcomes.map((_, k) => k + 1));
    const replayed = await rebuild(store, STREAM);
    expect(replayed.eventCount).toBe(2_500);
    expect(replayed.lastSeq).toBe(2_500);
    await store.close();
  });
});

describe("Sequencer appends bounded in bytes (issue 17)", () => {
  it("splits a group commit before the command that would cross maxAppendBytes; the rest follows in the next append", async () => {
    const store = createMemoryStore();
    const sizes: number[] = [];
    const weighed: EventStore = {
      appendsInOrder: true,
      append: (stream, events, expected) => {
        sizes.push(appendBytesOf(events));
        return store.append(stream, events, expected);
      },
      read: (stream, from, max) => store.read(stream, from, max),
      lastRevision: (stream) => store.lastRevision(stream),
      subscribe: (stream, after, onEvent, onError) => store.subscribe(stream, after, onEvent, onError),
      close: () => store.close(),
    };
    const { sequencer, open, committed } = newSequencer(weighed, { maxAppendBytes: 4_000 });
    const tracked = Array.from({ length: 40 }, (_, k) => open(`acct-${k}`));
    const outcomes = await Promise.all(tracked.map((t) => t.promise));
    await sequencer.close();
    // One event of ~300 bytes a command: 40 commands need at least 3 appends of at most 4,000 bytes.
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4_000);
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    expect(committed.flat()).toEqual(outcomes.map((_, k) => k + 1));
    expect(await store.lastRevision(STREAM)).toBe(39);
  });

  it("refuses a single command over maxAppendBytes (COMMAND_TOO_LARGE) and appends nothing for it; the next command goes on", async () => {
    const store = createMemoryStore();
    const { sequencer } = newSequencer(store, { maxAppendBytes: 2_000 });
    const big = sequencer.submit({
      type: "ListEvent",
      eventId: "ev",
      title: "Many?",
      tickSize: "0.01",
      resolvesAt: "2030-01-01T00:00:00Z",
      outcomes: Array.from({ length: 30 }, (_, i) => ({ marketId: `m${i}`, question: `${i}?` })),
    } as CommandInput);
    await expect(big).rejects.toMatchObject({ code: "COMMAND_TOO_LARGE" });
    expect(await store.lastRevision(STREAM)).toBe("no_stream");
    const after = await sequencer.submit({ type: "OpenAccount", accountId: "a" });
    expect(after.ok && after.seq).toBe(1);
    await sequencer.close();
  });
});
