// `pmx lab`: runs a scenario under its policies and prints the comparison; writes the JSON and the HTML report.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { eventLabStats, eventLabSummary, loadEventScenario, runEventLab } from "./event-lab.js";
import type { CheckMode } from "./exchange.js";
import { labDir } from "./files.js";
import { runLab } from "./lab.js";
import { polymarketCandidates } from "./paths.js";
import { policyNames } from "./policy.js";
import { Progress } from "./progress.js";
import { htmlReport, terminalSummary } from "./report.js";
import { loadScenario, type PathSpec, type ScenarioSpec, scenarioNames } from "./scenario.js";

export const LAB_USAGE = `usage: pmx lab [options]
       pmx lab events [--scenario NAME|FILE.json] [--seeds N] [--json FILE|-]
                              an event of every candidate (packages/lab/event-scenarios, default
                              election-candidates): a market maker holding its NO shares against one
                              converting every complete NO set; what conversion saves in committed cash
options of pmx lab:
  --scenario NAME|FILE.json   a scenario of packages/lab/scenarios (default election-2024) or a file
  --policies A,B,...          policies of packages/lab/policies, or JSON files (default: the scenario's)
  --seeds N --seed S          runs per policy and the first seed (default: the scenario's)
  --candidate NAME --from ISO --to ISO --resolve YES|NO|auto
                              another column or window of the Polymarket CSV
  --path-file FILE.csv        your own path: lines "time,price" (ISO or unix time; a final 0 or 1 resolves)
  --resolves-at ISO           the market's listed resolution time (default: when the path resolves)
  --question | --no-question  run the fair-fee bisection (default: when the scenario defines one)
  --question-seeds N          seeds per multiplier in the bisection (default: the scenario's)
  --json FILE|-               write the report as JSON ("-": to stdout)
  --html FILE                 write the self-contained HTML report
  --open                      open the HTML report in a browser (written to a temp file without --html)
  --workers N                 worker threads (default: the number of cores)
  --check money|full          per-event check: money invariants (default) or invariantViolations (slow)
  --list                      list scenarios, policies and the CSV's candidates`;

export class LabUsageError extends Error {}

function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || (v.startsWith("--") && v !== "-")) throw new LabUsageError(`${name} needs a value`);
  return v;
}

