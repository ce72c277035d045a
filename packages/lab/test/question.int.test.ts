// The fair-fee question on a small version of the fair-fee scenario: the bisection's shape, not its precision.
import { describe, expect, it } from "vitest";
import { loadScenario } from "../src/index.js";
import { run } from "./fixtures.js";

describe("fair-fee question", () => {
  it("bisects the jump-intensity multiplier for the LPs' break-even and estimates the excess return there", async () => {
    const base = loadScenario("fair-fee");
    const scenario = {
      ...base,
      seeds: 1,
      policies: ["default"],
      path: { ...base.path, days: 4 },
      population: { ...base.population, traders: 30 },
      question: { policy: "default", bracket: [0, 16] as const, iterations: 2, seeds: 3 },
    };
    const report = await run(scenario, { question: true });
    const q = report.question!;
    expect(q.evaluations.map((e) => e.multiplier).slice(0, 2)).toEqual(["0", "16"]);
    expect(q.evaluations.length).toBeGreaterThanOrEqual(2);
    expect(q.atPolicyFee.multiplier).toBe("1");
    expect(q.atPolicyFee.jumpIntensityPerDay).toBe("0.05");
    // A higher fee leaves the LPs better off on the same paths (common random numbers).
    const [atZero, atSixteen] = q.evaluations;
    expect(Number(atSixteen!.lpPnl.mean)).toBeGreaterThan(Number(atZero!.lpPnl.mean));
    const k = Number(q.breakEven.multiplier);
    expect(k).toBeGreaterThanOrEqual(0);
    expect(k).toBeLessThanOrEqual(16);
    expect(q.breakEven.excessReturn.n).toBe(3);
    expect(q.answer.length).toBeGreaterThan(0);
    expect(report.checks.violations).toBe(0);
  });
});
