import { RiskParams } from "@pmx/liquidation";
import { describe, expect, it } from "vitest";
import { loadPolicy, parsePolicy, policyNames, riskParamsOf, withJumpMultiplier } from "../src/index.js";

describe("policies", () => {
  it("ships perp20x, default and 1x, each accepted by the decider's validator", () => {
    expect(policyNames()).toEqual(expect.arrayContaining(["perp20x", "default", "1x"]));
    for (const name of ["perp20x", "default", "1x"])
      expect(RiskParams.validateRiskParams(riskParamsOf(loadPolicy(name)))).toEqual([]);
  });

  it("perp20x is a flat 20x with no fee, no auctions, no grace, no time or extremity limit", () => {
    const p = riskParamsOf(loadPolicy("perp20x"));
    expect(p).toMatchObject({
      maxLeverage: "20",
      hazardWindowSeconds: 0,
      leverageRampSeconds: 0,
      jumpIntensityPerDay: "0",
      utilizationChargePerDay: "0",
      priceBand: "0.99",
      graceWindowSeconds: 0,
      maintenanceMarginFraction: "0.025",
      extremityMove: "0.000001",
      utilizationBuffer: "0",
    });
  });

  it("the validator refuses the maintenance fraction of the defaults at 20x (why perp20x uses 0.025)", () => {
    expect(() =>
      parsePolicy({ name: "x", params: { maxLeverage: "20", maintenanceMarginFraction: "0.05" } }),
    ).toThrow(/maintenanceMarginFraction/);
    expect(() => parsePolicy({ name: "x", params: { priceBand: "1" } })).toThrow(/priceBand/);
    expect(() => parsePolicy({ name: "x", params: { extremityMove: "0" } })).toThrow(/extremityMove/);
  });

  it("default is the pmx defaults; 1x only caps the leverage", () => {
    expect(riskParamsOf(loadPolicy("default"))).toEqual(RiskParams.DEFAULT_RISK_PARAMS);
    expect(riskParamsOf(loadPolicy("1x"))).toEqual({ ...RiskParams.DEFAULT_RISK_PARAMS, maxLeverage: "1" });
  });

  it("scales the jump intensity for the fair-fee search", () => {
    const p = withJumpMultiplier(loadPolicy("default"), "3.5");
    expect(riskParamsOf(p).jumpIntensityPerDay).toBe("0.175");
    expect(p.name).toBe("default×3.5");
  });
});
