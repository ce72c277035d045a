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
  // Second design (issue 11): each has a default, so markets listed before it take the defaults.
  /** An operator/oracle mark older than this no longer leads the risk mark (the market's own sources take over). */
  readonly markStalenessSeconds: number;
  /** The book's mid is a mark source only while best ask − best bid ≤ this (YES price units). */
  readonly markMaxSpread: string;
  /** Depth at the best bid and ask, and traded volume in the window, needed for the book and trades to be sources (shares). */
  readonly markMinVolume: number;
  /** The risk mark moves at most `priceBand` from its value at the start of each interval of this length; trades are weighted over it. */
  readonly markIntervalSeconds: number;
  /** A position is liquidated only after its equity stayed below maintenance at the risk mark this long. */
  readonly liquidationDelaySeconds: number;
  /** A collected fee raises lenders' share value linearly over this long (parking around a collection earns nothing). */
  readonly feeVestingSeconds: number;
  /** A position above the cap of the moment (time or extremity) is called; it has this long to reduce or add margin. */
  readonly deleverageGraceSeconds: number;
  /** A backstop takes a position at no less than the robust outcome mark × (1 − this). */
  readonly backstopDiscount: string;
  /** One account may owe the market's pool at most this fraction of the pool's assets. */
  readonly maxAccountLoanFraction: string;
  /** All borrowers of the market together may owe at most this much (collateral units). */
  readonly maxMarketLoan: string;
  /** The markets defaulting at one tick share the shared fund pro rata; one market draws at most this fraction of it per tick. */
  readonly sharedFundMarketCap: string;
  // Resolution with a challenge window (issue 15): optional, so listings before it (and their logs) stay as they were.
  /** A resolution without its own `challengeSeconds` is a proposal, final after this many seconds (0 = final at once). */
  readonly challengeWindowSeconds?: number;
  /** The smallest bond a challenge of a proposed outcome reserves (collateral units). */
  readonly challengeBond?: string;
}

/** The market's challenge window when it does not set one: 0, the resolution is final at once. */
export const DEFAULT_CHALLENGE_WINDOW_SECONDS = 0;
/** The market's smallest challenge bond when it does not set one. */
export const DEFAULT_CHALLENGE_BOND = "100";

/** The challenge window of a market's parameters (seconds), its default when unset. */
export const challengeWindowSecondsOf = (params: RiskParams): number =>
  params.challengeWindowSeconds ?? DEFAULT_CHALLENGE_WINDOW_SECONDS;
/** The smallest challenge bond of a market's parameters, its default when unset. */
export const challengeBondOf = (params: RiskParams): string => params.challengeBond ?? DEFAULT_CHALLENGE_BOND;

/** The defaults used for any parameter a market does not set. */
export const DEFAULT_RISK_PARAMS: RiskParams = {
  maxLeverage: "5",
  hazardWindowSeconds: 86_400,
  leverageRampSeconds: 604_800,
  priceBand: "0.1",
  maintenanceMarginFraction: "0.05",
  extremityMove: "0.2",
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
  markStalenessSeconds: 3_600,
  markMaxSpread: "0.05",
  markMinVolume: 10,
  markIntervalSeconds: 300,
  liquidationDelaySeconds: 300,
  feeVestingSeconds: 86_400,
  deleverageGraceSeconds: 3_600,
  backstopDiscount: "0.05",
  maxAccountLoanFraction: "0.25",
  maxMarketLoan: "1000000",
  sharedFundMarketCap: "0.25",
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
  [K in keyof RiskParams]-?: RiskParams[K] extends string ? K : never;
}[keyof RiskParams];
type IntegerField = {
  [K in keyof RiskParams]-?: RiskParams[K] extends number ? K : never;
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
  markMaxSpread: { min: "0", minInclusive: false, max: "1", maxInclusive: true },
  backstopDiscount: closedOpen("0", "1"),
  maxAccountLoanFraction: { min: "0", minInclusive: false, max: "1", maxInclusive: true },
  maxMarketLoan: closedOpen("0", null),
  sharedFundMarketCap: { min: "0", minInclusive: false, max: "1", maxInclusive: true },
};

/** Minimum of each integer field (all are whole seconds). */
const INTEGER_MINIMUMS: Readonly<Record<IntegerField, number>> = {
  hazardWindowSeconds: 0,
  leverageRampSeconds: 0,
  accrualIntervalSeconds: 1,
  graceWindowSeconds: 0,
  auctionDurationSeconds: 1,
  markStalenessSeconds: 1,
  markMinVolume: 0,
  markIntervalSeconds: 1,
  liquidationDelaySeconds: 0,
  feeVestingSeconds: 0,
  deleverageGraceSeconds: 0,
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
  if (params.challengeWindowSeconds !== undefined) {
    const value: unknown = params.challengeWindowSeconds;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
      errors.push({ field: "challengeWindowSeconds", message: "must be an integer ≥ 0" });
  }
  if (params.challengeBond !== undefined) {
    const text: unknown = params.challengeBond;
    if (typeof text !== "string" || !isDecimalString(text) || new Decimal(text).decimalPlaces() > 6)
      errors.push({
        field: "challengeBond",
        message: "must be a plain decimal string with at most 6 places",
      });
    else if (new Decimal(text).lte(0)) errors.push({ field: "challengeBond", message: "must be in (0, ∞)" });
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
