// Target 2 — the whole 1x decider in memory: decide + evolve over the yardstick's stream as commands.
// usage: node bench/engine.mjs [--runs 3] [--n 1000000] [--ticks 999]
//        node --expose-gc bench/engine.mjs --worker [--latency] ...   (one measured run, one JSON line)
import { fileURLToPath } from "node:url";
import { decide, evolve, initialState } from "@pmx/domain";
import { depthOf, MARKET_ID, setupCommands, streamCommands, workloadModule } from "./lib/commands.mjs";
import {
  environment,
  fmt,
  log,
  MiB,
  median,
  parseArgs,
  percentiles,
  round,
  runNodeJson,
  writeResult,
  yardstick,
} from "./lib/common.mjs";
import { startProfile, summarize } from "./lib/profile.mjs";

export const TARGET_CMDS_PER_SEC = 300_000;
const SELF = fileURLToPath(import.meta.url);

/** Applies commands through decide + evolve; answers counts. Throws on nothing: rejections are counted. */
export function applyAll(state, commands, counts = { events: 0, rejected: {}, selfTrade: 0 }) {
  for (let i = 0; i < commands.length; i++) {
    const d = decide(commands[i], state);
    if (d._tag === "Right") {
      const events = d.right;
      for (let j = 0; j < events.length; j++) evolve(state, events[j]);
      counts.events += events.length;
    } else counts.rejected[d.left.code] = (counts.rejected[d.left.code] ?? 0) + 1;
  }
  return counts;
}

async function worker(a) {
  const n = +(a.n ?? 1_000_000);
  const ticks = +(a.ticks ?? 999);
  const accounts = +(a.accounts ?? 1000);
  const latency = !!a.latency;
  const state = initialState();
  applyAll(state, setupCommands({ accounts, ticks }));
  const { commands, workload } = streamCommands({ n, ticks, accounts });
  globalThis.gc?.();
  const setupRss = process.memoryUsage().rss;
  let events = 0;
  const rejected = {};
  let selfTrade = 0;
  const lat = latency ? new Float64Array(n) : null;
  const stopProfile = a.profile ? await startProfile() : null;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const s = latency ? process.hrtime.bigint() : 0n;
    const d = decide(commands[i], state);
    if (d._tag === "Right") {
      const ev = d.right;
      for (let j = 0; j < ev.length; j++) evolve(state, ev[j]);
      events += ev.length;
    } else rejected[d.left.code] = (rejected[d.left.code] ?? 0) + 1;
    if (latency) lat[i] = Number(process.hrtime.bigint() - s);
  }
  const ns = Number(process.hrtime.bigint() - t0);
  const profile = stopProfile ? summarize(await stopProfile(), 25) : null;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  // end state against the yardstick's reference (self-trade prevention may make it differ: counted)
  for (const o of state.orders.values()) if (o.cancelReason === "SELF_TRADE") selfTrade++;
  const { depthKey } = workloadModule();
  const d = depthOf(state.markets.get(MARKET_ID).book);
  const endStateMatchesReference =
    depthKey(d.bids, d.asks) === depthKey(workload.expected.bids, workload.expected.asks);
  const out = {
    mode: latency ? "latency" : "throughput",
    n,
    ticks,
    accounts,
    ms: round(ns / 1e6, 1),
    commandsPerSec: Math.round(n / (ns / 1e9)),
    events,
    eventsPerCommand: round(events / n, 3),
    rejected,
    selfTradeCancels: selfTrade,
    endStateMatchesReference,
    restingOrders: state.markets.get(MARKET_ID).book.restingCount(),
    ordersInState: state.orders.size,
    setupRssMiB: round(setupRss / MiB, 1),
    peakRssMiB: round(peakRss / MiB, 1),
  };
  if (profile) out.profile = profile;
  if (lat) {
    const p = percentiles(lat);
    out.latencyNs = { p50: p.p50, p90: p.p90, p99: p.p99, p999: p.p999, max: p.max };
  }
  console.log(JSON.stringify(out));
}

export async function run({ runs = 3, n = 1_000_000, ticks = 999 } = {}) {
  const env = environment();
  const args = ["--worker", "--n", String(n), "--ticks", String(ticks)];
  const ours = [];
  const peer = [];
  const peerArgs = ["--adapter", "nodejs-order-book", "--n", String(n), "--ticks", String(ticks)];
  for (let k = 0; k < runs; k++) {
    const r = runNodeJson(SELF, args, { nodeArgs: ["--expose-gc"] });
    log(`engine run ${k + 1}: ${fmt(r.commandsPerSec)} commands/s (${r.eventsPerCommand} events/command)`);
    ours.push(r);
    const p = runNodeJson(`${yardstick()}/bench-orderbook.js`, peerArgs, { nodeArgs: ["--expose-gc"] });
    log(`  peer nodejs-order-book (bare book, same stream): ${fmt(p.opsPerSec)} ops/s`);
    peer.push(p);
  }
  const lat = runNodeJson(SELF, [...args, "--latency"], { nodeArgs: ["--expose-gc"] });
  const med = median(ours.map((r) => r.commandsPerSec));
  const peerMed = median(peer.map((r) => r.opsPerSec));
  const result = {
    name: "engine",
    target: `≥ ${fmt(TARGET_CMDS_PER_SEC)} commands/s (decide + evolve, 1,000 accounts, in memory)`,
    env,
    params: { n, ticks, accounts: 1000, takerFeeBps: 10 },
    unit: "commands/s",
    runs: ours.map((r) => r.commandsPerSec),
    median: med,
    peer: {
      name: "nodejs-order-book 10.1.1 (bare book on the same operation stream, shared harness)",
      runs: peer.map((r) => r.opsPerSec),
      median: peerMed,
    },
    ratio: round(med / peerMed, 2),
    met: med >= TARGET_CMDS_PER_SEC,
    latencyNs: lat.latencyNs,
    detail: ours[0],
    raw: { ours, peer, latency: lat },
  };
  writeResult("engine", result);
  console.log(
    `engine: ${fmt(med)} commands/s median of ${runs} (target ${fmt(TARGET_CMDS_PER_SEC)}) — ${result.met ? "MET" : "NOT MET"}; ` +
      `peer bare book ${fmt(peerMed)} ops/s, ratio ${result.ratio}×; p50/p99/p99.9 ${(lat.latencyNs.p50 / 1000).toFixed(2)}/${(lat.latencyNs.p99 / 1000).toFixed(2)}/${(lat.latencyNs.p999 / 1000).toFixed(2)} µs`,
  );
  return result;
}

if (process.argv[1] === SELF) {
  const a = parseArgs(process.argv.slice(2));
  if (a.worker) await worker(a);
  else await run({ runs: +(a.runs ?? 3), n: +(a.n ?? 1_000_000), ticks: +(a.ticks ?? 999) });
}
