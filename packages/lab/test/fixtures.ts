// Scenarios for the lab's tests: the real election path and the shipped scenarios, made smaller where a test needs
// many runs (fewer seeds, a shorter window, fewer traders), never changed in kind.
import { type LabOptions, type LabReport, loadScenario, runLab, type ScenarioSpec } from "../src/index.js";

export const options = (overrides: Partial<LabOptions> = {}): LabOptions => ({
  workers: 1,
  checkMode: "money",
  cwd: process.cwd(),
  question: false,
  ...overrides,
});

/** election-2024 from `from` through election night, with `seeds` seeds and the population scaled by `scale`. */
export function electionNight(from: string, seeds: number, scale = 1): ScenarioSpec {
  const base = loadScenario("election-2024");
  if (base.path.kind !== "polymarket") throw new Error("election-2024 is a Polymarket path");
  return {
    ...base,
    path: { ...base.path, from },
    seeds,
    population: {
      ...base.population,
      traders: Math.round(base.population.traders * scale),
      bursts: (base.population.bursts ?? []).map((b) => ({ ...b, traders: Math.round(b.traders * scale) })),
    },
  };
}

export const run = (scenario: ScenarioSpec, overrides: Partial<LabOptions> = {}): Promise<LabReport> =>
  runLab(scenario, options(overrides));

export const policyOf = (report: LabReport, name: string) => {
  const p = report.policies.find((x) => x.policy === name);
  if (!p) throw new Error(`no policy ${name} in the report`);
  return p;
};
