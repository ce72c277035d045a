// Waterfall: the order in which bad debt is covered, stated in advance, with every step's amount; the shared fund's fair shares.
import { type Decimal, floor6, min, ZERO } from "./decimal.js";

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

/** One market's claim on the shared fund in one decision: what its own fund left, and its cap as a fraction of the shared fund. */
export interface SharedFundClaim {
  readonly shortfall: Decimal;
  readonly capFraction: Decimal;
}

// The shared fund among the claims of one decision: pro rata to the shortfalls, each draw at most min(shortfall, floor6(capFraction × fund)); a capped claim's unused share goes to the others pro rata. Each share is floor6, so Σ draws ≤ fund.
export function shareSharedFund(fund: Decimal, claims: readonly SharedFundClaim[]): Decimal[] {
  const shortfalls = claims.map((c) => c.shortfall);
  const ceilings = claims.map((c) => min(c.shortfall, floor6(fund.mul(c.capFraction))));
  const draws = claims.map(() => ZERO);
  let open = claims.map((_, i) => i).filter((i) => ceilings[i]!.gt(0));
  let left = fund;
  while (open.length > 0) {
    const total = open.reduce((sum, i) => sum.plus(shortfalls[i]!), ZERO);
    // A claim whose pro-rata share of what is left reaches its ceiling gets the ceiling: ceiling × total ≤ left × shortfall.
    const full = open.filter((i) => ceilings[i]!.mul(total).lte(left.mul(shortfalls[i]!)));
    if (full.length === 0) {
      for (const i of open) draws[i] = floor6(left.mul(shortfalls[i]!).div(total));
      break;
    }
    for (const i of full) {
      draws[i] = ceilings[i]!;
      left = left.minus(ceilings[i]!);
    }
    open = open.filter((i) => !full.includes(i));
  }
  return draws;
}
