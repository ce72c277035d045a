import { Decimal as LibraryDecimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import {
  ceil6,
  Decimal,
  divCeil6,
  divFloor6,
  floor2,
  floor6,
  hasAmountScale,
  isDecimalString,
  of,
  parse,
  toWire,
} from "../src/decimal.js";

describe("Money: the one decimal constructor", () => {
  it("is a clone with 40 significant digits, separate from the library default", () => {
    expect(Decimal.precision).toBe(40);
    expect(Decimal).not.toBe(LibraryDecimal);
    expect(new Decimal(1).div(3).toFixed()).toBe(`0.${"3".repeat(40)}`);
  });

  it("never prints an exponent", () => {
    expect(new Decimal("0.0000001").toString()).toBe("0.0000001");
    expect(toWire(new Decimal("1e21"))).toBe("1000000000000000000000");
    expect(toWire(new Decimal("-0"))).toBe("0");
    expect(toWire(new Decimal("1.50"))).toBe("1.5");
  });
});

describe("Money: parsing", () => {
  it.each(["0", "1", "-1.5", "0.000001", "123456789.123456"])("accepts %s", (text) => {
    expect(isDecimalString(text)).toBe(true);
    expect(parse(text)?.toFixed()).toBe(new Decimal(text).toFixed());
  });

  it.each(["", "1e3", "NaN", "Infinity", "0x10", " 1", "1.", ".5", "01", "+1", "1,5"])(
    "refuses %j",
    (text) => {
      expect(parse(text)).toBeNull();
      expect(() => of(text)).toThrow(RangeError);
    },
  );
});

describe("Money: named rounding", () => {
  it.each([
    // value, ceil6, floor6
    { value: "1.0000001", ceil: "1.000001", floor: "1" },
    { value: "-1.0000001", ceil: "-1", floor: "-1.000001" },
    { value: "2.5", ceil: "2.5", floor: "2.5" },
  ])("$value → up $ceil, down $floor", ({ value, ceil, floor }) => {
    expect(ceil6(new Decimal(value)).toFixed()).toBe(ceil);
    expect(floor6(new Decimal(value)).toFixed()).toBe(floor);
  });

  it("divides with the direction in the name: 1 / 3", () => {
    expect(divCeil6(new Decimal(1), new Decimal(3)).toFixed()).toBe("0.333334");
    expect(divFloor6(new Decimal(1), new Decimal(3)).toFixed()).toBe("0.333333");
    expect(floor2(new Decimal("4.999")).toFixed()).toBe("4.99");
  });

  it("amounts have at most 6 dp", () => {
    expect(hasAmountScale(new Decimal("0.000001"))).toBe(true);
    expect(hasAmountScale(new Decimal("0.0000001"))).toBe(false);
  });
});
