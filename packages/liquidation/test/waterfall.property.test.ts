import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ZERO } from "../src/decimal.js";
import { allocateBadDebt } from "../src/waterfall.js";
import { microAmount } from "./arbitraries.js";

const sources = fc.record({
  positionMargin: microAmount(),
  marketInsurance: microAmount(),
  sharedInsurance: microAmount(),
  poolAssets: microAmount(),
});

describe("Waterfall properties", () => {
  it("steps + uncovered = bad debt exactly; no source pays more than it holds; nothing is negative", () => {
    fc.assert(
      fc.property(microAmount(4_000_000_000_000), sources, (badDebt, held) => {
        const { steps, uncovered } = allocateBadDebt(badDebt, held);
        const total = steps.reduce((sum, s) => sum.plus(s.amount), ZERO).plus(uncovered);
        expect(total.eq(badDebt)).toBe(true);
        const holdings = [held.positionMargin, held.marketInsurance, held.sharedInsurance, held.poolAssets];
        steps.forEach((s, i) => {
          expect(s.amount.gte(0)).toBe(true);
          expect(s.amount.lte(holdings[i]!)).toBe(true);
        });
        expect(uncovered.gte(0)).toBe(true);
      }),
    );
  });

  it("order: a source pays only once every earlier one is exhausted; uncovered only when all are", () => {
    fc.assert(
      fc.property(microAmount(4_000_000_000_000), sources, (badDebt, held) => {
        const { steps, uncovered } = allocateBadDebt(badDebt, held);
        const holdings = [held.positionMargin, held.marketInsurance, held.sharedInsurance, held.poolAssets];
        steps.forEach((s, i) => {
          if (s.amount.gt(0)) {
            for (let j = 0; j < i; j++) expect(steps[j]!.amount.eq(holdings[j]!)).toBe(true);
          }
        });
        if (uncovered.gt(0)) {
          steps.forEach((s, i) => {
            expect(s.amount.eq(holdings[i]!)).toBe(true);
          });
        }
      }),
    );
  });
});
