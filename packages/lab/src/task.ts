// One unit of work for the pool: a scenario's run under one policy and one seed (the path and the population are
// drawn here, from the seed, so a worker needs nothing else).
import type { CheckMode } from "./exchange.js";
import type { PricePath } from "./paths.js";
import type { Policy } from "./policy.js";
import { drawTraders } from "./population.js";
import { type PathSpec, pathOf, type ScenarioSpec } from "./scenario.js";
import { type RunResult, simulateRun } from "./simulate.js";

export interface RunTask {
  readonly scenario: ScenarioSpec;
  readonly policy: Policy;
  readonly seed: number;
  readonly series: boolean;
  readonly checkMode: CheckMode;
  /** Where a path file named by the scenario is looked up. */
  readonly cwd: string;
}

// Paths that do not depend on the seed (CSV windows, files) are read once per process.
const fixedPaths = new Map<string, PricePath>();

export function pathFor(spec: PathSpec, seed: number, cwd: string): PricePath {
  if (spec.kind === "synthetic") return pathOf(spec, seed, cwd);
  const key = `${cwd}\n${JSON.stringify(spec)}`;
  let path = fixedPaths.get(key);
  if (!path) {
    path = pathOf(spec, seed, cwd);
    fixedPaths.set(key, path);
  }
  return path;
}

export function runTask(task: RunTask): RunResult {
  const path = pathFor(task.scenario.path, task.seed, task.cwd);
  return simulateRun({
    scenario: task.scenario,
    policy: task.policy,
    seed: task.seed,
    path,
    traders: drawTraders(task.scenario.population, path, task.seed),
    checkMode: task.checkMode,
    series: task.series,
  });
}
