// Liquidation: the margin-call state machine, the route of a liquidation (backstop transfer above a floor, then the book within a band) and the proceeds split.
import { ceil6, Decimal, floor6, min, nonNegative, ONE, ZERO } from "./decimal.js";
import type { RiskParams } from "./params.js";

/** Why a position is liquidated without (further) grace. */
export type LiquidationReason = "GRACE_EXPIRED" | "EQUITY_NEAR_ZERO";

/** The decision for one position at one moment. `deadlineMs` is milliseconds since the Unix epoch. */
export type MarginDecision =
  | { readonly kind: "healthy" }
  | { readonly kind: "margin_call"; readonly deadlineMs: number; readonly isNew: boolean }
  | { readonly kind: "liquidate_now"; readonly reason: LiquidationReason };

/** What the state machine looks at. `marginCallDeadlineMs` is the running margin call's deadline, or null. */
export interface PlanInputs {
  readonly equity: Decimal;
  readonly maintenance: Decimal;
  readonly loan: Decimal;
  readonly nowMs: number;
  readonly marginCallDeadlineMs: number | null;
}

// Equity is near zero when it is below nearZeroEquityFraction × maintenance requirement (any equity ≤ 0 with a loan is).
export function isNearZeroEquity(params: RiskParams, equity: Decimal, maintenance: Decimal): boolean {
  return equity.lt(maintenance.mul(params.nearZeroEquityFraction)) || equity.lte(0);
}

// Healthy at or above maintenance (or without a loan); below it a margin call with deadline now + grace. Liquidation once
// the position has stayed below maintenance for liquidationDelaySeconds (counted from the call) and either the deadline
// has passed or equity is near zero; with no delay, near-zero equity liquidates at once.
export function planLiquidation(params: RiskParams, inputs: PlanInputs): MarginDecision {
  if (inputs.loan.isZero()) return { kind: "healthy" };
  if (inputs.equity.gte(inputs.maintenance)) return { kind: "healthy" };
  const delayMs = params.liquidationDelaySeconds * 1000;
  const deadline = inputs.marginCallDeadlineMs;
  const calledAt = deadline === null ? null : deadline - params.graceWindowSeconds * 1000;
  const delayServed = delayMs === 0 || (calledAt !== null && inputs.nowMs - calledAt >= delayMs);
  if (isNearZeroEquity(params, inputs.equity, inputs.maintenance) && delayServed) {
    return { kind: "liquidate_now", reason: "EQUITY_NEAR_ZERO" };
  }
  if (deadline === null) {
    return { kind: "margin_call", deadlineMs: inputs.nowMs + params.graceWindowSeconds * 1000, isNew: true };
  }
  if (inputs.nowMs >= deadline && delayServed) return { kind: "liquidate_now", reason: "GRACE_EXPIRED" };
  return { kind: "margin_call", deadlineMs: deadline, isNew: false };
}

// Band floor: a liquidation sale may not execute below mark − band (outcome price units, not below 0).
export function bandFloor(mark: Decimal, band: Decimal): Decimal {
  return nonNegative(mark.minus(band));
}

// A mark move strictly larger than the price band leaves continuous matching for a call auction.
export function breachesBand(previousMark: Decimal, newMark: Decimal, band: Decimal): boolean {
  return newMark.minus(previousMark).abs().gt(band);
}

/** Resting bids for the holder's outcome: price per share and shares at that price. */
export interface BookLevel {
  readonly price: Decimal;
  readonly shares: Decimal;
}

// The book's proceeds for selling `shares` into its bids best price first, down to `floorPrice`: floor6 of Σ fill × price, or null when the bids within the band cannot take them all.
export function bookSaleProceeds(
  levels: readonly BookLevel[],
  shares: Decimal,
  floorPrice: Decimal,
): Decimal | null {
  const sorted = [...levels]
    .filter((l) => l.price.gte(floorPrice))
    .sort((a, b) => b.price.comparedTo(a.price));
  let left = shares;
  let proceeds = ZERO;
  for (const level of sorted) {
    if (left.isZero()) break;
    const fill = min(left, level.shares);
    proceeds = proceeds.plus(fill.mul(level.price));
    left = left.minus(fill);
  }
  return left.isZero() ? floor6(proceeds) : null;
}

