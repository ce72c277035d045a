// Runs the event store contract against the SQLite adapter, plus what only a file can show.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AppendAbortedError,
  DuplicateEventIdError,
  migrateSqliteFile,
  openSqliteStore,
  type SqliteEventStore,
  WrongExpectedRevisionError,
} from "../src/index.js";
import type { NewEvent } from "../src/port.js";
import { idKeyOf, SCHEMA_V1_TABLE } from "../src/sqlite-layout.js";
import {
  collect,
  expectConflict,
  newEvent,
  newEvents,
  runEventStoreContract,
  sleep,
  waitFor,
} from "./contract.js";

runEventStoreContract("sqlite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pmx-eventstore-"));
  const store = openSqliteStore(join(dir, "events.db"));
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

runEventStoreContract("sqlite, worker writer", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pmx-eventstore-"));
  const store = openSqliteStore(join(dir, "events.db"), { writer: "worker" });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe("SQLite event store", () => {
  let dir: string;
  let file: string;
  const opened: SqliteEventStore[] = [];
  const open = (options?: Parameters<typeof openSqliteStore>[1], path = file) => {
    const s = openSqliteStore(path, options);
    opened.push(s);
    return s;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "pmx-eventstore-"));
    file = join(dir, "events.db");
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs in WAL mode with synchronous=FULL and a busy timeout", () => {
    const store = open({ busyTimeoutMs: 1234 });
    expect(store.connectionSettings()).toEqual({ journalMode: "wal", synchronous: 2, busyTimeoutMs: 1234 });
    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.pragma("journal_mode", { simple: true })).toBe("wal"); // persistent in the file
    } finally {
      raw.close();
    }
  });

  it("creates the version-2 tables: one row per append holding its events, and the integer id table", () => {
    open();
    const raw = new Database(file);
    try {
      const cols = (table: string) =>
        (raw.pragma(`table_info(${table})`) as { name: string; pk: number }[]).map((c) => [c.name, c.pk]);
      expect(cols("batches")).toEqual([
        ["position", 1],
        ["stream", 0],
        ["revision", 0],
        ["count", 0],
        ["lengths", 0],
        ["body", 0],
      ]);
      expect(cols("event_ids")).toEqual([
        ["key", 1],
        ["position", 0],
      ]);
      // No text index on event ids: the only indexes are (stream, revision)'s.
      const indexes = raw
        .prepare("SELECT tbl_name AS t, name FROM sqlite_schema WHERE type = 'index'")
        .all() as { t: string }[];
      expect(indexes.map((i) => i.t)).toEqual(["batches"]);
      const insert = raw.prepare(
        "INSERT INTO batches (position, stream, revision, count, lengths, body) VALUES (?, ?, ?, 1, x'', '')",
      );
      insert.run(0, "s", 0);
      expect(() => insert.run(1, "s", 0)).toThrow(/UNIQUE/);
      expect(raw.pragma("user_version", { simple: true })).toBe(2);
      expect(raw.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'events'").get()).toBeUndefined();
    } finally {
      raw.close();
    }
  });

  it("stores an append of several events as one row, and reads any revision of it", async () => {
    const store = open();
    await store.append("s", newEvents(5), "no_stream");
    await store.append("s", newEvents(3, 5), 4);
    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.prepare("SELECT position, revision, count FROM batches ORDER BY position").all()).toEqual([
        { position: 0, revision: 0, count: 5 },
        { position: 5, revision: 5, count: 3 },
      ]);
      expect((raw.prepare("SELECT COUNT(*) AS n FROM event_ids").get() as { n: number }).n).toBe(8);
    } finally {
      raw.close();
    }
    for (let from = 0; from < 8; from++)
      expect(store.readBatch("s", from, 2).map((e) => [e.revision, JSON.parse(e.data).n])).toEqual(
        [from, from + 1].filter((r) => r < 8).map((r) => [r, r]),
      );
  });

  it("finds an id whose key is taken by another id (probing), and still refuses it stored twice", async () => {
    const store = open();
    const first = newEvent(0);
    await store.append("s", [first], "no_stream");
    const second = newEvent(1);
    const raw = new Database(file);
    try {
      // A collision: second's key already holds the first event's position (as if both ids hashed alike).
      raw.prepare("DELETE FROM event_ids").run();
      raw.prepare("INSERT INTO event_ids (key, position) VALUES (?, 0)").run(idKeyOf(second.id));
      raw.prepare("INSERT INTO event_ids (key, position) VALUES (?, 0)").run(idKeyOf(first.id));
    } finally {
      raw.close();
    }
    expect(await store.append("s", [second], 0)).toEqual({ nextExpectedRevision: 1, written: true });
    await expect(store.append("s", [{ ...second, data: "{}" }], 1)).rejects.toMatchObject({
      code: "DUPLICATE_EVENT_ID",
      eventId: second.id,
    });
    await expect(store.append("s", [{ ...first, data: "{}" }], 1)).rejects.toMatchObject({
      code: "DUPLICATE_EVENT_ID",
      eventId: first.id,
    });
    expect(store.readBatch("s", 0, 5).map((e) => e.id)).toEqual([first.id, second.id]);
  });

  it("given a file whose events table lacks the unique (stream, revision) constraint, then it refuses to open it (for writing or reading), so it can never store two rows at one revision", async () => {
    const raw = new Database(file);
    raw.exec(`CREATE TABLE events (
      global_position INTEGER PRIMARY KEY, stream TEXT NOT NULL, revision INTEGER NOT NULL, id TEXT NOT NULL UNIQUE,
      type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL) STRICT;
      PRAGMA user_version = 1;`);
    raw.close();
    expect(() => openSqliteStore(file)).toThrow(/lacks UNIQUE \(stream, revision\)/);
    expect(() => openSqliteStore(file, { readOnly: true })).toThrow(/lacks UNIQUE \(stream, revision\)/);
  });

  it("given a file whose events table is not STRICT, then it refuses to open it", () => {
    const raw = new Database(file);
    raw.exec(`CREATE TABLE events (
      global_position INTEGER PRIMARY KEY, stream TEXT NOT NULL, revision INTEGER NOT NULL, id TEXT NOT NULL UNIQUE,
      type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, UNIQUE (stream, revision));`);
    raw.close();
    expect(() => openSqliteStore(file)).toThrow(/lacks STRICT/);
  });

  it("names a stream whose stored revisions are not exactly 0..last, and events of other streams when the file must hold one", async () => {
    const store = open();
    await store.append("s", newEvents(1), "no_stream");
    await store.append("s", newEvents(1, 1), 0);
    await store.append("s", newEvents(1, 2), 1);
    expect(await store.positionsProblem("s", { soleStream: true })).toBeNull();
    const raw = new Database(file);
    try {
      raw.prepare("UPDATE batches SET revision = -1 WHERE revision = 2").run();
      expect(store.positionsProblemSync("s")).toMatch(/3 events at revisions -1\.\.1, not exactly 0\.\.2/);
      raw.prepare("UPDATE batches SET revision = 5 WHERE revision = -1").run();
      expect(store.positionsProblemSync("s")).toMatch(/3 events at revisions 0\.\.5/);
      raw.prepare("UPDATE batches SET stream = 'elsewhere' WHERE revision = 5").run();
      expect(store.positionsProblemSync("s")).toBeNull(); // 0..1: contiguous on its own
      expect(store.positionsProblemSync("s", { soleStream: true })).toMatch(
        /events of streams other than s \("elsewhere": 1\)/,
      );
    } finally {
      raw.close();
    }
  });

  it("names batches that overlap or leave a gap although the count and the ends agree", async () => {
    const store = open();
    await store.append("s", newEvents(2), "no_stream");
    await store.append("s", newEvents(1, 2), 1);
    await store.append("s", newEvents(1, 3), 2);
    const raw = new Database(file);
    try {
      // [0,2) [1,2) [3,4): 4 events, lowest 0, highest 3, but revision 1 twice and 2 missing.
      raw.prepare("UPDATE batches SET revision = 1 WHERE revision = 2").run();
      expect(store.positionsProblemSync("s")).toMatch(/4 events at revisions 0\.\.3, not exactly 0\.\.3/);
    } finally {
      raw.close();
    }
  });

  it("creates the folder of the file", async () => {
    const nested = join(dir, "a", "b", "events.db");
    const store = open({}, nested);
    await store.append("s", newEvents(1), "no_stream");
    expect(existsSync(nested)).toBe(true);
  });

  it("keeps the events across close and reopen", async () => {
    const batch = newEvents(3);
    batch[1] = { ...batch[1]!, data: '{ "unicode": "ünï 🎲" ,\n "n": 1.0 }' };
    const a = open();
    await a.append("s", batch, "no_stream");
    await a.close();
    expect(existsSync(`${file}-wal`)).toBe(false); // the last connection closed: WAL checkpointed and removed
    const b = open();
    const read = await collect(b.read("s"));
    expect(read.map((e) => [e.id, e.data, e.metadata])).toEqual(batch.map((e) => [e.id, e.data, e.metadata]));
    expect(await b.lastRevision("s")).toBe(2);
    expect(await b.append("s", batch, "no_stream")).toEqual({ nextExpectedRevision: 2, written: false });
    await expectConflict(b.append("s", newEvents(1), 1), 2);
  });

  it("returns the stored bytes, not a cached copy", async () => {
    const store = open();
    await store.append("s", [newEvent(0, { data: '{"amount":100}' })], "no_stream");
    const raw = new Database(file);
    try {
      raw.prepare("UPDATE batches SET body = replace(body, '100', '900') WHERE revision = 0").run();
    } finally {
      raw.close();
    }
    expect(store.readBatch("s", 0, 1)[0]!.data).toBe('{"amount":900}');
  });

  it("pages through the table when reading", async () => {
    const store = open({ readPageSize: 7 });
    await store.append("s", newEvents(50), "no_stream");
    await store.append("t", newEvents(5, 100), "no_stream");
    const revs = async (from?: number, max?: number) =>
      (await collect(store.read("s", from, max))).map((e) => e.revision);
    expect(await revs()).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(await revs(3, 20)).toEqual(Array.from({ length: 20 }, (_, i) => i + 3));
    expect(await revs(40, 14)).toEqual(Array.from({ length: 10 }, (_, i) => i + 40));
    expect(store.readBatch("s", 45, 100).map((e) => e.revision)).toEqual([45, 46, 47, 48, 49]);
  });

  it("offers a synchronous append and read", () => {
    const store = open();
    expect(store.appendSync("s", newEvents(2), "no_stream")).toEqual({
      nextExpectedRevision: 1,
      written: true,
    });
    expect(() => store.appendSync("s", newEvents(1), 0)).toThrow(WrongExpectedRevisionError);
    expect(store.lastRevisionSync("s")).toBe(1);
    expect(store.readBatch("s", 1, 10).map((e) => e.revision)).toEqual([1]);
  });

  describe("version-1 files (one row per event, as the first release wrote them)", () => {
    /** A version-1 file as the old code made it: its table, user_version 1, one row per event. */
    const writeV1 = (rows: { stream: string; events: NewEvent[] }[]) => {
      const raw = new Database(file);
      try {
        raw.pragma("journal_mode = WAL");
        raw.exec(SCHEMA_V1_TABLE);
        raw.pragma("user_version = 1");
        const insert = raw.prepare(
          "INSERT INTO events (stream, revision, id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)",
        );
        const revisions = new Map<string, number>();
        for (const { stream, events } of rows)
          for (const e of events) {
            const r = revisions.get(stream) ?? 0;
            insert.run(stream, r, e.id, e.type, e.data, e.metadata);
            revisions.set(stream, r + 1);
          }
      } finally {
        raw.close();
      }
    };
    const version = () => {
      const raw = new Database(file, { readonly: true });
      try {
        return raw.pragma("user_version", { simple: true });
      } finally {
        raw.close();
      }
    };
    const s = newEvents(2500);
    s[7] = { ...s[7]!, data: '{ "unicode": "ünï 🎲" ,\n "n": 1.0 }' };
    const t = newEvents(3, 9000);

    it("reads a version-1 file as it is when opened read-only, leaving it at version 1", async () => {
      writeV1([
        { stream: "s", events: s.slice(0, 2000) },
        { stream: "t", events: t },
        { stream: "s", events: s.slice(2000) },
      ]);
      const reader = open({ readOnly: true, readPageSize: 333 });
      expect((await collect(reader.read("s"))).map((e) => [e.id, e.data, e.metadata])).toEqual(
        s.map((e) => [e.id, e.data, e.metadata]),
      );
      expect(reader.readBatch("s", 1999, 2).map((e) => e.revision)).toEqual([1999, 2000]);
      expect(await reader.lastRevision("t")).toBe(2);
      expect(reader.positionsProblemSync("s")).toBeNull();
      expect(reader.positionsProblemSync("s", { soleStream: true })).toMatch(/"t": 3/);
      expect(() => reader.appendSync("s", newEvents(1), 2499)).toThrow(/read-only/);
      expect(version()).toBe(1);
    });

    it("migrates a version-1 file to version 2 when opened for writing, in one transaction: the same bytes at the same revisions, ids still unique, appends go on", async () => {
      writeV1([
        { stream: "s", events: s.slice(0, 2000) },
        { stream: "t", events: t },
        { stream: "s", events: s.slice(2000) },
      ]);
      const store = open();
      expect(version()).toBe(2);
      const raw = new Database(file, { readonly: true });
      try {
        expect(raw.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'events'").get()).toBeUndefined();
        // At most 1,000 events a row, a row never spanning two streams.
        expect(raw.prepare("SELECT stream, revision, count FROM batches ORDER BY position").all()).toEqual([
          { stream: "s", revision: 0, count: 1000 },
          { stream: "s", revision: 1000, count: 1000 },
          { stream: "t", revision: 0, count: 3 },
          { stream: "s", revision: 2000, count: 500 },
        ]);
      } finally {
        raw.close();
      }
      expect((await collect(store.read("s"))).map((e) => [e.revision, e.id, e.data, e.metadata])).toEqual(
        s.map((e, i) => [i, e.id, e.data, e.metadata]),
      );
      expect(await collect(store.read("t"))).toHaveLength(3);
      expect(store.positionsProblemSync("s")).toBeNull();
      // A retry of events stored before the migration is still a retry; a stored id is still refused.
      expect(await store.append("s", s.slice(1500, 1600), 1499)).toEqual({
        nextExpectedRevision: 1599,
        written: false,
      });
      await expect(store.append("s", [newEvent(1), { ...t[1]! }], 2499)).rejects.toBeInstanceOf(
        DuplicateEventIdError,
      );
      expect(await store.append("s", newEvents(2, 5000), 2499)).toEqual({
        nextExpectedRevision: 2501,
        written: true,
      });
    });

    it("keeps tampered positions through the migration, so they are still named", async () => {
      writeV1([{ stream: "s", events: s.slice(0, 10) }]);
      const raw = new Database(file);
      raw.prepare("UPDATE events SET revision = 20 WHERE revision = 9").run();
      raw.close();
      const store = open();
      expect(store.positionsProblemSync("s")).toMatch(/10 events at revisions 0\.\.20/);
      expect(store.readBatch("s", 8, 5).map((e) => e.revision)).toEqual([8, 20]);
    });

    it("leaves a version-1 file untouched when its table is not the one the old code made", () => {
      const raw = new Database(file);
      raw.exec(`CREATE TABLE events (
        global_position INTEGER PRIMARY KEY, stream TEXT NOT NULL, revision INTEGER NOT NULL, id TEXT NOT NULL,
        type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, UNIQUE (stream, revision)) STRICT;
        PRAGMA user_version = 1;`);
      raw.close();
      expect(() => openSqliteStore(file)).toThrow(/lacks UNIQUE \(id\)/);
      expect(version()).toBe(1);
    });

    it("converts a file back to version 1 and forward again (migrateSqliteFile), the same events each way", async () => {
      const a = open();
      await a.append("s", s.slice(0, 30), "no_stream");
      await a.append("t", t, "no_stream");
      await a.append("s", s.slice(30, 31), 29);
      await a.close();
      expect(migrateSqliteFile(file, 1)).toEqual({ from: 2, to: 1, events: 34 });
      const v1 = open({ readOnly: true });
      expect((await collect(v1.read("s"))).map((e) => e.id)).toEqual(s.slice(0, 31).map((e) => e.id));
      await v1.close();
      const raw = new Database(file, { readonly: true });
      try {
        expect(
          raw.prepare("SELECT global_position AS g, stream, revision FROM events ORDER BY g").all(),
        ).toHaveLength(34);
        expect(raw.prepare("SELECT stream FROM events WHERE global_position = 31").get()).toEqual({
          stream: "t",
        });
      } finally {
        raw.close();
      }
      expect(migrateSqliteFile(file, 2)).toEqual({ from: 1, to: 2, events: 34 });
      const v2 = open();
      expect((await collect(v2.read("s"))).map((e) => e.data)).toEqual(s.slice(0, 31).map((e) => e.data));
      await expect(v2.append("s", [s[0]!], 30)).rejects.toBeInstanceOf(DuplicateEventIdError);
    });
  });

  describe("two instances on one file (two connections, like two processes)", () => {
    it("gives the stale writer the conflict and keeps the winner's events", async () => {
      const a = open();
      const b = open();
      await a.append("s", newEvents(1), "no_stream");
      expect(await b.lastRevision("s")).toBe(0);
      const winner = newEvents(2, 1);
      await a.append("s", winner, 0);
      const loser = newEvents(2, 10);
      await expectConflict(b.append("s", loser, 0), 2);
      await expectConflict(b.append("s", newEvents(1), "no_stream"), 2);
      const read = await collect(b.read("s"));
      expect(read.map((e) => e.id)).toEqual([read[0]!.id, ...winner.map((e) => e.id)]);
      // The idempotent retry is recognised by the other connection too.
      expect(await b.append("s", winner, 0)).toEqual({ nextExpectedRevision: 2, written: false });
    });

    it("lets exactly one of 8 writers over 4 connections win", async () => {
      const stores = [open(), open(), open(), open()];
      await stores[0]!.append("s", newEvents(1), "no_stream");
      const batches = Array.from({ length: 8 }, (_, w) => newEvents(3, 100 * (w + 1)));
      const results = await Promise.allSettled(
        batches.map((batch, w) => stores[w % 4]!.append("s", batch, 0)),
      );
      const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
      expect(won).toHaveLength(1);
      const read = await collect(stores[3]!.read("s"));
      expect(read.slice(1).map((e) => e.id)).toEqual(batches[won[0]!]!.map((e) => e.id));
    });

    it("delivers events appended by one instance to a subscriber on the other (polling)", async () => {
      const a = open();
      const b = open({ pollIntervalMs: 10 });
      const got: number[] = [];
      const sub = b.subscribe("s", "start", (e) => {
        got.push(JSON.parse(e.data).n);
      });
      await a.append("s", newEvents(3), "no_stream");
      await waitFor(() => got.length === 3, 2_000);
      await a.append("s", newEvents(2, 3), 2);
      await waitFor(() => got.length === 5, 2_000);
      await sleep(50);
      await sub.close();
      expect(got).toEqual([0, 1, 2, 3, 4]);
    });

    it("wakes a subscriber at once on an append through the same instance", async () => {
      const store = open({ pollIntervalMs: 60_000 });
      const got: number[] = [];
      const sub = store.subscribe("s", "start", (e) => {
        got.push(e.revision);
      });
      await sleep(20);
      await store.append("s", newEvents(2), "no_stream");
      await waitFor(() => got.length === 2, 1_000);
      await sub.close();
      expect(got).toEqual([0, 1]);
    });
  });

  it("waits for another process's write lock instead of failing at once", async () => {
    const store = open({ busyTimeoutMs: 10_000 });
    await store.append("s", newEvents(1), "no_stream");
    const holdMs = 300;
    const child = holdWriteLock(file, holdMs);
    await child.locked;
    const started = Date.now();
    expect(await store.append("s", newEvents(1, 1), 0)).toEqual({ nextExpectedRevision: 1, written: true });
    const waited = Date.now() - started;
    await child.exited;
    expect(waited).toBeGreaterThanOrEqual(holdMs / 2);
    expect(await store.lastRevision("s")).toBe(1);
  });

  it("fails with SQLITE_BUSY after the busy timeout", async () => {
    const store = open({ busyTimeoutMs: 100 });
    const child = holdWriteLock(file, 500);
    await child.locked;
    const started = Date.now();
    expect(() => store.appendSync("s", newEvents(1), "no_stream")).toThrow(/locked|busy/i);
    expect(Date.now() - started).toBeGreaterThanOrEqual(80);
    await child.exited;
    expect(store.lastRevisionSync("s")).toBe("no_stream");
  });

  it("rejects bad options", () => {
    expect(() => openSqliteStore(file, { pollIntervalMs: 0 })).toThrow(RangeError);
    expect(() => openSqliteStore(file, { readPageSize: -1 })).toThrow(RangeError);
    expect(() => openSqliteStore(file, { writer: "fork" as "worker" })).toThrow(RangeError);
  });

  it("declares that its appends are applied in call order, in both writer modes", () => {
    expect(open().appendsInOrder).toBe(true);
    expect(open({ writer: "worker" }).appendsInOrder).toBe(true);
  });

  describe("read-only", () => {
    it("opens without taking the write lock, reads what a writer appends, and refuses to append", async () => {
      const writer = open({ pollIntervalMs: 10 });
      await writer.append("s", newEvents(3), "no_stream");
      // A writable open runs BEGIN IMMEDIATE and would wait out the lock; a read-only one must not wait for it.
      const child = holdWriteLock(file, 1_500);
      await child.locked;
      const started = Date.now();
      const reader = open({ readOnly: true, pollIntervalMs: 10, busyTimeoutMs: 5_000 });
      expect(Date.now() - started).toBeLessThan(1_000);
      expect((await collect(reader.read("s"))).map((e) => e.revision)).toEqual([0, 1, 2]);
      await child.exited;
      const got: number[] = [];
      const sub = reader.subscribe("s", 2, (e) => {
        got.push(e.revision);
      });
      await writer.append("s", newEvents(2, 3), 2);
      await waitFor(() => got.length === 2, 2_000);
      await sub.close();
      expect(got).toEqual([3, 4]);
      expect(() => reader.appendSync("s", newEvents(1, 5), 4)).toThrow(/read-only/);
      await expect(reader.append("s", newEvents(1, 5), 4)).rejects.toThrow(/read-only/);
      expect(reader.lastRevisionSync("s")).toBe(4);
    });

    it("needs an existing event store file", () => {
      expect(() => openSqliteStore(join(dir, "missing.db"), { readOnly: true })).toThrow();
      expect(existsSync(join(dir, "missing.db"))).toBe(false);
      expect(() => openSqliteStore(":memory:", { readOnly: true })).toThrow(RangeError);
    });
  });

  describe("worker writer", () => {
    it("applies appends started without waiting in call order, each at the revision the previous one left", async () => {
      const store = open({ writer: "worker" });
      const batches = Array.from({ length: 200 }, (_, k) => newEvents(3, 3 * k));
      const results = await Promise.all(
        batches.map((b, k) => store.append("s", b, k === 0 ? "no_stream" : 3 * k - 1)),
      );
      expect(results.map((r) => r.nextExpectedRevision)).toEqual(batches.map((_, k) => 3 * k + 2));
      const stored = await collect(store.read("s"));
      expect(stored.map((e) => e.id)).toEqual(batches.flat().map((e) => e.id));
    });

    it("does not attempt an append called while an earlier one was failing, and attempts the next one called after", async () => {
      const store = open({ writer: "worker" });
      await store.append("s", newEvents(1), "no_stream");
      const stale = store.append("s", newEvents(1, 1), "no_stream").catch((e: unknown) => e);
      const behind = store.append("s", newEvents(1, 2), 1).catch((e: unknown) => e);
      expect(await stale).toBeInstanceOf(WrongExpectedRevisionError);
      const error = (await behind) as AppendAbortedError;
      expect(error).toBeInstanceOf(AppendAbortedError);
      expect([error.stream, error.code]).toEqual(["s", "APPEND_ABORTED"]);
      expect(store.lastRevisionSync("s")).toBe(0);
      // Called once the failure is known: attempted as usual.
      expect(await store.append("s", newEvents(1, 3), 0)).toEqual({ nextExpectedRevision: 1, written: true });
    });

    it("given another writer appended as many events as a pipelined batch, then the batch behind it does not land on them", async () => {
      const leader = open({ writer: "worker" });
      const first = newEvents(1);
      await leader.append("s", first, "no_stream");
      const intruder = open(); // a second writer on the same file (two leaders: what fencing should prevent)
      const intruding = newEvents(1, 100);
      intruder.appendSync("s", intruding, 0);
      // The leader pipelines batch k (1 event after revision 0) and k+1 (after k's revision 1) without waiting.
      const k = leader.append("s", newEvents(1, 1), 0).catch((e: unknown) => e);
      const k1 = leader.append("s", newEvents(1, 2), 1).catch((e: unknown) => e);
      expect(await k).toBeInstanceOf(WrongExpectedRevisionError);
      // Revision 1 now exists (the intruder's), so k+1's expected revision matches by chance: it must still fail.
      expect(await k1).toBeInstanceOf(AppendAbortedError);
      expect((await collect(leader.read("s"))).map((e) => e.id)).toEqual([first[0]!.id, intruding[0]!.id]);
    });

    it("brings back the duplicate id error with its fields", async () => {
      const store = open({ writer: "worker" });
      const [first] = newEvents(1);
      await store.append("s", [first!], "no_stream");
      const error = await store.append("t", [newEvent(9, { id: first!.id })], "no_stream").catch((e) => e);
      expect(error).toBeInstanceOf(DuplicateEventIdError);
      expect([error.stream, error.eventId, error.code]).toEqual(["t", first!.id, "DUPLICATE_EVENT_ID"]);
    });

    it("keeps the caller's thread free while another process holds the write lock", async () => {
      const store = open({ writer: "worker", busyTimeoutMs: 10_000 });
      await store.append("s", newEvents(1), "no_stream");
      const child = holdWriteLock(file, 300);
      await child.locked;
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      const result = await store.append("s", newEvents(1, 1), 0);
      clearInterval(timer);
      await child.exited;
      expect(result).toEqual({ nextExpectedRevision: 1, written: true });
      expect(ticks).toBeGreaterThanOrEqual(5); // appendSync would have blocked every timer for the whole wait
    });

    it("brings back SQLITE_BUSY after the busy timeout, and keeps working afterwards", async () => {
      const store = open({ writer: "worker", busyTimeoutMs: 100 });
      const child = holdWriteLock(file, 500);
      await child.locked;
      const error = await store.append("s", newEvents(1), "no_stream").catch((e) => e);
      expect(error).toBeInstanceOf(Database.SqliteError);
      expect(error.code).toMatch(/BUSY/);
      await child.exited;
      expect(await store.append("s", newEvents(1), "no_stream")).toEqual({
        nextExpectedRevision: 0,
        written: true,
      });
    });

    it("finishes the appends already called before close returns, and refuses later ones", async () => {
      const store = open({ writer: "worker" });
      const pending = Array.from({ length: 20 }, (_, k) =>
        store.append("s", newEvents(50, 50 * k), k === 0 ? "no_stream" : 50 * k - 1),
      );
      const closed = store.close();
      await expect(store.append("s", newEvents(1), 999)).rejects.toThrow(/closed/);
      await closed;
      expect((await Promise.all(pending)).at(-1)).toEqual({ nextExpectedRevision: 999, written: true });
      const reopened = open();
      expect(reopened.lastRevisionSync("s")).toBe(999);
    });

    it("wakes a subscriber on this connection once the worker committed", async () => {
      const store = open({ writer: "worker", pollIntervalMs: 60_000 });
      const got: number[] = [];
      const sub = store.subscribe("s", "start", (e) => {
        got.push(e.revision);
      });
      await store.append("s", newEvents(3), "no_stream");
      await waitFor(() => got.length === 3, 1_000);
      await sub.close();
      expect(got).toEqual([0, 1, 2]);
    });
  });
});

/** A child process that holds the file's write lock (BEGIN IMMEDIATE) for `ms`. */
function holdWriteLock(file: string, ms: number): { locked: Promise<void>; exited: Promise<void> } {
  const sqlite = createRequire(import.meta.url).resolve("better-sqlite3");
  const script = `
    const Database = require(${JSON.stringify(sqlite)});
    const db = new Database(${JSON.stringify(file)});
    db.exec("BEGIN IMMEDIATE");
    process.stdout.write("locked\\n");
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${ms});
    db.exec("COMMIT");
    db.close();
  `;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const locked = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      if (d.toString().includes("locked")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`lock holder exited early (${code})`)));
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`lock holder exited with ${code}`)),
    );
  });
  return { locked, exited };
}
