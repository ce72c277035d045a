// Target 1 — matching: the shared yardstick (run-orderbook.js in PMX_YARDSTICK, run as it is, not copied; not in this repo)
// with nodejs-order-book and our adapter (packages/matching/bench/yardstick-adapter.cjs) in the same pass, at 999
// and 9999 ticks. The harness writes bench-results/orderbook-<ticks>.json; this module summarizes both.
// usage: node bench/matching.mjs [--runs 3] [--ticks 999,9999]
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  environment,
  fmt,
  log,
  RESULTS_DIR,
  ROOT,
  readResult,
  round,
  writeResult,
  yardstick,
} from "./lib/common.mjs";

export const TARGET_RATIO = 10;
const SELF = fileURLToPath(import.meta.url);
const OURS = "./packages/matching/bench/yardstick-adapter.cjs";
const PEER = "nodejs-order-book";

export async function run({ runs = 3, ticksList = [999, 9999] } = {}) {
  const env = environment();
  const perTicks = [];
  for (const ticks of ticksList) {
    const r = spawnSync(
      process.execPath,
      [
        join(yardstick(), "run-orderbook.js"),
        "--adapters",
        `noop,${PEER},${OURS}`,
        "--runs",
        String(runs),
        "--ticks",
        String(ticks),
        "--out-dir",
        RESULTS_DIR,
      ],
      { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
    );
    if (r.status !== 0) throw new Error(`run-orderbook.js --ticks ${ticks} failed (${r.status})`);
    log(r.stdout.trim());
    const h = readResult(`orderbook-${ticks}`);
    const ours = h.summary.find((s) => s.adapter === OURS);
    const peer = h.summary.find((s) => s.adapter === PEER);
    perTicks.push({
      ticks,
      harnessFile: `bench-results/orderbook-${ticks}.json`,
      ours: {
        opsPerSecMedian: ours.opsPerSecMedian,
        runs: ours.opsPerSecAll,
        peakRssRunMiB: ours.peakRssRunMiBMedian,
        endStateMatchesReference: ours.endStateMatchesReference,
        latencyNs: ours.latencyNs,
      },
      peer: {
        opsPerSecMedian: peer.opsPerSecMedian,
        runs: peer.opsPerSecAll,
        peakRssRunMiB: peer.peakRssRunMiBMedian,
        endStateMatchesReference: peer.endStateMatchesReference,
        latencyNs: peer.latencyNs,
      },
      ratio: round(ours.opsPerSecMedian / peer.opsPerSecMedian, 2),
      rssNotAbovePeer: ours.peakRssRunMiBMedian <= peer.peakRssRunMiBMedian,
      met:
        ours.opsPerSecMedian >= TARGET_RATIO * peer.opsPerSecMedian &&
        ours.endStateMatchesReference &&
        ours.peakRssRunMiBMedian <= peer.peakRssRunMiBMedian,
    });
  }
  const result = {
    name: "matching",
    target: `≥ ${TARGET_RATIO}× nodejs-order-book's ops/s in the same pass, end state = reference, peak RSS ≤ the peer's (999 and 9999 ticks)`,
    env,
    params: { runs, n: 1_000_000, seed: 42, harness: "$PMX_YARDSTICK/run-orderbook.js" },
    unit: "ops/s",
    perTicks,
    met: perTicks.every((p) => p.met),
  };
  writeResult("matching", result);
  for (const p of perTicks)
    console.log(
      `matching ${p.ticks} ticks: ${fmt(p.ours.opsPerSecMedian)} ops/s vs nodejs-order-book ${fmt(p.peer.opsPerSecMedian)} = ${p.ratio}× ` +
        `(target ≥ ${TARGET_RATIO}×), RSS ${p.ours.peakRssRunMiB} vs ${p.peer.peakRssRunMiB} MiB, end state = ref ${p.ours.endStateMatchesReference}, ` +
        `p50/p99/p99.9 ${[p.ours.latencyNs.p50, p.ours.latencyNs.p99, p.ours.latencyNs.p999].map((x) => (x / 1000).toFixed(2)).join("/")} µs — ${p.met ? "MET" : "NOT MET"}`,
    );
  return result;
}

if (process.argv[1] === SELF) {
  const { parseArgs } = await import("./lib/common.mjs");
  const a = parseArgs(process.argv.slice(2));
  await run({
    runs: +(a.runs ?? 3),
    ticksList: String(a.ticks ?? "999,9999")
      .split(",")
      .map(Number),
  });
}
