// The lab on the real election path, through the real decider: solvency after every event, winners paid in full,
// and the direction the lab exists to show (a perp-style policy leaves more bad debt than the pmx defaults).
import { beforeAll, describe, expect, it } from "vitest";
import { type LabReport, loadScenario, money2 } from "../src/index.js";
import { electionNight, policyOf, run } from "./fixtures.js";

describe("election-2024 under perp20x, default and 1x (3 seeds of the shipped scenario)", () => {
  let report: LabReport;
  beforeAll(async () => {
    report = await run({ ...loadScenario("election-2024"), seeds: 3 });
  });

  it("checks the solvency identity and no negative balance after every event of every run, and finds no violation", () => {
    expect(report.checks.runs).toBe(9);
    expect(report.checks.events).toBeGreaterThan(100_000);
    expect(report.checks.checkedEvents).toBe(report.checks.events);
    expect(report.checks.violations).toBe(0);
    for (const p of report.policies) {
      expect(p.checks.checkedEvents).toBe(p.checks.events);
      expect(p.checks.violations).toBe(0);
    }
  });

  it("pays winners in full under every policy: the winners' haircut is 0", () => {
    for (const p of report.policies) {
      expect(p.winnersHaircut).toBe("0");
      for (const r of p.runs) expect(r.winnersHaircut).toBe("0");
    }
  });

  it("perp20x leaves more bad debt than the default policy on the election path", () => {
    const perp = policyOf(report, "perp20x");
    const def = policyOf(report, "default");
    console.log(
      `bad debt per run: perp20x ${money2(perp.badDebt.mean)} (runs ${perp.runs.map((r) => r.badDebt).join(", ")}), ` +
        `default ${money2(def.badDebt.mean)} (runs ${def.runs.map((r) => r.badDebt).join(", ")}); ` +
        `LP P&L: perp20x ${money2(perp.lpPnl.mean, true)}, default ${money2(def.lpPnl.mean, true)}`,
    );
    expect(Number(perp.badDebt.mean)).toBeGreaterThan(Number(def.badDebt.mean));
    for (let i = 0; i < perp.runs.length; i++)
      expect(Number(perp.runs[i]!.badDebt)).toBeGreaterThan(Number(def.runs[i]!.badDebt));
    expect(Number(perp.lpPnl.mean)).toBeLessThan(Number(def.lpPnl.mean));
  });

  it("1x lends nothing: no loan, no fee, no liquidation, no bad debt, LPs flat", () => {
    const one = policyOf(report, "1x");
    expect(one.returns).toBeNull();
    for (const r of one.runs) {
      expect(r).toMatchObject({ badDebt: "0", feesCharged: "0", liquidations: 0, lpPnl: "0", leveraged: 0 });
    }
  });

  it("reports every measure per policy: liquidations, bankruptcies, insurance used, deleverage calls, returns, series", () => {
    const perp = policyOf(report, "perp20x");
    expect(Number(perp.liquidations.mean)).toBeGreaterThan(0);
    expect(Number(perp.liquidationsBankrupt.mean)).toBeGreaterThan(0);
    expect(Number(perp.insuranceUsed.mean)).toBeGreaterThan(0);
    expect(perp.returns?.traders).toBeGreaterThan(0);
    const def = policyOf(report, "default");
    expect(Number(def.feesCharged.mean)).toBeGreaterThan(0);
    // The default calls loans before the hazard window (scheduled deleveraging): every run has some.
    for (const r of def.runs) expect(r.deleverageCalls).toBeGreaterThan(0);
    // The default cap never exceeds 5x and is 1x inside the hazard window; perp20x sits at 20x.
    expect(Math.max(...def.series.maxLeverage.map(Number))).toBeLessThanOrEqual(5);
    const resolvesAt = Date.parse(report.path.resolvesAt);
    def.series.atMs.forEach((t, k) => {
      if (t >= resolvesAt - 86_400_000 && t < resolvesAt) expect(def.series.maxLeverage[k]).toBe("1");
    });
    expect(perp.series.maxLeverage.slice(0, -1).every((x) => x === "20")).toBe(true);
    for (const p of report.policies) {
      expect(p.series.atMs.length).toBe(report.path.points + 1);
      expect(p.series.utilization.every((u) => Number(u) >= 0 && Number(u) <= 1)).toBe(true);
    }
  });
});

describe("determinism", () => {
  it("the same seed gives byte-identical JSON; another seed gives another report", async () => {
    const scenario = electionNight("2024-11-03T00:00:00Z", 2, 0.5);
    const a = JSON.stringify(await run(scenario));
    const b = JSON.stringify(await run(scenario));
    expect(b).toBe(a);
    const c = JSON.stringify(await run({ ...scenario, seed: scenario.seed + 100 }));
    expect(c).not.toBe(a);
  });
});

describe("invariantViolations after every event (full check mode)", () => {
  it("holds for every event of a run under each policy, orders and books included after every command", async () => {
    const report = await run(electionNight("2024-11-04T00:00:00Z", 1, 0.5), { checkMode: "full" });
    expect(report.checks.mode).toBe("full");
    expect(report.checks.checkedEvents).toBe(report.checks.events);
    expect(report.checks.examples).toEqual([]);
    expect(report.checks.violations).toBe(0);
  });
});
