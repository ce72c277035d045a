// The stored position columns (revision, stream) are outside the hash chain: a SQLite file whose rows were moved
// (a revision flipped, an event taken out of the stream) must be refused by replay --verify, audit, start-up and a
// follower's tail, exactly like a changed byte — and the store must never hold two rows at one revision.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateSqliteFile, openSqliteStore } from "@pmx/eventstore";
import type { StoredEvent } from "@pmx/projections";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { encodeBatch } from "../../../packages/eventstore/src/sqlite-layout.js";
import { writeSmallLog } from "../../../packages/projections/test/small-log.js";
import { audit } from "../src/audit.js";
import { ManualClock } from "../src/clock.js";
import { Exchange, rebuild, STREAM } from "../src/exchange.js";
import { replay } from "../src/replay.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const { log } = writeSmallLog();
const LAST = log.length - 1;
/** The first revision of the last command (an order that rests: two events). */
const LAST_COMMAND = LAST - 1;

/** A SQLite file holding `events` of the small log as the gateway writes them (stream "pmx", revisions 0..). */
async function fileWith(events: readonly StoredEvent[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "pmx-position-"));
  dirs.push(dir);
  const path = join(dir, "pmx.db");
  const store = openSqliteStore(path);
  await store.append(STREAM, events, "no_stream");
  await store.close();
  return path;
}

/**
 * Runs one UPDATE on the file's events as one row per event, as someone with write access to it would; it must
 * change `rows` rows. The file is converted to version 1 (table `events`), changed, and converted back to version 2,
 * which keeps every event's stream, revision and bytes as the rows left them.
 */
function tamper(path: string, sql: string, rows = 1): void {
  migrateSqliteFile(path, 1);
  const db = new Database(path);
  try {
    expect(db.prepare(sql).run().changes).toBe(rows);
  } finally {
    db.close();
  }
  migrateSqliteFile(path, 2);
}

/** replay --verify, audit and start-up (rebuild) on the file: each must refuse it, answering the problems. */
async function expectRefused(path: string, problem: RegExp): Promise<void> {
  const store = openSqliteStore(path);
  try {
    const replayed = await replay(store, STREAM, { verify: true });
    expect(replayed.ok, JSON.stringify(replayed)).toBe(false);
    expect(`${replayed.bad?.problem}`).toMatch(problem);
    const audited = await audit(store, STREAM);
    expect(audited.ok, JSON.stringify(audited)).toBe(false);
    expect(`${audited.failure?.problem}`).toMatch(problem);
    await expect(rebuild(store, STREAM)).rejects.toThrow(problem);
  } finally {
    await store.close();
  }
}

describe("the stored revision and stream columns", () => {
  it("given the small log, then its last command is two events (hiding both leaves only whole commands)", () => {
    const metaOf = (e: StoredEvent) => JSON.parse(e.metadata) as { index: number; count: number };
    expect(metaOf(log[LAST_COMMAND]!)).toMatchObject({ index: 0, count: 2 });
    expect(metaOf(log[LAST]!)).toMatchObject({ index: 1, count: 2 });
  });

  it("given the untouched file, then replay --verify, audit and start-up accept it", async () => {
    const path = await fileWith(log);
    const store = openSqliteStore(path);
    try {
      expect((await replay(store, STREAM, { verify: true })).ok).toBe(true);
      expect((await audit(store, STREAM)).ok).toBe(true);
      expect((await rebuild(store, STREAM)).eventCount).toBe(log.length);
    } finally {
      await store.close();
    }
  });

  it("given the last command's revisions flipped negative (hidden from reads), then replay --verify, audit and start-up refuse the file", async () => {
    const path = await fileWith(log);
    tamper(path, `UPDATE events SET revision = -1 - revision WHERE revision >= ${LAST_COMMAND}`, 2);
    await expectRefused(path, /revision/);
  });

  it("given the last event's revision moved one up (a gap), then replay --verify, audit and start-up refuse the file", async () => {
    const path = await fileWith(log);
    tamper(path, `UPDATE events SET revision = ${LAST + 1} WHERE revision = ${LAST}`);
    await expectRefused(path, /revision/);
  });

  it("given the last command's stream column changed, then replay --verify, audit and start-up refuse the file", async () => {
    const path = await fileWith(log);
    tamper(path, `UPDATE events SET stream = 'pmx-other' WHERE revision >= ${LAST_COMMAND}`, 2);
    await expectRefused(path, /stream/);
  });

  it("given the first event's stream column changed, then replay --verify, audit and start-up refuse the file", async () => {
    const path = await fileWith(log);
    tamper(path, "UPDATE events SET stream = 'elsewhere' WHERE revision = 0");
    await expectRefused(path, /stream|revision/);
  });

  it("given the last command hidden at negative revisions, when the gateway is opened on the file, then it refuses to start, so no append can put a second row at those positions", async () => {
    const path = await fileWith(log);
    tamper(path, `UPDATE events SET revision = -1 - revision WHERE revision >= ${LAST_COMMAND}`, 2);
    const store = openSqliteStore(path);
    try {
      await expect(
        Exchange.open({ store, clock: new ManualClock(Date.parse("2025-01-02T00:00:00Z")) }),
      ).rejects.toThrow(/revision/);
      expect(await store.lastRevision(STREAM)).toBe(LAST_COMMAND - 1);
    } finally {
      await store.close();
    }
  });

  it("given a follower tailing the file, when an event lands at a revision past the end (a gap), then the follower stops following instead of applying it", async () => {
    const path = await fileWith(log.slice(0, LAST_COMMAND));
    const store = openSqliteStore(path, { pollIntervalMs: 10 });
    const exchange = await Exchange.open({
      store,
      clock: new ManualClock(Date.parse("2025-01-02T00:00:00Z")),
      follow: { leader: null },
    });
    try {
      expect(exchange.projection.eventCount).toBe(LAST_COMMAND);
      // The last command's two events, each one revision past where it belongs (it verifies against the chain).
      // One version-2 row holding both, written by hand at revision LAST_COMMAND + 1.
      const db = new Database(path);
      const batch = encodeBatch([log[LAST_COMMAND]!, log[LAST]!]);
      db.prepare(
        "INSERT INTO batches (position, stream, revision, count, lengths, body) VALUES (?, ?, ?, ?, ?, ?)",
      ).run(LAST_COMMAND, STREAM, LAST_COMMAND + 1, batch.count, batch.lengths, batch.body);
      db.close();
      const until = Date.now() + 5_000;
      while (exchange.writesStopped?.includes("following stopped") !== true && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      expect(exchange.projection.eventCount, "the out-of-place events were not applied").toBe(LAST_COMMAND);
      expect(exchange.writesStopped).toMatch(/following stopped: .*revision/);
    } finally {
      await exchange.close();
      await store.close();
    }
  });
});
