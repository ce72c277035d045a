// Target 5 — the auditor's tools on a log of E events: `pmx replay --verify` (events/s) and `pmx audit` (commands/s),
// each the built CLI in a fresh process (node services/gateway/dist/cli.js ... --json), timed by its own report (ms).
// The log is the yardstick's stream as commands (1,000 accounts), written the way the sequencer writes it: decide,
// encodeCommandEvents, ExchangeProjection.apply, then appendSync in batches of 5,000 commands (one transaction each).
// It is cached in the temp folder, keyed by E and a fingerprint of the built domain/projections/matching code.
// usage: node bench/audit.mjs [--runs 3] [--events 200000] [--heavy (= --events 5000000, replay only)] [--heavy-audit]

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decide } from "@pmx/domain";
import { openSqliteStore } from "@pmx/eventstore";
import { ExchangeProjection, encodeCommandEvents } from "@pmx/projections";
import { setupCommands, streamCommands, workloadModule } from "./lib/commands.mjs";
import { environment, fmt, log, median, parseArgs, ROOT, round, writeResult } from "./lib/common.mjs";

export const TARGET_REPLAY_EVENTS_PER_SEC = 250_000;
export const TARGET_AUDIT_COMMANDS_PER_SEC = 100_000;
const SELF = fileURLToPath(import.meta.url);
const STREAM = "pmx";
const CLI = join(ROOT, "services/gateway/dist/cli.js");

export function fingerprint() {
  const h = createHash("sha1");
  for (const pkg of [
    "packages/domain",
    "packages/projections",
    "packages/matching",
    "packages/liquidation",
  ]) {
    const dir = join(ROOT, pkg, "dist");
    for (const f of readdirSync(dir).sort())
      if (f.endsWith(".js")) h.update(f).update(readFileSync(join(dir, f)));
  }
  return h.digest("hex").slice(0, 12);
}

/** Writes a log of at least `events` events; answers its path and counts. */
export function buildLog(path, events, { batchCommands = 5000, ticks = 999, accounts = 1000 } = {}) {
  const tmp = `${path}.building`;
  rmSync(tmp, { force: true });
  rmSync(`${tmp}-wal`, { force: true });
  rmSync(`${tmp}-shm`, { force: true });
  const store = openSqliteStore(tmp);
  const projection = new ExchangeProjection();
  let expected = "no_stream";
  let seq = 0;
  let pending = [];
  let pendingCommands = 0;
  const flush = () => {
    if (pending.length === 0) return;
    expected = store.appendSync(STREAM, pending, expected).nextExpectedRevision;
    pending = [];
    pendingCommands = 0;
  };
  const one = (command) => {
    const d = decide(command, projection.state);
    if (d._tag === "Left" || d.right.length === 0) return;
    seq += 1;
    const commandId = `c-${seq}`;
    const enc = encodeCommandEvents({ commandId, seq, command }, d.right, projection.head);
    const count = d.right.length;
    for (let index = 0; index < count; index++)
      projection.apply(d.right[index], {
        commandId,
        seq,
        at: command.at,
        index,
        count,
        hash: enc.hashes[index],
      });
    pending.push(...enc.stored);
    if (++pendingCommands >= batchCommands) flush();
  };
  for (const c of setupCommands({ accounts, ticks })) one(c);
  const n = Math.ceil(events / 1.8) + 10_000;
  const w = workloadModule().generate({ n, ticks, seed: 42 });
  const { commands } = streamCommands({ n, ticks, accounts, workload: w });
  for (let i = 0; i < n && projection.eventCount < events; i++) one(commands[i]);
  flush();
  const count = projection.eventCount;
  const commandCount = projection.lastSeq;
  store.close();
  renameSync(tmp, path);
  for (const s of ["-wal", "-shm"]) if (existsSync(tmp + s)) rmSync(tmp + s, { force: true });
  return { events: count, commands: commandCount };
}

/** The applyStored loop of replay in a fresh process (bench/lib/replay-loop.mjs). */
function replayLoop(path, heapMb) {
  const r = spawnSync(
    "/usr/bin/time",
    [
      "-f",
      "PMXTIME %M %e",
      process.execPath,
      `--max-old-space-size=${heapMb}`,
      join(ROOT, "bench/lib/replay-loop.mjs"),
      path,
    ],
    { cwd: ROOT, encoding: "utf8", maxBuffer: 2 ** 20, timeout: 90 * 60_000 },
  );
  const m = /PMXTIME (\d+) ([\d.]+)/.exec(r.stderr ?? "");
  if (r.status !== 0) throw new Error(`replay-loop failed: ${(r.stderr ?? "").slice(-500)}`);
  return {
    ...JSON.parse(r.stdout.trim().split("\n").pop()),
    heapMb,
    peakRssMiB: m ? round(+m[1] / 1024, 1) : null,
    wallSec: m ? +m[2] : null,
  };
}

