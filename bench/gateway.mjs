// Target 4 — the gateway over HTTP: signed POST /v1/orders, keep-alive, loopback, autocannon on the same machine.
// The gateway (node services/gateway/dist/cli.js serve, PMX_STORE=sqlite:<tmp>, PMX_LOG_LEVEL=warn) runs its event
// loop and its SQLite writer thread on whichever cores the OS gives them, and so does the load generator: nothing is
// pinned (`--pin` restores the former layout: gateway on core 1, load generator on core 0, with taskset).
// usage: node bench/gateway.mjs [--runs 3] [--duration 30] [--connections 64] [--accounts 100] [--pin]
//        [--writer worker|thread] [--in-flight 2] [--no-variants]
// Each run is followed by the same run with periodic snapshots off (PMX_SNAPSHOT_EVERY=0), unless --no-variants.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MARKET_ID } from "./lib/commands.mjs";
import {
  BENCH_DIR,
  environment,
  fmt,
  log,
  median,
  parseArgs,
  ROOT,
  round,
  runNodeJson,
  writeResult,
} from "./lib/common.mjs";

export const TARGET_ORDERS_PER_SEC = 10_000;
export const TARGET_P99_MS = 25;
const SELF = fileURLToPath(import.meta.url);
const TOKEN = "bench-operator-token";
const haveTaskset = spawnSync("taskset", ["-c", "0", "true"]).status === 0 && os.cpus().length >= 2;
let pin = false; // set by --pin
// the gateway's defaults; --writer thread --in-flight 1 measures the former design (appends on the event loop)
let sqliteWriter = "worker";
let maxAppendsInFlight = 2;
let variants = true; // --no-variants: skip the interleaved runs with snapshots off

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** CPU seconds (user + system) of a process, all threads, or of one thread with `/proc/<pid>/task/<tid>/stat`. */
const cpuSeconds = (pid, statFile = `/proc/${pid}/stat`) => {
  try {
    const f = readFileSync(statFile, "utf8").split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
};

async function call(url, method, path, body) {
  const r = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return JSON.parse(text);
}

async function startGateway(dir, port, profileDir = null, extraEnv = {}) {
  const args = [
    ...(profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : []),
    "services/gateway/dist/cli.js",
    "serve",
  ];
  const pinned = pin && haveTaskset;
  const child = spawn(
    pinned ? "taskset" : process.execPath,
    pinned ? ["-c", "1", process.execPath, ...args] : args,
    {
      cwd: ROOT,
      env: {
        ...process.env,
        PMX_STORE: `sqlite:${join(dir, "pmx.db")}`,
        PMX_LOG_LEVEL: "warn",
        PMX_PORT: String(port),
        PMX_OPERATOR_TOKEN: TOKEN,
        PMX_RATE_LIMIT_PER_KEY: "1000000",
        PMX_RATE_LIMIT_PER_IP: "10000000",
        PMX_SQLITE_WRITER: sqliteWriter,
        PMX_MAX_APPENDS_IN_FLIGHT: String(maxAppendsInFlight),
        ...extraEnv,
      },
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`${url}/v1/health`);
      if (r.ok) return { child, url };
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error("the gateway did not start");
}

export async function oneRun({ duration, connections, accounts, warmup, run, profileDir = null, env = {} }) {
  const dir = mkdtempSync(join(os.tmpdir(), "pmx-bench-gateway-"));
  const port = await freePort();
  const loadBefore = round(os.loadavg()[0], 2);
  const { child, url } = await startGateway(dir, port, profileDir, env);
  try {
    await call(url, "POST", "/v1/markets", {
      marketId: MARKET_ID,
      question: "benchmark market",
      tickSize: "0.001",
      resolvesAt: "2099-01-01T00:00:00Z",
      takerFeeBps: 10,
    });
    const creds = [];
    for (let k = 0; k < accounts; k++) {
      const c = await call(url, "POST", "/v1/accounts", { accountId: `g${k}` });
      await call(url, "POST", `/v1/accounts/g${k}/deposits`, { amount: "1000000000", reference: `d-${k}` });
      creds.push({ apiKey: c.apiKey, apiSecret: c.apiSecret });
    }
    const cfgFile = join(dir, "load.json");
    const load = (prefix, seconds) => {
      writeFileSync(
        cfgFile,
        JSON.stringify({
          url,
          connections,
          duration: seconds,
          accounts: creds,
          prefix,
          marketId: MARKET_ID,
          ticks: 999,
        }),
      );
      return runNodeJson(join(BENCH_DIR, "lib/gateway-load.mjs"), [cfgFile], {
        cpu: pin && haveTaskset ? 0 : null,
      });
    };
    load("w", warmup);
    const mainThread = `/proc/${child.pid}/task/${child.pid}/stat`; // the event loop's thread has the process's id
    const cpu0 = cpuSeconds(child.pid);
    const main0 = cpuSeconds(child.pid, mainThread);
    const t0 = performance.now();
    const r = load("m", duration);
    const wall = (performance.now() - t0) / 1000;
    const cpu1 = cpuSeconds(child.pid);
    const main1 = cpuSeconds(child.pid, mainThread);
    const stats = await fetch(`${url}/metrics`)
      .then((x) => x.text())
      .catch(() => "");
    r.gatewayCpuSec = cpu0 === null ? null : round(cpu1 - cpu0, 2);
    r.gatewayCpuPctOfOneCore = cpu0 === null ? null : round((100 * (cpu1 - cpu0)) / r.duration, 1);
    // the event loop vs the other threads (the SQLite writer, V8's GC helpers, libuv's pool)
    r.gatewayMainThreadCpuPctOfOneCore =
      main0 === null ? null : round((100 * (main1 - main0)) / r.duration, 1);
    r.gatewayOtherThreadsCpuPctOfOneCore =
      main0 === null ? null : round(r.gatewayCpuPctOfOneCore - r.gatewayMainThreadCpuPctOfOneCore, 1);
    r.loadAverageBefore = loadBefore;
    r.loadGenCpuPctOfOneCore = round((100 * r.loadGenCpuSec) / wall, 1);
    r.run = run;
    r.metricsBytes = stats.length;
    return r;
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run({ runs = 3, duration = 30, connections = 64, accounts = 100, warmup = 5 } = {}) {
  const env = environment();
  const rs = [];
  // Interleaved with each default run: the same run with periodic snapshots off (PMX_SNAPSHOT_EVERY=0), i.e.
  // without the snapshotter thread that folds every event a second time on the same two cores.
  const noSnapshots = [];
  const say = (label, k, r) =>
    log(
      `gateway ${label}run ${k + 1}: ${fmt(r.requestsAverage)} orders/s over ${r.duration} s, p50 ${r.latencyMs.p50} ms p99 ${r.latencyMs.p99} ms p99.9 ${r.latencyMs.p999} ms, ` +
        `non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}; gateway ${r.gatewayCpuPctOfOneCore}% of a core ` +
        `(event loop ${r.gatewayMainThreadCpuPctOfOneCore}%, other threads ${r.gatewayOtherThreadsCpuPctOfOneCore}%), load generator ${r.loadGenCpuPctOfOneCore}%`,
    );
  for (let k = 0; k < runs; k++) {
    const r = await oneRun({ duration, connections, accounts, warmup, run: k + 1 });
    say("", k, r);
    rs.push(r);
    if (!variants) continue;
    const v = await oneRun({
      duration,
      connections,
      accounts,
      warmup,
      run: k + 1,
      env: { PMX_SNAPSHOT_EVERY: "0" },
    });
    say("(snapshots off) ", k, v);
    noSnapshots.push(v);
  }
  // why throughput can collapse after ~50,000 signed writes within a minute (see docs/performance.md, target 4)
  const replayGuard = runNodeJson(join(BENCH_DIR, "lib/replay-guard-check.mjs"));
  const med = median(rs.map((r) => r.requestsAverage));
  const p99 = median(rs.map((r) => r.latencyMs.p99));
  const clean = rs.every((r) => r.non2xx === 0 && r.errors === 0 && r.timeouts === 0);
  const result = {
    name: "gateway",
    target: `≥ ${fmt(TARGET_ORDERS_PER_SEC)} orders/s for ${duration} s, p99 ≤ ${TARGET_P99_MS} ms, no errors`,
    env,
    params: {
      duration,
      warmupSeconds: warmup,
      connections,
      pipelining: 1,
      accounts,
      store: "sqlite (WAL, synchronous=FULL) in a temp folder",
      pinning:
        pin && haveTaskset
          ? "gateway: taskset -c 1; autocannon: taskset -c 0"
          : `none: the gateway (event loop + SQLite writer thread) and autocannon share the ${os.cpus().length} cores as the OS schedules them`,
      sqliteWriter,
      maxAppendsInFlight,
      snapshots:
        "the gateway's default (PMX_SNAPSHOT_EVERY=100000): a snapshotter thread folds every event a second time and writes a snapshot every 100,000 events",
      rateLimits: "PMX_RATE_LIMIT_PER_KEY=1000000, PMX_RATE_LIMIT_PER_IP=10000000",
      signing: "per request in autocannon's setupRequest: fresh timestamp, distinct clientOrderId",
    },
    unit: "orders/s",
    runs: rs.map((r) => r.requestsAverage),
    median: med,
    latencyMs: {
      p50: median(rs.map((r) => r.latencyMs.p50)),
      p99,
      p999: median(rs.map((r) => r.latencyMs.p999)),
    },
    diagnostics: { replayGuard },
    variants: noSnapshots.length
      ? {
          noSnapshots: {
            env: "PMX_SNAPSHOT_EVERY=0",
            runs: noSnapshots.map((r) => r.requestsAverage),
            median: median(noSnapshots.map((r) => r.requestsAverage)),
            latencyMs: {
              p50: median(noSnapshots.map((r) => r.latencyMs.p50)),
              p99: median(noSnapshots.map((r) => r.latencyMs.p99)),
              p999: median(noSnapshots.map((r) => r.latencyMs.p999)),
            },
            gatewayCpuPctOfOneCore: median(noSnapshots.map((r) => r.gatewayCpuPctOfOneCore)),
            errorsTotal: noSnapshots.reduce((s, r) => s + r.non2xx + r.errors + r.timeouts, 0),
            raw: noSnapshots,
          },
        }
      : {},
    errorsTotal: rs.reduce((s, r) => s + r.non2xx + r.errors + r.timeouts, 0),
    peer: null,
    ratio: null,
    met: med >= TARGET_ORDERS_PER_SEC && p99 <= TARGET_P99_MS && clean,
    raw: rs,
  };
  writeResult("gateway", result);
  console.log(
    `gateway: ${fmt(med)} orders/s median of ${runs} × ${duration} s, p99 ${p99} ms, errors ${result.errorsTotal} ` +
      `(target ${fmt(TARGET_ORDERS_PER_SEC)} orders/s, p99 ≤ ${TARGET_P99_MS} ms) — ${result.met ? "MET" : "NOT MET"}`,
  );
  return result;
}

if (process.argv[1] === SELF) {
  const a = parseArgs(process.argv.slice(2));
  pin = a.pin === true;
  variants = a["no-variants"] !== true;
  sqliteWriter = a.writer ?? sqliteWriter;
  maxAppendsInFlight = +(a["in-flight"] ?? maxAppendsInFlight);
  await run({
    runs: +(a.runs ?? 3),
    duration: +(a.duration ?? 30),
    connections: +(a.connections ?? 64),
    accounts: +(a.accounts ?? 100),
    warmup: +(a.warmup ?? 5),
  });
}
