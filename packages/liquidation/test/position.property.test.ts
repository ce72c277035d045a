import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Decimal } from "../src/decimal.js";
import { DEFAULT_RISK_PARAMS as params } from "../src/params.js";
import {
  bankruptcyPrice,
  equity,
  isBelowMaintenance,
  liquidationPrice,
  loanForPurchase,
  maintenanceRequirement,
  marginForPurchase,
  positionValue,
} from "../src/position.js";
import { amount, closedPrice, leverage, price } from "./arbitraries.js";

const MICRO = new Decimal("0.000001");

/** A position bought at `entry` with some leverage up to 20x. */
const position = fc
  .record({ shares: amount(0, 100_000), entry: price(), lev: leverage(20) })
  .map(({ shares, entry, lev }) => ({ shares, entry, loan: loanForPurchase(shares.mul(entry), lev) }));

describe("Margin properties", () => {
  it("loan + margin = cost exactly; the loan is rounded down, never above cost × (1 − 1/L)", () => {
    fc.assert(
      fc.property(amount(0, 1_000_000), leverage(20), (cost, lev) => {
        const loan = loanForPurchase(cost, lev);
        expect(loan.plus(marginForPurchase(cost, lev)).eq(cost)).toBe(true);
        expect(loan.gte(0)).toBe(true);
        expect(loan.lte(cost.minus(cost.div(lev)))).toBe(true);
        expect(loan.decimalPlaces()).toBeLessThanOrEqual(6);
      }),
    );
  });

  it("1x is never below maintenance, at any price (guarantee 2)", () => {
    fc.assert(
      fc.property(amount(0, 1_000_000), closedPrice(), (shares, mark) => {
        const flat = { shares, loan: new Decimal(0) };
        expect(isBelowMaintenance(params, flat, mark)).toBe(false);
        expect(maintenanceRequirement(params, flat, mark).isZero()).toBe(true);
      }),
    );
  });

  it("every price below the liquidation price is liquidatable", () => {
    fc.assert(
      fc.property(position, closedPrice(), ({ shares, loan }, mark) => {
        const liq = liquidationPrice(params, { shares, loan });
        if (liq === null || !mark.lt(liq)) return;
        expect(isBelowMaintenance(params, { shares, loan }, mark)).toBe(true);
      }),
    );
  });

  it("the liquidation price sits above the bankruptcy price (strictly, once the loan per share is ≥ 0.0001)", () => {
    fc.assert(
      fc.property(position, ({ shares, loan }) => {
        const liq = liquidationPrice(params, { shares, loan });
        const bankrupt = bankruptcyPrice({ shares, loan });
        if (liq === null || bankrupt === null) return;
        expect(liq.gte(bankrupt)).toBe(true);
        if (loan.div(shares).gte("0.0001") && bankrupt.lt(1)) expect(liq.gt(bankrupt)).toBe(true);
      }),
    );
  });

  it("equity = value − loan, value is rounded down and within 0.000001 of shares × mark", () => {
    fc.assert(
      fc.property(position, closedPrice(), ({ shares, loan }, mark) => {
        const value = positionValue({ shares, loan }, mark);
        expect(equity({ shares, loan }, mark).eq(value.minus(loan))).toBe(true);
        const exact = shares.mul(mark);
        expect(value.lte(exact) && exact.minus(value).lt(MICRO)).toBe(true);
      }),
    );
  });
});