/** The lab's options for `node:util` parseArgs (strict): the value ones are strings, the rest flags. */
const OPTIONS = {
  scenario: { type: "string" },
  policies: { type: "string" },
  seeds: { type: "string" },
  seed: { type: "string" },
  candidate: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  resolve: { type: "string" },
  "path-file": { type: "string" },
  "resolves-at": { type: "string" },
  question: { type: "boolean" },
  "no-question": { type: "boolean" },
  "question-seeds": { type: "string" },
  json: { type: "string" },
  html: { type: "string" },
  open: { type: "boolean" },
  workers: { type: "string" },
  check: { type: "string" },
  list: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

/**
 * The arguments parsed strictly (unknown options, missing values and stray arguments are usage errors; `--name=VALUE`
 * and `--name VALUE` both work), written back as `--name VALUE` / `--flag` for the readers below.
 */
export function normalizedArgs(args: readonly string[]): string[] {
  let tokens: NonNullable<ReturnType<typeof parseArgs>["tokens"]>;
  try {
    tokens = parseArgs({
      args: [...args],
      options: OPTIONS,
      strict: true,
      allowPositionals: false,
      tokens: true,
    }).tokens;
  } catch (error) {
    throw new LabUsageError((error as Error).message);
  }
  const out: string[] = [];
  for (const token of tokens)
    if (token.kind === "option") {
      out.push(`--${token.name}`);
      if (token.value !== undefined) out.push(token.value);
    }
  return out;
}

function positiveInt(text: string, name: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new LabUsageError(`${name} must be a whole number ≥ 1`);
  return n;
}

/** The scenario with the command line's overrides applied. */
export function scenarioFromArgs(args: readonly string[]): ScenarioSpec {
  const base = loadScenario(option(args, "--scenario") ?? "election-2024");
  const policies = option(args, "--policies");
  const seeds = option(args, "--seeds");
  const seed = option(args, "--seed");
  const pathFile = option(args, "--path-file");
  const candidate = option(args, "--candidate");
  const from = option(args, "--from");
  const to = option(args, "--to");
  const resolution = option(args, "--resolve");
  const questionSeeds = option(args, "--question-seeds");
  if (resolution !== undefined && !["YES", "NO", "auto"].includes(resolution))
    throw new LabUsageError("--resolve is YES, NO or auto");
  let path: PathSpec = base.path;
  if (pathFile !== undefined) {
    if (resolution === "auto")
      throw new LabUsageError("a path file resolves to YES or NO (or by its last line)");
    path = {
      kind: "file",
      file: pathFile,
      ...(resolution ? { resolution: resolution as "YES" | "NO" } : {}),
    };
  } else if (candidate !== undefined || from !== undefined || to !== undefined || resolution !== undefined) {
    const window = base.path.kind === "polymarket" ? base.path : { kind: "polymarket" as const };
    path = {
      ...window,
      kind: "polymarket",
      candidate: candidate ?? ("candidate" in window ? window.candidate : "Donald Trump"),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(resolution !== undefined ? { resolution: resolution as "YES" | "NO" | "auto" } : {}),
    };
    // A new window resolves an hour after its last point unless told otherwise.
    if (to !== undefined && "resolveAt" in path) {
      const { resolveAt: _dropped, ...rest } = path;
      path = rest;
    }
  }
  const resolvesAt = option(args, "--resolves-at");
  const changedPath = path !== base.path;
  const { resolvesAt: baseResolvesAt, ...baseRest } = base;
  return {
    ...baseRest,
    path,
    ...(resolvesAt !== undefined
      ? { resolvesAt }
      : !changedPath && baseResolvesAt !== undefined
        ? { resolvesAt: baseResolvesAt }
        : {}),
    ...(policies !== undefined ? { policies: policies.split(",").map((p) => p.trim()) } : {}),
    ...(seeds !== undefined ? { seeds: positiveInt(seeds, "--seeds") } : {}),
    ...(seed !== undefined ? { seed: positiveInt(seed, "--seed") } : {}),
    ...(questionSeeds !== undefined && base.question
      ? { question: { ...base.question, seeds: positiveInt(questionSeeds, "--question-seeds") } }
      : {}),
  };
}

/** A program on the PATH, or null. */
function onPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const file = join(dir, command);
    if (dir && existsSync(file)) return file;
  }
  return null;
}

