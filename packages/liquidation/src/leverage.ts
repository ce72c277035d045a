// Leverage: a market's current maximum leverage (time × extremity × utilization limits) and the pool's lending capacity.
import { Decimal, floor2, floor6, max, min, nonNegative, ONE, ZERO } from "./decimal.js";
import type { RiskParams } from "./params.js";

/** What the leverage cap depends on. Times are milliseconds since the Unix epoch. */
export interface LeverageInputs {
  readonly nowMs: number;
  /** The market's expected resolution time. */
  readonly resolvesAtMs: number;
  /** The market's YES mark price, in (0, 1). */
  readonly markPrice: Decimal;
  /** Pool assets: cash plus amounts lent out (the pool's total claim), ≥ 0. */
  readonly poolAssets: Decimal;
  /** The part of the assets currently lent to borrowers, ≥ 0. */
  readonly poolLent: Decimal;
}

/** Each limit separately (unrounded, each in [1, maxLeverage]) and the market's cap (rounded down to 2 dp). */
export interface LeverageCaps {
  readonly time: Decimal;
  readonly extremity: Decimal;
  readonly utilization: Decimal;
  readonly max: Decimal;
}

// Clamp a leverage into [1, cap].
function clampLeverage(value: Decimal, cap: Decimal): Decimal {
  return max(ONE, min(cap, value));
}

// Utilization = lent / assets, 1 when the pool has no assets (nothing can be lent).
export function utilization(poolAssets: Decimal, poolLent: Decimal): Decimal {
  if (poolAssets.lte(0)) return ONE;
  return poolLent.div(poolAssets);
}

// The pool lends at most assets × (1 − buffer), rounded down.
export function lendingLimit(params: RiskParams, poolAssets: Decimal): Decimal {
  return floor6(nonNegative(poolAssets).mul(ONE.minus(params.utilizationBuffer)));
}

// New borrowing is capped at lending limit − lent (never negative), rounded down.
export function maxBorrow(params: RiskParams, pool: { poolAssets: Decimal; poolLent: Decimal }): Decimal {
  return nonNegative(lendingLimit(params, pool.poolAssets).minus(pool.poolLent));
}

// Time limit: 1x from resolvesAt − hazard window on; before that it ramps linearly to the cap over leverageRampSeconds.
export function timeCap(params: RiskParams, nowMs: number, resolvesAtMs: number): Decimal {
  const cap = new Decimal(params.maxLeverage);
  const msBeforeHazard = resolvesAtMs - params.hazardWindowSeconds * 1000 - nowMs;
  if (msBeforeHazard <= 0) return ONE;
  const rampMs = params.leverageRampSeconds * 1000;
  if (msBeforeHazard >= rampMs) return cap;
  return ONE.plus(cap.minus(ONE).mul(msBeforeHazard).div(rampMs));
}

// Extremity limit: L ≤ q / extremityMove with q = min(p, 1 − p), so a position at the cap on either side survives the move without bankruptcy.
export function extremityCap(params: RiskParams, markPrice: Decimal): Decimal {
  const cap = new Decimal(params.maxLeverage);
  const cheaperSide = min(markPrice, ONE.minus(markPrice));
  if (cheaperSide.lte(0)) return ONE;
  return clampLeverage(cheaperSide.div(params.extremityMove), cap);
}

// Utilization limit: the cap up to the kink, falling linearly to 1x at the lending limit 1 − buffer, 1x beyond.
export function utilizationCap(params: RiskParams, utilizationNow: Decimal): Decimal {
  const cap = new Decimal(params.maxLeverage);
  const kink = new Decimal(params.utilizationKink);
  const limit = ONE.minus(params.utilizationBuffer);
  if (utilizationNow.lte(kink)) return cap;
  if (utilizationNow.gte(limit)) return ONE;
  return ONE.plus(cap.minus(ONE).mul(limit.minus(utilizationNow)).div(limit.minus(kink)));
}

// The market's cap is the smallest of the three limits, rounded down to 2 dp, never below 1 nor above maxLeverage.
export function leverageCaps(params: RiskParams, inputs: LeverageInputs): LeverageCaps {
  const cap = new Decimal(params.maxLeverage);
  const time = timeCap(params, inputs.nowMs, inputs.resolvesAtMs);
  const extremity = extremityCap(params, inputs.markPrice);
  const util = utilizationCap(params, utilization(inputs.poolAssets, inputs.poolLent));
  const lowest = min(min(time, extremity), util);
  return { time, extremity, utilization: util, max: max(ONE, floor2(min(cap, lowest))) };
}

// The market's current maximum leverage for new borrowing (see leverageCaps).
export function maxLeverage(params: RiskParams, inputs: LeverageInputs): Decimal {
  return leverageCaps(params, inputs).max;
}

// A leveraged order is allowed when 1 ≤ requested ≤ the market's current maximum leverage.
export function isLeverageAllowed(requested: Decimal, allowed: Decimal): boolean {
  return requested.gte(1) && requested.lte(allowed);
}

// The most a redemption may take so that utilization stays within the lending limit uMax = 1 − buffer:
// lent ≤ uMax × (cash − x + lent) ⇔ x ≤ cash + lent − lent / uMax; rounded down, never more than the cash.
export function maxRedeemable(cash: Decimal, lent: Decimal, limit: Decimal): Decimal {
  if (lent.lte(0)) return cash;
  if (limit.lte(0)) return ZERO;
  const room = floor6(nonNegative(cash.plus(lent).minus(lent.div(limit))));
  return room.gt(cash) ? cash : room;
}
