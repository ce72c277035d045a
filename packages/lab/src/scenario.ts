// Scenarios: a price path, a market, a population and seeds, kept as JSON files (packages/lab/scenarios/NAME.json).
import { readdirSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { labDir } from "./files.js";
import { type PricePath, pathFromFile, polymarketPath, type SyntheticSpec, syntheticPath } from "./paths.js";
import { deriveSeed, mulberry32 } from "./prng.js";

export type PathSpec =
  | {
      readonly kind: "polymarket";
      /** The CSV, relative to packages/lab/paths/ (default: the 2024 US presidential election file). */
      readonly file?: string;
      readonly candidate: string;
      readonly from?: string;
      readonly to?: string;
      readonly resolution?: "YES" | "NO" | "auto";
      readonly resolveAt?: string;
    }
  | ({ readonly kind: "synthetic" } & SyntheticSpec)
  | { readonly kind: "file"; readonly file: string; readonly resolution?: "YES" | "NO" };

/** Market makers rest a ladder of bids and asks around every new mark (one account per side: no self-trade). */
export interface MarketMakerSpec {
  /** Distance of the first level from the mark (price units). */
  readonly halfSpread: string;
  /** Distance between levels. */
  readonly levelStep: string;
  readonly levels: number;
  /** Shares at the first level; level k (from 0) rests (k + 1) × this. */
  readonly sharesPerLevel: number;
  /** Cash each market maker deposits. */
  readonly cash: string;
}

export interface PopulationSpec {
  /** Traders arriving over the path (uniformly in time), one position each. */
  readonly traders: number;
  /** More traders arriving uniformly inside a window (an election night's crowd), drawn after the others. */
  readonly bursts?: readonly { readonly from: string; readonly to: string; readonly traders: number }[];
  /** Leverage each trader asks for (capped by the market's current maximum), with weights. */
  readonly leverageMix: readonly { readonly leverage: string; readonly weight: number }[];
  /** Probability that a trader buys YES (else NO). */
  readonly yesShare: number;
  /** Each trader's own money (its margin): lognormal with this median and log-σ, in collateral units. */
  readonly marginMedian: number;
  readonly marginSigma: number;
  /** How long a trader means to hold (exponential, hours); it holds to resolution if that comes first. */
  readonly holdingHoursMean: number;
  /** A leveraged trader closes early once an hourly jump-risk fee exceeds this fraction of its loan. */
  readonly maxFeeRatePerHour: string;
  /** IOC limits: entry at the outcome mark + this, exit at the mark − this (price units). */
  readonly entrySlippage: string;
  readonly exitSlippage: string;
  /** Each liquidity provider's supply to the market's pool. */
  readonly liquidityProviders: readonly string[];
  readonly marketMakers: MarketMakerSpec;
}

/** The fair-fee question: bisection over a multiplier of the policy's jump intensity until LPs break even. */
export interface QuestionSpec {
  readonly policy: string;
  /** The bracket searched: [low, high] multipliers of jumpIntensityPerDay. */
  readonly bracket: readonly [number, number];
  /** Bisection steps after the two ends (so "a few values": 2 + iterations runs of all seeds). */
  readonly iterations: number;
  readonly seeds: number;
}

export interface ScenarioSpec {
  readonly name: string;
  readonly description: string;
  readonly path: PathSpec;
  /** The market's listed expected resolution (`resolvesAt`); default: when the path resolves. */
  readonly resolvesAt?: string;
  readonly seed: number;
  /** Runs per policy (populations, and synthetic paths, drawn from seed, seed + 1, ...). */
  readonly seeds: number;
  readonly policies: readonly string[];
  readonly market: { readonly tickSize: "0.01" | "0.001" | "0.0001"; readonly takerFeeBps: number };
  readonly funds: { readonly marketInsurance: string; readonly sharedInsurance: string };
  readonly population: PopulationSpec;
  readonly question?: QuestionSpec;
}

export const scenariosDir = (): string => labDir("scenarios");

export function scenarioNames(dir: string = scenariosDir()): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length))
    .sort();
}

/** A scenario by name (packages/lab/scenarios/NAME.json) or by path to a JSON file. */
export function loadScenario(nameOrPath: string, dir: string = scenariosDir()): ScenarioSpec {
  const file = nameOrPath.endsWith(".json") ? nameOrPath : join(dir, `${nameOrPath}.json`);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new Error(`no scenario ${JSON.stringify(nameOrPath)}; scenarios: ${scenarioNames(dir).join(", ")}`);
  }
  return checkScenario(JSON.parse(text) as unknown, file);
}

/** The fields a run needs, with their kinds: a scenario file that lacks one is refused by name, not halfway through. */
export function checkScenario(raw: unknown, where = "scenario"): ScenarioSpec {
  const s = raw as Partial<ScenarioSpec> & { population?: Partial<PopulationSpec> };
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  need(typeof s === "object" && s !== null, "a JSON object");
  if (problems.length === 0) {
    need(typeof s.name === "string", '"name": a string');
    need(
      typeof s.path === "object" && s.path !== null && typeof s.path.kind === "string",
      '"path" with a "kind"',
    );
    need(Number.isSafeInteger(s.seed), '"seed": an integer');
    need(Number.isSafeInteger(s.seeds) && (s.seeds ?? 0) >= 1, '"seeds": an integer ≥ 1');
    need(Array.isArray(s.policies) && s.policies.length > 0, '"policies": a non-empty list');
    need(
      ["0.01", "0.001", "0.0001"].includes(s.market?.tickSize ?? ""),
      '"market.tickSize": "0.01", "0.001" or "0.0001"',
    );
    need(
      typeof s.funds?.marketInsurance === "string" && typeof s.funds?.sharedInsurance === "string",
      '"funds" with decimal strings',
    );
    const p = s.population;
    need(typeof p === "object" && p !== null, '"population"');
    if (p) {
      need(Number.isSafeInteger(p.traders), '"population.traders": an integer');
      need(
        Array.isArray(p.leverageMix) && p.leverageMix.length > 0,
        '"population.leverageMix": a non-empty list',
      );
      need(Array.isArray(p.liquidityProviders), '"population.liquidityProviders": a list of amounts');
      need(typeof p.marketMakers === "object" && p.marketMakers !== null, '"population.marketMakers"');
    }
  }
  if (problems.length > 0) throw new Error(`${where}: needs ${problems.join("; ")}`);
  return s as ScenarioSpec;
}

/** The price path of one run: fixed for CSV and file paths, drawn from the run's seed for synthetic ones. */
export function pathOf(spec: PathSpec, seed: number, cwd: string = process.cwd()): PricePath {
  switch (spec.kind) {
    case "polymarket": {
      const file = spec.file ?? "polymarket-2024-us-president-hourly.csv";
      const where = isAbsolute(file) ? file : join(labDir("paths"), file);
      return polymarketPath(readFileSync(where, "utf8"), spec);
    }
    case "synthetic":
      return syntheticPath(mulberry32(deriveSeed(seed, "path")), spec);
    case "file":
      return pathFromFile(readFileSync(resolve(cwd, spec.file), "utf8"), {
        ...(spec.resolution ? { resolution: spec.resolution } : {}),
      });
    default:
      throw new Error(`unknown path kind ${JSON.stringify((spec as { kind: unknown }).kind)}`);
  }
}
