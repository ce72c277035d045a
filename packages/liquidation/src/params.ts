// RiskParams: a market's credit-layer parameters (wire form: decimal strings and integer seconds), defaults, validation.
import { Decimal, isDecimalString } from "./decimal.js";

/**
 * Per-market risk parameters, as stored in events and accepted at market creation. Decimal fields are
 * plain decimal strings with at most 6 decimal places; durations are integer seconds. "Per day" rates
 * are fractions per 86 400 s.
 */
export interface RiskParams {
  /** The leverage cap far from resolution, at mid prices, with an idle pool ("5" = 5x). */
  readonly maxLeverage: string;
  /** Inside this many seconds before `resolvesAt` (and after it) the cap is 1x: no new borrowing. */
  readonly hazardWindowSeconds: number;
  /** Over this many seconds before the hazard window the cap ramps linearly from 1x up to `maxLeverage` (0 = step). */
  readonly leverageRampSeconds: number;
  /** The largest mark move handled by continuous matching; a larger one starts a call auction. Also the liquidation sale band. */
  readonly priceBand: string;
  /** Maintenance requirement as a fraction of position value (shares × outcome mark). Must be < 1 / maxLeverage. */
  readonly maintenanceMarginFraction: string;
  /** Extremity rule: a position at the cap must survive an adverse move of this size (outcome price units) without bankruptcy. */
  readonly extremityMove: string;
  /** Lending stops at pool assets × (1 − buffer): the pool always keeps this fraction in cash. */
  readonly utilizationBuffer: string;
  /** Above this utilization the cap falls linearly, reaching 1x at 1 − utilizationBuffer. */
  readonly utilizationKink: string;
  /** Jump model: expected number of adverse jumps per day against a holder of either outcome (Poisson intensity λ). */
  readonly jumpIntensityPerDay: string;
  /** Jump model: the size of an adverse jump, in outcome price units (0.2 = the holder's price falls by 0.20). */
  readonly adverseJumpSize: string;
  /** Utilization charge: fraction of the loan per day at zero utilization; doubles linearly up to the lending limit. */
  readonly utilizationChargePerDay: string;
  /** The jump-risk fee is charged once per accrual interval, in advance. */
  readonly accrualIntervalSeconds: number;
  /** The fraction of every jump-risk fee that goes to the market's insurance fund (the rest to the pool). */
  readonly insuranceCut: string;
  /** Liquidation penalty as a fraction of liquidation proceeds, paid to the market's insurance fund from what is left after the loan. */
  readonly liquidationPenalty: string;
  /** Equity below this fraction of the maintenance requirement is "near zero": liquidation at once, no grace. */
  readonly nearZeroEquityFraction: string;
  /** How long a margin call lasts before the position is liquidated. */
  readonly graceWindowSeconds: number;
  /** How long a call auction collects orders before it uncrosses. */
  readonly auctionDurationSeconds: number;
}

/** The defaults used for any parameter a market does not set. */
export const DEFAULT_RISK_PARAMS: RiskParams = {
  maxLeverage: "5",
  hazardWindowSeconds: 86_400,
  leverageRampSeconds: 604_800,
  priceBand: "0.1",
  maintenanceMarginFraction: "0.05",
  extremityMove: "0.1",
  utilizationBuffer: "0.1",
  utilizationKink: "0.5",
  jumpIntensityPerDay: "0.05",
  adverseJumpSize: "0.2",
  utilizationChargePerDay: "0.0003",
  accrualIntervalSeconds: 3_600,
  insuranceCut: "0.2",
  liquidationPenalty: "0.01",
  nearZeroEquityFraction: "0.2",
  graceWindowSeconds: 600,
  auctionDurationSeconds: 300,
};

// A market's parameters are the defaults overridden by whatever it sets.
export function withDefaults(overrides: Partial<RiskParams>): RiskParams {
  return { ...DEFAULT_RISK_PARAMS, ...overrides };
}

/** One problem with one field. */
export interface RiskParamsError {
  readonly field: keyof RiskParams;
  readonly message: string;
}

type DecimalField = {
  [K in keyof RiskParams]: RiskParams[K] extends string ? K : never;
}[keyof RiskParams];
type IntegerField = {
  [K in keyof RiskParams]: RiskParams[K] extends number ? K : never;
}[keyof RiskParams];