/** Runs the built CLI in a fresh process under /usr/bin/time (when present): its JSON report plus peak RSS and wall time. */
function cli(args, heapMb = 0) {
  const nodeArgs = heapMb > 0 ? [`--max-old-space-size=${heapMb}`] : [];
  const timed = existsSync("/usr/bin/time");
  const argv = [...nodeArgs, CLI, ...args];
  const r = spawnSync(
    timed ? "/usr/bin/time" : process.execPath,
    timed ? ["-f", "PMXTIME %M %e", process.execPath, ...argv] : argv,
    {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 64 * 2 ** 20,
      timeout: 90 * 60_000,
    },
  );
  const m = /PMXTIME (\d+) ([\d.]+)/.exec(r.stderr ?? "");
  const usage = m ? { peakRssMiB: round(+m[1] / 1024, 1), wallSec: +m[2] } : {};
  const line = (r.stdout ?? "").trim().split("\n").pop();
  if (r.status !== 0 && !line?.startsWith("{")) {
    const oom = /heap out of memory|Reached heap limit/.test(r.stderr ?? "");
    return {
      ok: false,
      crashed: true,
      error: oom
        ? "JavaScript heap out of memory"
        : `exit ${r.status ?? r.signal}: ${(r.stderr ?? "")
            .replace(/PMXTIME.*/, "")
            .trim()
            .slice(-500)}`,
      heapMb,
      ...usage,
    };
  }
  return { ...JSON.parse(line), heapMb, ...usage };
}