function openInBrowser(file: string): boolean {
  const command =
    process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  if (process.platform !== "win32" && onPath(command) === null) return false;
  try {
    const child = spawn(command, [file], { detached: true, stdio: "ignore" });
    child.on("error", () => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}

export interface LabIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WriteStream;
  readonly cwd: string;
}

/** Runs `pmx lab` with its arguments (after "lab"); returns the exit code. */
export async function runLabCli(
  args: readonly string[],
  io: LabIo = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() },
): Promise<number> {
  try {
    return await main(args, io);
  } catch (error) {
    if (error instanceof LabUsageError) {
      io.stderr.write(`pmx lab: ${error.message}\n${LAB_USAGE}\n`);
      return 2;
    }
    io.stderr.write(`pmx lab: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

/** `pmx lab events`: the multi-candidate event scenario, holding against converting complete NO sets. */
function eventsMain(given: readonly string[], io: LabIo): number {
  let values: { scenario?: string; seeds?: string; json?: string; help?: boolean };
  try {
    values = parseArgs({
      args: [...given],
      options: {
        scenario: { type: "string" },
        seeds: { type: "string" },
        json: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new LabUsageError((error as Error).message);
  }
  if (values.help) {
    io.stdout.write(`${LAB_USAGE}\n`);
    return 0;
  }
  const { spec, csv } = loadEventScenario(values.scenario ?? "election-candidates");
  const seeds = values.seeds === undefined ? spec.seeds : positiveInt(values.seeds, "--seeds");
  const started = performance.now();
  const report = runEventLab({ ...spec, seeds }, csv);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const out = values.json === "-" ? io.stderr : io.stdout;
  out.write(`${eventLabSummary(report)}\n${seeds * 2} runs in ${seconds} s\n`);
  if (values.json !== undefined) {
    const json = `${JSON.stringify({ ...report, stats: eventLabStats(report) }, null, 1)}\n`;
    if (values.json === "-") io.stdout.write(json);
    else {
      writeFileSync(resolve(io.cwd, values.json), json);
      out.write(`JSON written to ${values.json}\n`);
    }
  }
  const runs = [...report.policies.hold, ...report.policies.convert];
  return runs.every((r) => r.violations === 0) ? 0 : 1;
}

async function main(given: readonly string[], io: LabIo): Promise<number> {
  if (given[0] === "events") return eventsMain(given.slice(1), io);
  const args = normalizedArgs(given);
  if (args.includes("--help")) {
    io.stdout.write(`${LAB_USAGE}\n`);
    return 0;
  }
  if (args.includes("--list")) {
    const csv = readFileSync(join(labDir("paths"), "polymarket-2024-us-president-hourly.csv"), "utf8");
    io.stdout.write(
      `scenarios:  ${scenarioNames().join(", ")}\npolicies:   ${policyNames().join(", ")}\ncandidates: ${polymarketCandidates(csv).join(", ")}\n`,
    );
    return 0;
  }
  const scenario = scenarioFromArgs(args);
  const check = (option(args, "--check") ?? "money") as CheckMode;
  if (check !== "money" && check !== "full") throw new LabUsageError("--check is money or full");
  const workers = option(args, "--workers");
  const question = args.includes("--no-question")
    ? false
    : args.includes("--question")
      ? true
      : scenario.question !== undefined;
  if (question && !scenario.question)
    throw new LabUsageError(`scenario ${scenario.name} defines no question`);
  const progress = new Progress(`pmx lab ${scenario.name}`, io.stderr);
  const started = performance.now();
  const report = await runLab(scenario, {
    workers: workers ? positiveInt(workers, "--workers") : availableParallelism(),
    checkMode: check,
    cwd: io.cwd,
    question,
    onPlan: (runs) => progress.start(runs),
    onProgress: (done) => progress.update(done),
  });
  progress.finish();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const jsonTarget = option(args, "--json");
  const summaryStream = jsonTarget === "-" ? io.stderr : io.stdout;
  summaryStream.write(`${terminalSummary(report)}\n`);
  summaryStream.write(`${report.checks.runs} runs in ${seconds} s\n`);
  const command = `pmx lab ${args.join(" ")}`.trim();
  if (jsonTarget !== undefined) {
    const json = `${JSON.stringify(report, null, 1)}\n`;
    if (jsonTarget === "-") io.stdout.write(json);
    else {
      writeFileSync(resolve(io.cwd, jsonTarget), json);
      summaryStream.write(`JSON written to ${jsonTarget}\n`);
    }
  }
  let htmlTarget = option(args, "--html");
  if (htmlTarget === undefined && args.includes("--open"))
    htmlTarget = join(tmpdir(), `pmx-lab-${scenario.name}-${process.pid}.html`);
  if (htmlTarget !== undefined) {
    const file = resolve(io.cwd, htmlTarget);
    writeFileSync(file, htmlReport(report, command));
    summaryStream.write(`HTML report written to ${htmlTarget}\n`);
    if (args.includes("--open") && !openInBrowser(file)) summaryStream.write(`open ${file} in a browser\n`);
  }
  return report.checks.violations === 0 ? 0 : 1;
}
