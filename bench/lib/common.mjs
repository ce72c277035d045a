// Shared helpers of the pmx benchmarks: environment, medians, child runs, result files.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT = resolve(BENCH_DIR, "..");
export const RESULTS_DIR = join(ROOT, "bench-results");
/**
 * The shared order-book yardstick (its `bench/orderbook` folder: workload.js, run-orderbook.js, bench-orderbook.js) is
 * not part of this repo: `PMX_YARDSTICK` names where it is. Without it the benchmarks that replay its workload are
 * skipped (bench/run.mjs says which); `SHARED_ORDERBOOK` is null then.
 */
export const SHARED_ORDERBOOK = process.env.PMX_YARDSTICK ? resolve(process.env.PMX_YARDSTICK) : null;
export const YARDSTICK_PRESENT =
  SHARED_ORDERBOOK !== null && existsSync(join(SHARED_ORDERBOOK, "workload.js"));
export const YARDSTICK_MISSING =
  "needs the shared order-book yardstick, which is not part of this repo: set PMX_YARDSTICK to its bench/orderbook folder";

/** The yardstick's folder, or an error saying how to provide it. */
export function yardstick() {
  if (!YARDSTICK_PRESENT) throw new Error(`this benchmark ${YARDSTICK_MISSING}`);
  return SHARED_ORDERBOOK;
}
export const MiB = 1024 * 1024;

/** The machine and software a figure was measured on. */
export function environment() {
  const cpus = os.cpus();
  let commit = null;
  let dirty = null;
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    dirty =
      execFileSync("git", ["status", "--porcelain", "--", "packages", "services"], {
        cwd: ROOT,
        encoding: "utf8",
      }).trim() !== "";
  } catch {
    /* not a git checkout */
  }
  return {
    distFingerprint: distFingerprint(),
    node: process.version,
    v8: process.versions.v8,
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    totalMemGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    platform: `${os.platform()} ${os.release()}`,
    loadAvg1mAtStart: +os.loadavg()[0].toFixed(2),
    date: new Date().toISOString(),
    commit,
    sourceDirty: dirty,
  };
}

/** SHA-1 (12 hex) of every built .js file of the workspaces: which build a figure was measured on. */
export function distFingerprint() {
  const h = createHash("sha1");
  for (const top of ["packages", "services"]) {
    let pkgs = [];
    try {
      pkgs = readdirSync(join(ROOT, top)).sort();
    } catch {
      continue;
    }
    for (const p of pkgs) {
      const dir = join(ROOT, top, p, "dist");
      let files = [];
      try {
        files = readdirSync(dir, { recursive: true })
          .map(String)
          .filter((f) => f.endsWith(".js"))
          .sort();
      } catch {
        continue;
      }
      for (const f of files) h.update(`${top}/${p}/${f}`).update(readFileSync(join(dir, f)));
    }
  }
  return h.digest("hex").slice(0, 12);
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s[Math.floor(s.length / 2)];
};

export const round = (x, digits = 0) => (x === null || x === undefined ? x : +x.toFixed(digits));

/** Command-line flags: --name value, --flag (true). */
export function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) continue;
    const key = a.slice(2);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith("--")) out[key] = true;
    else {
      out[key] = next;
      i++;
    }
  }
  return out;
}

/** Runs `node [nodeArgs] script [args]` in a fresh process and answers the JSON of its last stdout line. */
export function runNodeJson(
  script,
  args = [],
  { nodeArgs = [], env = {}, cpu = null, timeoutMs = 30 * 60_000 } = {},
) {
  const cmd = cpu === null ? process.execPath : "taskset";
  const full = [...nodeArgs, script, ...args];
  const argv = cpu === null ? full : ["-c", String(cpu), process.execPath, ...full];
  const r = spawnSync(cmd, argv, {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, ...env },
    maxBuffer: 64 * MiB,
    timeout: timeoutMs,
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (r.status !== 0)
    throw new Error(
      `${script} ${args.join(" ")} exited with ${r.status ?? r.signal}\n${r.stdout?.slice(-2000)}`,
    );
  const lines = r.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

export function writeResult(name, result) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 1)}\n`);
  return file;
}

export function readResult(name) {
  try {
    return JSON.parse(readFileSync(join(RESULTS_DIR, `${name}.json`), "utf8"));
  } catch {
    return null;
  }
}

export const fmt = (x, digits = 0) =>
  x === null || x === undefined
    ? "-"
    : Number(x).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

export const log = (...parts) => process.stderr.write(`${parts.join(" ")}\n`);

/** Percentiles of a Float64Array of samples (sorted in place). */
export function percentiles(samples, count = samples.length) {
  const a = samples.subarray(0, count).sort();
  const q = (p) => a[Math.min(count - 1, Math.floor(p * count))];
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99), p999: q(0.999), max: a[count - 1] };
}
