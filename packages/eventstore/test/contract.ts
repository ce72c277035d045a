// The behaviour every EventStore adapter must show; each adapter's test file runs it.
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DuplicateEventIdError,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from "../src/index.js";

export interface StoreFixture {
  readonly store: EventStore;
  /** Closes the store if still open and removes whatever the fixture made. */
  readonly cleanup: () => Promise<void>;
}

export function newEvent(n: number, overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    id: randomUUID(),
    type: "TestEvent",
    data: JSON.stringify({ n }),
    metadata: JSON.stringify({ correlationId: `c-${n}` }),
    ...overrides,
  };
}

export function newEvents(count: number, from = 0): NewEvent[] {
  return Array.from({ length: count }, (_, i) => newEvent(from + i));
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Expects `p` to reject with a WrongExpectedRevisionError whose `actual` is `actual`. */
export async function expectConflict(p: Promise<unknown>, actual: number | "no_stream"): Promise<void> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WrongExpectedRevisionError);
  expect((error as WrongExpectedRevisionError).actual).toBe(actual);
  expect((error as WrongExpectedRevisionError).code).toBe("WRONG_EXPECTED_REVISION");
}

const ids = (events: readonly { id: string }[]) => events.map((e) => e.id);

export function runEventStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`EventStore contract: ${name}`, () => {
    let fx: StoreFixture;
    let store: EventStore;
    let stream: string;

    beforeEach(async () => {
      fx = await makeStore();
      store = fx.store;
      stream = `exchange-${randomUUID()}`;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    describe("append", () => {
      it("appends to a new stream with no_stream and numbers revisions from 0", async () => {
        const batch = newEvents(3);
        const r = await store.append(stream, batch, "no_stream");
        expect(r).toEqual({ nextExpectedRevision: 2, written: true });
        const read = await collect(store.read(stream));
        expect(read.map((e) => e.revision)).toEqual([0, 1, 2]);
        expect(ids(read)).toEqual(ids(batch));
        expect(read.every((e) => e.stream === stream)).toBe(true);
      });

      it("appends with the exact last revision", async () => {
        await store.append(stream, newEvents(2), "no_stream");
        const r = await store.append(stream, newEvents(3, 2), 1);
        expect(r).toEqual({ nextExpectedRevision: 4, written: true });
        const r2 = await store.append(stream, [newEvent(5)], 4);
        expect(r2).toEqual({ nextExpectedRevision: 5, written: true });
        const read = await collect(store.read(stream));
        expect(read.map((e) => JSON.parse(e.data).n)).toEqual([0, 1, 2, 3, 4, 5]);
      });

      it("rejects a stale expected revision with the actual one and writes nothing", async () => {
        await store.append(stream, newEvents(3), "no_stream");
        const stale = newEvents(2, 3);
        await expectConflict(store.append(stream, stale, 1), 2);
        await expectConflict(store.append(stream, stale, "no_stream"), 2);
        await expectConflict(store.append(stream, stale, 7), 2);
        expect(await store.lastRevision(stream)).toBe(2);
        expect(ids(await collect(store.read(stream)))).not.toContain(stale[0]!.id);
        // The rejected ids were not stored: the same batch appends at the right revision.
        expect(await store.append(stream, stale, 2)).toEqual({ nextExpectedRevision: 4, written: true });
      });

      it("reports actual no_stream when a revision is expected of an empty stream", async () => {
        await expectConflict(store.append(stream, newEvents(1), 0), "no_stream");
        await expectConflict(store.append(stream, newEvents(1), 5), "no_stream");
        expect(await store.lastRevision(stream)).toBe("no_stream");
        expect(await collect(store.read(stream))).toEqual([]);
      });

      it("carries stream and expected revision on the conflict error", async () => {
        await store.append(stream, newEvents(1), "no_stream");
        const error = await store.append(stream, newEvents(1), "no_stream").catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ stream, expected: "no_stream", actual: 0 });
      });

      it("answers an idempotent retry of a stored batch with written: false and writes nothing", async () => {
        await store.append(stream, newEvents(2), "no_stream");
        const batch = newEvents(3, 2);
        const first = await store.append(stream, batch, 1);
        expect(first).toEqual({ nextExpectedRevision: 4, written: true });
        const retry = await store.append(stream, batch, 1);
        expect(retry).toEqual({ nextExpectedRevision: 4, written: false });
        // Still idempotent after the stream moved on; the result names the batch's own last revision.
        await store.append(stream, newEvents(1, 5), 4);
        const later = await store.append(stream, batch, 1);
        expect(later).toEqual({ nextExpectedRevision: 4, written: false });
        const read = await collect(store.read(stream));
        expect(read).toHaveLength(6);
        expect(new Set(ids(read)).size).toBe(6);
        expect(await store.lastRevision(stream)).toBe(5);
      });

      it("answers an idempotent retry of a first batch (no_stream)", async () => {
        const batch = newEvents(2);
        await store.append(stream, batch, "no_stream");
        expect(await store.append(stream, batch, "no_stream")).toEqual({
          nextExpectedRevision: 1,
          written: false,
        });
        expect(await collect(store.read(stream))).toHaveLength(2);
      });

      it("does not take a batch with stored ids but other content as a retry: it is another writer's (conflict)", async () => {
        await store.append(stream, newEvents(1), "no_stream");
        const writerA = [newEvent(1, { data: '{"writer":"A"}' })];
        const writerB = [newEvent(1, { data: '{"writer":"B"}' })];
        await store.append(stream, writerA, 0);
        await expectConflict(store.append(stream, writerB, 0), 1);
        const read = await collect(store.read(stream));
        expect(read.map((e) => e.data)).toEqual([newEvent(0).data, '{"writer":"A"}']);
      });

      it("does not take a stored batch re-sent at another expected revision as a retry", async () => {
        const batch = newEvents(2);
        await store.append(stream, batch, "no_stream");
        await expect(store.append(stream, batch, 1)).rejects.toBeInstanceOf(DuplicateEventIdError);
        await expectConflict(store.append(stream, batch, 0), 1);
        expect(await collect(store.read(stream))).toHaveLength(2);
      });

      it("rejects an event id stored by another batch, and writes nothing of the batch", async () => {
        const first = newEvents(2);
        await store.append(stream, first, "no_stream");
        const fresh = newEvent(10);
        const batch = [fresh, { ...newEvent(11), id: first[0]!.id }];
        const error = await store.append(stream, batch, 1).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(error).toMatchObject({ code: "DUPLICATE_EVENT_ID", eventId: first[0]!.id, stream });
        expect(await store.lastRevision(stream)).toBe(1);
        expect(ids(await collect(store.read(stream)))).toEqual(ids(first));
        // The fresh event of the failed batch was not stored.
        expect(await store.append(stream, [fresh], 1)).toEqual({ nextExpectedRevision: 2, written: true });
      });

      it("rejects a partial overlap with a stored batch", async () => {
        const first = newEvents(2);
        await store.append(stream, first, "no_stream");
        // Same first id at the same position, but the batch is not the stored one.
        const batch = [first[0]!, newEvent(9)];
        await expect(store.append(stream, batch, "no_stream")).rejects.toThrow();
        expect(ids(await collect(store.read(stream)))).toEqual(ids(first));
      });

      it("rejects an event id stored in another stream", async () => {
        const other = `${stream}-other`;
        const e = newEvent(0);
        await store.append(other, [e], "no_stream");
        await expect(store.append(stream, [e], "no_stream")).rejects.toBeInstanceOf(DuplicateEventIdError);
        expect(await store.lastRevision(stream)).toBe("no_stream");
      });

      it("rejects a batch that repeats an id", async () => {
        const e = newEvent(0);
        await expect(store.append(stream, [e, newEvent(1), e], "no_stream")).rejects.toBeInstanceOf(
          DuplicateEventIdError,
        );
        expect(await store.lastRevision(stream)).toBe("no_stream");
      });

      it("rejects malformed arguments", async () => {
        await expect(store.append(stream, [], "no_stream")).rejects.toThrow(RangeError);
        await expect(store.append(stream, newEvents(1), -1)).rejects.toThrow(RangeError);
        await expect(store.append(stream, newEvents(1), 1.5)).rejects.toThrow(RangeError);
        await expect(store.append("", newEvents(1), "no_stream")).rejects.toThrow(TypeError);
        const noData = { ...newEvent(0), data: undefined } as unknown as NewEvent;
        await expect(store.append(stream, [noData], "no_stream")).rejects.toThrow(TypeError);
        expect(await store.lastRevision(stream)).toBe("no_stream");
      });

      it("lets exactly one of 8 concurrent writers at the same revision win", async () => {
        await store.append(stream, newEvents(1), "no_stream");
        const batches = Array.from({ length: 8 }, (_, w) => newEvents(5, 100 * (w + 1)));
        const results = await Promise.allSettled(batches.map((b) => store.append(stream, b, 0)));
        const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
        expect(won).toHaveLength(1);
        for (const r of results) {
          if (r.status === "rejected") {
            expect(r.reason).toBeInstanceOf(WrongExpectedRevisionError);
            expect((r.reason as WrongExpectedRevisionError).actual).toBe(5);
          } else {
            expect(r.value).toEqual({ nextExpectedRevision: 5, written: true });
          }
        }
        const read = await collect(store.read(stream));
        expect(ids(read.slice(1))).toEqual(ids(batches[won[0]!]!));
        expect(read).toHaveLength(6);
      });

      it("keeps streams apart", async () => {
        const other = `${stream}-b`;
        await store.append(stream, newEvents(2), "no_stream");
        await store.append(other, newEvents(3, 10), "no_stream");
        await store.append(stream, newEvents(1, 2), 1);
        expect(await store.lastRevision(stream)).toBe(2);
        expect(await store.lastRevision(other)).toBe(2);
        expect((await collect(store.read(other))).map((e) => JSON.parse(e.data).n)).toEqual([10, 11, 12]);
        expect((await collect(store.read(stream))).map((e) => JSON.parse(e.data).n)).toEqual([0, 1, 2]);
      });
    });

    describe("group commit", () => {
      it("appends 10,000 events in one call, in order", async () => {
        const batch = newEvents(10_000);
        expect(await store.append(stream, batch, "no_stream")).toEqual({
          nextExpectedRevision: 9_999,
          written: true,
        });
        const read = await collect(store.read(stream));
        expect(read).toHaveLength(10_000);
        expect(read.every((e, i) => e.revision === i && e.id === batch[i]!.id)).toBe(true);
      });

      it("writes nothing of a 10,000-event batch whose last event fails", async () => {
        const existing = newEvent(0);
        await store.append(stream, [existing], "no_stream");
        const batch = [...newEvents(9_999, 1), { ...newEvent(10_000), id: existing.id }];
        await expect(store.append(stream, batch, 0)).rejects.toBeInstanceOf(DuplicateEventIdError);
        expect(await store.lastRevision(stream)).toBe(0);
        expect(await collect(store.read(stream))).toHaveLength(1);
        // None of the 9,999 good ids were kept: they append now.
        const good = batch.slice(0, -1);
        expect(await store.append(stream, good, 0)).toEqual({ nextExpectedRevision: 9_999, written: true });
      });
    });

    describe("read", () => {
      it("returns data and metadata byte for byte", async () => {
        const texts = [
          '{"a":1,"b":"x"}',
          '{ "b" : 2 ,\t"a":\n[1, 2.50, 1e3, -0]\r\n}',
          '  {"padded": true}  ',
          '{"text":"héllo wörld — “quotes” 中文 العربية עברית 🎉👩🏽‍💻 e\u0301"}',
          '{"escaped":"\\u00e9\\n\\"\\\\","slash":"a\\/b"}',
          '{"nul":"\\u0000","zwj":"\u200d","bom":"\ufeff","nbsp":"\u00a0"}',
          "[]",
          '""',
        ];
        const batch = texts.map((t, i) => newEvent(i, { data: t, metadata: texts[texts.length - 1 - i]! }));
        await store.append(stream, batch, "no_stream");
        const read = await collect(store.read(stream));
        expect(read).toHaveLength(texts.length);
        read.forEach((e, i) => {
          expect(e.data).toBe(texts[i]);
          expect(e.metadata).toBe(texts[texts.length - 1 - i]);
          expect(Buffer.from(e.data, "utf8").equals(Buffer.from(texts[i]!, "utf8"))).toBe(true);
          expect(e.type).toBe("TestEvent");
          expect(e.id).toBe(batch[i]!.id);
        });
      });

      it("reads from a middle revision, with and without maxCount", async () => {
        await store.append(stream, newEvents(10), "no_stream");
        const rev = async (from?: number, max?: number) =>
          (await collect(store.read(stream, from, max))).map((e) => e.revision);
        expect(await rev(4)).toEqual([4, 5, 6, 7, 8, 9]);
        expect(await rev(4, 3)).toEqual([4, 5, 6]);
        expect(await rev(0, 1)).toEqual([0]);
        expect(await rev(8, 100)).toEqual([8, 9]);
        expect(await rev(3, 0)).toEqual([]);
        expect(await rev(10)).toEqual([]);
        expect(await rev(50, 5)).toEqual([]);
        expect(await rev()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      });

      it("reads nothing from an unknown stream", async () => {
        expect(await collect(store.read(`${stream}-none`))).toEqual([]);
      });

      it("rejects a negative revision", async () => {
        await expect(collect(store.read(stream, -1))).rejects.toThrow(RangeError);
      });

      it("tells the last revision", async () => {
        expect(await store.lastRevision(stream)).toBe("no_stream");
        await store.append(stream, newEvents(1), "no_stream");
        expect(await store.lastRevision(stream)).toBe(0);
        await store.append(stream, newEvents(4, 1), 0);
        expect(await store.lastRevision(stream)).toBe(4);
      });
    });

    describe("subscribe", () => {
      it("delivers stored events from the start, then new ones in order, without duplicates", async () => {
        await store.append(stream, newEvents(3), "no_stream");
        const got: RecordedEvent[] = [];
        const sub = store.subscribe(stream, "start", (e) => {
          got.push(e);
        });
        await waitFor(() => got.length === 3);
        await store.append(stream, newEvents(2, 3), 2);
        await store.append(stream, newEvents(1, 5), 4);
        await waitFor(() => got.length === 6);
        await sleep(100);
        await sub.close();
        expect(got.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5]);
        expect(got.map((e) => JSON.parse(e.data).n)).toEqual([0, 1, 2, 3, 4, 5]);
      });

      it("delivers only events after the given revision (exclusive)", async () => {
        await store.append(stream, newEvents(5), "no_stream");
        const got: number[] = [];
        const sub = store.subscribe(stream, 2, (e) => {
          got.push(e.revision);
        });
        await waitFor(() => got.length === 2);
        await store.append(stream, newEvents(2, 5), 4);
        await waitFor(() => got.length === 4);
        await sleep(100);
        await sub.close();
        expect(got).toEqual([3, 4, 5, 6]);
      });

      it("waits on an empty or caught-up stream until something is appended", async () => {
        const got: number[] = [];
        const sub = store.subscribe(stream, "start", (e) => {
          got.push(e.revision);
        });
        await sleep(80);
        expect(got).toEqual([]);
        await store.append(stream, newEvents(2), "no_stream");
        await waitFor(() => got.length === 2);
        const late = store.subscribe(stream, 5, (e) => {
          got.push(100 + e.revision);
        });
        await store.append(stream, newEvents(5, 2), 1); // revisions 2..6: only 6 is after 5
        await waitFor(() => got.length === 8);
        await sleep(50);
        await Promise.all([sub.close(), late.close()]);
        expect(got.filter((r) => r < 100)).toEqual([0, 1, 2, 3, 4, 5, 6]);
        expect(got.filter((r) => r >= 100)).toEqual([106]);
      });

      it("awaits an async handler before delivering the next event", async () => {
        await store.append(stream, newEvents(5), "no_stream");
        const log: string[] = [];
        const sub = store.subscribe(stream, "start", async (e) => {
          log.push(`start ${e.revision}`);
          await sleep(2);
          log.push(`end ${e.revision}`);
        });
        await waitFor(() => log.length === 10);
        await sub.close();
        expect(log).toEqual([0, 1, 2, 3, 4].flatMap((r) => [`start ${r}`, `end ${r}`]));
      });

      it("delivers nothing after close", async () => {
        const got: number[] = [];
        const sub = store.subscribe(stream, "start", (e) => {
          got.push(e.revision);
        });
        await store.append(stream, newEvents(1), "no_stream");
        await waitFor(() => got.length === 1);
        await sub.close();
        await store.append(stream, newEvents(3, 1), 0);
        await sleep(150);
        expect(got).toEqual([0]);
      });

      it("can be closed from inside its handler", async () => {
        await store.append(stream, newEvents(5), "no_stream");
        const got: number[] = [];
        let closing: Promise<void> | undefined;
        const sub = store.subscribe(stream, "start", (e) => {
          got.push(e.revision);
          if (e.revision === 1) closing = sub.close();
        });
        await waitFor(() => closing !== undefined);
        await closing;
        await sleep(50);
        expect(got).toEqual([0, 1]);
      });

      it("ends with onError when the handler throws, without skipping past the failed event", async () => {
        await store.append(stream, newEvents(4), "no_stream");
        const got: number[] = [];
        const errors: unknown[] = [];
        const sub = store.subscribe(
          stream,
          "start",
          (e) => {
            if (e.revision === 2) throw new Error("boom");
            got.push(e.revision);
          },
          (err) => errors.push(err),
        );
        await waitFor(() => errors.length === 1);
        await store.append(stream, newEvents(1, 4), 3);
        await sleep(100);
        await sub.close();
        expect(got).toEqual([0, 1]);
        expect(errors).toHaveLength(1);
        expect((errors[0] as Error).message).toBe("boom");
      });

      it("runs several subscribers independently", async () => {
        const a: number[] = [];
        const b: number[] = [];
        const sa = store.subscribe(stream, "start", (e) => {
          a.push(e.revision);
        });
        const sb = store.subscribe(stream, 1, (e) => {
          b.push(e.revision);
        });
        for (let i = 0; i < 5; i++) await store.append(stream, [newEvent(i)], i === 0 ? "no_stream" : i - 1);
        await waitFor(() => a.length === 5 && b.length === 3);
        await Promise.all([sa.close(), sb.close()]);
        expect(a).toEqual([0, 1, 2, 3, 4]);
        expect(b).toEqual([2, 3, 4]);
      });
    });

    describe("close", () => {
      it("closes subscriptions and refuses further use", async () => {
        await store.append(stream, newEvents(1), "no_stream");
        const got: number[] = [];
        store.subscribe(stream, "start", (e) => {
          got.push(e.revision);
        });
        await waitFor(() => got.length === 1);
        await store.close();
        await store.close(); // twice is fine
        await expect(store.append(stream, newEvents(1), 0)).rejects.toThrow(/closed/);
        await expect(store.lastRevision(stream)).rejects.toThrow(/closed/);
        await expect(collect(store.read(stream))).rejects.toThrow(/closed/);
        expect(() => store.subscribe(stream, "start", () => {})).toThrow(/closed/);
        expect(got).toEqual([0]);
      });
    });
  });
}
