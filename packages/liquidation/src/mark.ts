// The robust mark: which sources count (fresh oracle, tight deep book, traded volume), how they combine, and the band per interval.
import { Decimal, max, min } from "./decimal.js";
import type { RiskParams } from "./params.js";

/** What the market shows at one moment; prices are YES prices in (0, 1). */
export interface MarkInputs {
  /** The operator/oracle mark, with its age in seconds (null when never set). */
  readonly oracle: { readonly price: Decimal; readonly ageSeconds: number } | null;
  /** Best bid and ask with the shares resting at each (null for an empty side). */
  readonly bestBid: { readonly price: Decimal; readonly shares: number } | null;
  readonly bestAsk: { readonly price: Decimal; readonly shares: number } | null;
  /** Shares traded since the mark interval began, and Σ YES price × shares over them. */
  readonly tradedShares: number;
  readonly tradedNotional: Decimal;
}

/** The sources that count now, each null when it does not. */
export interface MarkSources {
  /** A fresh oracle leads: younger than markStalenessSeconds. */
  readonly oracle: Decimal | null;
  /** The book's mid, when both best levels hold ≥ markMinVolume shares and the spread is ≤ markMaxSpread. */
  readonly mid: Decimal | null;
  /** Volume-weighted price of the interval's trades, once ≥ markMinVolume shares (and at least one) traded. */
  readonly trades: Decimal | null;
}

// Each source on its own test: stale oracles, thin or wide books and small volumes drop out.
export function markSources(params: RiskParams, inputs: MarkInputs): MarkSources {
  const oracle =
    inputs.oracle !== null && inputs.oracle.ageSeconds <= params.markStalenessSeconds
      ? inputs.oracle.price
      : null;
  const { bestBid, bestAsk } = inputs;
  const deepAndTight =
    bestBid !== null &&
    bestAsk !== null &&
    bestBid.shares >= params.markMinVolume &&
    bestAsk.shares >= params.markMinVolume &&
    bestAsk.price.minus(bestBid.price).lte(params.markMaxSpread);
  const mid = deepAndTight ? bestBid.price.plus(bestAsk.price).div(2).toDecimalPlaces(6) : null;
  const enoughVolume = inputs.tradedShares > 0 && inputs.tradedShares >= params.markMinVolume;
  const trades = enoughVolume ? inputs.tradedNotional.div(inputs.tradedShares).toDecimalPlaces(6) : null;
  return { oracle, mid, trades };
}

// The candidate mark: a fresh oracle leads. Without one, the median of the current mark, the book's mid and the
// trades, an absent source counting as the current mark: one source alone (a print, a quote) cannot move it; the book
// and the trades must agree. Null when nothing counts and there is no mark yet (a first mark takes the one source).
export function markCandidate(sources: MarkSources, current: Decimal | null): Decimal | null {
  if (sources.oracle !== null) return sources.oracle;
  if (current === null) {
    if (sources.mid !== null && sources.trades !== null)
      return sources.mid.plus(sources.trades).div(2).toDecimalPlaces(6);
    return sources.mid ?? sources.trades;
  }
  return median3(current, sources.mid ?? current, sources.trades ?? current);
}

// The middle one of three values.
function median3(a: Decimal, b: Decimal, c: Decimal): Decimal {
  return max(min(a, b), min(max(a, b), c));
}

// The mark moves at most `priceBand` from the interval's anchor: the candidate clamped into [anchor − band, anchor + band] (and inside (0, 1)).
export function clampToBand(candidate: Decimal, anchor: Decimal, band: Decimal): Decimal {
  const lowest = max(anchor.minus(band), new Decimal("0.000001"));
  const highest = min(anchor.plus(band), new Decimal("0.999999"));
  return min(max(candidate, lowest), highest);
}

// A candidate further than the band from the anchor is a large move of the sources: it starts a call auction.
export function sourcesBreachBand(candidate: Decimal, anchor: Decimal, band: Decimal): boolean {
  return candidate.minus(anchor).abs().gt(band);
}
