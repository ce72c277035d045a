// No loan across resolution, caps on open positions: the deleverage call, its deadline, and the sale that brings a position under the cap.
import { Leverage, Liquidation, Margin } from "@pmx/liquidation";
import type { Draft } from "./draft.js";
import { ceilToTick, sellPledgedShares } from "./execute.js";
import { type Money, money, ONE, toAmountString } from "./money.js";
import { repayLoan } from "./risk.js";
import { deleverageStartOf, hazardStartOf } from "./schedule.js";
import type { LeveragedPosition, MarketState } from "./state.js";

/** A position opened at the cap is called only once its leverage passes the cap by this factor (ordinary moves pass). */
const CALL_TOLERANCE = money("1.25");

const ms = (iso: string): number => Date.parse(iso);

/**
 * The cap of the moment for an open position: 1x once the scheduled deleveraging has begun; before that the time and
 * extremity caps as time and price move (not the utilization cap: a lender's exit must not force a borrower out).
 */
export function openPositionCap(market: MarketState, nowMs: number, yesMark: Money): Money {
  if (nowMs >= deleverageStartOf(market)) return ONE;
  const time = Leverage.timeCap(market.risk, nowMs, ms(market.resolvesAt));
  const extremity = Leverage.extremityCap(market.risk, yesMark);
  const cap = time.lt(extremity) ? time : extremity;
  return cap.lt(1) ? ONE : money(cap.toFixed());
}

/** A deleverage call's deadline: the grace period, but never past the hazard window's start (at once once inside it). */
export function deleverageDeadline(market: MarketState, nowMs: number): number {
  const hazardStart = hazardStartOf(market);
  if (nowMs >= hazardStart) return nowMs;
  return Math.min(nowMs + market.risk.deleverageGraceSeconds * 1000, hazardStart);
}

// value / equity at the outcome mark (null when equity ≤ 0: the margin rules handle it).
function leverageAt(shares: number, loan: Money, outcomeMark: Money): Money | null {
  const value = outcomeMark.times(shares);
  const equity = value.minus(loan);
  return equity.lte(0) ? null : value.div(equity);
}

// Within the cap: no loan at a 1x cap, else leverage ≤ cap.
function withinCap(shares: number, loan: Money, outcomeMark: Money, cap: Money): boolean {
  if (loan.isZero()) return true;
  if (cap.eq(1)) return false;
  const leverage = leverageAt(shares, loan, outcomeMark);
  return leverage?.lte(cap) === true;
}

// Shares to sell at `price` so that what is left is at the cap: k ≥ (loan − S·q·(1 − 1/c)) / (price − q·(1 − 1/c)).
function sharesToSell(shares: number, loan: Money, outcomeMark: Money, cap: Money, price: Money): number {
  const lendable = outcomeMark.times(ONE.minus(ONE.div(cap)));
  const perShare = price.minus(lendable);
  if (perShare.lte(0)) return shares;
  const needed = loan.minus(lendable.times(shares)).div(perShare).ceil().toNumber();
  return Math.min(shares, Math.max(1, needed));
}

/**
 * Checks one healthy position against the cap of the moment: a call (with its deadline) once it is above the cap by
 * the tolerance, or has any loan once the scheduled deleveraging has begun; the call ends once it is back under the
 * cap; past the deadline, in continuous trading, the exchange sells just enough pledged shares through the book
 * (within the band) to get there, repaying the loan; a position whose loan is then 0 is closed.
 */
export function deleverageCheck(
  draft: Draft,
  market: MarketState,
  position: LeveragedPosition,
  yesMark: Money,
  outcomeMark: Money,
  continuous: boolean,
): void {
  const p = draft.position(market, position);
  const base = { marketId: market.marketId, accountId: position.accountId, outcome: position.outcome };
  const cap = openPositionCap(market, draft.at, yesMark);
  let deadline = position.deleverageDeadline;
  if (deadline === null) {
    if (p.loan.isZero()) return;
    const leverage = leverageAt(p.shares, p.loan, outcomeMark);
    const over = cap.eq(1) || leverage?.gt(cap.times(CALL_TOLERANCE)) === true;
    if (!over || leverage === null) return;
    deadline = deleverageDeadline(market, draft.at);
    draft.emit({
      type: "DeleverageCalled",
      ...base,
      leverage: toAmountString(leverage.toDecimalPlaces(6, 1)),
      cap: toAmountString(cap.toDecimalPlaces(6, 1)),
      deadline,
    });
  } else if (withinCap(p.shares, p.loan, outcomeMark, cap)) {
    draft.emit({ type: "DeleverageCleared", ...base });
    return;
  }
  if (draft.at < deadline || !continuous || p.shares === 0) return;
  sellToCap(draft, market, position, outcomeMark, cap);
}

// The sale past the deadline: IOC through the book no lower than the band floor; the proceeds repay the loan.
function sellToCap(
  draft: Draft,
  market: MarketState,
  position: LeveragedPosition,
  outcomeMark: Money,
  cap: Money,
): void {
  const p = draft.position(market, position);
  const floorPrice = money(Liquidation.bandFloor(outcomeMark, money(market.risk.priceBand)).toFixed());
  const limitTicks = ceilToTick(floorPrice, market.ticks);
  const limit = money(limitTicks).div(market.ticks);
  if (limit.lte(0)) return;
  // Sized at the best bid for the outcome (no lower than the band floor): a deeper fill leaves a little loan, sold next tick.
  const book = draft.book(market);
  const bestTicks = position.outcome === "YES" ? book.bestBid() : market.ticks - book.bestAsk();
  // No bid within the band: no order at all (a tick every second must not write an accepted-and-cancelled sale each time).
  if (bestTicks < limitTicks) return;
  const price = money(bestTicks).div(market.ticks);
  const quantity = cap.eq(1)
    ? Math.min(p.shares, p.loan.div(price).ceil().toNumber())
    : sharesToSell(p.shares, p.loan, outcomeMark, cap, price);
  const executed = sellPledgedShares(draft, market, position, limitTicks, quantity, "deleverage");
  if (executed._tag === "Left" || executed.right.filled === 0) return;
  p.shares -= executed.right.filled;
  const proceeds = executed.right.cash;
  repayLoan(draft, market, position, proceeds.lt(p.loan) ? proceeds : p.loan, "deleverage");
  const base = { marketId: market.marketId, accountId: position.accountId, outcome: position.outcome };
  if (p.loan.isZero()) {
    p.closed = true;
    draft.emit({ type: "PositionClosed", ...base, reason: "REPAID" });
  } else if (withinCap(p.shares, p.loan, outcomeMark, cap))
    draft.emit({ type: "DeleverageCleared", ...base });
}

/** Every healthy position with a loan, checked against the cap of the moment (after the margin rules' sweep). */
export function deleverageSweep(draft: Draft, market: MarketState, yesMark: Money | null): void {
  if (yesMark === null || market.status === "resolved") return;
  const continuous = market.status === "open" && draft.auctionUntil(market) === null;
  for (const position of [...market.leveraged.values()]) {
    const p = draft.position(market, position);
    if (p.closed || position.status !== "healthy") continue;
    const outcomeMark = Margin.outcomePrice(position.outcome, yesMark);
    // Below maintenance the margin rules (riskSweep, earlier in the decision) have called or liquidated it.
    if (Margin.isBelowMaintenance(market.risk, { shares: money(p.shares), loan: p.loan }, outcomeMark))
      continue;
    deleverageCheck(draft, market, position, yesMark, outcomeMark, continuous);
  }
}
