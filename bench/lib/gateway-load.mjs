// Load generator of the gateway benchmark (a child process; pinned to core 0 only with bench/gateway.mjs --pin):
// autocannon, keep-alive, POST /v1/orders signed per request (fresh timestamp, distinct clientOrderId),
// bodies from the yardstick's stream (LIMIT and MARKET operations; cancels skipped).
// usage: node bench/lib/gateway-load.mjs <config.json>   -> one JSON line (autocannon's result, trimmed)
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { priceStringOf, workloadModule } from "./commands.mjs";

const require = createRequire(import.meta.url);
const autocannon = require("autocannon");
const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { OP_CANCEL, OP_LIMIT } = workloadModule();
const w = workloadModule().generate({
  n: cfg.ops ?? 1_000_000,
  ticks: cfg.ticks ?? 999,
  seed: cfg.seed ?? 42,
});
const T = (cfg.ticks ?? 999) + 1;
const bodies = [];
for (let i = 0; i < w.n; i++) {
  const o = w.op[i];
  if (o === OP_CANCEL) continue;
  const yes = w.side[i] === 0;
  const limit = o === OP_LIMIT;
  const price = limit ? priceStringOf(yes ? w.price[i] : T - w.price[i], T) : priceStringOf(T - 1, T);
  bodies.push(
    `","marketId":"${cfg.marketId}","side":"buy","outcome":"${yes ? "YES" : "NO"}","price":"${price}","quantity":"${w.size[i]}","timeInForce":"${limit ? "GTC" : "IOC"}"}`,
  );
}
const accounts = cfg.accounts; // [{apiKey, apiSecret}]
let k = 0;
const setupRequest = (req) => {
  const i = k++;
  const acct = accounts[i % accounts.length];
  const body = `{"clientOrderId":"${cfg.prefix}${i}${bodies[i % bodies.length]}`;
  const ts = String(Date.now());
  const sig = createHmac("sha256", acct.apiSecret).update(`${ts}POST/v1/orders${body}`).digest("hex");
  req.body = body;
  req.headers = {
    "content-type": "application/json",
    "pmx-key": acct.apiKey,
    "pmx-timestamp": ts,
    "pmx-signature": sig,
  };
  return req;
};

const perSecond = [];
const instance = autocannon({
  url: cfg.url,
  connections: cfg.connections,
  pipelining: 1,
  duration: cfg.duration,
  requests: [{ method: "POST", path: "/v1/orders", setupRequest }],
});
instance.on("tick", ({ counter }) => perSecond.push(counter));
const result = await instance;
const cpu = process.cpuUsage();
console.log(
  JSON.stringify({
    requestsAverage: result.requests.average,
    requestsTotal: result.requests.total,
    duration: result.duration,
    latencyMs: {
      mean: result.latency.mean,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      p999: result.latency.p99_9,
      max: result.latency.max,
    },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodeStats: result.statusCodeStats,
    sent: k,
    perSecond,
    loadGenCpuSec: +((cpu.user + cpu.system) / 1e6).toFixed(2),
  }),
);
