// Target 6 — memory: 1,000,000 resting orders across 100 markets, through the decider state (decide + evolve:
// orders, accounts, positions, books), RSS after a full GC. Peer in the same pass: nodejs-order-book holding the
// same 1,000,000 orders in 100 books (book only); context: our bare book (packages/matching/bench/memory.mjs).
// usage: node bench/memory.mjs [--runs 3] [--orders 1000000] [--markets 100]
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decide, evolve, initialState } from "@pmx/domain";
import { AT, accountIdOf, priceStringOf, setupCommands } from "./lib/commands.mjs";
import {
  environment,
  fmt,
  log,
  MiB,
  median,
  parseArgs,
  ROOT,
  round,
  runNodeJson,
  writeResult,
} from "./lib/common.mjs";

export const TARGET_RSS_MIB = 400;
const SELF = fileURLToPath(import.meta.url);
const require = createRequire(join(ROOT, "package.json"));

/** The i-th order of a market: bids on 1..499 and asks on 501..999 (YES ticks of 1000), never crossing. */
const orderOf = (i) => {
  const bid = i % 2 === 0;
  return { bid, yesTicks: bid ? 1 + (i % 499) : 501 + (i % 499), size: 1 + (i % 100) };
};

function ours(orders, markets, accounts) {
  globalThis.gc();
  const base = process.memoryUsage();
  const state = initialState();
  const ids = Array.from({ length: markets }, (_, m) => `m${m}`);
  const apply = (c) => {
    const d = decide(c, state);
    if (d._tag === "Left") throw new Error(`${c.type}: ${d.left.code} ${d.left.message}`);
    for (const e of d.right) evolve(state, e);
  };
  for (const c of setupCommands({ accounts, ticks: 999, markets: ids })) apply(c);
  const perMarket = orders / markets;
  let k = 0;
  for (let m = 0; m < markets; m++) {
    for (let i = 0; i < perMarket; i++, k++) {
      const o = orderOf(i);
      apply({
        type: "PlaceOrder",
        at: AT,
        accountId: accountIdOf(k % accounts),
        marketId: ids[m],
        clientOrderId: `c${k}`,
        side: "buy",
        outcome: o.bid ? "YES" : "NO",
        price: priceStringOf(o.bid ? o.yesTicks : 1000 - o.yesTicks, 1000),
        quantity: String(o.size),
        timeInForce: "GTC",
        postOnly: false,
        leverage: "1",
      });
    }
  }
  globalThis.gc();
  const m = process.memoryUsage();
  let resting = 0;
  for (const market of state.markets.values()) resting += market.book.restingCount();
  return {
    resting,
    ordersInState: state.orders.size,
    accounts: state.accounts.size,
    rssMiB: round(m.rss / MiB, 1),
    heapUsedMiB: round(m.heapUsed / MiB, 1),
    heapGrowthMiB: round((m.heapUsed - base.heapUsed) / MiB, 1),
    arrayBuffersMiB: round(m.arrayBuffers / MiB, 1),
    baselineRssMiB: round(base.rss / MiB, 1),
    state, // kept alive until measured
  };
}

function peer(orders, markets) {
  globalThis.gc();
  const base = process.memoryUsage();
  const { OrderBook } = require("nodejs-order-book");
  const books = [];
  const perMarket = orders / markets;
  let k = 0;
  for (let m = 0; m < markets; m++) {
    const ob = new OrderBook();
    for (let i = 0; i < perMarket; i++, k++) {
      const o = orderOf(i);
      ob.limit({ id: String(k + 1), side: o.bid ? "buy" : "sell", size: o.size, price: o.yesTicks });
    }
    books.push(ob);
  }
  globalThis.gc();
  const m = process.memoryUsage();
  return {
    resting: k,
    rssMiB: round(m.rss / MiB, 1),
    heapUsedMiB: round(m.heapUsed / MiB, 1),
    heapGrowthMiB: round((m.heapUsed - base.heapUsed) / MiB, 1),
    arrayBuffersMiB: round(m.arrayBuffers / MiB, 1),
    baselineRssMiB: round(base.rss / MiB, 1),
    books,
  };
}