/** A standing offer to take over a whole liquidated position at `price` per share. `seq` orders offers in time. */
export interface BackstopBid {
  readonly bidderId: string;
  readonly price: Decimal;
  readonly seq: number;
}

// The chosen backstop bid pays the most (floor6(shares × price)) among those paying at least `minProceeds`; ties by earlier seq, then bidder id.
export function chooseBackstopBid(
  bids: readonly BackstopBid[],
  shares: Decimal,
  minProceeds: Decimal,
): BackstopBid | null {
  let best: BackstopBid | null = null;
  for (const bid of bids) {
    if (floor6(shares.mul(bid.price)).lt(minProceeds)) continue;
    if (best === null || better(bid, best)) best = bid;
  }
  return best;
}

// A bid beats another with a higher price, then an earlier seq, then a smaller bidder id.
function better(a: BackstopBid, b: BackstopBid): boolean {
  const byPrice = a.price.comparedTo(b.price);
  if (byPrice !== 0) return byPrice > 0;
  if (a.seq !== b.seq) return a.seq < b.seq;
  return a.bidderId < b.bidderId;
}

/** How a liquidation proceeds: a whole-position transfer to a backstop bidder, or a sale through the book with a limit. */
export type LiquidationRoute =
  | { readonly kind: "backstop_transfer"; readonly bid: BackstopBid; readonly proceeds: Decimal }
  | { readonly kind: "book_sale"; readonly limitPrice: Decimal };

/** The position being liquidated and what the market offers for it. */
export interface RouteInputs {
  readonly shares: Decimal;
  /** The holder's outcome mark. */
  readonly markPrice: Decimal;
  readonly backstopBids: readonly BackstopBid[];
  /** bookSaleProceeds for the whole position within the band, or null when the book cannot absorb it. */
  readonly bookProceeds: Decimal | null;
}

// Backstop floor: a backstop takes a position at no less than ceil6(outcome mark × (1 − discount)) a share (rounded for the defaulter and lenders).
export function backstopFloor(mark: Decimal, discount: Decimal): Decimal {
  return ceil6(mark.mul(ONE.minus(discount)));
}

// First a backstop transfer at or above the backstop floor paying no less than the book would (or, with a thin book, no less than the whole position at the band floor); otherwise the book, limit = band floor.
export function liquidationRoute(params: RiskParams, inputs: RouteInputs): LiquidationRoute {
  const floorPrice = bandFloor(inputs.markPrice, new Decimal(params.priceBand));
  const minProceeds = inputs.bookProceeds ?? floor6(inputs.shares.mul(floorPrice));
  const minPrice = backstopFloor(inputs.markPrice, new Decimal(params.backstopDiscount));
  const eligible = inputs.backstopBids.filter((b) => b.price.gte(minPrice));
  const bid = chooseBackstopBid(eligible, inputs.shares, minProceeds);
  if (bid !== null) return { kind: "backstop_transfer", bid, proceeds: floor6(inputs.shares.mul(bid.price)) };
  return { kind: "book_sale", limitPrice: floorPrice };
}

/** Where the proceeds of a liquidation go. repayLoan + penalty + toOwner = proceeds; repayLoan + badDebt = loan. */
export interface ProceedsSplit {
  readonly repayLoan: Decimal;
  /** To the market's insurance fund. */
  readonly penalty: Decimal;
  readonly toOwner: Decimal;
  /** The loan the proceeds did not repay: an explicit bad-debt event for the waterfall. */
  readonly badDebt: Decimal;
}

// Proceeds repay the loan first; then the penalty ceil6(liquidationPenalty × proceeds), capped at what is left; the rest to the owner; any unpaid loan is bad debt.
export function splitProceeds(params: RiskParams, proceeds: Decimal, loan: Decimal): ProceedsSplit {
  const repayLoan = min(proceeds, loan);
  const left = proceeds.minus(repayLoan);
  const penalty = min(left, ceil6(proceeds.mul(params.liquidationPenalty)));
  return { repayLoan, penalty, toOwner: left.minus(penalty), badDebt: loan.minus(repayLoan) };
}
