// The lab: every policy of a scenario over every seed (the same paths and populations under each policy), the
// per-policy summaries, and the fair-fee question. The report is plain data: JSON as it is, HTML and the terminal
// table are drawn from it.
import { Decimal } from "decimal.js";
import type { CheckMode } from "./exchange.js";
import { iso } from "./paths.js";
import { loadPolicy, type Policy, riskParamsOf, withJumpMultiplier } from "./policy.js";
import { runTasks } from "./pool.js";
import type { ScenarioSpec } from "./scenario.js";
import type { RunResult, RunSeries } from "./simulate.js";
import { minus, type Stat, stat, sumOf } from "./stats.js";
import { pathFor, type RunTask } from "./task.js";

/** One run, without its traders and series (those are summarized or kept for one seed only). */
export type RunSummary = Omit<RunResult, "traders" | "series" | "checks" | "rejections"> & {
  /** Leveraged traders (those that got a loan) and their totals. */
  readonly leveraged: number;
  readonly leveragedMargin: string;
  readonly leveragedPnl: string;
  readonly twinPnl: string;
  readonly twinCost: string;
  readonly traders: number;
};

export interface ReturnsSummary {
  /** Leveraged traders over all seeds. */
  readonly traders: number;
  /** Per seed: Σ P&L / Σ margin of the leveraged positions (their return on their own money). */
  readonly leveragedReturn: Stat;
  /** Per seed: the same positions without a loan: Σ twin P&L / Σ cost. */
  readonly unleveragedReturn: Stat;
  /** Per seed: Σ (P&L − twin P&L) / Σ margin: what leverage added beyond the same trades unleveraged. */
  readonly excessReturn: Stat;
}

export interface PolicySummary {
  readonly policy: string;
  readonly description: string;
  readonly deviations: readonly string[];
  /** The full parameter set the market was listed with. */
  readonly params: Record<string, string | number>;
  readonly runs: readonly RunSummary[];
  readonly badDebt: Stat;
  readonly insuranceUsed: Stat;
  readonly lpPnl: Stat;
  readonly lpFees: Stat;
  readonly lpLosses: Stat;
  readonly feesCharged: Stat;
  readonly liquidations: Stat;
  readonly liquidationsBankrupt: Stat;
  readonly settlementsBankrupt: Stat;
  readonly deleverageCalls: Stat;
  /** Σ over every run: must be "0". */
  readonly winnersHaircut: string;
  readonly returns: ReturnsSummary | null;
  readonly checks: ChecksSummary;
  readonly rejections: Record<string, number>;
  /** The first seed's time series, for the charts. */
  readonly series: RunSeries;
}

export interface ChecksSummary {
  readonly mode: CheckMode;
  readonly runs: number;
  readonly commands: number;
  readonly events: number;
  /** Events after which the money invariants were checked: all of them. */
  readonly checkedEvents: number;
  readonly violations: number;
  readonly examples: readonly string[];
}

export interface QuestionPoint {
  readonly multiplier: string;
  readonly jumpIntensityPerDay: string;
  readonly lpPnl: Stat;
  readonly excessReturn: Stat;
  readonly badDebt: Stat;
  readonly feesCharged: Stat;
}

export interface QuestionResult {
  readonly policy: string;
  readonly seeds: number;
  /** Every multiplier run, in the order the bisection chose them. */
  readonly evaluations: readonly QuestionPoint[];
  /** The multiplier where the mean LP P&L crosses 0 (interpolated inside the last bracket), and the run there. */
  readonly breakEven: QuestionPoint & {
    readonly bracket: readonly [string, string];
    readonly found: boolean;
  };
  /** The policy's own fee (multiplier 1), for comparison. */
  readonly atPolicyFee: QuestionPoint;
  readonly answer: string;
}

export interface LabReport {
  readonly lab: "pmx jump-risk lab";
  readonly scenario: ScenarioSpec;
  readonly path: {
    readonly label: string;
    readonly points: number;
    readonly from: string;
    readonly to: string;
    readonly resolution: "YES" | "NO";
    readonly resolveAt: string;
    readonly resolvesAt: string;
  };
  readonly seeds: readonly number[];
  readonly policies: readonly PolicySummary[];
  readonly question: QuestionResult | null;
  readonly checks: ChecksSummary;
}

export interface LabOptions {
  readonly workers: number;
  readonly checkMode: CheckMode;
  readonly cwd: string;
  readonly question: boolean;
  /** Total runs known up front, then each finished run. */
  readonly onPlan?: (runs: number) => void;
  readonly onProgress?: (done: number) => void;
}

const seedsOf = (scenario: ScenarioSpec, count: number): number[] =>
  Array.from({ length: count }, (_, i) => (scenario.seed + i) >>> 0);

