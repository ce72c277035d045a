// Waterfall: the order in which bad debt is covered, stated in advance, with every step's amount.
import { type Decimal, min, ZERO } from "./decimal.js";

/** The sources of the waterfall, in the order they pay. Nobody outside this list pays. */
export const WATERFALL_ORDER = [
  "position_margin",
  "market_insurance",
  "shared_insurance",
  "pool_haircut",
] as const;
export type WaterfallSource = (typeof WATERFALL_ORDER)[number];

/** What each source holds when the bad debt arises; all ≥ 0. */
export interface WaterfallSources {
  /** Margin still held for the defaulted position (cash posted against it, not yet in the market). */
  readonly positionMargin: Decimal;
  readonly marketInsurance: Decimal;
  readonly sharedInsurance: Decimal;
  /** Pool assets left to haircut (the pool's cash and claims after writing off the defaulted loan). */
  readonly poolAssets: Decimal;
}

export interface WaterfallStep {
  readonly source: WaterfallSource;
  readonly amount: Decimal;
}

/** Always four steps, in WATERFALL_ORDER (amounts may be 0). Σ amounts + uncovered = bad debt exactly. */
export interface WaterfallAllocation {
  readonly steps: readonly WaterfallStep[];
  /** What even the pool could not absorb; reported, never hidden in a negative balance. */
  readonly uncovered: Decimal;
}

// Bad debt (≥ 0; negative inputs are a RangeError) is taken from position margin → market insurance → shared insurance → pool haircut, each source paying min(left, what it holds).
export function allocateBadDebt(badDebt: Decimal, sources: WaterfallSources): WaterfallAllocation {
  const holdings: Record<WaterfallSource, Decimal> = {
    position_margin: sources.positionMargin,
    market_insurance: sources.marketInsurance,
    shared_insurance: sources.sharedInsurance,
    pool_haircut: sources.poolAssets,
  };
  if (badDebt.isNegative()) throw new RangeError("bad debt must be ≥ 0");
  for (const source of WATERFALL_ORDER) {
    if (holdings[source].isNegative()) throw new RangeError(`${source} must be ≥ 0`);
  }
  let left = badDebt;
  const steps = WATERFALL_ORDER.map((source) => {
    const amount = min(left, holdings[source]);
    left = left.minus(amount);
    return { source, amount };
  });
  return { steps, uncovered: left.isZero() ? ZERO : left };
}
