// The simulated traders of one run, drawn from its seed alone: the same people, with the same plans, under every
// policy (common random numbers), so that differences between policies are the policies' doing.
import type { PricePath } from "./paths.js";
import { deriveSeed, exponential, mulberry32, normal, weightedPick } from "./prng.js";
import type { PopulationSpec } from "./scenario.js";

/** One trader: one position, opened at `arrivalMs`, meant to be closed at `exitMs` (or held to resolution). */
export interface TraderPlan {
  readonly accountId: string;
  readonly arrivalMs: number;
  readonly exitMs: number;
  readonly outcome: "YES" | "NO";
  /** The leverage asked for (the market's current maximum may cap it). */
  readonly targetLeverage: string;
  /** Own money put in, 2 dp. */
  readonly margin: string;
}

const HOUR_MS = 3_600_000;

/** Traders arrive uniformly over the path (and inside its bursts; never after its last point), sorted by arrival. */
export function drawTraders(spec: PopulationSpec, path: PricePath, seed: number): TraderPlan[] {
  const rng = mulberry32(deriveSeed(seed, "population"));
  const first = path.points[0]!.atMs;
  const last = path.points[path.points.length - 1]!.atMs;
  const mix = spec.leverageMix.map((m) => ({ value: m.leverage, weight: m.weight }));
  const plans: Omit<TraderPlan, "accountId">[] = [];
  const windows = [
    { from: first, to: last, traders: spec.traders },
    ...(spec.bursts ?? []).map((b) => ({
      from: Math.max(first, Date.parse(b.from)),
      to: Math.min(last, Date.parse(b.to)),
      traders: b.traders,
    })),
  ];
  for (const window of windows)
    for (let i = 0; i < window.traders && window.to > window.from; i++)
      plans.push(draw(window.from, window.to));
  plans.sort((a, b) => a.arrivalMs - b.arrivalMs);
  return plans.map((p, i) => ({ accountId: `trader-${String(i + 1).padStart(4, "0")}`, ...p }));

  function draw(from: number, to: number): Omit<TraderPlan, "accountId"> {
    const arrivalMs = from + Math.floor(rng() * (to - from));
    const holdMs = Math.max(HOUR_MS, Math.round(exponential(rng, spec.holdingHoursMean) * HOUR_MS));
    const outcome = rng() < spec.yesShare ? "YES" : "NO";
    const targetLeverage = weightedPick(rng, mix);
    const margin = Math.max(1, spec.marginMedian * Math.exp(spec.marginSigma * normal(rng)));
    return { arrivalMs, exitMs: arrivalMs + holdMs, outcome, targetLeverage, margin: margin.toFixed(2) };
  }
}
