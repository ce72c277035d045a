// Named scenarios shared by the tests and the worked examples of docs/risk-model.md.
import { type Decimal, of } from "../src/decimal.js";
import { DEFAULT_RISK_PARAMS, type RiskParams } from "../src/params.js";
import type { LeveragedPosition, Outcome } from "../src/position.js";

export const params: RiskParams = DEFAULT_RISK_PARAMS;

export const d = (text: string): Decimal => of(text);

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** A market resolving at T = 2025-01-31T00:00:00Z; times below are relative to it. */
export const RESOLVES_AT_MS = Date.UTC(2025, 0, 31);
export const at = {
  thirtyDaysBefore: RESOLVES_AT_MS - 30 * DAY_MS,
  sixDaysBefore: RESOLVES_AT_MS - 6 * DAY_MS,
  fourAndAHalfDaysBefore: RESOLVES_AT_MS - 4.5 * DAY_MS,
  oneDayOneHourBefore: RESOLVES_AT_MS - DAY_MS - HOUR_MS,
  oneDayHalfHourBefore: RESOLVES_AT_MS - DAY_MS - HOUR_MS / 2,
  windowStart: RESOLVES_AT_MS - DAY_MS,
  twelveHoursBefore: RESOLVES_AT_MS - 12 * HOUR_MS,
  resolvesAt: RESOLVES_AT_MS,
  oneHourAfter: RESOLVES_AT_MS + HOUR_MS,
};

export interface Scenario {
  readonly outcome: Outcome;
  /** The market's YES price when the position was opened. */
  readonly yesPrice: Decimal;
  readonly shares: Decimal;
  readonly cost: Decimal;
  readonly leverage: Decimal;
  readonly loan: Decimal;
  readonly margin: Decimal;
  readonly position: LeveragedPosition;
}

// A scenario's position is its shares and its loan.
function scenario(s: Omit<Scenario, "position">): Scenario {
  return { ...s, position: { shares: s.shares, loan: s.loan } };
}

// 100 YES at 0.60 with 5x: cost 60, margin 12, loan 48.
export const alice_long_100_yes_at_060_5x = scenario({
  outcome: "YES",
  yesPrice: d("0.6"),
  shares: d("100"),
  cost: d("60"),
  leverage: d("5"),
  loan: d("48"),
  margin: d("12"),
});

// 200 NO at 0.30 (YES at 0.70) with 3x: cost 60, margin 20, loan 40.
export const bob_long_200_no_at_030_3x = scenario({
  outcome: "NO",
  yesPrice: d("0.7"),
  shares: d("200"),
  cost: d("60"),
  leverage: d("3"),
  loan: d("40"),
  margin: d("20"),
});

// 100 YES at 0.60 with 1x: cost 60, margin 60, loan 0.
export const carol_long_100_yes_at_060_1x = scenario({
  outcome: "YES",
  yesPrice: d("0.6"),
  shares: d("100"),
  cost: d("60"),
  leverage: d("1"),
  loan: d("0"),
  margin: d("60"),
});

// 100 YES at 0.60 with 2x: cost 60, margin 30, loan 30 (a 0.20 jump to 0.40 still covers the loan).
export const dan_long_100_yes_at_060_2x = scenario({
  outcome: "YES",
  yesPrice: d("0.6"),
  shares: d("100"),
  cost: d("60"),
  leverage: d("2"),
  loan: d("30"),
  margin: d("30"),
});

/** A pool of 10 000 with `lent` lent out. */
export const pool = (lent: string) => ({ poolAssets: d("10000"), poolLent: d(lent) });
