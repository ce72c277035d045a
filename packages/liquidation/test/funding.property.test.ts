import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Decimal, ONE, ZERO } from "../src/decimal.js";
import { type FeeInputs, feeRatePerHour, jumpRiskFee, jumpRiskFeeParts, splitFee } from "../src/funding.js";
import { type RiskParams, withDefaults } from "../src/params.js";
import { amount, closedPrice, leverage, nowMs, price, RESOLVES_AT_MS } from "./arbitraries.js";

const MICRO = new Decimal("0.000001");

/** Valid jump-model and fee parameters around the defaults. */
const riskParams: fc.Arbitrary<RiskParams> = fc
  .record({
    lambdaPermille: fc.integer({ min: 0, max: 5000 }),
    jumpPercent: fc.integer({ min: 1, max: 100 }),
    cutPercent: fc.integer({ min: 0, max: 99 }),
    chargeMicros: fc.integer({ min: 0, max: 100_000 }),
    bufferPercent: fc.integer({ min: 0, max: 50 }),
    hazardHours: fc.integer({ min: 0, max: 72 }),
  })
  .map((r) =>
    withDefaults({
      jumpIntensityPerDay: new Decimal(r.lambdaPermille).div(1000).toFixed(),
      adverseJumpSize: new Decimal(r.jumpPercent).div(100).toFixed(),
      insuranceCut: new Decimal(r.cutPercent).div(100).toFixed(),
      utilizationChargePerDay: new Decimal(r.chargeMicros).div(1_000_000).toFixed(),
      utilizationBuffer: new Decimal(r.bufferPercent).div(100).toFixed(),
      utilizationKink: "0",
      hazardWindowSeconds: r.hazardHours * 3600,
    }),
  );

const feeInputs: fc.Arbitrary<FeeInputs> = fc.record({
  loan: amount(0, 100_000),
  shares: amount(0, 200_000),
  outcomePrice: closedPrice(),
  intervalSeconds: fc.integer({ min: 1, max: 7 * 86_400 }),
  nowMs: nowMs(),
  resolvesAtMs: fc.constant(RESOLVES_AT_MS),
  utilization: closedPrice(),
});

describe("Funding properties (guarantees 2 and 8)", () => {
  it("the fee is ≥ 0, ≥ the expected loss and its insurance gross-up, and at most 0.000001 above the exact value", () => {
    fc.assert(
      fc.property(riskParams, feeInputs, (params, inputs) => {
        const parts = jumpRiskFeeParts(params, inputs);
        expect(parts.fee.gte(0)).toBe(true);
        expect(parts.fee.gte(parts.expectedLoss)).toBe(true);
        expect(parts.fee.gte(parts.lossCover)).toBe(true);
        expect(parts.fee.minus(parts.exactFee).lt(MICRO)).toBe(true);
        expect(parts.fee.decimalPlaces()).toBeLessThanOrEqual(6);
        expect(parts.expectedLoss.lte(inputs.loan)).toBe(true);
      }),
    );
  });

  it("1x pays nothing: no loan, no fee, whatever the price, time or utilization", () => {
    fc.assert(
      fc.property(riskParams, feeInputs, (params, inputs) => {
        expect(jumpRiskFee(params, { ...inputs, loan: ZERO }).isZero()).toBe(true);
      }),
    );
  });

  it("the pool's part of the fee alone covers the expected loss", () => {
    fc.assert(
      fc.property(riskParams, feeInputs, (params, inputs) => {
        const parts = jumpRiskFeeParts(params, inputs);
        const split = splitFee(parts.fee, new Decimal(params.insuranceCut));
        expect(split.toPool.plus(split.toInsurance).eq(parts.fee)).toBe(true);
        expect(split.toInsurance.gte(0) && split.toPool.gte(0)).toBe(true);
        expect(split.toPool.gte(parts.expectedLoss)).toBe(true);
      }),
    );
  });

  it("never falls with a bigger loan or a closer resolution", () => {
    fc.assert(
      fc.property(
        riskParams,
        feeInputs,
        amount(0, 1000),
        fc.integer({ min: 0, max: 10 * 86_400_000 }),
        (params, inputs, more, later) => {
          const fee = jumpRiskFee(params, inputs);
          expect(jumpRiskFee(params, { ...inputs, loan: inputs.loan.plus(more) }).gte(fee)).toBe(true);
          expect(jumpRiskFee(params, { ...inputs, nowMs: inputs.nowMs + later }).gte(fee)).toBe(true);
        },
      ),
    );
  });

  it("the rate shown is ≥ 0, and 0 at 1x", () => {
    fc.assert(
      fc.property(riskParams, price(), leverage(10), nowMs(), closedPrice(), (params, mark, lev, now, u) => {
        const rate = feeRatePerHour(params, {
          markPrice: mark,
          leverage: lev,
          nowMs: now,
          resolvesAtMs: RESOLVES_AT_MS,
          utilization: u,
        });
        expect(rate.gte(0)).toBe(true);
        const flat = feeRatePerHour(params, {
          markPrice: mark,
          leverage: ONE,
          nowMs: now,
          resolvesAtMs: RESOLVES_AT_MS,
          utilization: u,
        });
        expect(flat.isZero()).toBe(true);
      }),
    );
  });
});
