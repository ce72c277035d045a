// Target 7 — growth: cost per command (decide + evolve, in memory) as the state grows, with 1k / 10k / 100k
// background resting orders (1,000 accounts) and with 1k / 100k / 1M funded accounts (1k background orders).
// The measured commands are the yardstick's stream (200,000 operations by default, as in the engine benchmark),
// round robin over all the accounts; the background orders rest far from the stream's prices (YES 0.001-0.060 bids,
// 0.940-0.999 asks), placed by the same decider before timing.
// usage: node bench/growth.mjs [--runs 3] [--n 200000]
import { fileURLToPath } from "node:url";
import { decide, evolve, initialState } from "@pmx/domain";
import { AT, accountIdOf, MARKET_ID, priceStringOf, setupCommands, streamCommands } from "./lib/commands.mjs";
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

export const TARGET_MAX_RATIO = 1.5;
const SELF = fileURLToPath(import.meta.url);
export const CASES = [
  { series: "resting", resting: 1_000, accounts: 1_000 },
  { series: "resting", resting: 10_000, accounts: 1_000 },
  { series: "resting", resting: 100_000, accounts: 1_000 },
  { series: "accounts", resting: 1_000, accounts: 1_000 },
  { series: "accounts", resting: 1_000, accounts: 100_000 },
  { series: "accounts", resting: 1_000, accounts: 1_000_000 },
];

function worker(a) {
  const n = +(a.n ?? 200_000);
  const resting = +a.resting;
  const accounts = +a.accounts;
  const state = initialState();
  const apply = (c) => {
    const d = decide(c, state);
    if (d._tag === "Left") throw new Error(`${c.type}: ${d.left.code} ${d.left.message}`);
    for (const e of d.right) evolve(state, e);
  };
  const t0 = performance.now();
  for (const c of setupCommands({ accounts, ticks: 999 })) apply(c);
  for (let i = 0; i < resting; i++) {
    const bid = i % 2 === 0;
    const yesTicks = bid ? 1 + (i % 60) : 999 - (i % 60);
    apply({
      type: "PlaceOrder",
      at: AT,
      accountId: accountIdOf(i % accounts),
      marketId: MARKET_ID,
      clientOrderId: `bg${i}`,
      side: "buy",
      outcome: bid ? "YES" : "NO",
      price: priceStringOf(bid ? yesTicks : 1000 - yesTicks, 1000),
      quantity: String(1 + (i % 100)),
      timeInForce: "GTC",
      postOnly: false,
      leverage: "1",
    });
  }
  const setupSeconds = (performance.now() - t0) / 1000;
  const { commands } = streamCommands({ n, ticks: 999, accounts, firstOrderNumber: resting + 1 });
  globalThis.gc?.();
  let rejected = 0;
  const s = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const d = decide(commands[i], state);
    if (d._tag === "Right") {
      const ev = d.right;
      for (let j = 0; j < ev.length; j++) evolve(state, ev[j]);
    } else rejected++;
  }
  const ns = Number(process.hrtime.bigint() - s);
  console.log(
    JSON.stringify({
      n,
      resting,
      accounts,
      restingAtEnd: state.markets.get(MARKET_ID).book.restingCount(),
      rejected,
      commandsPerSec: Math.round(n / (ns / 1e9)),
      usPerCommand: round(ns / 1000 / n, 3),
      setupSeconds: round(setupSeconds, 1),
      peakRssMiB: round((process.resourceUsage().maxRSS * 1024) / MiB, 1),
    }),
  );
}

export async function run({ runs = 3, n = 200_000 } = {}) {
  const env = environment();
  const cases = CASES.map((c) => ({ ...c, runs: [] }));
  // interleaved: every case once per round, so a slow spell of the shared machine hits all of them alike
  for (let k = 0; k < runs; k++)
    for (const c of cases) {
      const r = runNodeJson(
        SELF,
        ["--worker", "--n", String(n), "--resting", String(c.resting), "--accounts", String(c.accounts)],
        { nodeArgs: ["--expose-gc", "--max-old-space-size=8192"] },
      );
      log(
        `growth ${c.series} resting=${fmt(c.resting)} accounts=${fmt(c.accounts)} run ${k + 1}: ${r.usPerCommand} µs/command`,
      );
      c.runs.push(r);
    }
  for (const c of cases) {
    c.usPerCommandMedian = median(c.runs.map((r) => r.usPerCommand));
    c.commandsPerSecMedian = median(c.runs.map((r) => r.commandsPerSec));
  }
  const series = {};
  for (const name of ["resting", "accounts"]) {
    const cs = cases.filter((c) => c.series === name);
    series[name] = {
      points: cs.map((c) => ({
        x: c[name],
        usPerCommand: c.usPerCommandMedian,
        runs: c.runs.map((r) => r.usPerCommand),
      })),
      ratioLargestToSmallest: round(cs[cs.length - 1].usPerCommandMedian / cs[0].usPerCommandMedian, 2),
    };
  }
  const worst = Math.max(series.resting.ratioLargestToSmallest, series.accounts.ratioLargestToSmallest);
  const result = {
    name: "growth",
    target: `cost per command at the largest size ≤ ${TARGET_MAX_RATIO}× the smallest (resting orders 1k→100k, accounts 1k→1M)`,
    env,
    params: { n, measured: "decide + evolve of the yardstick's stream, µs per command, median of runs" },
    unit: "× (largest / smallest µs per command)",
    lowerIsBetter: true,
    runs: null,
    median: worst,
    series,
    peer: null,
    ratio: null,
    met: worst <= TARGET_MAX_RATIO,
    raw: cases,
  };
  writeResult("growth", result);
  console.log(
    `growth: µs/command resting 1k/10k/100k = ${series.resting.points.map((p) => p.usPerCommand).join(" / ")} (×${series.resting.ratioLargestToSmallest}); ` +
      `accounts 1k/100k/1M = ${series.accounts.points.map((p) => p.usPerCommand).join(" / ")} (×${series.accounts.ratioLargestToSmallest}) ` +
      `(target ≤ ${TARGET_MAX_RATIO}×) — ${result.met ? "MET" : "NOT MET"}`,
  );
  return result;
}

if (process.argv[1] === SELF) {
  const a = parseArgs(process.argv.slice(2));
  if (a.worker) worker(a);
  else await run({ runs: +(a.runs ?? 3), n: +(a.n ?? 200_000) });
}
