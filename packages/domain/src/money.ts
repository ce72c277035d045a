// Exact money for the domain: one cloned Decimal constructor, amounts at most 6 decimal places, named rounding.
import { Decimal } from "decimal.js";

/** The only Decimal constructor the exchange computes money with. */
export const Money = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -40,
  toExpPos: 40,
});
export type Money = InstanceType<typeof Money>;

/** Amounts on the wire and in events carry at most this many decimal places. */
export const AMOUNT_DECIMALS = 6;

export const ZERO: Money = new Money(0);
export const ONE: Money = new Money(1);
export const HALF: Money = new Money("0.5");

export const money = (value: string | number): Money => new Money(value);

/**
 * A copy whose digit array is exactly as long as its digits. decimal.js grows the arrays it computes or parses
 * with spare capacity (~150 bytes): a Money kept for as long as an order rests is stored compacted.
 */
export const compact = (value: Money): Money => (value.isZero() ? ZERO : new Money(value));

/** An amount from an event's decimal string; "0", the most common, is the shared ZERO (no parsing). */
export const amountOf = (value: string): Money => (value === "0" ? ZERO : new Money(value));

/** Rounds up (away from zero for positives) to 6 decimal places: used for what a trader pays. */
export const ceil6 = (value: Money): Money => value.toDecimalPlaces(AMOUNT_DECIMALS, Decimal.ROUND_UP);

/** Rounds down to 6 decimal places: used for what a trader receives. */
export const floor6 = (value: Money): Money => value.toDecimalPlaces(AMOUNT_DECIMALS, Decimal.ROUND_DOWN);

/** The canonical decimal string of an amount: no exponent, no trailing zeros ("1.5", "0", "12"). */
export const toAmountString = (value: Money): string => {
  const s = value.toFixed();
  return s === "-0" ? "0" : s;
};

const DECIMAL_PATTERNS = new Map<number, RegExp>();

/** True when the string is a non-negative decimal with at most `decimals` places and no exponent. */
export const isDecimalString = (s: string, decimals: number = AMOUNT_DECIMALS): boolean => {
  let pattern = DECIMAL_PATTERNS.get(decimals);
  if (!pattern) {
    pattern = new RegExp(`^(0|[1-9][0-9]{0,17})(\\.[0-9]{1,${decimals}})?$`);
    DECIMAL_PATTERNS.set(decimals, pattern);
  }
  return pattern.test(s);
};
