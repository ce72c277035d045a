// The golden log (golden.unit.test.ts's stream, as the sequencer stores it) in both SQLite layouts: `pmx replay
// --verify` and `pmx audit` read a version-1 file (one row per event, as the first release wrote it) as it is, and
// the version-2 file a writer migrates it to, with the pinned event count, chain head and state hash.
import { join } from "node:path";
import { openSqliteStore } from "@pmx/eventstore";
import { sha256Hex } from "@pmx/projections";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { digestOf, runStream, storedText } from "./golden/run.js";
import { goldenStream } from "./golden/stream.js";
import { runPmx, stopAllGateways, storedEvents, tempDir } from "./support/gateway.js";

afterAll(() => stopAllGateways());
const STREAM = "pmx";

describe("golden log in a version-1 and a version-2 SQLite file", () => {
  const commands = goldenStream();
  const run = runStream(commands);
  const actual = digestOf(run, commands.length);

  it("pmx replay --verify and pmx audit read the golden log in a version-1 file (as the first release wrote it) without changing it, and in the version-2 file it migrates to, with the same head and state hash", async () => {
    const dir = tempDir("pmx-golden-");
    const path = join(dir, "pmx.db");
    // The first release's schema and rows (one row per event), written by hand.
    const raw = new Database(path);
    raw.pragma("journal_mode = WAL");
    raw.exec(`CREATE TABLE events (
      global_position INTEGER PRIMARY KEY, stream TEXT NOT NULL, revision INTEGER NOT NULL, id TEXT NOT NULL UNIQUE,
      type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, UNIQUE (stream, revision)) STRICT;
      PRAGMA user_version = 1;`);
    const insert = raw.prepare(
      "INSERT INTO events (stream, revision, id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)",
    );
    raw.transaction(() => {
      run.stored.forEach((e, revision) => {
        insert.run(STREAM, revision, e.id, e.type, e.data, e.metadata);
      });
    })();
    raw.close();
    const version = () => {
      const db = new Database(path, { readonly: true });
      try {
        return db.pragma("user_version", { simple: true });
      } finally {
        db.close();
      }
    };
    const check = async () => {
      for (const tool of [["replay", "--verify"], ["audit"]]) {
        const r = await runPmx([...tool, "--store", `sqlite:${path}`, "--json"]);
        expect(r.code, r.stderr).toBe(0);
        const report = JSON.parse(r.stdout) as { events: number; head: string; stateHash: string };
        expect([report.events, report.head, report.stateHash]).toEqual([
          actual.events,
          actual.chainHead,
          actual.stateHash,
        ]);
      }
    };
    await check();
    expect(version()).toBe(1);
    await openSqliteStore(path).close(); // a writer migrates it
    expect(version()).toBe(2);
    await check();
    expect(sha256Hex(storedEvents(path).map(storedText).join(""))).toBe(actual.storedSha256);
  });
});
