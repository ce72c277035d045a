// The EventStoreDB adapter against the server's faults, played by the gRPC double (test/grpc-double/server.ts):
// commit timeouts answered after the events were written or before, NotLeader on appends and on the reads that need
// the leader, subscriptions the server drops, and the maximum append size. Both append paths of the client run
// (BatchAppend, like a 21.10+ node, and Append, like a 20.x node).
import { afterEach, describe, expect, it, vi } from "vitest";
import { esdbAppendSize } from "../src/esdb-store.js";
import {
  AppendFailedError,
  AppendTooLargeError,
  type EsdbEventStore,
  type NewEvent,
  openEsdbStore,
  StoreNotLeaderError,
} from "../src/index.js";
import { collect, newEvent, newEvents, sleep, waitFor } from "./contract.js";
import { type EsdbDouble, type EsdbDoubleOptions, startEsdbDouble } from "./grpc-double/server.js";

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const doubles: EsdbDouble[] = [];
const stores: EsdbEventStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await Promise.all(doubles.splice(0).map((d) => d.stop()));
});
const startDouble = async (options?: EsdbDoubleOptions) => {
  const d = await startEsdbDouble(options);
  doubles.push(d);
  return d;
};
const openStoreOn = (url: string, options?: Parameters<typeof openEsdbStore>[1]) => {
  const s = openEsdbStore(url, options);
  stores.push(s);
  return s;
};
const ids = (events: readonly { id: string }[]) => events.map((e) => e.id);

/** One event whose append size (as the server counts it) is exactly `bytes`. */
function eventOfSize(bytes: number, n = 0, overrides: Partial<NewEvent> = {}): NewEvent {
  const e = newEvent(n, { ...overrides, data: "" });
  const overhead = esdbAppendSize([e]);
  if (bytes < overhead) throw new RangeError(`an event needs at least ${overhead} bytes`);
  return { ...e, data: "x".repeat(bytes - overhead) };
}