async function worker(a) {
  const orders = +(a.orders ?? 1_000_000);
  const markets = +(a.markets ?? 100);
  const t0 = performance.now();
  const r = a.peer ? peer(orders, markets) : ours(orders, markets, +(a.accounts ?? 1000));
  const { state: _s, books: _b, ...out } = r;
  if (a.heap) {
    // where the heap goes, by constructor: a snapshot of the live state (use a smaller --orders: it is parsed here)
    const { writeHeapSnapshot } = await import("node:v8");
    const { readFileSync, rmSync } = await import("node:fs");
    const { heapSummary } = await import("./lib/profile.mjs");
    const file = writeHeapSnapshot(
      join((await import("node:os")).tmpdir(), `pmx-bench-${process.pid}.heapsnapshot`),
    );
    out.heap = heapSummary(JSON.parse(readFileSync(file, "utf8")), 20);
    out.heap.bytesPerOrder = Math.round((out.heap.totalMiB * 2 ** 20) / orders);
    rmSync(file, { force: true });
    void r.state;
  }
  out.seconds = round((performance.now() - t0) / 1000, 1);
  out.peakRssMiB = round((process.resourceUsage().maxRSS * 1024) / MiB, 1);
  console.log(JSON.stringify(out));
}

export async function run({ runs = 3, orders = 1_000_000, markets = 100 } = {}) {
  const env = environment();
  const args = ["--worker", "--orders", String(orders), "--markets", String(markets)];
  const rs = [];
  const ps = [];
  const bare = [];
  for (let k = 0; k < runs; k++) {
    const r = runNodeJson(SELF, args, { nodeArgs: ["--expose-gc"] });
    const p = runNodeJson(SELF, [...args, "--peer"], { nodeArgs: ["--expose-gc"] });
    const b = runNodeJson(join(ROOT, "packages/matching/bench/memory.mjs"), [], {
      nodeArgs: ["--expose-gc"],
    });
    log(
      `memory run ${k + 1}: decider state ${r.rssMiB} MiB RSS (heap ${r.heapUsedMiB} MiB, ${fmt(r.resting)} resting, ${fmt(r.ordersInState)} orders in state); ` +
        `peer nodejs-order-book ${p.rssMiB} MiB; our bare books ${b.rssMiB} MiB`,
    );
    rs.push(r);
    ps.push(p);
    bare.push(b);
  }
  const med = median(rs.map((r) => r.rssMiB));
  const peerMed = median(ps.map((r) => r.rssMiB));
  const result = {
    name: "memory",
    target: `${fmt(orders)} resting orders across ${markets} markets in ≤ ${TARGET_RSS_MIB} MiB RSS (decider state)`,
    env,
    params: {
      orders,
      markets,
      accounts: 1000,
      layout:
        "per market 10,000 GTC orders: bids (buy YES) on 0.001..0.499, asks (buy NO, i.e. YES asks) on 0.501..0.999",
      measured: "process RSS after a full GC (node --expose-gc), everything (code, heap, array buffers)",
    },
    unit: "MiB RSS",
    lowerIsBetter: true,
    runs: rs.map((r) => r.rssMiB),
    median: med,
    heapUsedMiBMedian: median(rs.map((r) => r.heapUsedMiB)),
    peer: {
      name: "nodejs-order-book 10.1.1, the same orders in 100 books (book only)",
      runs: ps.map((r) => r.rssMiB),
      median: peerMed,
    },
    ratio: round(med / peerMed, 2),
    context: { bareBookRssMiB: median(bare.map((b) => b.rssMiB)), bareBookRuns: bare },
    met: med <= TARGET_RSS_MIB && rs.every((r) => r.resting === orders),
    raw: { ours: rs, peer: ps },
  };
  writeResult("memory", result);
  console.log(
    `memory: ${med} MiB RSS median of ${runs} for ${fmt(orders)} resting orders in the decider state (target ≤ ${TARGET_RSS_MIB} MiB) — ${result.met ? "MET" : "NOT MET"}; ` +
      `peer nodejs-order-book ${peerMed} MiB (book only), ratio ${result.ratio}×; our bare books ${result.context.bareBookRssMiB} MiB`,
  );
  return result;
}

if (process.argv[1] === SELF) {
  const a = parseArgs(process.argv.slice(2));
  if (a.worker) await worker(a);
  else await run({ runs: +(a.runs ?? 3), orders: +(a.orders ?? 1_000_000), markets: +(a.markets ?? 100) });
}
