// Simulation: Monte Carlo of a lending pool under the jump model, to check that liquidity providers break even on average.
import { Decimal, floor6, max, min, ONE, ZERO } from "./decimal.js";
import { jumpProbability, jumpRiskFee, splitFee } from "./funding.js";
import { maxLeverage, utilization } from "./leverage.js";
import { splitProceeds } from "./liquidation-plan.js";
import type { RiskParams } from "./params.js";
import { isBelowMaintenance, type LeveragedPosition, loanForPurchase } from "./position.js";
import { allocateBadDebt } from "./waterfall.js";

/** A source of uniform numbers in [0, 1). The caller seeds it; the package never draws its own randomness. */
export type Rng = () => number;

/** The true jump process of the simulated world; equal to the market's jump parameters when the model is right. */
export interface WorldJumps {
  readonly jumpIntensityPerDay: string;
  readonly adverseJumpSize: string;
}

/** One simulated market: a pool lending to one borrower who re-borrows at the market's cap after every close. */
export interface Scenario {
  readonly paths: number;
  /** Seconds from the first interval to resolvesAt; a multiple of the accrual interval, ≥ the hazard window. */
  readonly horizonSeconds: number;
  readonly poolAssets: Decimal;
  /** Cost of each position the borrower opens (margin + loan). */
  readonly positionCost: Decimal;
  /** The holder's start price is drawn uniformly from the 0.01 grid of [low, high]. */
  readonly startPriceLow: Decimal;
  readonly startPriceHigh: Decimal;
  /** Outside jumps the holder's price moves by ± this per interval, with equal probability. */
  readonly diffusionStep: Decimal;
  /** A liquidation after a continuous move fills at mark × (1 − slippage); after a jump, at the jumped price (the auction's). */
  readonly liquidationSlippage: Decimal;
  /** true: the borrower keeps the loan into the hazard window and through resolution; false: closes at the mark when it starts. */
  readonly holdIntoHazardWindow: boolean;
  readonly world: WorldJumps;
}

/** Money flows of one path (all exact decimals). lpPnl = feesToPool − poolLoss. */
export interface PathResult {
  readonly feesToPool: Decimal;
  readonly feesToInsurance: Decimal;
  readonly penalties: Decimal;
  readonly badDebt: Decimal;
  readonly coveredByInsurance: Decimal;
  readonly poolLoss: Decimal;
  readonly lpPnl: Decimal;
  readonly jumps: number;
  readonly liquidations: number;
}

const PRICE_FLOOR = new Decimal("0.01");
const PRICE_CEILING = new Decimal("0.99");

// Simulated prices stay inside [0.01, 0.99]: a move to 0 or 1 is a resolution, which is drawn separately.
function clampPrice(price: Decimal): Decimal {
  return max(PRICE_FLOOR, min(PRICE_CEILING, price));
}