export async function run({
  runs = 3,
  events = 200_000,
  heavy = false,
  heavyAudit = false,
  heapMb = null,
  rebuildLog = false,
} = {}) {
  if (heavy) events = Math.max(events, 5_000_000);
  const env = environment();
  // cached by size; rewritten when the build's replay no longer verifies it (or --rebuild-log)
  const path = join(os.tmpdir(), `pmx-bench-audit-${events}.db`);
  let built = null;
  const ensure = (force) => {
    if (force || !existsSync(path)) {
      for (const f of readdirSync(os.tmpdir()))
        if (f.startsWith(`pmx-bench-audit-${events}.`) || f.startsWith(`pmx-bench-audit-${events}-`))
          rmSync(join(os.tmpdir(), f), { force: true });
      const t0 = performance.now();
      log(`audit: writing a log of ${fmt(events)} events to ${path} …`);
      built = buildLog(path, events);
      built.fingerprint = fingerprint();
      writeFileSync(`${path}.json`, JSON.stringify(built));
      built.buildSeconds = round((performance.now() - t0) / 1000, 1);
      log(
        `audit: wrote ${fmt(built.events)} events (${fmt(built.commands)} commands) in ${built.buildSeconds} s`,
      );
    }
  };
  ensure(!!rebuildLog);
  const logInfo =
    built ?? (existsSync(`${path}.json`) ? JSON.parse(readFileSync(`${path}.json`, "utf8")) : null);
  const url = `sqlite:${path}`;
  const fullSize = events >= 5_000_000;
  // With Node's default heap (~4 GiB here) replay of 5M events runs out of memory (the projection keeps every order):
  // the full-size runs get a 16 GiB heap, after one attempt with the default heap whose outcome is recorded.
  let heap = heapMb ?? (fullSize ? 16_384 : 0);
  let defaultHeapAttempt = null;
  let first = null;
  if (fullSize && heap > 0 && heapMb === null) {
    log("replay --verify with the default heap …");
    defaultHeapAttempt = cli(["replay", "--store", url, "--verify", "--json"]);
    log(
      `  default heap: ${defaultHeapAttempt.ok ? "ok" : defaultHeapAttempt.error} after ${defaultHeapAttempt.wallSec} s, peak RSS ${defaultHeapAttempt.peakRssMiB} MiB`,
    );
    if (!defaultHeapAttempt.crashed) {
      heap = 0; // it fits: every run with the default heap
      first = defaultHeapAttempt;
    }
  }
  first ??= cli(["replay", "--store", url, "--verify", "--json"], heap);
  if (!first.ok && !first.crashed && built === null) {
    ensure(true);
    first = cli(["replay", "--store", url, "--verify", "--json"], heap);
  }
  // When the CLI itself cannot finish (it crashed after folding the log), the per-event work is still measured: the
  // same applyStored loop without the final state hash (bench/lib/replay-loop.mjs), and the CLI's failure recorded.
  let cliFailure = null;
  let loop = false;
  if (first.crashed && fullSize) {
    cliFailure = first;
    log(
      `  replay --verify with a ${heap} MiB heap: ${first.error} after ${first.wallSec} s; measuring the applyStored loop instead`,
    );
    loop = true;
    first = replayLoop(path, heap);
  }
  if (first.crashed) throw new Error(`replay --verify failed: ${first.error}`);
  const replays = [];
  const audits = [];
  // pmx audit runs at ~1,000 commands/s with 1,000 accounts (see docs/performance.md): on 5M events that is most of
  // an hour per run, so --heavy measures replay only unless --heavy-audit is given too.
  const skipAudit = heavy && !heavyAudit;
  if (skipAudit)
    log(
      "audit: --heavy without --heavy-audit: measuring replay only on the full log (audit.json left as it is)",
    );
  for (let k = 0; k < runs; k++) {
    const r =
      k === 0
        ? first
        : loop
          ? replayLoop(path, heap)
          : cli(["replay", "--store", url, "--verify", "--json"], heap);
    r.eventsPerSec = Math.round(r.events / (r.ms / 1000));
    replays.push(r);
    log(
      `replay --verify run ${k + 1}: ${fmt(r.eventsPerSec)} events/s (${fmt(r.events)} events in ${r.ms} ms, ok ${r.ok}, peak RSS ${r.peakRssMiB} MiB)`,
    );
    if (skipAudit) continue;
    const a = cli(["audit", "--store", url, "--json"], heap);
    a.commandsPerSec = Math.round(a.commands / (a.ms / 1000));
    a.eventsPerSec = Math.round(a.events / (a.ms / 1000));
    audits.push(a);
    log(
      `audit run ${k + 1}: ${fmt(a.commandsPerSec)} commands/s (${fmt(a.commands)} commands, ${fmt(a.events)} events in ${a.ms} ms, ok ${a.ok})`,
    );
  }
  const replayMed = median(replays.map((r) => r.eventsPerSec));
  const auditMed = skipAudit ? null : median(audits.map((r) => r.commandsPerSec));
  const base = {
    env,
    params: {
      events: replays[0].events,
      commands: replays[0].commands,
      heavy: fullSize,
      logBytes: statSync(path).size,
      build: built ?? { cached: true, ...logInfo },
      heapMb: heap || "node default",
      defaultHeapAttempt,
      cliFailure,
      measuredWith: loop
        ? "bench/lib/replay-loop.mjs (applyStored loop, no final state hash)"
        : "the pmx CLI",
      note: fullSize
        ? "the target's size (5,000,000 events)"
        : "smaller than the target's 5,000,000 events (run with --heavy for the full size)",
    },
  };
  const replayResult = {
    name: "replay",
    target: `pmx replay --verify ≥ ${fmt(TARGET_REPLAY_EVENTS_PER_SEC)} events/s on 5,000,000 events`,
    ...base,
    unit: "events/s",
    runs: replays.map((r) => r.eventsPerSec),
    median: replayMed,
    peer: null,
    ratio: null,
    allOk: replays.every((r) => r.ok),
    met: replayMed >= TARGET_REPLAY_EVENTS_PER_SEC && replays.every((r) => r.ok) && fullSize && !cliFailure,
    metAtThisSize: replayMed >= TARGET_REPLAY_EVENTS_PER_SEC,
    raw: replays,
  };
  const auditResult = {
    name: "audit",
    target: `pmx audit ≥ ${fmt(TARGET_AUDIT_COMMANDS_PER_SEC)} commands/s on 5,000,000 events`,
    ...base,
    unit: "commands/s",
    runs: audits.map((r) => r.commandsPerSec),
    median: auditMed,
    eventsPerSecMedian: median(audits.map((r) => r.eventsPerSec)),
    peer: null,
    ratio: null,
    allOk: audits.every((r) => r.ok),
    met: auditMed >= TARGET_AUDIT_COMMANDS_PER_SEC && audits.every((r) => r.ok) && fullSize,
    metAtThisSize: auditMed >= TARGET_AUDIT_COMMANDS_PER_SEC,
    raw: audits,
  };
  // the full-size (--heavy) figures are kept apart, so that a default run does not overwrite them
  writeResult(fullSize ? "replay-heavy" : "replay", replayResult);
  if (!skipAudit) writeResult(fullSize ? "audit-heavy" : "audit", auditResult);
  console.log(
    `replay --verify: ${fmt(replayMed)} events/s median of ${runs} on ${fmt(replays[0].events)} events (target ${fmt(TARGET_REPLAY_EVENTS_PER_SEC)}) — ${replayMed >= TARGET_REPLAY_EVENTS_PER_SEC ? "MET" : "NOT MET"}${fullSize ? "" : " at this size"}`,
  );
  if (!skipAudit)
    console.log(
      `audit: ${fmt(auditMed)} commands/s median of ${runs} on ${fmt(audits[0].events)} events (target ${fmt(TARGET_AUDIT_COMMANDS_PER_SEC)}) — ${auditMed >= TARGET_AUDIT_COMMANDS_PER_SEC ? "MET" : "NOT MET"}${fullSize ? "" : " at this size"}`,
    );
  return [replayResult, auditResult];
}

if (process.argv[1] === SELF) {
  const a = parseArgs(process.argv.slice(2));
  await run({
    heapMb: a["heap-mb"] === undefined ? null : +a["heap-mb"],
    runs: +(a.runs ?? 3),
    events: a.events ? +a.events : undefined,
    heavy: !!a.heavy,
    heavyAudit: !!a["heavy-audit"],
    rebuildLog: !!a["rebuild-log"],
  });
}
