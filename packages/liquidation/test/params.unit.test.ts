import { describe, expect, it } from "vitest";
import { DEFAULT_RISK_PARAMS, type RiskParams, validateRiskParams, withDefaults } from "../src/params.js";

const fieldsWithErrors = (params: RiskParams) => validateRiskParams(params).map((e) => e.field);

describe("RiskParams: defaults and validation", () => {
  it("the defaults are valid", () => {
    expect(validateRiskParams(DEFAULT_RISK_PARAMS)).toEqual([]);
  });

  it("a market overrides only what it sets", () => {
    const params = withDefaults({ maxLeverage: "3", hazardWindowSeconds: 3600 });
    expect(params.maxLeverage).toBe("3");
    expect(params.hazardWindowSeconds).toBe(3600);
    expect(params.priceBand).toBe(DEFAULT_RISK_PARAMS.priceBand);
  });

  it.each([
    { name: "leverage below 1", override: { maxLeverage: "0.5" }, field: "maxLeverage" },
    { name: "not a decimal string", override: { priceBand: "1e-1" }, field: "priceBand" },
    { name: "more than 6 dp", override: { priceBand: "0.1000001" }, field: "priceBand" },
    { name: "band of 0", override: { priceBand: "0" }, field: "priceBand" },
    { name: "negative window", override: { hazardWindowSeconds: -1 }, field: "hazardWindowSeconds" },
    { name: "fractional seconds", override: { graceWindowSeconds: 1.5 }, field: "graceWindowSeconds" },
    {
      name: "zero accrual interval",
      override: { accrualIntervalSeconds: 0 },
      field: "accrualIntervalSeconds",
    },
    { name: "insurance cut of 1", override: { insuranceCut: "1" }, field: "insuranceCut" },
    { name: "buffer of 1", override: { utilizationBuffer: "1" }, field: "utilizationBuffer" },
    // 5x needs a maintenance fraction below 1/5, or a new 5x position starts below maintenance
    {
      name: "maintenance ≥ 1 / maxLeverage",
      override: { maintenanceMarginFraction: "0.2" },
      field: "maintenanceMarginFraction",
    },
    // the kink must sit below the lending limit 0.9
    { name: "kink at the lending limit", override: { utilizationKink: "0.9" }, field: "utilizationKink" },
  ] as const)("refuses $name", ({ override, field }) => {
    expect(fieldsWithErrors(withDefaults(override as Partial<RiskParams>))).toEqual([field]);
  });

  it("reports every error, not just the first", () => {
    const broken = withDefaults({ maxLeverage: "x", priceBand: "2", auctionDurationSeconds: 0 });
    expect(fieldsWithErrors(broken)).toEqual(["maxLeverage", "priceBand", "auctionDurationSeconds"]);
  });

  it("checks shapes at run time (input from the wire)", () => {
    const wire = { ...DEFAULT_RISK_PARAMS, maxLeverage: 5 } as unknown as RiskParams;
    expect(fieldsWithErrors(wire)).toEqual(["maxLeverage"]);
  });
});
