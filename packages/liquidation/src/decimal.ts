// Money: the single decimal constructor for amounts, prices and rates, plus its named rounding helpers.
import { Decimal as DecimalJs } from "decimal.js";

/**
 * The one money constructor of pmx. 40 significant digits keep every sum, difference and product of
 * 6-dp amounts below 1e14 exact; rounding to 6 dp is never implicit, always one of the named helpers.
 * Ties-to-even only applies to intermediate quotients beyond 40 digits. No exponent notation in strings.
 */
export const Decimal = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -40,
  toExpPos: 40,
});
export type Decimal = DecimalJs;

/** Amounts (collateral, shares, fees) carry at most this many decimal places. */
export const AMOUNT_DP = 6;

export const ZERO: Decimal = new Decimal(0);
export const ONE: Decimal = new Decimal(1);

const DECIMAL_STRING = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

// A decimal string is plain notation: optional minus, integer part without leading zeros, optional fraction.
export function isDecimalString(text: string): boolean {
  return DECIMAL_STRING.test(text);
}

// Parsing accepts plain decimal strings only (no exponent, no NaN/Infinity, no hex): null otherwise.
export function parse(text: string): Decimal | null {
  return isDecimalString(text) ? new Decimal(text) : null;
}

// Parsing for trusted input (defaults, tests): a plain decimal string, or a RangeError naming it.
export function of(text: string): Decimal {
  const value = parse(text);
  if (value === null) throw new RangeError(`not a decimal string: ${JSON.stringify(text)}`);
  return value;
}

// The wire form of a decimal: plain notation, no exponent, no trailing zeros ("1.5", "-0.000001", "0").
export function toWire(value: Decimal): string {
  return value.isZero() ? "0" : value.toFixed();
}

// An amount is valid when it has at most 6 decimal places.
export function hasAmountScale(value: Decimal): boolean {
  return value.decimalPlaces() <= AMOUNT_DP;
}

// Round up (toward +infinity) to 6 dp: for what the trader owes (fees, requirements, penalties).
export function ceil6(value: Decimal): Decimal {
  return value.toDecimalPlaces(AMOUNT_DP, Decimal.ROUND_CEIL);
}

// Round down (toward -infinity) to 6 dp: for what the trader is credited (value, loan capacity, shares).
export function floor6(value: Decimal): Decimal {
  return value.toDecimalPlaces(AMOUNT_DP, Decimal.ROUND_FLOOR);
}

// Round down to 2 dp: for leverage caps (a lower cap is the safe side).
export function floor2(value: Decimal): Decimal {
  return value.toDecimalPlaces(2, Decimal.ROUND_FLOOR);
}

// Round up to `dp` decimal places (rates shown for display carry more places than amounts).
export function ceilTo(value: Decimal, dp: number): Decimal {
  return value.toDecimalPlaces(dp, Decimal.ROUND_CEIL);
}

// a / b rounded up to 6 dp; b must be non-zero.
export function divCeil6(a: Decimal, b: Decimal): Decimal {
  return ceil6(a.div(b));
}

// a / b rounded down to 6 dp; b must be non-zero.
export function divFloor6(a: Decimal, b: Decimal): Decimal {
  return floor6(a.div(b));
}

// The larger of two decimals (the first on a tie).
export function max(a: Decimal, b: Decimal): Decimal {
  return a.gte(b) ? a : b;
}

// The smaller of two decimals (the first on a tie).
export function min(a: Decimal, b: Decimal): Decimal {
  return a.lte(b) ? a : b;
}

// Clamp below at zero: a balance or an amount that may not be negative.
export function nonNegative(value: Decimal): Decimal {
  return value.isNegative() ? ZERO : value;
}
