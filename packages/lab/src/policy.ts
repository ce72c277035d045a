// Risk policies: named sets of a market's risk parameters, kept as JSON files (packages/lab/policies/NAME.json), and
// checked by the same validator the decider uses when a market is listed.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RiskParams } from "@pmx/liquidation";
import { Decimal } from "decimal.js";
import { labDir } from "./files.js";

export interface Policy {
  readonly name: string;
  readonly description: string;
  /** Overrides of the pmx defaults (wire form: decimal strings and whole seconds). */
  readonly params: Partial<RiskParams.RiskParams>;
  /** Where the policy could not be expressed exactly, and what it uses instead (the validator's limits). */
  readonly deviations: readonly string[];
}

export const policiesDir = (): string => labDir("policies");

/** Every policy file's name, sorted. */
export function policyNames(dir: string = policiesDir()): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length))
    .sort();
}

/** A policy by name (a file of the policies folder) or by path to a JSON file; refused when the validator refuses it. */
export function loadPolicy(nameOrPath: string, dir: string = policiesDir()): Policy {
  const file = nameOrPath.endsWith(".json") ? nameOrPath : join(dir, `${nameOrPath}.json`);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new Error(`no policy ${JSON.stringify(nameOrPath)}; policies: ${policyNames(dir).join(", ")}`);
  }
  return parsePolicy(JSON.parse(text) as unknown, file);
}

export function parsePolicy(raw: unknown, where = "policy"): Policy {
  const p = raw as Partial<Policy>;
  if (typeof p !== "object" || p === null || typeof p.name !== "string" || typeof p.params !== "object")
    throw new Error(`${where}: a policy has a "name" and "params"`);
  const policy: Policy = {
    name: p.name,
    description: typeof p.description === "string" ? p.description : "",
    params: p.params ?? {},
    deviations: Array.isArray(p.deviations) ? p.deviations : [],
  };
  const problems = RiskParams.validateRiskParams(riskParamsOf(policy));
  if (problems.length > 0)
    throw new Error(`${where}: ${problems.map((e) => `${e.field}: ${e.message}`).join("; ")}`);
  return policy;
}

/** The full parameter set a market listed under the policy gets. */
export const riskParamsOf = (policy: Policy): RiskParams.RiskParams => RiskParams.withDefaults(policy.params);

/** The policy with its jump intensity multiplied by `k` (the fee level the fair-fee question searches over). */
export function withJumpMultiplier(policy: Policy, k: string): Policy {
  const base = riskParamsOf(policy);
  const lambda = new Decimal(base.jumpIntensityPerDay).mul(k).toDecimalPlaces(6).toFixed();
  return {
    ...policy,
    name: `${policy.name}×${k}`,
    params: { ...policy.params, jumpIntensityPerDay: lambda },
  };
}
