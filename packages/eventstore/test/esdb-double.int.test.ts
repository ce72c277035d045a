// The EventStoreDB adapter against the in-process gRPC double (test/grpc-double/server.ts): the event store
// contract, the cases shared with the real-server run, and what only the double can show (the messages on the
// wire, lost answers, oversized appends, a server going away). Both append paths of the client are covered:
// BatchAppend (the double advertises it, like a 21.10+ node) and Append (no ServerFeatures, like a 20.x node).
import { randomUUID } from "node:crypto";

import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { esdbAppendSize, toActual, toEsdbScheme } from "../src/esdb-store.js";
import {
  AppendTooLargeError,
  describeStore,
  type EsdbEventStore,
  type EventStore,
  openEsdbStore,
  openStore,
} from "../src/index.js";
import { collect, expectConflict, newEvent, newEvents, runEventStoreContract, waitFor } from "./contract.js";
import { runEsdbAdapterCases } from "./esdb-cases.js";
import { type EsdbDouble, startEsdbDouble } from "./grpc-double/server.js";

// 10,000-event batches go through protobuf encoding both ways, plus the adapter's read-back: seconds, not
// milliseconds, on a loaded 2-core machine.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const MODES = [
  { features: "batch-append", method: "BatchAppend", label: "BatchAppend, like a 21.10+ node" },
  { features: "none", method: "Append", label: "Append, like a 20.x node" },
] as const;

