// The pool's value to its lenders at a moment (on cash: uncollected fees excluded, collected fees vesting).
import { PoolValue } from "@pmx/liquidation";
import { type Money, money } from "./money.js";
import type { MarketState } from "./state.js";

/**
 * The pool's value to its lenders now: cash + lent − fees not collected − collected fees still vesting. A fee raises
 * share value only once paid, and then gradually: supplying just before a collection earns (almost) nothing of it.
 */
export function poolValueAt(market: MarketState, at: number): Money {
  const pool = market.pool;
  const locked = PoolValue.lockedProfit(
    { amount: pool.vestingAmount, startMs: pool.vestingStart },
    at,
    market.risk.feeVestingSeconds,
  );
  return money(
    PoolValue.poolValue({
      cash: pool.cash,
      lent: pool.lent,
      feesUncollected: pool.feesUncollected,
      locked,
    }).toFixed(),
  );
}

/** What one pool share is worth now (rounded down; "1" for a pool without shares). */
export function shareValueAt(market: MarketState, at: number): Money {
  return money(PoolValue.shareValue(poolValueAt(market, at), market.pool.shares).toFixed());
}
