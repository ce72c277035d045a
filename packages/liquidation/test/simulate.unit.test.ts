import { describe, expect, it } from "vitest";
import { Decimal } from "../src/decimal.js";
import { DEFAULT_RISK_PARAMS as params, withDefaults } from "../src/params.js";
import { type Scenario, simulate, simulatePath, summarize } from "../src/simulate.js";

// mulberry32: a small seeded PRNG (public domain); the package never draws randomness itself.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20250131;
const Z_99 = new Decimal("2.326");
const Z_95 = new Decimal("1.645");

/**
 * 2 000 markets of 10 days (hourly accrual, resolution uniform in the last day), start price 0.20–0.80,
 * a pool of 10 000 lending to one borrower who spends 1 000 per position at the market's cap and
 * re-borrows after every close. The world's jumps are the model's: λ 0.05/day each way, size 0.20.
 */
const holdThroughResolution: Scenario = {
  paths: 2000,
  horizonSeconds: 10 * 86_400,
  poolAssets: new Decimal("10000"),
  positionCost: new Decimal("1000"),
  startPriceLow: new Decimal("0.2"),
  startPriceHigh: new Decimal("0.8"),
  diffusionStep: new Decimal("0.005"),
  liquidationSlippage: new Decimal("0.01"),
  holdIntoHazardWindow: true,
  world: { jumpIntensityPerDay: params.jumpIntensityPerDay, adverseJumpSize: params.adverseJumpSize },
};

const lpPnl = (scenario: Scenario, seed = SEED) =>
  summarize(
    simulate(params, scenario, mulberry32(seed)).map((r) => r.lpPnl),
    Z_99,
  );

describe("Simulation: pool LPs break even or better under the fee model (guarantee 8)", () => {
  it("borrowers holding through resolution: mean LP P&L ≥ 0 with 99% one-sided confidence over 2 000 paths", () => {
    const summary = lpPnl(holdThroughResolution);
    expect(summary.count).toBe(2000);
    expect(summary.mean.gte(0)).toBe(true);
    expect(summary.lowerBound.gte(0)).toBe(true);
  }, 120_000);

  it("borrowers closing when the hazard window opens (jump risk only): mean ≥ 0 with 95% one-sided confidence", () => {
    const summary = lpPnl({ ...holdThroughResolution, holdIntoHazardWindow: false });
    expect(summary.mean.gte(0)).toBe(true);
    expect(summary.mean.minus(Z_95.mul(summary.standardError)).gte(0)).toBe(true);
  }, 120_000);

  it("control: with the cap sized for a 0.10 move (extremityMove 0.1) and a world jumping 0.20 4x as often as the model charges for, LPs lose (the check can fail)", () => {
    const underpriced = {
      ...holdThroughResolution,
      paths: 500,
      world: { jumpIntensityPerDay: "0.2", adverseJumpSize: params.adverseJumpSize },
    };
    const summary = summarize(
      simulate(withDefaults({ extremityMove: "0.1" }), underpriced, mulberry32(SEED)).map((r) => r.lpPnl),
      Z_99,
    );
    expect(summary.mean.plus(Z_99.mul(summary.standardError)).lt(0)).toBe(true);
  }, 120_000);

  it("is deterministic: the same seed gives the same paths, another seed other paths", () => {
    const small = { ...holdThroughResolution, paths: 20 };
    const a = simulate(params, small, mulberry32(7));
    const b = simulate(params, small, mulberry32(7));
    const c = simulate(params, small, mulberry32(8));
    const show = (rs: typeof a) => rs.map((r) => r.lpPnl.toFixed()).join(",");
    expect(show(a)).toBe(show(b));
    expect(show(a)).not.toBe(show(c));
  });

  it("keeps the books: LP P&L = fees to the pool − pool losses; bad debt = insurance + pool share", () => {
    const rng = mulberry32(SEED);
    for (let i = 0; i < 200; i++) {
      const r = simulatePath(params, holdThroughResolution, rng);
      expect(r.lpPnl.eq(r.feesToPool.minus(r.poolLoss))).toBe(true);
      expect(r.badDebt.eq(r.coveredByInsurance.plus(r.poolLoss))).toBe(true);
      expect(r.coveredByInsurance.lte(r.feesToInsurance.plus(r.penalties))).toBe(true);
    }
  });

  it("summarizes: mean 2, sample sd 1 for 1, 2, 3", () => {
    const s = summarize(["1", "2", "3"].map((v) => new Decimal(v)));
    expect(s.mean.toFixed()).toBe("2");
    expect(s.standardDeviation.toFixed()).toBe("1");
    expect(() => summarize([new Decimal(1)])).toThrow(RangeError);
  });
});
