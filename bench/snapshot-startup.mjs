// Start-up from a snapshot vs replay from genesis on a large log: same state hash, and how long each takes.
// usage: node bench/snapshot-startup.mjs [--events 1000000] [--out bench-results/snapshot-startup.json]
// Builds the log through the real sequencer (SQLite, WAL, synchronous=FULL, group commit) in a temp folder.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { openSqliteStore } from "@pmx/eventstore";
import { Exchange, ManualClock, rebuild, SnapshotStore, STREAM } from "@pmx/gateway";

const args = process.argv.slice(2);
const arg = (k, d) => {
  const i = args.indexOf(`--${k}`);
  return i < 0 ? d : args[i + 1];
};
const targetEvents = Number(arg("events", "1000000"));
const out = arg("out", "bench-results/snapshot-startup.json");
const quiet = { info() {}, warn() {}, error() {} };

const dir = mkdtempSync(join(tmpdir(), "pmx-snapbench-"));
const db = join(dir, "pmx.db");
try {
  const T0 = Date.parse("2026-01-01T00:00:00Z");
  const writer = await Exchange.open({
    store: openSqliteStore(db),
    clock: new ManualClock(T0),
    maxBatch: 2000,
    logger: quiet,
  });
  const accounts = 1000;
  const setup = [];
  for (let a = 0; a < accounts; a++) {
    setup.push({ type: "OpenAccount", accountId: `a${a}` });
    setup.push({ type: "Deposit", accountId: `a${a}`, amount: "100000000", reference: "seed" });
  }
  for (let m = 0; m < 10; m++)
    setup.push({
      type: "ListMarket",
      marketId: `m${m}`,
      question: `Market ${m}?`,
      tickSize: "0.001",
      resolvesAt: "2027-01-01T00:00:00Z",
    });
  await Promise.all(setup.map((c) => writer.submit(c)));
  const built = performance.now();
  let i = 0;
  while (writer.projection.eventCount < targetEvents) {
    const volley = [];
    for (let k = 0; k < 2000; k++, i++) {
      // A mix that crosses often: buys of YES and NO around 0.5 on 10 markets, from 1000 accounts.
      const yes = i % 2 === 0;
      const ticks = 480 + ((i * 37) % 41);
      volley.push({
        type: "PlaceOrder",
        accountId: `a${i % accounts}`,
        marketId: `m${i % 10}`,
        clientOrderId: `c${i}`,
        side: "buy",
        outcome: yes ? "YES" : "NO",
        price: (ticks / 1000).toFixed(3),
        quantity: String(1 + (i % 20)),
        timeInForce: i % 5 === 0 ? "IOC" : "GTC",
        postOnly: false,
        leverage: "1",
      });
    }
    await Promise.all(volley.map((c) => writer.submit(c)));
    if (process.stderr.isTTY) process.stderr.write(`\rwriting: ${writer.projection.eventCount} events`);
  }
  const writeMs = performance.now() - built;
  const events = writer.projection.eventCount;
  const expected = writer.projection.stateHash();
  const snapDir = join(dir, "snapshots");
  const t = performance.now();
  const file = new SnapshotStore(snapDir, quiet).write(writer.projection);
  const snapshotWriteMs = performance.now() - t;
  await writer.close();
  if (process.stderr.isTTY) process.stderr.write("\n");

  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const genesisMs = [];
  const snapshotMs = [];
  for (let run = 0; run < 3; run++) {
    let store = openSqliteStore(db);
    let t0 = performance.now();
    const g = await rebuild(store, STREAM);
    genesisMs.push(performance.now() - t0);
    if (g.stateHash() !== expected) throw new Error("genesis replay gave another state hash");
    await store.close();

    store = openSqliteStore(db);
    t0 = performance.now();
    const s = await Exchange.open({
      store,
      clock: new ManualClock(T0),
      snapshots: { store: new SnapshotStore(snapDir, quiet), every: 0 },
      logger: quiet,
    });
    snapshotMs.push(performance.now() - t0);
    if (s.projection.stateHash() !== expected) throw new Error("snapshot start-up gave another state hash");
    if (s.projection.eventCount !== events) throw new Error("snapshot start-up stopped short of the log");
    await s.close();
  }
  const result = {
    env: {
      node: process.version,
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      date: new Date().toISOString(),
    },
    events,
    logBytes: statSync(db).size,
    snapshotBytes: statSync(file).size,
    writeSeconds: +(writeMs / 1000).toFixed(1),
    snapshotWriteMs: Math.round(snapshotWriteMs),
    genesisReplayMs: genesisMs.map(Math.round),
    snapshotStartMs: snapshotMs.map(Math.round),
    genesisReplayMsMedian: Math.round(median(genesisMs)),
    snapshotStartMsMedian: Math.round(median(snapshotMs)),
    sameStateHash: true,
    stateHash: expected,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 1)}\n`);
  console.log(
    `snapshot start-up: ${events} events; genesis replay ${result.genesisReplayMsMedian} ms, snapshot start ${result.snapshotStartMsMedian} ms (median of 3), same state hash`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
