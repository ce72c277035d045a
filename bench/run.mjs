// `npm run bench`: every benchmark, each in fresh child processes, results in bench-results/*.json, then profiles of
// the targets not met and docs/performance.md regenerated (bench/report.mjs).
// usage: npm run bench -- [--only matching,engine,durable,gateway,audit,memory,growth] [--heavy] [--runs N]
//                         [--heavy-audit] [--events N] [--no-profile] [--no-report]
import { environment, log, parseArgs, YARDSTICK_MISSING, YARDSTICK_PRESENT } from "./lib/common.mjs";

const a = parseArgs(process.argv.slice(2));
const runs = Math.max(1, +(a.runs ?? 3));
const heavy = !!a.heavy;
const ALL = ["matching", "engine", "durable", "gateway", "audit", "memory", "growth"];
const asked = a.only ? String(a.only).split(",") : ALL;
for (const name of asked)
  if (!ALL.includes(name)) throw new Error(`unknown benchmark ${name}; known: ${ALL.join(", ")}`);
// Every benchmark but memory replays the shared order-book yardstick's workload (not in this repo): without it they
// are skipped, and said to be.
const NEEDS_YARDSTICK = ["matching", "engine", "durable", "gateway", "audit", "growth"];
const skipped = YARDSTICK_PRESENT ? [] : asked.filter((n) => NEEDS_YARDSTICK.includes(n));
if (skipped.length > 0) log(`skipping ${skipped.join(", ")}: each ${YARDSTICK_MISSING}`);
const only = asked.filter((n) => !skipped.includes(n));

const env = environment();
log(
  `pmx benchmarks on ${env.cpu} × ${env.cores}, node ${env.node}, load ${env.loadAvg1mAtStart}; runs ${runs}${heavy ? ", heavy" : ""}`,
);
const started = performance.now();
const timings = {};
for (const name of only) {
  const t0 = performance.now();
  const mod = await import(`./${name}.mjs`);
  if (name === "audit")
    await mod.run({ runs, heavy, heavyAudit: !!a["heavy-audit"], events: a.events ? +a.events : undefined });
  else await mod.run({ runs });
  timings[name] = Math.round((performance.now() - t0) / 1000);
  log(`${name}: ${timings[name]} s`);
}
if (!a["no-profile"]) {
  const { run } = await import("./profiles.mjs");
  const names = only.flatMap((n) => (n === "audit" ? ["replay", "audit"] : n === "matching" ? [] : [n]));
  const { readResult } = await import("./lib/common.mjs");
  const unmet = names.filter((n) => {
    const r = readResult(n);
    return r && r.met === false;
  });
  if (unmet.length > 0) await run({ only: unmet });
}
if (!a["no-report"]) await import("./report.mjs");
log(`all done in ${Math.round((performance.now() - started) / 1000)} s (${JSON.stringify(timings)})`);
