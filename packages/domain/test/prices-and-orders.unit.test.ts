// The price tables and the order table: lookups must agree with the exact arithmetic they replace.
import { Decimal } from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compact, money, toAmountString } from "../src/money.js";
import { OrderTable } from "../src/order-table.js";
import { costOf, priceStringOf, priceTicksOf, takerFeeOf, ticksToPrice } from "../src/prices.js";
import type { OrderState } from "../src/state.js";

const TICK_SIZES = [100, 1000, 10000] as const;

describe("price tables", () => {
  it("every price on the tick reads back to its ticks, and prints as ticks ÷ ticks per unit", () => {
    for (const tpu of TICK_SIZES)
      for (let ticks = 1; ticks < tpu; ticks++) {
        const exact = money(ticks).div(tpu);
        expect(priceStringOf(ticks, tpu)).toBe(toAmountString(exact));
        expect(ticksToPrice(ticks, tpu).eq(exact)).toBe(true);
        expect(priceTicksOf(priceStringOf(ticks, tpu), tpu)).toEqual({ ok: true, ticks });
      }
  });

  it("other spellings are still parsed, and off-tick or out-of-range prices refused", () => {
    expect(priceTicksOf("0.50", 100)).toEqual({ ok: true, ticks: 50 });
    expect(priceTicksOf("00.5000", 1000)).toEqual({ ok: true, ticks: 500 });
    expect(priceTicksOf("0.505", 100)).toEqual({ ok: false, code: "PRICE_NOT_ON_TICK" });
    expect(priceTicksOf("1", 100)).toEqual({ ok: false, code: "PRICE_OUT_OF_RANGE" });
    expect(priceTicksOf("0", 100)).toEqual({ ok: false, code: "PRICE_OUT_OF_RANGE" });
    expect(priceTicksOf("0.5e0", 100)).toEqual({ ok: false, code: "PRICE_OUT_OF_RANGE" });
  });

  it("cost and taker fee equal price × quantity and its ceiling to 6 places, at any size", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TICK_SIZES),
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 1, max: 1_000_000_000 }),
        fc.integer({ min: 0, max: 1000 }),
        (tpu, rawTicks, quantity, bps) => {
          const ticks = 1 + (rawTicks % (tpu - 1));
          const cost = costOf(ticks, quantity, tpu);
          const exact = money(ticks).div(tpu).times(quantity);
          expect(cost.eq(exact)).toBe(true);
          const fee = takerFeeOf(cost, bps);
          const exactFee = exact.times(bps).div(10000).toDecimalPlaces(6, Decimal.ROUND_UP);
          expect(toAmountString(fee)).toBe(toAmountString(exactFee));
        },
      ),
    );
  });

  it("a compacted amount is equal to the original", () => {
    const a = money("123.456789").plus("0.000001");
    expect(compact(a).eq(a)).toBe(true);
    expect(toAmountString(compact(a))).toBe("123.45679");
    expect(compact(money(0)).isZero()).toBe(true);
  });
});

const order = (n: number, orderId = `o-${n}`): OrderState =>
  ({ orderId, number: n, status: "open" }) as unknown as OrderState;

describe("order table", () => {
  it("finds orders by their exact id and by number, counts them, lists them in number order", () => {
    const table = new OrderTable();
    table.add(order(2));
    table.add(order(1));
    table.add(order(10));
    expect(table.size).toBe(3);
    expect(table.get("o-2")?.number).toBe(2);
    expect(table.byNumber(10)?.orderId).toBe("o-10");
    expect([...table.values()].map((o) => o.number)).toEqual([1, 2, 10]);
    expect(table.has("o-3")).toBe(false);
  });

  it("answers nothing for ids that are not exactly an order's", () => {
    const table = new OrderTable();
    table.add(order(7));
    for (const id of ["o-07", "o-7.0", "O-7", "7", "o-", "o--7", "o-1e0", "", "o-7 "])
      expect(table.get(id), id).toBeUndefined();
  });

  it("replacing an order keeps the count; an order whose id and number disagree is refused", () => {
    const table = new OrderTable();
    table.add(order(1));
    table.add(order(1));
    expect(table.size).toBe(1);
    expect(() => table.add(order(2, "o-3"))).toThrow(/does not carry the number 2/);
  });
});