for (const mode of MODES) {
  describe(`EventStoreDB adapter on the gRPC double (${mode.label})`, () => {
    let double: EsdbDouble;
    beforeAll(async () => {
      double = await startEsdbDouble({ features: mode.features });
    });
    afterAll(async () => {
      await double.stop();
    });

    runEventStoreContract(`esdb via gRPC double (${mode.method})`, async () => {
      const store = openEsdbStore(double.connectionString);
      return { store, cleanup: () => store.close() };
    });

    runEsdbAdapterCases(`gRPC double (${mode.method})`, () => double.connectionString);

    describe("on the wire", () => {
      const opened: EventStore[] = [];
      const open = (url = double.connectionString) => {
        const s = url === double.connectionString ? openEsdbStore(url) : openStore(url);
        opened.push(s);
        return s;
      };
      let stream: string;
      afterEach(async () => {
        await Promise.all(opened.splice(0).map((s) => s.close()));
      });
      const fresh = () => (stream = `esdb-wire-${randomUUID()}`);
      const appendsTo = (s: string) => double.appends.filter((a) => a.stream === s);

      it(`appends through ${mode.method}, always with an exact expected revision`, async () => {
        fresh();
        const store = open();
        const batch = newEvents(2);
        await store.append(stream, batch, "no_stream");
        await store.append(stream, newEvents(1, 2), 1);
        await store.append(stream, batch, "no_stream"); // retry
        await store.append(stream, newEvents(1, 9), 0).catch(() => {}); // stale
        const calls = appendsTo(stream);
        expect(calls.map((c) => c.method)).toEqual(Array(4).fill(mode.method));
        expect(calls.map((c) => c.expected)).toEqual([
          { kind: "no_stream" },
          { kind: "revision", revision: 1n },
          { kind: "no_stream" },
          { kind: "revision", revision: 0n },
        ]);
        expect(calls.map((c) => c.outcome)).toEqual([
          "written",
          "written",
          "idempotent",
          "wrong_expected_version",
        ]);
        expect(
          double.appends.every((c) => c.expected.kind === "revision" || c.expected.kind === "no_stream"),
        ).toBe(true);
      });

      it("sends the port's ids, data as octet-stream bytes and metadata as a JSON string of its text", async () => {
        fresh();
        const e = newEvent(0, {
          type: "MarketOpened",
          data: '{ "m" : "ü — 🎉" }\n',
          metadata: '{"a": [1, 2.50]}',
        });
        await open().append(stream, [e], "no_stream");
        const [stored] = double.events(stream);
        expect(stored).toMatchObject({
          id: e.id,
          type: "MarketOpened",
          contentType: "application/octet-stream",
        });
        expect(Buffer.from(stored!.data).equals(Buffer.from(e.data, "utf8"))).toBe(true);
        expect(Buffer.from(stored!.metadata).toString("utf8")).toBe(JSON.stringify(e.metadata));
      });

      it("reads a revision expected of a missing stream as actual no_stream (answered by the server)", async () => {
        fresh();
        const store = open();
        await store.append(stream, newEvents(1), "no_stream"); // the store now believes the stream ends at 0
        double.dropStream(stream);
        await expectConflict(store.append(stream, newEvents(1, 1), 0), "no_stream");
        expect(appendsTo(stream).at(-1)).toMatchObject({
          expected: { kind: "revision", revision: 0n },
          outcome: "wrong_expected_version",
        });
      });

      it("decides a conflict without sending when the stream is behind the expected revision", async () => {
        fresh();
        const store = open();
        await expectConflict(store.append(stream, newEvents(1), 3), "no_stream");
        await store.append(stream, newEvents(2), "no_stream");
        await expectConflict(store.append(stream, newEvents(1, 2), 4), 1);
        expect(appendsTo(stream)).toHaveLength(1);
      });

      it("answers an append whose answer was lost after the commit as written, and a later re-send written: false", async () => {
        fresh();
        const store = open();
        const batch = newEvents(3);
        double.loseNextAppendAnswer();
        expect(await store.append(stream, batch, "no_stream")).toEqual({
          nextExpectedRevision: 2,
          written: true,
        });
        expect(double.events(stream)).toHaveLength(3); // written once
        expect(await store.append(stream, batch, "no_stream")).toEqual({
          nextExpectedRevision: 2,
          written: false,
        });
        expect(await store.append(stream, newEvents(1, 3), 2)).toEqual({
          nextExpectedRevision: 3,
          written: true,
        });
        expect(appendsTo(stream).map((c) => c.outcome)).toEqual([
          "timed_out_written",
          "idempotent",
          "written",
        ]);
      });

      it("reads with the requested start, direction and count; a missing stream answers stream_not_found", async () => {
        fresh();
        const store = open();
        await store.append(stream, newEvents(10), "no_stream");
        const before = double.reads.length;
        expect((await collect(store.read(stream, 4, 3))).map((e) => e.revision)).toEqual([4, 5, 6]);
        expect(await store.lastRevision(stream)).toBe(9);
        expect(await store.lastRevision(`${stream}-none`)).toBe("no_stream");
        expect(double.reads.slice(before)).toEqual([
          { stream, subscription: false, from: 4n, direction: "forwards", count: 3n, requiresLeader: true },
          {
            stream,
            subscription: false,
            from: "end",
            direction: "backwards",
            count: 1n,
            requiresLeader: true,
          },
          {
            stream: `${stream}-none`,
            subscription: false,
            from: "end",
            direction: "backwards",
            count: 1n,
            requiresLeader: true,
          },
        ]);
      });

      it("subscribes from the checkpoint itself (the server excludes it) or from the start", async () => {
        fresh();
        const store = open();
        await store.append(stream, newEvents(3), "no_stream");
        const before = double.reads.length;
        const got: number[] = [];
        const a = store.subscribe(stream, 1, (e) => {
          got.push(e.revision);
        });
        const b = store.subscribe(stream, "start", (e) => {
          got.push(100 + e.revision);
        });
        await waitFor(() => got.length === 4);
        await Promise.all([a.close(), b.close()]);
        expect(got.filter((r) => r < 100)).toEqual([2]);
        expect(got.filter((r) => r >= 100)).toEqual([100, 101, 102]);
        const subs = double.reads.slice(before).filter((r) => r.subscription);
        expect(subs.map((r) => r.from)).toEqual([1n, "start"]);
      });

      it("cancels its subscriptions on close", async () => {
        fresh();
        const store = open();
        store.subscribe(stream, "start", () => {});
        store.subscribe(stream, 3, () => {});
        await waitFor(() => double.liveSubscriptions(stream) === 2);
        await store.close();
        await waitFor(() => double.liveSubscriptions(stream) === 0);
      });

      it("opens esdb+discover:// (gossip) and kurrentdb:// URLs", async () => {
        fresh();
        const discover = open(`esdb+discover://127.0.0.1:${double.port}?tls=false`);
        await discover.append(stream, newEvents(1), "no_stream");
        const kurrent = open(`kurrentdb://127.0.0.1:${double.port}?tls=false`);
        expect(await kurrent.lastRevision(stream)).toBe(0);
        const kurrentDiscover = open(`kurrentdb+discover://127.0.0.1:${double.port}?tls=false`);
        expect(await collect(kurrentDiscover.read(stream))).toHaveLength(1);
      });
    });
  });
}

