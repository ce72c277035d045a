// Funding: the jump-risk fee a borrower pays per accrual interval (expected loss + utilization charge) and its split.
import { ceilTo, type Decimal, floor6, max, min, nonNegative, ONE, ZERO } from "./decimal.js";
import type { RiskParams } from "./params.js";
import * as R from "./rational.js";
import { R_ONE, R_ZERO, type Rational, rmin } from "./rational.js";

const MS_PER_DAY = 86_400_000;

/**
 * One position's fee inputs. Times are milliseconds since the Unix epoch; `intervalSeconds` is the
 * length of the interval the fee pays for (normally `accrualIntervalSeconds`), charged at its start.
 */
export interface FeeInputs {
  /** Amount owed to the pool, ≥ 0. */
  readonly loan: Decimal;
  /** Shares pledged against the loan, ≥ 0. */
  readonly shares: Decimal;
  /** The holder's outcome mark q (p for YES, 1 − p for NO), in [0, 1]. */
  readonly outcomePrice: Decimal;
  readonly intervalSeconds: number;
  readonly nowMs: number;
  readonly resolvesAtMs: number;
  /** Pool utilization (lent / assets) at the start of the interval. */
  readonly utilization: Decimal;
  /**
   * Whether the fee prices the jump to 0 at resolution (the first design's hourly surcharge). The second design lends
   * nothing across resolution (loans are closed before the hazard window), so the exchange passes false.
   */
  readonly resolutionHazard?: boolean;
}

/** The fee and how it is made up. The parts are exact rationals shown at 40 significant digits; `fee` is the exact total rounded up once. */
export interface FeeParts {
  /** Probability of an ordinary adverse jump in the interval: min(1, λ × interval in days). */
  readonly jumpProbability: Decimal;
  /** The holder's outcome price after an adverse jump: max(0, q − adverseJumpSize). */
  readonly jumpedPrice: Decimal;
  /** What an adverse jump destroys after liquidation at the jumped price: max(0, loan − shares × jumpedPrice). */
  readonly jumpLoss: Decimal;
  /** Probability that the market resolves against the holder during the interval (jump to 0: the whole loan is lost). */
  readonly resolutionProbability: Decimal;
  /** Expected loss of the loan over the interval: min(loan, jumpProbability × jumpLoss + resolutionProbability × loan). */
  readonly expectedLoss: Decimal;
  /** expectedLoss / (1 − insuranceCut): after the insurance cut the pool still receives the whole expected loss. */
  readonly lossCover: Decimal;
  /** loan × utilizationChargePerDay × (1 + min(u, uMax) / uMax) × interval in days, uMax = 1 − utilizationBuffer. */
  readonly utilizationCharge: Decimal;
  /** lossCover + utilizationCharge before rounding (used for rates). */
  readonly exactFee: Decimal;
  /** The fee charged: exactFee rounded up to 6 dp. */
  readonly fee: Decimal;
}

// Resolution is assumed uniform over the hazard window: P(in [now, now + Δ]) = overlap with the window / window remaining, 1 from resolvesAt on.
function resolutionHazardExact(
  params: RiskParams,
  nowMs: number,
  intervalMs: number,
  resolvesAtMs: number,
): Rational {
  if (nowMs >= resolvesAtMs) return R_ONE;
  const fromMs = Math.max(nowMs, resolvesAtMs - params.hazardWindowSeconds * 1000);
  const overlapMs = Math.min(nowMs + intervalMs, resolvesAtMs) - fromMs;
  if (overlapMs <= 0) return R_ZERO;
  return rmin(R_ONE, { n: BigInt(overlapMs), d: BigInt(resolvesAtMs - fromMs) });
}

// min(1, λ × Δ / 1 day): the first-order Poisson term, an upper bound on the exact 1 − e^(−λΔ).
function jumpProbabilityExact(params: RiskParams, intervalSeconds: number): Rational {
  const perDay = R.fromDecimal(params.jumpIntensityPerDay);
  return rmin(R_ONE, R.mul(perDay, { n: BigInt(intervalSeconds * 1000), d: BigInt(MS_PER_DAY) }));
}

// Resolution hazard per interval: overlap with the hazard window / window remaining (uniform resolution in the window); 1 from resolvesAt on.
export function resolutionHazard(
  params: RiskParams,
  nowMs: number,
  intervalMs: number,
  resolvesAtMs: number,
): Decimal {
  return R.toDecimal(resolutionHazardExact(params, nowMs, intervalMs, resolvesAtMs));
}

// Jump probability per interval = min(1, λ × Δ / 1 day): the first-order Poisson term, an upper bound on 1 − e^(−λΔ).
export function jumpProbability(params: RiskParams, intervalSeconds: number): Decimal {
  return R.toDecimal(jumpProbabilityExact(params, intervalSeconds));
}

// Utilization factor = 1 + min(u, uMax) / uMax: 1 with an idle pool, 2 at the lending limit uMax = 1 − buffer (> 0).
export function utilizationFactor(params: RiskParams, utilizationNow: Decimal): Decimal {
  const limit = ONE.minus(params.utilizationBuffer);
  return ONE.plus(min(nonNegative(utilizationNow), limit).div(limit));
}

/** The fee's terms as exact rationals. */
interface ExactFee {
  readonly jumpProbability: Rational;
  readonly jumpedPrice: Rational;
  readonly jumpLoss: Rational;
  readonly resolutionProbability: Rational;
  readonly expectedLoss: Rational;
  readonly lossCover: Rational;
  readonly utilizationCharge: Rational;
  readonly total: Rational;
}