for (const features of ["batch-append", "none"] as const) {
  const method = features === "batch-append" ? "BatchAppend" : "Append";

  describe(`EventStoreDB adapter under the server's faults (${method})`, () => {
    const start = async (
      options: EsdbDoubleOptions = {},
      storeOptions?: Parameters<typeof openEsdbStore>[1],
    ) => {
      const double = await startDouble({ features, ...options });
      return { double, store: openStoreOn(double.connectionString, storeOptions) };
    };

    describe("commit timeouts", () => {
      it("answers an append whose timeout came after the commit as written, with no duplicate, and keeps writing", async () => {
        const { double, store } = await start();
        const first = newEvents(1);
        await store.append("s", first, "no_stream");
        double.timeOutAppends({ committed: true });
        const batch = newEvents(3, 1);
        expect(await store.append("s", batch, 0)).toEqual({ nextExpectedRevision: 3, written: true });
        expect(ids(double.events("s"))).toEqual(ids([...first, ...batch]));
        const next = newEvents(2, 4);
        expect(await store.append("s", next, 3)).toEqual({ nextExpectedRevision: 5, written: true });
        expect(ids(double.events("s"))).toEqual(ids([...first, ...batch, ...next]));
        expect(double.appends.map((a) => a.outcome)).toEqual(["written", "timed_out_written", "written"]);
        // The answer was read back from the leader by revision: the batch's first revision, its length.
        expect(double.reads.at(-1)).toMatchObject({ from: 4n, count: 2n, requiresLeader: true });
      });

      it("retries an append whose timeout came before any commit, and writes it once", async () => {
        const { double, store } = await start();
        double.timeOutAppends({ committed: false });
        const batch = newEvents(3);
        expect(await store.append("s", batch, "no_stream")).toEqual({
          nextExpectedRevision: 2,
          written: true,
        });
        expect(ids(double.events("s"))).toEqual(ids(batch));
        expect(double.appends.map((a) => a.outcome)).toEqual(["timed_out_not_written", "written"]);
        expect(double.appends.map((a) => a.expected)).toEqual([{ kind: "no_stream" }, { kind: "no_stream" }]);
      });

      it("refuses cleanly, saying nothing was written, when every attempt times out uncommitted; then writes again", async () => {
        const { double, store } = await start({}, { appendAttempts: 3 });
        double.timeOutAppends({ committed: false, count: 100 });
        const batch = newEvents(2);
        const error = await store.append("s", batch, "no_stream").catch((e: unknown) => e);
        expect(error).toBeInstanceOf(AppendFailedError);
        expect(error).toMatchObject({ code: "APPEND_FAILED", stream: "s", written: "no", attempts: 3 });
        expect(double.events("s")).toEqual([]);
        expect(double.appends.map((a) => a.outcome)).toEqual(Array(3).fill("timed_out_not_written"));
        double.timeOutAppends({ committed: false, count: 0 });
        expect(await store.append("s", batch, "no_stream")).toEqual({
          nextExpectedRevision: 1,
          written: true,
        });
        expect(ids(double.events("s"))).toEqual(ids(batch));
      });

      it("answers as written once an append that timed out, was read back as not written, then committed late", async () => {
        // The first attempt's commit lands after the read-back found nothing: the retry (same ids, same expected
        // revision) is then an idempotent success on the server, and the log holds the batch once.
        const { double, store } = await start();
        await store.append("s", newEvents(1), "no_stream");
        double.timeOutAppends({ committed: "late" });
        const batch = newEvents(2, 1);
        expect(await store.append("s", batch, 0)).toEqual({ nextExpectedRevision: 2, written: true });
        expect(double.appends.map((a) => a.outcome)).toEqual([
          "written",
          "timed_out_not_written",
          "idempotent",
        ]);
        expect(ids(double.events("s")).slice(1)).toEqual(ids(batch));
        expect(await store.append("s", newEvents(1, 3), 2)).toEqual({
          nextExpectedRevision: 3,
          written: true,
        });
      });

      it("says the outcome is unknown when the server cannot be reached to read it back, and reads the end again next time", async () => {
        const { double, store } = await start({}, { appendAttempts: 2, retryDelayMs: 5 });
        await store.append("s", newEvents(1), "no_stream");
        double.setUnavailable(true);
        const error = await store.append("s", newEvents(1, 1), 0).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(AppendFailedError);
        expect(error).toMatchObject({ code: "APPEND_FAILED", written: "unknown" });
        expect((error as Error).message).toMatch(/unknown/);
        double.setUnavailable(false);
        expect(await store.append("s", newEvents(1, 1), 0)).toEqual({
          nextExpectedRevision: 1,
          written: true,
        });
      });
    });

    describe("NotLeader", () => {
      it("follows the leader a follower names, for reads and appends, and again after a failover; each batch written once", async () => {
        const a = await startDouble({ features });
        const b = await startDouble({ features, cluster: a });
        b.setLeader({ host: "127.0.0.1", port: a.port });
        const store = openStoreOn(b.connectionString); // connected to a follower
        const batch = newEvents(2);
        expect(await store.append("s", batch, "no_stream")).toEqual({
          nextExpectedRevision: 1,
          written: true,
        });
        // The first call of the write path (reading the stream's ids) was refused by b and sent again to a.
        expect(b.reads.map((r) => [r.requiresLeader, r.subscription])).toEqual([[true, false]]);
        expect(b.appends).toEqual([]);
        expect(a.appends.map((x) => [x.outcome, x.requiresLeader])).toEqual([["written", true]]);
        // Failover: b becomes the leader, a names it. The next append reaches a, is refused, and is written on b.
        a.setLeader({ host: "127.0.0.1", port: b.port });
        b.setLeader("self");
        const next = newEvents(1, 2);
        expect(await store.append("s", next, 1)).toEqual({ nextExpectedRevision: 2, written: true });
        expect(a.appends.map((x) => x.outcome)).toEqual(["written", "not_leader"]);
        expect(b.appends.map((x) => x.outcome)).toEqual(["written"]);
        expect(ids(a.events("s"))).toEqual(ids([...batch, ...next])); // one cluster, each event once
        expect(await collect(store.read("s"))).toHaveLength(3);
      });

      it("finds the leader through gossip with esdb+discover://, so a follower's address never takes a call", async () => {
        const a = await startDouble({ features });
        const b = await startDouble({ features, cluster: a });
        b.setLeader({ host: "127.0.0.1", port: a.port });
        const store = openStoreOn(`esdb+discover://127.0.0.1:${b.port}?tls=false&nodePreference=leader`);
        expect(await store.append("s", newEvents(2), "no_stream")).toEqual({
          nextExpectedRevision: 1,
          written: true,
        });
        expect(a.appends.map((x) => x.outcome)).toEqual(["written"]);
        expect(b.appends).toEqual([]);
        expect(b.reads).toEqual([]);
      });

      it("refuses with a clear NotLeader error when no leader takes the append, writes nothing, and goes on once there is one", async () => {
        const { double, store } = await start({}, { appendAttempts: 2, retryDelayMs: 5 });
        await store.append("s", newEvents(1), "no_stream");
        double.setLeader({ host: "127.0.0.1", port: double.port }); // a node that names itself: no leader to find
        const error = await store.append("s", newEvents(1, 1), 0).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoreNotLeaderError);
        expect(error).toMatchObject({ code: "NOT_LEADER", leader: `127.0.0.1:${double.port}` });
        expect(double.events("s")).toHaveLength(1);
        double.setLeader("self");
        expect(await store.append("s", newEvents(1, 1), 0)).toEqual({
          nextExpectedRevision: 1,
          written: true,
        });
      });

      it("asks for the leader on every append and every read of the write path", async () => {
        const { double, store } = await start();
        await store.append("s", newEvents(2), "no_stream");
        await store.append("s", newEvents(1, 2), 1);
        const other = openStoreOn(double.connectionString); // reads the stream's ids first
        await other.append("s", newEvents(1, 3), 2);
        expect(double.appends.every((a) => a.requiresLeader)).toBe(true);
        const writePathReads = double.reads.filter((r) => !r.subscription);
        expect(writePathReads.length).toBeGreaterThanOrEqual(4);
        expect(writePathReads.every((r) => r.requiresLeader)).toBe(true);
      });
    });

    describe("subscription drops", () => {
      const drops = {
        "with UNAVAILABLE": (d: EsdbDouble) => expect(d.dropSubscriptions({ stream: "s" })).toBe(1),
        cleanly: (d: EsdbDouble) => expect(d.dropSubscriptions({ stream: "s", code: "end" })).toBe(1),
        "by going away": (d: EsdbDouble) => d.stop(),
      };
      for (const [how, drop] of Object.entries(drops)) {
        it(`reports a subscription the server ends ${how} to onError once, after the events it delivered`, async () => {
          const { double, store } = await start();
          await store.append("s", newEvents(2), "no_stream");
          const got: number[] = [];
          const errors: unknown[] = [];
          store.subscribe(
            "s",
            "start",
            (e) => {
              got.push(e.revision);
            },
            (error) => errors.push(error),
          );
          await waitFor(() => got.length === 2);
          await drop(double);
          await waitFor(() => errors.length === 1);
          await sleep(50);
          expect(errors).toHaveLength(1);
          expect(got).toEqual([0, 1]);
          expect(double.liveSubscriptions("s")).toBe(0);
        });
      }
    });

    describe("maximum append size", () => {
      it("measures an append as the server does: exactly the limit is written, one byte more is refused by the server", async () => {
        const { double, store } = await start({ maxAppendSize: 10_000 }, { maxAppendSize: 1_000_000 });
        const exact = [eventOfSize(6_000, 0), eventOfSize(4_000, 1)];
        expect(esdbAppendSize(exact)).toBe(10_000);
        expect(await store.append("s", exact, "no_stream")).toEqual({
          nextExpectedRevision: 1,
          written: true,
        });
        const over = [eventOfSize(6_000, 2), eventOfSize(4_001, 3)];
        const error = await store.append("s", over, 1).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: "APPEND_TOO_LARGE", size: 10_001, limit: 10_000 });
        expect(double.appends.map((a) => a.outcome)).toEqual(["written", "rejected"]);
        expect(double.events("s")).toHaveLength(2);
      });

      it("counts non-ASCII data and metadata in UTF-8 bytes and the type in UTF-16 units, as the server does", async () => {
        const { double, store } = await start({ maxAppendSize: 2_000 }, { maxAppendSize: 1_000_000 });
        const unusual = { type: "Événement📈", metadata: '{"note":"héllo — 🎉"}' };
        const base = eventOfSize(1_000, 0, unusual);
        // The ASCII padding as "é" (2 UTF-8 bytes each, 1 UTF-16 unit): the same size to the server.
        const k = base.data.length;
        const accented = { ...base, data: "é".repeat(Math.floor(k / 2)) + "x".repeat(k % 2) };
        expect(accented.data.length).toBeLessThan(k);
        expect(esdbAppendSize([accented])).toBe(1_000);
        const exact = [accented, eventOfSize(1_000, 1, unusual)];
        expect(esdbAppendSize(exact)).toBe(2_000);
        expect(await store.append("s", exact, "no_stream")).toMatchObject({ written: true });
        const one = eventOfSize(1_000, 2, unusual);
        const over = [{ ...one, data: `${one.data}x` }, eventOfSize(1_000, 3, unusual)];
        expect(esdbAppendSize(over)).toBe(2_001);
        await expect(store.append("s", over, 1)).rejects.toMatchObject({
          code: "APPEND_TOO_LARGE",
          limit: 2_000,
        });
        expect(double.appends.map((a) => a.outcome)).toEqual(["written", "rejected"]);
      });

      it("refuses an append over its own setting before sending it", async () => {
        const { double, store } = await start({}, { maxAppendSize: 5_000 });
        expect(store.maxAppendSize).toBe(5_000);
        const error = await store.append("s", [eventOfSize(5_001)], "no_stream").catch((e: unknown) => e);
        expect(error).toBeInstanceOf(AppendTooLargeError);
        expect(error).toMatchObject({ size: 5_001, limit: 5_000 });
        expect(double.appends).toEqual([]);
        expect(await store.append("s", [eventOfSize(5_000)], "no_stream")).toMatchObject({ written: true });
      });

      it("takes the setting from the connection string and keeps it from the client", async () => {
        const double = await startDouble({ features });
        const warn = vi.spyOn(console, "warn");
        const store = openStoreOn(`${double.connectionString}&maxAppendSize=2048`);
        expect(store.maxAppendSize).toBe(2_048);
        expect(warn).not.toHaveBeenCalled(); // the client warns of option keys it does not know
        warn.mockRestore();
        await expect(store.append("s", [eventOfSize(2_049)], "no_stream")).rejects.toBeInstanceOf(
          AppendTooLargeError,
        );
        expect(await store.append("s", [eventOfSize(2_048)], "no_stream")).toMatchObject({ written: true });
        expect(openStoreOn(double.connectionString).maxAppendSize).toBe(1_048_576); // the server's default
      });
    });
  });
}
