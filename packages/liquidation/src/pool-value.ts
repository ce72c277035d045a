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

// A new collection joins what is still locked. The whole unlocks linearly until an end weighted by amount:
// end = (locked × old end + profit × (now + vesting)) / (locked + profit), so tiny collections cannot keep pushing
// the end back (a griefer repaying 0.000001 a second would otherwise keep every lender's profit locked). Kept in the
// (amount, start) form with start = end − vesting: amount = ceil6((locked + profit) × vesting / (end − now)).
export function addToVesting(
  vesting: Vesting,
  profit: Decimal,
  nowMs: number,
  vestingSeconds: number,
): Vesting {
  if (vestingSeconds === 0) return { amount: ZERO, startMs: null };
  const durationMs = vestingSeconds * 1000;
  const locked = lockedProfit(vesting, nowMs, vestingSeconds);
  const total = locked.plus(profit);
  if (total.isZero()) return { amount: ZERO, startMs: null };
  const oldEnd = vesting.startMs === null ? nowMs : vesting.startMs + durationMs;
  const newEnd = locked
    .mul(oldEnd)
    .plus(profit.mul(nowMs + durationMs))
    .div(total)
    .ceil()
    .toNumber();
  return { amount: ceil6(total.mul(durationMs).div(newEnd - nowMs)), startMs: newEnd - durationMs };
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
