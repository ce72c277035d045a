// Rational: exact fractions over BigInt for formulas with several quotients that must be rounded once, at the end.
import { Decimal, isDecimalString } from "./decimal.js";

/** n / d with d > 0. Internal to the package: money enters and leaves as Decimal. */
export interface Rational {
  readonly n: bigint;
  readonly d: bigint;
}

export const R_ZERO: Rational = { n: 0n, d: 1n };
export const R_ONE: Rational = { n: 1n, d: 1n };

// A finite decimal is exactly digits / 10^places (plain decimal strings are read directly).
export function fromDecimal(value: Decimal | string): Rational {
  const text = typeof value === "string" && isDecimalString(value) ? value : new Decimal(value).toFixed();
  const negative = text.startsWith("-");
  const [whole, fraction = ""] = (negative ? text.slice(1) : text).split(".");
  const n = BigInt(whole + fraction);
  return { n: negative ? -n : n, d: 10n ** BigInt(fraction.length) };
}

// a + b over the product of the denominators.
export function add(a: Rational, b: Rational): Rational {
  return { n: a.n * b.d + b.n * a.d, d: a.d * b.d };
}

// a − b over the product of the denominators.
export function sub(a: Rational, b: Rational): Rational {
  return { n: a.n * b.d - b.n * a.d, d: a.d * b.d };
}

// a × b.
export function mul(a: Rational, b: Rational): Rational {
  return { n: a.n * b.n, d: a.d * b.d };
}

// a / b, b ≠ 0; the sign is kept in the numerator.
export function div(a: Rational, b: Rational): Rational {
  if (b.n === 0n) throw new RangeError("division by zero");
  return b.n < 0n ? { n: -a.n * b.d, d: a.d * -b.n } : { n: a.n * b.d, d: a.d * b.n };
}

// Sign of a − b: −1, 0 or 1 (denominators are positive, so cross-multiplying keeps the order).
export function compare(a: Rational, b: Rational): number {
  const left = a.n * b.d;
  const right = b.n * a.d;
  return left < right ? -1 : left > right ? 1 : 0;
}

// The smaller of two rationals (the first on a tie).
export function rmin(a: Rational, b: Rational): Rational {
  return compare(a, b) <= 0 ? a : b;
}

// The larger of a and 0.
export function nonNegative(a: Rational): Rational {
  return a.n < 0n ? R_ZERO : a;
}

// Exactly rounded up (toward +infinity) to `places` decimal places.
export function ceilTo(a: Rational, places: number): Decimal {
  const scale = 10n ** BigInt(places);
  const scaled = a.n * scale;
  let q = scaled / a.d;
  if (q * a.d !== scaled && scaled > 0n) q += 1n;
  return new Decimal(q.toString()).div(scale.toString());
}

// The nearest Decimal at the money constructor's precision (for showing a rational; never for charging).
export function toDecimal(a: Rational): Decimal {
  return new Decimal(a.n.toString()).div(a.d.toString());
}
