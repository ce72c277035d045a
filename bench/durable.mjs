// Target 3 — the durable engine: the gateway's Exchange/Sequencer (dist) on the SQLite store (WAL, synchronous=FULL,
// group commit), a command counted once its promise resolves (its events committed). The peer in the same pass:
// raw better-sqlite3 inserts of the very same rows, in the same transactions (batches), on a fresh file.
// The store is opened as the gateway opens it: appends on a writer thread (`writer: "worker"`), up to 2 group commits in
// flight (decide batch k+1 while batch k is made durable); `--writer thread --in-flight 1` measures the former design.
// usage: node bench/durable.mjs [--runs 3] [--n 100000] [--writer worker|thread] [--in-flight 2]
//        worker: node bench/durable.mjs --worker [--profile]
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openSqliteStore } from "@pmx/eventstore";
import { Exchange, ManualClock } from "@pmx/gateway";
import { AT, setupCommands, streamCommands } from "./lib/commands.mjs";
import {
  environment,
  fmt,
  log,
  MiB,
  median,
  parseArgs,
  round,
  runNodeJson,
  writeResult,
} from "./lib/common.mjs";
import { startProfile, summarize } from "./lib/profile.mjs";

const require = createRequire(import.meta.url);
export const TARGET_CMDS_PER_SEC = 100_000;
const SELF = fileURLToPath(import.meta.url);
const STREAM = "pmx";

const withoutAt = ({ at: _at, ...rest }) => rest;

/** Submits commands keeping up to `window` in flight; resolves when every one is answered. */
function pump(exchange, commands, window) {
  return new Promise((resolve, reject) => {
    let next = 0;
    let done = 0;
    let rejected = 0;
    const one = () => {
      const i = next++;
      exchange.submit(commands[i]).then((o) => {
        if (!o.ok) rejected++;
        done++;
        if (next < commands.length) one();
        else if (done === commands.length) resolve({ rejected });
      }, reject);
    };
    for (let k = 0; k < Math.min(window, commands.length); k++) one();
    if (commands.length === 0) resolve({ rejected });
  });
}

function rawInsert(path, rows, batches) {
  const Database = require("better-sqlite3");
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(`CREATE TABLE events (global_position INTEGER PRIMARY KEY, stream TEXT NOT NULL, revision INTEGER NOT NULL,
    id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, UNIQUE (stream, revision)) STRICT`);
  const ins = db.prepare(
    "INSERT INTO events (stream, revision, id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const tx = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const r = rows[i];
      ins.run(STREAM, r.revision, r.id, r.type, r.data, r.metadata);
    }
  });
  let at = 0;
  const t0 = process.hrtime.bigint();
  for (const size of batches) {
    tx.immediate(at, at + size);
    at += size;
  }
  const ns = Number(process.hrtime.bigint() - t0);
  db.close();
  return ns;
}

/** The store alone: the same events appended with `appendSync` in the same batches to a fresh file (schema v2). */
function storeAlone(path, rows, batches) {
  const store = openSqliteStore(path);
  const chunks = [];
  let at = 0;
  for (const size of batches) {
    chunks.push(
      rows.slice(at, at + size).map(({ id, type, data, metadata }) => ({ id, type, data, metadata })),
    );
    at += size;
  }
  let expected = "no_stream";
  const t0 = process.hrtime.bigint();
  for (const events of chunks) expected = store.appendSync(STREAM, events, expected).nextExpectedRevision;
  const ns = Number(process.hrtime.bigint() - t0);
  store.close();
  return ns;
}