function summarizeRun(r: RunResult): RunSummary {
  const { traders, series: _series, checks: _checks, rejections: _rejections, ...rest } = r;
  const leveraged = traders.filter((t) => t.leverage !== "1");
  return {
    ...rest,
    traders: traders.length,
    leveraged: leveraged.length,
    leveragedMargin: sumOf(leveraged.map((t) => t.margin)),
    leveragedPnl: sumOf(leveraged.map((t) => t.pnl)),
    twinPnl: sumOf(leveraged.map((t) => t.twinPnl)),
    twinCost: sumOf(leveraged.map((t) => t.cost)),
  };
}

/** a / b to 6 dp, or null when b is 0. */
const ratio = (a: string, b: string): string | null =>
  new Decimal(b).isZero() ? null : new Decimal(a).div(b).toDecimalPlaces(6).toFixed();

function returnsOf(runs: readonly RunSummary[]): ReturnsSummary | null {
  const withLeverage = runs.filter((r) => r.leveraged > 0);
  if (withLeverage.length === 0) return null;
  const lev = withLeverage.map((r) => ratio(r.leveragedPnl, r.leveragedMargin)).filter((x) => x !== null);
  const twin = withLeverage.map((r) => ratio(r.twinPnl, r.twinCost)).filter((x) => x !== null);
  const excess = withLeverage
    .map((r) => ratio(minus(r.leveragedPnl, r.twinPnl), r.leveragedMargin))
    .filter((x) => x !== null);
  return {
    traders: withLeverage.reduce((n, r) => n + r.leveraged, 0),
    leveragedReturn: stat(lev),
    unleveragedReturn: stat(twin),
    excessReturn: stat(excess),
  };
}

function checksOf(results: readonly RunResult[], mode: CheckMode): ChecksSummary {
  const examples: string[] = [];
  for (const r of results) for (const v of r.checks.violations) if (examples.length < 10) examples.push(v);
  return {
    mode,
    runs: results.length,
    commands: results.reduce((n, r) => n + r.checks.commands, 0),
    events: results.reduce((n, r) => n + r.checks.events, 0),
    checkedEvents: results.reduce((n, r) => n + r.checks.checkedEvents, 0),
    violations: results.reduce((n, r) => n + r.checks.violationCount, 0),
    examples,
  };
}

function summarizePolicy(policy: Policy, results: readonly RunResult[], mode: CheckMode): PolicySummary {
  const runs = results.map(summarizeRun);
  const rejections: Record<string, number> = {};
  for (const r of results)
    for (const [k, v] of Object.entries(r.rejections)) rejections[k] = (rejections[k] ?? 0) + v;
  const pick = (f: (r: RunSummary) => string | number) => stat(runs.map(f));
  return {
    policy: policy.name,
    description: policy.description,
    deviations: policy.deviations,
    params: { ...riskParamsOf(policy) },
    runs,
    badDebt: pick((r) => r.badDebt),
    insuranceUsed: pick((r) => r.insuranceUsed),
    lpPnl: pick((r) => r.lpPnl),
    lpFees: pick((r) => r.lpFees),
    lpLosses: pick((r) => r.lpLosses),
    feesCharged: pick((r) => r.feesCharged),
    liquidations: pick((r) => r.liquidations),
    liquidationsBankrupt: pick((r) => r.liquidationsBankrupt),
    settlementsBankrupt: pick((r) => r.settlementsBankrupt),
    deleverageCalls: pick((r) => r.deleverageCalls),
    winnersHaircut: sumOf(runs.map((r) => r.winnersHaircut)),
    returns: returnsOf(runs),
    checks: checksOf(results, mode),
    rejections,
    series: results[0]!.series!,
  };
}

const task = (
  scenario: ScenarioSpec,
  policy: Policy,
  seed: number,
  series: boolean,
  o: LabOptions,
): RunTask => ({
  scenario,
  policy,
  seed,
  series,
  checkMode: o.checkMode,
  cwd: o.cwd,
});

