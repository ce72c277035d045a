// The pool valued on cash: uncollected fees count for nothing, collected fees vest linearly; what a share is worth.
import { ceil6, Decimal, nonNegative, ZERO } from "./decimal.js";

/** What the pool holds and owes, for share pricing. */
export interface PoolBooks {
  readonly cash: Decimal;
  /** Owed by borrowers: principal and the fees charged to their loans. */
  readonly lent: Decimal;
  /** The part of `lent` that is fees not collected yet: worth nothing to lenders until paid in cash. */
  readonly feesUncollected: Decimal;
  /** Collected fees still vesting (see lockedProfit). */
  readonly locked: Decimal;
}

/** Fees collected and vesting: `amount` was locked at `startMs`; it unlocks linearly over `vestingSeconds`. */
export interface Vesting {
  readonly amount: Decimal;
  readonly startMs: number | null;
}

// What is still locked at `nowMs`: ceil6(amount × (1 − elapsed / vesting)), 0 once vested (or with no vesting period).
export function lockedProfit(vesting: Vesting, nowMs: number, vestingSeconds: number): Decimal {
  if (vesting.startMs === null || vestingSeconds === 0 || vesting.amount.isZero()) return ZERO;
  const durationMs = vestingSeconds * 1000;
  const elapsed = Math.min(Math.max(nowMs - vesting.startMs, 0), durationMs);
  return ceil6(vesting.amount.mul(durationMs - elapsed).div(durationMs));
}

// A new collection: what is still locked plus the new profit, vesting afresh from now.
export function addToVesting(
  vesting: Vesting,
  profit: Decimal,
  nowMs: number,
  vestingSeconds: number,
): Vesting {
  return { amount: lockedProfit(vesting, nowMs, vestingSeconds).plus(profit), startMs: nowMs };
}

// The pool's value to its lenders: cash + lent − uncollected fees − locked profit (never below 0).
export function poolValue(books: PoolBooks): Decimal {
  return nonNegative(books.cash.plus(books.lent).minus(books.feesUncollected).minus(books.locked));
}

// Value per share, rounded down to 6 dp ("1" for a pool without shares).
export function shareValue(value: Decimal, shares: Decimal): Decimal {
  if (shares.isZero()) return new Decimal(1);
  return value.div(shares).toDecimalPlaces(6, Decimal.ROUND_DOWN);
}