// The fee's terms, exactly: EL = min(loan, P(jump) × jump loss + P(resolution against) × loan), cover = EL / (1 − cut), charge = loan × rate × (1 + min(u, uMax) / uMax) × Δ / 1 day.
function exactFee(params: RiskParams, inputs: FeeInputs): ExactFee {
  const loan = R.fromDecimal(inputs.loan);
  const shares = R.fromDecimal(inputs.shares);
  const price = R.fromDecimal(inputs.outcomePrice);
  const intervalMs = inputs.intervalSeconds * 1000;
  const jumpProbability = jumpProbabilityExact(params, inputs.intervalSeconds);
  const jumpedPrice = R.nonNegative(R.sub(price, R.fromDecimal(params.adverseJumpSize)));
  const jumpLoss = R.nonNegative(R.sub(loan, R.mul(shares, jumpedPrice)));
  // Resolution against the holder (probability 1 − q once it happens) takes the outcome to 0: the whole loan is lost.
  const resolutionProbability =
    inputs.resolutionHazard === false
      ? R_ZERO
      : R.mul(
          resolutionHazardExact(params, inputs.nowMs, intervalMs, inputs.resolvesAtMs),
          R.nonNegative(R.sub(R_ONE, price)),
        );
  const expectedLoss = rmin(
    loan,
    R.add(R.mul(jumpProbability, jumpLoss), R.mul(resolutionProbability, loan)),
  );
  const lossCover = R.div(expectedLoss, R.sub(R_ONE, R.fromDecimal(params.insuranceCut)));
  const limit = R.sub(R_ONE, R.fromDecimal(params.utilizationBuffer));
  const factor = R.add(R_ONE, R.div(rmin(limit, R.nonNegative(R.fromDecimal(inputs.utilization))), limit));
  const utilizationCharge = R.mul(R.mul(R.mul(loan, R.fromDecimal(params.utilizationChargePerDay)), factor), {
    n: BigInt(intervalMs),
    d: BigInt(MS_PER_DAY),
  });
  return {
    jumpProbability,
    jumpedPrice,
    jumpLoss,
    resolutionProbability,
    expectedLoss,
    lossCover,
    utilizationCharge,
    total: R.add(lossCover, utilizationCharge),
  };
}

// Fee = ceil6(expected loss / (1 − insurance cut) + utilization charge), computed exactly and rounded once; zero without a loan (1x pays nothing).
export function jumpRiskFeeParts(params: RiskParams, inputs: FeeInputs): FeeParts {
  const exact = exactFee(params, inputs);
  return {
    jumpProbability: R.toDecimal(exact.jumpProbability),
    jumpedPrice: R.toDecimal(exact.jumpedPrice),
    jumpLoss: R.toDecimal(exact.jumpLoss),
    resolutionProbability: R.toDecimal(exact.resolutionProbability),
    expectedLoss: R.toDecimal(exact.expectedLoss),
    lossCover: R.toDecimal(exact.lossCover),
    utilizationCharge: R.toDecimal(exact.utilizationCharge),
    exactFee: R.toDecimal(exact.total),
    fee: R.ceilTo(exact.total, 6),
  };
}

// The jump-risk fee for one interval, rounded up to 6 dp (see jumpRiskFeeParts).
export function jumpRiskFee(params: RiskParams, inputs: FeeInputs): Decimal {
  return R.ceilTo(exactFee(params, inputs).total, 6);
}

/** A market's funding rate inputs: a position opened now at `leverage` on the riskier side. */
export interface FeeRateInputs {
  readonly markPrice: Decimal;
  readonly leverage: Decimal;
  readonly nowMs: number;
  readonly resolvesAtMs: number;
  readonly utilization: Decimal;
  /** See FeeInputs.resolutionHazard. */
  readonly resolutionHazard?: boolean;
}

// Funding rate shown on a market: fee per hour as a fraction of the loan, for a position opened now at `leverage` on the riskier side, rounded up to 8 dp.
export function feeRatePerHour(params: RiskParams, inputs: FeeRateInputs): Decimal {
  if (inputs.leverage.lte(1)) return ZERO;
  let worst = ZERO;
  for (const q of [inputs.markPrice, ONE.minus(inputs.markPrice)]) {
    if (q.lte(0)) continue;
    const loan = ONE.minus(ONE.div(inputs.leverage));
    const parts = jumpRiskFeeParts(params, {
      loan,
      shares: ONE.div(q),
      outcomePrice: q,
      intervalSeconds: 3_600,
      nowMs: inputs.nowMs,
      resolvesAtMs: inputs.resolvesAtMs,
      utilization: inputs.utilization,
      ...(inputs.resolutionHazard === undefined ? {} : { resolutionHazard: inputs.resolutionHazard }),
    });
    worst = max(worst, parts.exactFee.div(loan));
  }
  return ceilTo(worst, 8);
}

// A fee splits into floor6(fee × insuranceCut) for the insurance fund and the rest for the pool: the parts sum to the fee exactly.
export function splitFee(fee: Decimal, insuranceCut: Decimal): { toPool: Decimal; toInsurance: Decimal } {
  const toInsurance = floor6(fee.mul(insuranceCut));
  return { toPool: fee.minus(toInsurance), toInsurance };
}

// Whole accrual intervals due between the last accrual and now (0 if none): each is charged separately, in order.
export function intervalsDue(lastAccrualMs: number, nowMs: number, intervalSeconds: number): number {
  if (nowMs <= lastAccrualMs) return 0;
  return Math.floor((nowMs - lastAccrualMs) / (intervalSeconds * 1000));
}