async function worker(a) {
  const n = +(a.n ?? 300_000);
  const ticks = +(a.ticks ?? 999);
  const accounts = 1000;
  const window = +(a.window ?? 5000);
  const maxBatch = +(a.maxBatch ?? 1000);
  const writer = a.writer ?? "worker";
  const inFlight = +(a["in-flight"] ?? 2);
  const dir = mkdtempSync(join(os.tmpdir(), "pmx-bench-durable-"));
  try {
    const store = openSqliteStore(join(dir, "pmx.db"), { writer });
    const batches = []; // events per append, setup excluded
    let recording = false;
    const recorder = {
      ...store,
      append(stream, events, expected) {
        if (recording) batches.push(events.length);
        return store.append(stream, events, expected);
      },
    };
    const exchange = await Exchange.open({
      store: recorder,
      clock: new ManualClock(AT),
      maxQueue: 20_000,
      maxBatch,
      maxAppendsInFlight: inFlight,
    });
    await pump(exchange, setupCommands({ accounts, ticks }).map(withoutAt), window);
    const before = { ...exchange.stats };
    const firstRevision = exchange.projection.eventCount;
    const { commands } = streamCommands({ n, ticks, accounts });
    const inputs = commands.map(withoutAt);
    globalThis.gc?.();
    recording = true;
    const stopProfile = a.profile ? await startProfile() : null;
    const t0 = process.hrtime.bigint();
    const { rejected } = await pump(exchange, inputs, window);
    const ns = Number(process.hrtime.bigint() - t0);
    const profile = stopProfile ? summarize(await stopProfile(), 25) : null;
    recording = false;
    const stats = exchange.stats;
    const events = exchange.projection.eventCount - firstRevision;
    const rows = store.readBatch(STREAM, firstRevision, events);
    const bytes = rows.reduce(
      (s, r) => s + r.id.length + r.type.length + r.data.length + r.metadata.length,
      0,
    );
    const peakRss = process.resourceUsage().maxRSS * 1024;
    await exchange.close();
    const rawNs = rawInsert(join(dir, "raw.db"), rows, batches);
    const storeNs = storeAlone(join(dir, "store.db"), rows, batches);
    const out = {
      n,
      ticks,
      window,
      maxBatch,
      writer,
      maxAppendsInFlight: inFlight,
      ms: round(ns / 1e6, 1),
      commandsPerSec: Math.round(n / (ns / 1e9)),
      eventsPerSec: Math.round(events / (ns / 1e9)),
      events,
      rejected,
      appends: batches.length,
      commandsPerAppend: round((stats.commandsCommitted - before.commandsCommitted) / batches.length, 1),
      eventsPerAppend: round(events / batches.length, 1),
      avgRowBytes: Math.round(bytes / rows.length),
      raw: {
        ms: round(rawNs / 1e6, 1),
        rowsPerSec: Math.round(rows.length / (rawNs / 1e9)),
        commandsPerSecEquivalent: Math.round(n / (rawNs / 1e9)),
        transactions: batches.length,
      },
      store: {
        ms: round(storeNs / 1e6, 1),
        eventsPerSec: Math.round(rows.length / (storeNs / 1e9)),
        commandsPerSecEquivalent: Math.round(n / (storeNs / 1e9)),
      },
      peakRssMiB: round(peakRss / MiB, 1),
    };
    if (profile) out.profile = profile;
    console.log(JSON.stringify(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run({ runs = 3, n = 100_000, writer = "worker", inFlight = 2 } = {}) {
  const env = environment();
  const rs = [];
  for (let k = 0; k < runs; k++) {
    const r = runNodeJson(
      SELF,
      ["--worker", "--n", String(n), "--writer", writer, "--in-flight", String(inFlight)],
      { nodeArgs: ["--expose-gc"] },
    );
    log(
      `durable run ${k + 1}: ${fmt(r.commandsPerSec)} commands/s durable (${r.commandsPerAppend} commands, ${r.eventsPerAppend} events per commit); ` +
        `raw better-sqlite3 same rows ${fmt(r.raw.rowsPerSec)} rows/s = ${fmt(r.raw.commandsPerSecEquivalent)} commands/s` +
        (r.store ? `; the store alone ${fmt(r.store.commandsPerSecEquivalent)} commands/s equivalent` : ""),
    );
    rs.push(r);
  }
  const med = median(rs.map((r) => r.commandsPerSec));
  const peerMed = median(rs.map((r) => r.raw.commandsPerSecEquivalent));
  const result = {
    name: "durable",
    target: `≥ ${fmt(TARGET_CMDS_PER_SEC)} commands/s durable (SQLite WAL, synchronous=FULL, group commit)`,
    env,
    params: {
      n,
      ticks: 999,
      accounts: 1000,
      window: rs[0].window,
      maxBatch: rs[0].maxBatch,
      writer: rs[0].writer,
      maxAppendsInFlight: rs[0].maxAppendsInFlight,
      path: "Exchange.submit (gateway dist), ManualClock",
    },
    unit: "commands/s",
    runs: rs.map((r) => r.commandsPerSec),
    median: med,
    peer: {
      name: "raw better-sqlite3 inserts of the same rows in the same transactions (commands/s equivalent)",
      runs: rs.map((r) => r.raw.commandsPerSecEquivalent),
      median: peerMed,
      rowsPerSecMedian: median(rs.map((r) => r.raw.rowsPerSec)),
    },
    /** The event store alone (appendSync of the same batches on a fresh file, its current schema): its ceiling. */
    store: rs[0].store
      ? {
          runs: rs.map((r) => r.store.commandsPerSecEquivalent),
          median: median(rs.map((r) => r.store.commandsPerSecEquivalent)),
          eventsPerSecMedian: median(rs.map((r) => r.store.eventsPerSec)),
        }
      : undefined,
    ratio: round(med / peerMed, 2),
    met: med >= TARGET_CMDS_PER_SEC,
    detail: rs[0],
    raw: rs,
  };
  writeResult("durable", result);
  console.log(
    `durable: ${fmt(med)} commands/s median of ${runs} (target ${fmt(TARGET_CMDS_PER_SEC)}) — ${result.met ? "MET" : "NOT MET"}; ` +
      `raw SQLite inserts of the same rows ${fmt(peerMed)} commands/s equivalent, ratio ${result.ratio}×` +
      (result.store ? `; the store alone ${fmt(result.store.median)} commands/s equivalent` : ""),
  );
  return result;
}

if (process.argv[1] === SELF) {
  const a = parseArgs(process.argv.slice(2));
  if (a.worker) await worker(a);
  else
    await run({
      runs: +(a.runs ?? 3),
      n: +(a.n ?? 100_000),
      writer: a.writer ?? "worker",
      inFlight: +(a["in-flight"] ?? 2),
    });
}