// One path: per interval, charge the fee in advance, resolve (uniformly inside the hazard window), move the price, liquidate if below maintenance, re-borrow.
export function simulatePath(params: RiskParams, scenario: Scenario, rng: Rng): PathResult {
  const intervalSeconds = params.accrualIntervalSeconds;
  const intervalMs = intervalSeconds * 1000;
  const intervals = scenario.horizonSeconds / intervalSeconds;
  const hazardIntervals = params.hazardWindowSeconds / intervalSeconds;
  if (!Number.isInteger(intervals) || !Number.isInteger(hazardIntervals) || hazardIntervals < 1) {
    throw new RangeError("horizon and hazard window must be whole, non-zero numbers of accrual intervals");
  }
  if (hazardIntervals > intervals) throw new RangeError("the horizon must contain the hazard window");
  const resolvesAtMs = scenario.horizonSeconds * 1000;
  const hazardStartMs = resolvesAtMs - params.hazardWindowSeconds * 1000;
  const resolutionInterval = intervals - hazardIntervals + Math.floor(rng() * hazardIntervals);
  const pJumpWorld = jumpProbability(
    { ...params, jumpIntensityPerDay: scenario.world.jumpIntensityPerDay },
    intervalSeconds,
  ).toNumber();
  const jumpSize = new Decimal(scenario.world.adverseJumpSize);
  const band = new Decimal(params.priceBand);
  const insuranceCut = new Decimal(params.insuranceCut);
  const gridSteps = scenario.startPriceHigh.minus(scenario.startPriceLow).div("0.01").floor().toNumber();
  let price = scenario.startPriceLow.plus(new Decimal("0.01").mul(Math.floor(rng() * (gridSteps + 1))));

  let position: LeveragedPosition | null = null;
  let insurance = ZERO;
  const totals = {
    feesToPool: ZERO,
    feesToInsurance: ZERO,
    penalties: ZERO,
    badDebt: ZERO,
    coveredByInsurance: ZERO,
    poolLoss: ZERO,
  };
  let jumps = 0;
  let liquidations = 0;

  // A loss goes down the waterfall: this market's insurance, then the pool (no position margin or shared fund here).
  const absorb = (badDebt: Decimal): void => {
    if (badDebt.isZero()) return;
    const allocation = allocateBadDebt(badDebt, {
      positionMargin: ZERO,
      marketInsurance: insurance,
      sharedInsurance: ZERO,
      poolAssets: scenario.poolAssets,
    });
    const [, fromInsurance, , fromPool] = allocation.steps.map((s) => s.amount);
    insurance = insurance.minus(fromInsurance!);
    totals.badDebt = totals.badDebt.plus(badDebt);
    totals.coveredByInsurance = totals.coveredByInsurance.plus(fromInsurance!);
    totals.poolLoss = totals.poolLoss.plus(fromPool!).plus(allocation.uncovered);
  };
  // Closing sells the shares for `proceeds`: the loan is repaid first, the penalty (if any) funds insurance, the rest is bad debt.
  const close = (open: LeveragedPosition, proceeds: Decimal, penalize: boolean): void => {
    const split = splitProceeds(
      penalize ? params : { ...params, liquidationPenalty: "0" },
      proceeds,
      open.loan,
    );
    insurance = insurance.plus(split.penalty);
    totals.penalties = totals.penalties.plus(split.penalty);
    absorb(split.badDebt);
  };

  for (let i = 0; i < intervals; i++) {
    const nowMs = i * intervalMs;
    if (position !== null && !scenario.holdIntoHazardWindow && nowMs >= hazardStartMs) {
      close(position, floor6(position.shares.mul(price)), false);
      position = null;
    }
    if (position === null) {
      const leverage = maxLeverage(params, {
        nowMs,
        resolvesAtMs,
        markPrice: price,
        poolAssets: scenario.poolAssets,
        poolLent: ZERO,
      });
      if (leverage.gt(1)) {
        position = {
          shares: floor6(scenario.positionCost.div(price)),
          loan: loanForPurchase(scenario.positionCost, leverage),
        };
      }
    }
    if (position !== null) {
      const fee = jumpRiskFee(params, {
        loan: position.loan,
        shares: position.shares,
        outcomePrice: price,
        intervalSeconds,
        nowMs,
        resolvesAtMs,
        utilization: utilization(scenario.poolAssets, position.loan),
      });
      const split = splitFee(fee, insuranceCut);
      insurance = insurance.plus(split.toInsurance);
      totals.feesToPool = totals.feesToPool.plus(split.toPool);
      totals.feesToInsurance = totals.feesToInsurance.plus(split.toInsurance);
    }
    if (i === resolutionInterval) {
      const holderWins = rng() < price.toNumber();
      if (position !== null) close(position, holderWins ? position.shares : ZERO, false);
      break;
    }
    const draw = rng();
    const before = price;
    if (draw < pJumpWorld) price = clampPrice(price.minus(jumpSize));
    else if (draw < 2 * pJumpWorld) price = clampPrice(price.plus(jumpSize));
    else
      price = clampPrice(
        rng() < 0.5 ? price.minus(scenario.diffusionStep) : price.plus(scenario.diffusionStep),
      );
    const jumped = price.minus(before).abs().gt(band);
    if (jumped) jumps++;
    if (position !== null && isBelowMaintenance(params, position, price)) {
      const fillPrice = jumped ? price : floor6(price.mul(ONE.minus(scenario.liquidationSlippage)));
      close(position, floor6(position.shares.mul(fillPrice)), true);
      position = null;
      liquidations++;
    }
  }
  return { ...totals, lpPnl: totals.feesToPool.minus(totals.poolLoss), jumps, liquidations };
}

// Many independent paths drawn from the same rng, in order (same seed, same results).
export function simulate(params: RiskParams, scenario: Scenario, rng: Rng): PathResult[] {
  const results: PathResult[] = [];
  for (let path = 0; path < scenario.paths; path++) results.push(simulatePath(params, scenario, rng));
  return results;
}

/** Sample statistics of a per-path figure. lowerBound = mean − z × standard error (z = 2.326: one-sided 99%). */
export interface Summary {
  readonly count: number;
  readonly mean: Decimal;
  readonly standardDeviation: Decimal;
  readonly standardError: Decimal;
  readonly lowerBound: Decimal;
}

// Mean, sample standard deviation (n − 1), standard error and the one-sided lower confidence bound mean − z × se.
export function summarize(values: readonly Decimal[], z: Decimal = new Decimal("2.326")): Summary {
  const count = values.length;
  if (count < 2) throw new RangeError("need at least two values");
  const mean = values.reduce((sum, v) => sum.plus(v), ZERO).div(count);
  const squares = values.reduce((sum, v) => sum.plus(v.minus(mean).pow(2)), ZERO);
  const standardDeviation = squares.div(count - 1).sqrt();
  const standardError = standardDeviation.div(new Decimal(count).sqrt());
  return { count, mean, standardDeviation, standardError, lowerBound: mean.minus(z.mul(standardError)) };
}
