// Jump-risk fees and the leverage cap of the moment: pricing an interval, charging it in advance, accrual at ticks.
import { Funding, Leverage, Margin } from "@pmx/liquidation";
import type { Outcome } from "./codecs.js";
import type { Draft } from "./draft.js";
import { markOf } from "./mark.js";
import { floor6, type Money, money, ONE, toAmountString, ZERO } from "./money.js";
import { deleverageStartOf } from "./schedule.js";
import type { LeveragedPosition, MarketState } from "./state.js";

const ms = (iso: string): number => Date.parse(iso);

/**
 * The market's maximum leverage for new borrowing now (1 when it has no mark yet). `mark`: the risk mark of the
 * moment when a decision has moved it (Draft.riskMark); the market's own by default.
 */
export function currentMaxLeverage(
  market: MarketState,
  nowMs: number,
  pool: { cash: Money; lent: Money },
  mark: Money | null = markOf(market),
): Money {
  if (mark === null || market.status !== "open") return ONE;
  // No new loan once the scheduled deleveraging before the hazard window has begun (deleverage.ts).
  if (nowMs >= deleverageStartOf(market)) return ONE;
  return Leverage.maxLeverage(market.risk, {
    nowMs,
    resolvesAtMs: ms(market.resolvesAt),
    markPrice: mark,
    poolAssets: pool.cash.plus(pool.lent),
    poolLent: pool.lent,
  });
}

/** The jump-risk fee rate per hour shown on the market (fraction of the loan), for a position at the current cap. */
export function currentFundingRate(market: MarketState, nowMs: number): Money {
  const mark = markOf(market);
  if (mark === null) return ZERO;
  const pool = market.pool;
  const cap = currentMaxLeverage(market, nowMs, pool);
  return Funding.feeRatePerHour(market.risk, {
    markPrice: mark,
    leverage: cap,
    nowMs,
    resolvesAtMs: ms(market.resolvesAt),
    utilization: Leverage.utilization(pool.cash.plus(pool.lent), pool.lent),
    resolutionHazard: false,
  });
}

/** Most intervals one decision charges a position (a year of hourly intervals): bounds a tick after a long gap. */
const MAX_INTERVALS_PER_TICK = 24 * 366;

/**
 * One interval's jump-risk fee on `loan`, charged in advance for [start, start + interval): the expected loss of
 * the loan under the market's jump model plus the utilization charge (packages/liquidation Funding.jumpRiskFee).
 */
export function intervalFee(
  market: MarketState,
  loan: Money,
  shares: number,
  outcome: Outcome,
  start: number,
  utilization: Money,
): Money {
  const mark = markOf(market);
  return Funding.jumpRiskFee(market.risk, {
    loan,
    shares: money(shares),
    outcomePrice: mark === null ? money("0.5") : Margin.outcomePrice(outcome, mark),
    intervalSeconds: market.risk.accrualIntervalSeconds,
    nowMs: start,
    resolvesAtMs: ms(market.resolvesAt),
    utilization,
    // No loan crosses resolution (deleverage.ts): the jump to 0 or 1 is not lent against, so not priced.
    resolutionHazard: false,
  });
}

/** Emits one FundingAccrued: the fee is added to the loan (owed to the pool); the position is paid up to `until`. */
export function chargeFee(
  draft: Draft,
  market: MarketState,
  position: LeveragedPosition,
  fee: Money,
  base: Money,
  until: number,
): void {
  const p = draft.position(market, position);
  const pool = draft.pool(market);
  p.loan = p.loan.plus(fee);
  p.feesOwed = p.feesOwed.plus(fee);
  pool.lent = pool.lent.plus(fee);
  draft.emit({
    type: "FundingAccrued",
    marketId: market.marketId,
    accountId: position.accountId,
    outcome: position.outcome,
    amount: toAmountString(fee),
    rate: toAmountString(base.isZero() ? ZERO : fee.div(base).toDecimalPlaces(12, 1)),
    loan: toAmountString(p.loan),
    until,
  });
}

/**
 * Charges, in advance, every interval each loan of the market has entered since it was last paid for. No fee
 * accrues on a position in liquidation (its intervals pass free), for intervals starting at or after `resolvesAt`,
 * or beyond the position's equity at the mark: a loan nobody will buy grows no further than its shares pay, so
 * no fee can ever outgrow its event's codec and stop the exchange's clock.
 */
export function accrueFunding(draft: Draft, market: MarketState): void {
  const interval = market.risk.accrualIntervalSeconds * 1000;
  const resolvesAtMs = ms(market.resolvesAt);
  const yesMark = draft.riskMark(market);
  for (const position of market.leveraged.values()) {
    if (position.paidUntil === null || position.paidUntil >= resolvesAtMs) continue;
    const p = draft.position(market, position);
    const inLiquidation = position.status === "liquidating";
    const outcomeMark = yesMark === null ? null : Margin.outcomePrice(position.outcome, yesMark);
    let paidUntil = position.paidUntil;
    let recordedUntil = position.paidUntil;
    for (
      let k = 0;
      k < MAX_INTERVALS_PER_TICK && paidUntil <= draft.at && paidUntil < resolvesAtMs && p.loan.gt(0);
      k++
    ) {
      const pool = draft.pool(market);
      const utilization = Leverage.utilization(pool.cash.plus(pool.lent), pool.lent);
      const priced = inLiquidation
        ? ZERO
        : intervalFee(market, p.loan, p.shares, position.outcome, paidUntil, utilization);
      const room = feeRoom(p.shares + position.sharesReserved, p.loan, outcomeMark);
      const fee = priced.gt(room) ? room : priced;
      paidUntil += interval;
      if (fee.isZero()) continue;
      chargeFee(draft, market, position, fee, p.loan, paidUntil);
      recordedUntil = paidUntil;
    }
    // Intervals whose fee was zero are paid too: one zero-amount event records how far (no later re-pricing).
    if (paidUntil > recordedUntil) chargeFee(draft, market, position, ZERO, p.loan, paidUntil);
  }
}

/** The most fee a position can still be charged: its equity at the outcome mark (none without a mark, none below 0). */
function feeRoom(shares: number, loan: Money, outcomeMark: Money | null): Money {
  if (outcomeMark === null) return ZERO;
  const room = floor6(outcomeMark.times(shares)).minus(loan);
  return room.gt(0) ? room : ZERO;
}
