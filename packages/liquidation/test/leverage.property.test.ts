import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Decimal, ONE } from "../src/decimal.js";
import { type LeverageInputs, lendingLimit, maxBorrow, maxLeverage } from "../src/leverage.js";
import { type RiskParams, validateRiskParams, withDefaults } from "../src/params.js";
import { loanForPurchase } from "../src/position.js";
import { amount, nowMs, price, RESOLVES_AT_MS } from "./arbitraries.js";

/** Valid parameter sets around the defaults: caps 1..20x, windows, ramps, extremity moves, kinks and buffers. */
const riskParams: fc.Arbitrary<RiskParams> = fc
  .record({
    cap: fc.integer({ min: 100, max: 2000 }),
    hazardHours: fc.integer({ min: 0, max: 72 }),
    rampHours: fc.integer({ min: 0, max: 24 * 14 }),
    extremityPermille: fc.integer({ min: 1, max: 500 }),
    bufferPercent: fc.integer({ min: 0, max: 50 }),
    kinkPercent: fc.integer({ min: 0, max: 49 }),
  })
  .map((r) =>
    withDefaults({
      maxLeverage: new Decimal(r.cap).div(100).toFixed(),
      hazardWindowSeconds: r.hazardHours * 3600,
      leverageRampSeconds: r.rampHours * 3600,
      extremityMove: new Decimal(r.extremityPermille).div(1000).toFixed(),
      utilizationBuffer: new Decimal(r.bufferPercent).div(100).toFixed(),
      utilizationKink: new Decimal(r.kinkPercent).div(100).toFixed(),
      maintenanceMarginFraction: "0.001",
    }),
  );

const inputs: fc.Arbitrary<LeverageInputs> = fc
  .record({
    now: nowMs(),
    mark: price(),
    assets: amount(0, 100_000),
    lentShare: fc.integer({ min: 0, max: 1200 }),
  })
  .map(({ now, mark, assets, lentShare }) => ({
    nowMs: now,
    resolvesAtMs: RESOLVES_AT_MS,
    markPrice: mark,
    poolAssets: assets,
    poolLent: assets.mul(lentShare).div(1000).toDecimalPlaces(6),
  }));

describe("Leverage properties (guarantee 7)", () => {
  it("params generated here are valid", () => {
    fc.assert(
      fc.property(riskParams, (p) => {
        expect(validateRiskParams(p)).toEqual([]);
      }),
    );
  });

  it("the cap is in [1, maxLeverage] with at most 2 dp", () => {
    fc.assert(
      fc.property(riskParams, inputs, (params, market) => {
        const cap = maxLeverage(params, market);
        expect(cap.gte(1)).toBe(true);
        expect(cap.lte(params.maxLeverage)).toBe(true);
        expect(cap.decimalPlaces()).toBeLessThanOrEqual(2);
      }),
    );
  });

  it("is 1 inside the hazard window and after resolvesAt", () => {
    fc.assert(
      fc.property(riskParams, inputs, fc.integer({ min: 0, max: 10 ** 9 }), (params, market, offset) => {
        const windowStart = market.resolvesAtMs - params.hazardWindowSeconds * 1000;
        const inside = { ...market, nowMs: windowStart + offset };
        expect(maxLeverage(params, inside).toFixed()).toBe("1");
      }),
    );
  });

  it("never rises as resolution approaches", () => {
    fc.assert(
      fc.property(
        riskParams,
        inputs,
        fc.integer({ min: 0, max: 30 * 86_400_000 }),
        (params, market, later) => {
          const laterMarket = { ...market, nowMs: market.nowMs + later };
          expect(maxLeverage(params, laterMarket).lte(maxLeverage(params, market))).toBe(true);
        },
      ),
    );
  });

  it("never rises with utilization", () => {
    fc.assert(
      fc.property(riskParams, inputs, amount(0, 100_000), (params, market, extra) => {
        const busier = { ...market, poolLent: market.poolLent.plus(extra) };
        expect(maxLeverage(params, busier).lte(maxLeverage(params, market))).toBe(true);
      }),
    );
  });

  it("never rises with extremity (a price further from 0.5)", () => {
    fc.assert(
      fc.property(riskParams, inputs, price(), (params, market, other) => {
        const distance = (p: Decimal) => p.minus("0.5").abs();
        const [near, far] = distance(market.markPrice).lte(distance(other))
          ? [market.markPrice, other]
          : [other, market.markPrice];
        expect(
          maxLeverage(params, { ...market, markPrice: far }).lte(
            maxLeverage(params, { ...market, markPrice: near }),
          ),
        ).toBe(true);
      }),
    );
  });

  it("a position bought at the cap on either side survives an adverse move of extremityMove without bankruptcy", () => {
    fc.assert(
      fc.property(riskParams, inputs, amount(1, 10_000), (params, market, shares) => {
        const cap = maxLeverage(params, market);
        for (const q of [market.markPrice, ONE.minus(market.markPrice)]) {
          const loan = loanForPurchase(shares.mul(q), cap);
          const afterMove = q.minus(params.extremityMove);
          expect(shares.mul(afterMove).gte(loan) || loan.isZero()).toBe(true);
        }
      }),
    );
  });

  it("no lending beyond assets × (1 − buffer): lent + maxBorrow ≤ the limit, maxBorrow ≥ 0", () => {
    fc.assert(
      fc.property(riskParams, inputs, (params, market) => {
        const more = maxBorrow(params, market);
        expect(more.gte(0)).toBe(true);
        if (more.gt(0)) {
          expect(
            market.poolLent.plus(more).lte(market.poolAssets.mul(ONE.minus(params.utilizationBuffer))),
          ).toBe(true);
        }
        expect(lendingLimit(params, market.poolAssets).lte(market.poolAssets)).toBe(true);
      }),
    );
  });
});
