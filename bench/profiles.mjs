// Profiles of the targets that are not met: where the time (or the memory) goes. One extra, profiled run each;
// the figures of the timed runs never come from a profiled process. Writes bench-results/profile-<name>.json.
// usage: node bench/profiles.mjs [--only engine,durable,gateway,replay,audit,memory,growth]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { environment, log, parseArgs, ROOT, readResult, runNodeJson, writeResult } from "./lib/common.mjs";
import { summarize } from "./lib/profile.mjs";

const SELF = fileURLToPath(import.meta.url);
const B = (f) => join(ROOT, "bench", f);

function cpuProfOf(fn) {
  const dir = mkdtempSync(join(os.tmpdir(), "pmx-bench-prof-"));
  try {
    const out = fn(dir);
    const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
    const summary = file ? summarize(JSON.parse(readFileSync(join(dir, file), "utf8")), 25) : null;
    return { out, summary };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PROFILERS = {
  engine: () => {
    const r = runNodeJson(B("engine.mjs"), ["--worker", "--n", "300000", "--profile"], {
      nodeArgs: ["--expose-gc"],
    });
    const { profile, ...run } = r;
    return {
      how: "node:inspector sampling profiler around the timed decide + evolve loop (300,000 commands)",
      run,
      profile,
    };
  },
  durable: () => {
    const r = runNodeJson(B("durable.mjs"), ["--worker", "--n", "100000", "--profile"], {
      nodeArgs: ["--expose-gc"],
    });
    const { profile, ...run } = r;
    return {
      how: "node:inspector sampling profiler around the timed submit → durable loop (100,000 commands)",
      run,
      profile,
    };
  },
  gateway: async () => {
    const { oneRun } = await import("./gateway.mjs");
    const dir = mkdtempSync(join(os.tmpdir(), "pmx-bench-prof-"));
    try {
      const run = await oneRun({
        duration: 15,
        connections: 64,
        accounts: 100,
        warmup: 2,
        run: "profile",
        profileDir: dir,
      });
      // --cpu-prof writes one file per thread: CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile, 0 = the event loop
      const files = readdirSync(dir)
        .filter((f) => f.endsWith(".cpuprofile"))
        .sort();
      const main = files.find((f) => f.split(".")[4] === "0");
      const writer = files.find((f) => f !== main);
      const summaryOf = (f, top) =>
        f ? summarize(JSON.parse(readFileSync(join(dir, f), "utf8")), top) : null;
      return {
        how: "node --cpu-prof on the gateway process (whole life: start, setup, 2 s warm-up, 15 s load, shutdown); the event loop's thread",
        run: {
          requestsAverage: run.requestsAverage,
          latencyMs: run.latencyMs,
          gatewayCpuPctOfOneCore: run.gatewayCpuPctOfOneCore,
          gatewayMainThreadCpuPctOfOneCore: run.gatewayMainThreadCpuPctOfOneCore,
        },
        profile: summaryOf(main, 25),
        writerThread: summaryOf(writer, 5),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  replay: () => {
    const log_ = logPath();
    const { out, summary } = cpuProfOf((dir) =>
      runNodeJson(
        join(ROOT, "services/gateway/dist/cli.js"),
        ["replay", "--store", `sqlite:${log_}`, "--verify", "--json"],
        {
          nodeArgs: ["--cpu-prof", "--cpu-prof-dir", dir],
        },
      ),
    );
    return {
      how: `node --cpu-prof on pmx replay --verify (${out.events} events)`,
      run: out,
      profile: summary,
    };
  },
  audit: () => {
    const log_ = logPath();
    const { out, summary } = cpuProfOf((dir) =>
      runNodeJson(
        join(ROOT, "services/gateway/dist/cli.js"),
        ["audit", "--store", `sqlite:${log_}`, "--json"],
        {
          nodeArgs: ["--cpu-prof", "--cpu-prof-dir", dir],
        },
      ),
    );
    return { how: `node --cpu-prof on pmx audit (${out.events} events)`, run: out, profile: summary };
  },
  memory: () => {
    const r = runNodeJson(B("memory.mjs"), ["--worker", "--orders", "100000", "--markets", "10", "--heap"], {
      nodeArgs: ["--expose-gc"],
    });
    const { heap, ...run } = r;
    return {
      how: "V8 heap snapshot of the decider state with 100,000 resting orders (10 markets), self size by constructor",
      run,
      heap,
    };
  },
  growth: () => {
    const r = runNodeJson(B("engine.mjs"), ["--worker", "--n", "200000", "--profile"], {
      nodeArgs: ["--expose-gc"],
    });
    return {
      how: "see the engine profile: the same loop",
      run: { commandsPerSec: r.commandsPerSec },
      profile: r.profile,
    };
  },
};

/** The smallest cached audit log in the temp folder (written by bench/audit.mjs). */
function logPath() {
  const logs = readdirSync(os.tmpdir())
    .filter((f) => /^pmx-bench-audit-\d+\.db$/.test(f))
    .map((f) => ({ f, n: +f.split("-")[3].split(".")[0] }))
    .sort((a, b) => a.n - b.n);
  if (logs.length > 0) return join(os.tmpdir(), logs[0].f);
  // the build changed since bench/audit.mjs ran (or it did not run): write a small log with this build
  const path = join(os.tmpdir(), "pmx-bench-audit-100000.db");
  buildLogSync(path, 100_000);
  return path;
}

let buildLogSync = null;
export async function run({ only = null } = {}) {
  const audit = await import("./audit.mjs");
  buildLogSync = audit.buildLog;
  const env = environment();
  const names = only ?? Object.keys(PROFILERS);
  for (const name of names) {
    const r = readResult(name);
    if (!only && r && r.met) continue;
    log(`profiling ${name} …`);
    try {
      const p = await PROFILERS[name]();
      writeResult(`profile-${name}`, { name, env, ...p });
    } catch (error) {
      log(`profiling ${name} failed: ${error.message}`);
    }
  }
}

if (process.argv[1] === SELF) {
  const a = parseArgs(process.argv.slice(2));
  await run({ only: a.only ? String(a.only).split(",") : null });
}
