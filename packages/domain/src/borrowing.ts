// Limits of new borrowing from a market's pool: the exposure limits (a leveraged taker at placement), and every limit
// of the moment a resting leveraged buy must still meet at each of its fills (the loan is drawn then, not at placement).
import { Leverage, Margin } from "@pmx/liquidation";
import type { Outcome } from "./codecs.js";
import type { Draft } from "./draft.js";
import { floor6, type Money, money, ONE, toAmountString, ZERO } from "./money.js";
import { type Rejection, reject } from "./rejection.js";
import { currentMaxLeverage } from "./risk.js";
import {
  emptyLeveragedPosition,
  type LeveragedPosition,
  leveragedKey,
  type MarketState,
  type OrderState,
} from "./state.js";

/** A pool's cash and what it has lent (the draft's, or as it would be after earlier loans of the same match). */
export interface PoolView {
  readonly cash: Money;
  readonly lent: Money;
}

/** What the account owes the market's pool now, over all its leveraged positions there. */
function accountLoanIn(market: MarketState, accountId: string): Money {
  let owed = ZERO;
  for (const position of market.leveraged.values())
    if (position.accountId === accountId) owed = owed.plus(position.loan);
  return owed;
}

/**
 * Exposure limits of new borrowing: one account may owe the pool at most maxAccountLoanFraction of its assets
 * (floor6), all borrowers together at most maxMarketLoan. A rejection naming the limit breached, or null.
 * `pool` and `accountCurrent` default to the market's as the state holds them.
 */
export function exposureLimitBreach(
  market: MarketState,
  accountId: string,
  requested: Money,
  pool: PoolView = market.pool,
  accountCurrent: Money = accountLoanIn(market, accountId),
): Rejection | null {
  if (requested.lte(0)) return null;
  const accountLimit = floor6(pool.cash.plus(pool.lent).times(market.risk.maxAccountLoanFraction));
  if (accountCurrent.plus(requested).gt(accountLimit))
    return exposureRejection(
      "ACCOUNT_EXPOSURE_LIMIT",
      "this account",
      accountLimit,
      accountCurrent,
      requested,
    );
  const marketLimit = money(market.risk.maxMarketLoan);
  if (pool.lent.plus(requested).gt(marketLimit))
    return exposureRejection(
      "MARKET_EXPOSURE_LIMIT",
      "this market's borrowers",
      marketLimit,
      pool.lent,
      requested,
    );
  return null;
}

function exposureRejection(
  code: "ACCOUNT_EXPOSURE_LIMIT" | "MARKET_EXPOSURE_LIMIT",
  who: string,
  limit: Money,
  current: Money,
  requested: Money,
): Rejection {
  return reject(
    code,
    `${who} may owe the pool at most ${toAmountString(limit)}: ${toAmountString(current)} owed, ${toAmountString(requested)} more requested`,
    { limit: toAmountString(limit), current: toAmountString(current), requested: toAmountString(requested) },
  );
}

/** The account's leveraged position in the outcome as the state holds it, or a new empty one. */
export const leveragedPositionOrNew = (
  market: MarketState,
  accountId: string,
  outcome: Outcome,
): LeveragedPosition =>
  market.leveraged.get(leveragedKey(accountId, outcome)) ?? emptyLeveragedPosition(accountId, outcome);

/** Loans the same match drew before this fill: into the pool view, by account, and by position (shares and loan). */
export interface EarlierLoans {
  pool: PoolView;
  readonly byAccount: Map<string, Money>;
  readonly byPosition: Map<string, { shares: number; loan: Money }>;
}

/**
 * Whether a resting leveraged buy may draw `loan` for `shares` at this fill, under the limits of this moment (the
 * same a leveraged taker meets at placement): its leverage within the market's cap now (1 during an auction, with
 * the decision's risk mark and pool); the loan within what the pool may still lend and within the account's and the
 * market's exposure limits, loans drawn earlier in the decision counted; its position neither being liquidated nor
 * under a deleverage call (nor closed in this decision), and not below its maintenance requirement at the mark after
 * the fill. When it may not, the order is cancelled (LEVERAGE_NOT_AVAILABLE) instead of filled.
 */
export function loanAllowedAtFill(
  draft: Draft,
  market: MarketState,
  order: OrderState,
  leverage: Money,
  loan: Money,
  shares: number,
  earlier: EarlierLoans,
): boolean {
  const pool = earlier.pool;
  const mark = draft.riskMark(market);
  const cap = draft.auctionUntil(market) !== null ? ONE : currentMaxLeverage(market, draft.at, pool, mark);
  if (mark === null || leverage.gt(cap)) return false;
  const room = Leverage.maxBorrow(market.risk, {
    poolAssets: pool.cash.plus(pool.lent),
    poolLent: pool.lent,
  });
  if (loan.gt(room)) return false;
  const owed = accountLoanIn(market, order.accountId)
    .plus(draft.lentTo(market, order.accountId))
    .plus(earlier.byAccount.get(order.accountId) ?? ZERO);
  if (exposureLimitBreach(market, order.accountId, loan, pool, owed) !== null) return false;
  const position = leveragedPositionOrNew(market, order.accountId, order.outcome);
  const p = draft.position(market, position);
  if (p.closed || position.status === "liquidating" || position.deleverageDeadline !== null) return false;
  const before = earlier.byPosition.get(leveragedKey(order.accountId, order.outcome));
  const after = {
    shares: money(p.shares + position.sharesReserved + (before?.shares ?? 0) + shares),
    loan: p.loan.plus(before?.loan ?? ZERO).plus(loan),
  };
  return !Margin.isBelowMaintenance(market.risk, after, Margin.outcomePrice(order.outcome, mark));
}
