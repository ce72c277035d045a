// The shipped jumps-1000 scenario parses and asks for what the "Done when" needs: at least 1,000 synthetic
// jump paths under perp20x, default and 1x. Cheap: nothing is run through the decider here.
import { describe, expect, it } from "vitest";
import { loadPolicy, loadScenario, pathOf, scenarioNames } from "../src/index.js";

describe("the jumps-1000 scenario", () => {
  const scenario = loadScenario("jumps-1000");

  it("is shipped, parses, and has at least 1,000 seeds under perp20x, default and 1x", () => {
    expect(scenarioNames()).toContain("jumps-1000");
    expect(scenario.name).toBe("jumps-1000");
    expect(scenario.description.length).toBeGreaterThan(0);
    expect(scenario.seeds).toBeGreaterThanOrEqual(1000);
    expect(scenario.policies).toEqual(expect.arrayContaining(["perp20x", "default", "1x"]));
    for (const name of scenario.policies) expect(loadPolicy(name).name).toBe(name);
    expect(scenario.question).toBeUndefined();
  });

  it("draws synthetic jump paths: meaningful jumps, then the final jump to 0 or 1 at resolution", () => {
    const spec = scenario.path;
    if (spec.kind !== "synthetic") throw new Error(`expected a synthetic path, got ${spec.kind}`);
    expect(spec.jumpSize).toBeGreaterThanOrEqual(0.15);
    expect(spec.jumpsPerDay).toBeGreaterThanOrEqual(0.25);
    const a = pathOf(spec, scenario.seed);
    const b = pathOf(spec, scenario.seed + 1);
    expect(a.points.length).toBe((spec.days * 24 * 60) / spec.stepMinutes + 1);
    expect(["YES", "NO"]).toContain(a.resolution);
    expect(b.points.map((p) => p.price)).not.toEqual(a.points.map((p) => p.price));
  });

  it("keeps the population of the comparison: both sides, 10x and 20x asks, market makers, LPs, seeded insurance", () => {
    const p = scenario.population;
    expect(p.yesShare).toBeGreaterThan(0);
    expect(p.yesShare).toBeLessThan(1);
    const asks = p.leverageMix.map((m) => Number(m.leverage));
    expect(asks).toEqual(expect.arrayContaining([1, 10, 20]));
    expect(p.marketMakers.levels).toBeGreaterThan(0);
    expect(p.liquidityProviders.length).toBeGreaterThan(0);
    const insurance = Number(scenario.funds.marketInsurance) + Number(scenario.funds.sharedInsurance);
    expect(insurance).toBeGreaterThan(0);
  });
});