/** Range of a decimal field: lower and upper bound, each inclusive or not. */
interface Range {
  readonly min: string;
  readonly minInclusive: boolean;
  readonly max: string | null;
  readonly maxInclusive: boolean;
}
// [min, max): the lower bound allowed, the upper not.
const closedOpen = (min: string, max: string | null): Range => ({
  min,
  minInclusive: true,
  max,
  maxInclusive: false,
});
// (min, max): neither bound allowed.
const open = (min: string, max: string | null): Range => ({
  min,
  minInclusive: false,
  max,
  maxInclusive: false,
});

const DECIMAL_RANGES: Readonly<Record<DecimalField, Range>> = {
  maxLeverage: { min: "1", minInclusive: true, max: "100", maxInclusive: true },
  priceBand: open("0", "1"),
  maintenanceMarginFraction: open("0", "1"),
  extremityMove: open("0", "1"),
  utilizationBuffer: closedOpen("0", "1"),
  utilizationKink: closedOpen("0", "1"),
  jumpIntensityPerDay: closedOpen("0", null),
  adverseJumpSize: { min: "0", minInclusive: false, max: "1", maxInclusive: true },
  utilizationChargePerDay: closedOpen("0", null),
  insuranceCut: closedOpen("0", "1"),
  liquidationPenalty: closedOpen("0", "1"),
  nearZeroEquityFraction: { min: "0", minInclusive: true, max: "1", maxInclusive: true },
};

/** Minimum of each integer field (all are whole seconds). */
const INTEGER_MINIMUMS: Readonly<Record<IntegerField, number>> = {
  hazardWindowSeconds: 0,
  leverageRampSeconds: 0,
  accrualIntervalSeconds: 1,
  graceWindowSeconds: 0,
  auctionDurationSeconds: 1,
};

// A value is in range when it clears the lower bound and (if any) the upper bound, each inclusive or not.
function inRange(value: Decimal, range: Range): boolean {
  const aboveMin = range.minInclusive ? value.gte(range.min) : value.gt(range.min);
  if (!aboveMin) return false;
  if (range.max === null) return true;
  return range.maxInclusive ? value.lte(range.max) : value.lt(range.max);
}

// Interval notation for error messages: "[0, 1)", "(0, ∞)".
function describe(range: Range): string {
  const lower = `${range.minInclusive ? "[" : "("}${range.min}`;
  const upper = range.max === null ? "∞)" : `${range.max}${range.maxInclusive ? "]" : ")"}`;
  return `${lower}, ${upper}`;
}

// Valid when every field has the right shape and range, and the cross-field rules hold; returns every error found.
export function validateRiskParams(params: RiskParams): readonly RiskParamsError[] {
  const errors: RiskParamsError[] = [];
  const parsed: Partial<Record<DecimalField, Decimal>> = {};
  for (const field of Object.keys(DECIMAL_RANGES) as DecimalField[]) {
    const text: unknown = params[field];
    if (typeof text !== "string" || !isDecimalString(text)) {
      errors.push({ field, message: "must be a plain decimal string" });
      continue;
    }
    const value = new Decimal(text);
    if (value.decimalPlaces() > 6) {
      errors.push({ field, message: "must have at most 6 decimal places" });
      continue;
    }
    const range = DECIMAL_RANGES[field];
    if (!inRange(value, range)) {
      errors.push({ field, message: `must be in ${describe(range)}` });
      continue;
    }
    parsed[field] = value;
  }
  for (const field of Object.keys(INTEGER_MINIMUMS) as IntegerField[]) {
    const value: unknown = params[field];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < INTEGER_MINIMUMS[field]) {
      errors.push({ field, message: `must be an integer ≥ ${INTEGER_MINIMUMS[field]}` });
    }
  }
  const { maxLeverage, maintenanceMarginFraction, utilizationBuffer, utilizationKink } = parsed;
  if (maxLeverage !== undefined && maintenanceMarginFraction !== undefined) {
    if (maintenanceMarginFraction.mul(maxLeverage).gte(1)) {
      errors.push({
        field: "maintenanceMarginFraction",
        message: "must be below 1 / maxLeverage, or a position opened at the cap starts below maintenance",
      });
    }
  }
  if (utilizationBuffer !== undefined && utilizationKink !== undefined) {
    if (utilizationKink.gte(new Decimal(1).minus(utilizationBuffer))) {
      errors.push({
        field: "utilizationKink",
        message: "must be below the lending limit 1 − utilizationBuffer",
      });
    }
  }
  return errors;
}
