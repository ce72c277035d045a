import { describe, expect, it } from "vitest";
import { Decimal } from "../src/decimal.js";
import { add, ceilTo, compare, div, fromDecimal, mul, sub, toDecimal } from "../src/rational.js";

describe("Rational: exact intermediate arithmetic for the fee", () => {
  it("reads decimals exactly", () => {
    expect(fromDecimal("0.05")).toEqual({ n: 5n, d: 100n });
    expect(fromDecimal(new Decimal("-1.5"))).toEqual({ n: -15n, d: 10n });
    expect(fromDecimal("12")).toEqual({ n: 12n, d: 1n });
  });

  it("1/48 + 1/1500 = 0.0215 exactly, where 40-digit decimals round it up to 0.021501", () => {
    const sum = add(div(fromDecimal("1"), fromDecimal("48")), div(fromDecimal("1"), fromDecimal("1500")));
    expect(ceilTo(sum, 6).toFixed()).toBe("0.0215");
  });

  it("rounds up exactly, toward +infinity for negatives too", () => {
    expect(ceilTo(div(fromDecimal("1"), fromDecimal("3")), 6).toFixed()).toBe("0.333334");
    expect(ceilTo(div(fromDecimal("-1"), fromDecimal("3")), 6).toFixed()).toBe("-0.333333");
    expect(ceilTo(fromDecimal("0.000001"), 6).toFixed()).toBe("0.000001");
  });

  it("compares, subtracts, multiplies and divides by negatives", () => {
    expect(compare(fromDecimal("0.1"), div(fromDecimal("1"), fromDecimal("10")))).toBe(0);
    expect(compare(sub(fromDecimal("0.1"), fromDecimal("0.2")), fromDecimal("0"))).toBe(-1);
    expect(toDecimal(mul(fromDecimal("0.5"), fromDecimal("0.5"))).toFixed()).toBe("0.25");
    expect(toDecimal(div(fromDecimal("1"), fromDecimal("-4"))).toFixed()).toBe("-0.25");
    expect(() => div(fromDecimal("1"), fromDecimal("0"))).toThrow(RangeError);
  });
});