describe("EventStoreDB adapter on the gRPC double: limits and failures", () => {
  const doubles: EsdbDouble[] = [];
  const stores: EsdbEventStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await Promise.all(doubles.splice(0).map((d) => d.stop()));
  });
  const start = async (options?: Parameters<typeof startEsdbDouble>[0]) => {
    const d = await startEsdbDouble(options);
    doubles.push(d);
    const s = openEsdbStore(d.connectionString);
    stores.push(s);
    return { double: d, store: s };
  };

  for (const features of ["batch-append", "none"] as const) {
    it(`refuses an append over the server's maximum append size as too large, writes nothing, and goes on (${features})`, async () => {
      const { double, store } = await start({ features, maxAppendSize: 4_096 });
      const big = [newEvent(0, { data: JSON.stringify({ pad: "x".repeat(5_000) }) })];
      const error = await store.append("s", big, "no_stream").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppendTooLargeError);
      expect(error).toMatchObject({ code: "APPEND_TOO_LARGE", limit: 4_096, size: esdbAppendSize(big) });
      expect(double.events("s")).toEqual([]);
      expect(await store.append("s", newEvents(2), "no_stream")).toEqual({
        nextExpectedRevision: 1,
        written: true,
      });
    });
  }

  it("rejects ids EventStoreDB would not give back as written, and text UTF-8 cannot carry", async () => {
    const { store } = await start();
    const upper = newEvent(0, { id: randomUUID().toUpperCase() });
    await expect(store.append("s", [upper], "no_stream")).rejects.toThrow(/lowercase UUID/);
    await expect(store.append("s", [newEvent(0, { id: "evt-1" })], "no_stream")).rejects.toThrow(TypeError);
    await expect(store.append("s", [newEvent(0, { data: '"\ud800"' })], "no_stream")).rejects.toThrow(
      /well-formed/,
    );
    expect(await store.lastRevision("s")).toBe("no_stream");
  });
});

describe("EventStoreDB adapter helpers", () => {
  it("maps the client's actual version to the port's", () => {
    expect(toActual("no_stream")).toBe("no_stream");
    expect(toActual(41n)).toBe(41);
    expect(() => toActual(2n ** 60n)).toThrow(RangeError);
    expect(() => toActual("any")).toThrow();
  });

  it("rewrites the kurrentdb schemes for client 6.2.1", () => {
    expect(toEsdbScheme("kurrentdb://h:2113?tls=false")).toBe("esdb://h:2113?tls=false");
    expect(toEsdbScheme("kurrentdb+discover://a:b@h:2113")).toBe("esdb+discover://a:b@h:2113");
    expect(toEsdbScheme("esdb://h:2113")).toBe("esdb://h:2113");
  });

  it("describes an esdb store without its password", () => {
    const store = openEsdbStore("esdb://admin:changeit@127.0.0.1:1?tls=false");
    expect(store.target).toBe("esdb://admin:***@127.0.0.1:1?tls=false");
    expect(describeStore("kurrentdb://admin:changeit@h:2113")).not.toContain("changeit");
    return store.close();
  });
});
