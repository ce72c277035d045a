// Cases of the EventStoreDB adapter beyond the contract that need nothing but a server: run against the gRPC
// double (esdb-double.int.test.ts) and against a real server (esdb-real.int.test.ts).
import { randomUUID } from "node:crypto";
import { EventStoreDBClient, jsonEvent, WrongExpectedVersionError } from "@eventstore/db-client";
import { afterEach, describe, expect, it } from "vitest";
import {
  type EsdbEventStore,
  openEsdbStore,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from "../src/index.js";
import { collect, expectConflict, newEvent, newEvents, sleep, waitFor } from "./contract.js";

export function runEsdbAdapterCases(name: string, connectionString: () => string): void {
  describe(`EventStoreDB adapter: ${name}`, () => {
    const opened: EsdbEventStore[] = [];
    const open = () => {
      const s = openEsdbStore(connectionString());
      opened.push(s);
      return s;
    };
    let stream: string;
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });
    const fresh = () => (stream = `esdb-case-${randomUUID()}`);

    it("returns data and metadata byte for byte, read by another instance", async () => {
      fresh();
      const texts = [
        '{ "b" : 2 ,\t"a":\n[1, 2.50, 1e3, -0]\r\n}',
        '  {"padded": true}  ',
        '{"text":"héllo — “quotes” 中文 العربية 🎉👩🏽‍💻 e\u0301"}',
        '{"escaped":"\\u00e9\\n\\"\\\\","slash":"a\\/b"}',
        '\ufeff{"bom":"\ufeff","nul":"\\u0000","nbsp":"\u00a0"}',
        '"just a string"',
        "",
      ];
      const batch = texts.map((t, i) => newEvent(i, { data: t, metadata: texts[texts.length - 1 - i]! }));
      await open().append(stream, batch, "no_stream");
      const read = await collect(open().read(stream));
      expect(read.map((e) => e.data)).toEqual(texts);
      expect(read.map((e) => e.metadata)).toEqual([...texts].reverse());
      expect(read.map((e) => e.id)).toEqual(batch.map((e) => e.id));
    });

    it("reads an unknown stream as empty and its last revision as no_stream", async () => {
      fresh();
      const store = open();
      expect(await collect(store.read(stream))).toEqual([]);
      expect(await collect(store.read(stream, 5, 10))).toEqual([]);
      expect(await store.lastRevision(stream)).toBe("no_stream");
    });

    it("answers written: false to a retry sent through another instance (the server's idempotency)", async () => {
      fresh();
      const batch = newEvents(3);
      expect(await open().append(stream, batch, "no_stream")).toEqual({
        nextExpectedRevision: 2,
        written: true,
      });
      const other = open();
      expect(await other.append(stream, batch, "no_stream")).toEqual({
        nextExpectedRevision: 2,
        written: false,
      });
      await other.append(stream, newEvents(2, 3), 2);
      expect(await other.append(stream, batch, "no_stream")).toEqual({
        nextExpectedRevision: 2,
        written: false,
      });
      expect(await collect(other.read(stream))).toHaveLength(5);
    });

    it("takes stored ids with other bytes as a conflict, though the server answers them as a retry", async () => {
      fresh();
      const a = newEvent(0, { data: '{"writer":"A"}' });
      const b = { ...a, data: '{"writer":"B"}' };
      await open().append(stream, [a], "no_stream");
      await expectConflict(open().append(stream, [b], "no_stream"), 0);
      await expectConflict(open().append(stream, [{ ...a, metadata: '{"m":2}' }], "no_stream"), 0);
      await expectConflict(open().append(stream, [{ ...a, type: "Other" }], "no_stream"), 0);
      expect((await collect(open().read(stream))).map((e) => e.data)).toEqual(['{"writer":"A"}']);
    });

    it("reports the server's current revision when another instance moved the stream", async () => {
      fresh();
      const a = open();
      const b = open();
      await a.append(stream, newEvents(1), "no_stream"); // a believes the stream ends at 0
      await b.append(stream, newEvents(2, 1), 0);
      const error = await a.append(stream, newEvents(1, 9), 0).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WrongExpectedRevisionError);
      expect(error).toMatchObject({ stream, expected: 0, actual: 2 });
      expect(typeof (error as WrongExpectedRevisionError).actual).toBe("number");
      // a learnt the end from the failure: the next append at the right revision goes through.
      expect(await a.append(stream, newEvents(1, 10), 2)).toEqual({ nextExpectedRevision: 3, written: true });
    });

    it("rejects an id stored earlier in the stream by another instance", async () => {
      fresh();
      const first = newEvents(2);
      await open().append(stream, first, "no_stream");
      const other = open();
      await expect(other.append(stream, [newEvent(5), first[1]!], 1)).rejects.toMatchObject({
        code: "DUPLICATE_EVENT_ID",
        eventId: first[1]!.id,
      });
      expect(await other.lastRevision(stream)).toBe(1);
    });

    it("resumes a subscription exclusively after its checkpoint, then delivers live events", async () => {
      fresh();
      const store = open();
      await store.append(stream, newEvents(5), "no_stream");
      const got: RecordedEvent[] = [];
      const sub = store.subscribe(stream, 2, (e) => {
        got.push(e);
      });
      await waitFor(() => got.length === 2);
      await open().append(stream, newEvents(2, 5), 4);
      await waitFor(() => got.length === 4);
      await sleep(50);
      await sub.close();
      expect(got.map((e) => e.revision)).toEqual([3, 4, 5, 6]);
      expect(got.map((e) => JSON.parse(e.data).n)).toEqual([3, 4, 5, 6]);
      expect(got.every((e) => e.stream === stream)).toBe(true);
    });

    it("subscribes to a stream that does not exist yet", async () => {
      fresh();
      const store = open();
      const got: number[] = [];
      const sub = store.subscribe(stream, "start", (e) => {
        got.push(e.revision);
      });
      await sleep(50);
      await open().append(stream, newEvents(2), "no_stream");
      await waitFor(() => got.length === 2);
      await sub.close();
      expect(got).toEqual([0, 1]);
    });

    it("gets no_stream as the actual version of a missing stream from the client", async () => {
      fresh();
      // What the adapter maps: the client's error for a revision expected of a missing stream.
      const client = EventStoreDBClient.connectionString(connectionString());
      try {
        const error = await client
          .appendToStream(stream, jsonEvent({ type: "T", data: {} }), { expectedRevision: 0n })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect((error as WrongExpectedVersionError).actualVersion).toBe("no_stream");
      } finally {
        await client.dispose();
      }
    });
  });
}