/** Runs the scenario: every policy over every seed, then (if the scenario asks it) the fair-fee question. */
export async function runLab(scenario: ScenarioSpec, options: LabOptions): Promise<LabReport> {
  const policies = scenario.policies.map((name) => loadPolicy(name));
  const seeds = seedsOf(scenario, scenario.seeds);
  const q = options.question ? scenario.question : undefined;
  // At most: both ends, the midpoints, the break-even point and k = 1.
  const questionRuns = q ? (q.iterations + 4) * q.seeds : 0;
  options.onPlan?.(policies.length * seeds.length + questionRuns);
  const tasks = policies.flatMap((policy) =>
    seeds.map((seed, i) => task(scenario, policy, seed, i === 0, options)),
  );
  let done = 0;
  const progress = (n: number) => options.onProgress?.(done + n);
  const results = await runTasks(tasks, { workers: options.workers, onProgress: progress });
  done += tasks.length;
  const summaries = policies.map((policy, i) =>
    summarizePolicy(policy, results.slice(i * seeds.length, (i + 1) * seeds.length), options.checkMode),
  );

  let question: QuestionResult | null = null;
  const questionResults: RunResult[] = [];
  if (q) {
    const base = loadPolicy(q.policy);
    const qSeeds = seedsOf(scenario, q.seeds);
    const evaluate = async (k: number): Promise<QuestionPoint> => {
      const multiplier = multiplierText(k);
      const policy = withJumpMultiplier(base, multiplier);
      const rs = await runTasks(
        qSeeds.map((seed) => task(scenario, policy, seed, false, options)),
        { workers: options.workers, onProgress: progress },
      );
      done += rs.length;
      questionResults.push(...rs);
      const runs = rs.map(summarizeRun);
      const returns = returnsOf(runs);
      return {
        multiplier,
        jumpIntensityPerDay: riskParamsOf(policy).jumpIntensityPerDay,
        lpPnl: stat(runs.map((r) => r.lpPnl)),
        excessReturn: returns?.excessReturn ?? stat([]),
        badDebt: stat(runs.map((r) => r.badDebt)),
        feesCharged: stat(runs.map((r) => r.feesCharged)),
      };
    };
    question = await fairFee(base.name, q.bracket, q.iterations, q.seeds, evaluate);
  }

  const path = pathFor(scenario.path, seeds[0]!, options.cwd);
  const all = [...results, ...questionResults];
  return {
    lab: "pmx jump-risk lab",
    scenario,
    path: {
      label: path.label,
      points: path.points.length,
      from: iso(path.points[0]!.atMs),
      to: iso(path.points[path.points.length - 1]!.atMs),
      resolution: path.resolution,
      resolveAt: iso(path.resolveAtMs),
      resolvesAt: scenario.resolvesAt ?? iso(path.resolveAtMs),
    },
    seeds,
    policies: summaries,
    question,
    checks: checksOf(all, options.checkMode),
  };
}

/** A multiplier as the decimal string the report shows (at most 4 places). */
const multiplierText = (k: number): string => new Decimal(k).toDecimalPlaces(4).toFixed();

/**
 * Bisection on the multiplier k of the jump intensity: LP P&L rises with the fee, so the mean over the seeds (the
 * same seeds at every k: common random numbers) crosses 0 once. Runs both ends of the bracket, `iterations`
 * midpoints, then the interpolated break-even point itself (where the excess return is estimated) and k = 1.
 */
async function fairFee(
  policy: string,
  bracket: readonly [number, number],
  iterations: number,
  seeds: number,
  evaluate: (k: number) => Promise<QuestionPoint>,
): Promise<QuestionResult> {
  const evaluations: QuestionPoint[] = [];
  const run = async (k: number) => {
    const point = await evaluate(k);
    evaluations.push(point);
    return Number(point.lpPnl.mean);
  };
  let [lo, hi] = bracket;
  let fLo = await run(lo);
  let fHi = await run(hi);
  const found = fLo <= 0 && fHi >= 0;
  for (let i = 0; i < iterations && found; i++) {
    const mid = (lo + hi) / 2;
    const f = await run(mid);
    if (f < 0) [lo, fLo] = [mid, f];
    else [hi, fHi] = [mid, f];
  }
  const k = !found ? (fLo > 0 ? lo : hi) : fHi === fLo ? lo : lo + ((hi - lo) * -fLo) / (fHi - fLo);
  // A multiplier already run is not run again.
  const at = async (m: number) =>
    evaluations.find((e) => e.multiplier === multiplierText(m)) ?? (await evaluate(m));
  const breakEven = await at(Math.round(k * 100) / 100);
  const atPolicyFee = await at(1);
  const e = breakEven.excessReturn;
  const zeroInside = Number(e.ci95[0]) <= 0 && Number(e.ci95[1]) >= 0;
  const answer = found
    ? `LPs break even at ${breakEven.multiplier} × the policy's jump intensity (λ = ${breakEven.jumpIntensityPerDay}/day; mean LP P&L ${breakEven.lpPnl.mean}, 95% CI [${breakEven.lpPnl.ci95.join(", ")}]). There a leveraged trader's excess return over the same trades unleveraged is ${e.mean} per unit of margin, 95% CI [${e.ci95.join(", ")}] over ${e.n} seeds: ${zeroInside ? "zero is inside the interval, so the simulation cannot tell it from zero" : Number(e.mean) < 0 ? "below zero: leverage costs more than the default protection it buys" : "above zero: leverage still earns more than it pays for"}.`
    : `LP P&L does not cross zero in [${bracket.join(", ")}] (mean ${fLo.toFixed(2)} at ${lo}, ${fHi.toFixed(2)} at ${hi}): ${fLo > 0 ? "LPs profit even at the lowest multiplier" : "LPs lose even at the highest multiplier"}.`;
  return {
    policy,
    seeds,
    evaluations,
    breakEven: { ...breakEven, bracket: [String(lo), String(hi)], found },
    atPolicyFee,
    answer,
  };
}
