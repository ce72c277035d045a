import { describe, expect, it } from "vitest";
import {
  feeRatePerHour,
  intervalsDue,
  jumpProbability,
  jumpRiskFee,
  jumpRiskFeeParts,
  resolutionHazard,
  splitFee,
  utilizationFactor,
} from "../src/funding.js";
import { outcomePrice } from "../src/position.js";
import {
  alice_long_100_yes_at_060_5x as alice,
  at,
  bob_long_200_no_at_030_3x as bob,
  carol_long_100_yes_at_060_1x as carol,
  d,
  dan_long_100_yes_at_060_2x as dan,
  params,
  RESOLVES_AT_MS,
  type Scenario,
} from "./fixtures.js";

const HOUR_MS = 3_600_000;

const hourlyFee = (s: Scenario, nowMs: number, utilization = "0.1") =>
  jumpRiskFeeParts(params, {
    loan: s.loan,
    shares: s.shares,
    outcomePrice: outcomePrice(s.outcome, s.yesPrice),
    intervalSeconds: 3600,
    nowMs,
    resolvesAtMs: RESOLVES_AT_MS,
    utilization: d(utilization),
  });

describe("Funding: the jump-risk fee per hour (λ 0.05/day, jump 0.20, cut 0.2, charge 0.0003/day)", () => {
  it.each([
    // alice, 30 days out, utilization 0.1: a 0.20 jump takes 0.60 → 0.40, value 40, destroying 8 of the 48 loan;
    // EL = 8 × 0.05/24 = 0.016667, cover = EL / 0.8 = 0.020833; charge = 48 × 0.0003 × (1 + 0.1/0.9) / 24 = 0.000667
    {
      name: "alice 30 days out",
      s: alice,
      now: at.thirtyDaysBefore,
      u: "0.1",
      el: "0.016667",
      fee: "0.0215",
    },
    // same at utilization 0.9 (the lending limit): charge doubles to 48 × 0.0003 × 2 / 24 = 0.0012
    {
      name: "alice at the lending limit",
      s: alice,
      now: at.thirtyDaysBefore,
      u: "0.9",
      el: "0.016667",
      fee: "0.022034",
    },
    // bob, NO at 0.30: a jump to 0.10 leaves 200 × 0.10 = 20 against the 40 loan, 20 destroyed;
    // EL = 20 × 0.05/24 = 0.041667, cover 0.052083; charge = 40 × 0.0003 × (10/9) / 24 = 0.000556
    { name: "bob 30 days out", s: bob, now: at.thirtyDaysBefore, u: "0.1", el: "0.041667", fee: "0.052639" },
    // dan at 2x: a jump to 0.40 leaves 40 ≥ the 30 loan, nothing destroyed; only the charge 30 × 0.0003 × (10/9) / 24
    {
      name: "dan 2x: the jump destroys nothing",
      s: dan,
      now: at.thirtyDaysBefore,
      u: "0.1",
      el: "0",
      fee: "0.000417",
    },
    // alice 30 min before the hazard window: resolution lands in the next hour with probability 0.5h / 24h = 1/48, against her
    // with probability 0.40: EL = 0.016667 + 48 × 0.4 / 48 = 0.416667, cover 0.520833, + 0.000667
    {
      name: "alice straddling the window start",
      s: alice,
      now: at.oneDayHalfHourBefore,
      u: "0.1",
      el: "0.416667",
      fee: "0.5215",
    },
    // alice 12 hours before resolution: resolution within the hour with probability 1/12, against her with 0.40:
    // EL = 0.016667 + 48 × 0.4 / 12 = 1.616667, cover 2.020833, + 0.000667
    {
      name: "alice 12h before resolution",
      s: alice,
      now: at.twelveHoursBefore,
      u: "0.1",
      el: "1.616667",
      fee: "2.0215",
    },
    // after resolvesAt the resolution is due: EL = 0.016667 + 48 × 0.4 = 19.216667, cover 24.020833, + 0.000667
    {
      name: "alice after resolvesAt",
      s: alice,
      now: at.oneHourAfter,
      u: "0.1",
      el: "19.216667",
      fee: "24.0215",
    },
    // carol at 1x: no loan, no fee, whenever
    { name: "carol 1x, 30 days out", s: carol, now: at.thirtyDaysBefore, u: "0.1", el: "0", fee: "0" },
    { name: "carol 1x, after resolvesAt", s: carol, now: at.oneHourAfter, u: "0.9", el: "0", fee: "0" },
  ])("$name: EL $el, fee $fee", ({ s, now, u, el, fee }) => {
    const parts = hourlyFee(s, now, u);
    expect(parts.expectedLoss.toDecimalPlaces(6).toFixed()).toBe(el);
    expect(parts.fee.toFixed()).toBe(fee);
    expect(parts.fee.gte(parts.expectedLoss)).toBe(true);
  });

  it("alice's parts: jump probability 0.05/24, jumped price 0.4, jump loss 8", () => {
    const parts = hourlyFee(alice, at.thirtyDaysBefore);
    expect(parts.jumpProbability.toDecimalPlaces(8).toFixed()).toBe("0.00208333");
    expect(parts.jumpedPrice.toFixed()).toBe("0.4");
    expect(parts.jumpLoss.toFixed()).toBe("8");
    expect(parts.resolutionProbability.toFixed()).toBe("0");
    expect(parts.lossCover.toDecimalPlaces(6).toFixed()).toBe("0.020833");
    expect(parts.utilizationCharge.toDecimalPlaces(6).toFixed()).toBe("0.000667");
  });

  it("jumpRiskFee is the rounded-up total", () => {
    const inputs = {
      loan: alice.loan,
      shares: alice.shares,
      outcomePrice: d("0.6"),
      intervalSeconds: 3600,
      nowMs: at.thirtyDaysBefore,
      resolvesAtMs: RESOLVES_AT_MS,
      utilization: d("0.1"),
    };
    expect(jumpRiskFee(params, inputs).toFixed()).toBe("0.0215");
  });

  it("the expected loss never exceeds the loan", () => {
    const long = jumpRiskFeeParts(params, {
      loan: alice.loan,
      shares: alice.shares,
      outcomePrice: d("0.05"),
      intervalSeconds: 86_400 * 400,
      nowMs: at.oneHourAfter,
      resolvesAtMs: RESOLVES_AT_MS,
      utilization: d("0"),
    });
    expect(long.expectedLoss.toFixed()).toBe("48");
  });
});

describe("Funding: model pieces", () => {
  it("resolution hazard: 0 far out, overlap / remaining window near it, 1 after", () => {
    expect(resolutionHazard(params, at.thirtyDaysBefore, HOUR_MS, RESOLVES_AT_MS).toFixed()).toBe("0");
    expect(resolutionHazard(params, at.oneDayOneHourBefore, HOUR_MS, RESOLVES_AT_MS).toFixed()).toBe("0");
    const straddle = resolutionHazard(params, at.oneDayHalfHourBefore, HOUR_MS, RESOLVES_AT_MS);
    expect(straddle.eq(d("1").div(48))).toBe(true);
    expect(resolutionHazard(params, RESOLVES_AT_MS - HOUR_MS / 2, HOUR_MS, RESOLVES_AT_MS).toFixed()).toBe(
      "1",
    );
    expect(resolutionHazard(params, at.oneHourAfter, HOUR_MS, RESOLVES_AT_MS).toFixed()).toBe("1");
  });

  it("jump probability λΔ is capped at 1", () => {
    expect(jumpProbability(params, 86_400).toFixed()).toBe("0.05");
    expect(jumpProbability(params, 86_400 * 40).toFixed()).toBe("1");
  });

  it("utilization factor: 1 idle, 2 at the lending limit and beyond", () => {
    expect(utilizationFactor(params, d("0")).toFixed()).toBe("1");
    expect(utilizationFactor(params, d("0.45")).toFixed()).toBe("1.5");
    expect(utilizationFactor(params, d("0.9")).toFixed()).toBe("2");
    expect(utilizationFactor(params, d("1")).toFixed()).toBe("2");
  });
});

describe("Funding: the rate shown on a market", () => {
  it("YES 0.60 at 4x, utilization 0.1: the NO side is riskier, 0.00066146 / 0.75 = 0.00088195 of the loan per hour", () => {
    // NO at 0.40, cost 1: 2.5 shares, loan 0.75; a jump to 0.20 leaves 0.5, destroying 0.25;
    // fee = 0.25 × 0.05/24 / 0.8 + 0.75 × 0.0003 × (10/9) / 24 = 0.00066146 per hour
    const rate = feeRatePerHour(params, {
      markPrice: d("0.6"),
      leverage: d("4"),
      nowMs: at.thirtyDaysBefore,
      resolvesAtMs: RESOLVES_AT_MS,
      utilization: d("0.1"),
    });
    expect(rate.toFixed()).toBe("0.00088195");
  });

  it("is 0 at 1x", () => {
    const rate = feeRatePerHour(params, {
      markPrice: d("0.6"),
      leverage: d("1"),
      nowMs: at.thirtyDaysBefore,
      resolvesAtMs: RESOLVES_AT_MS,
      utilization: d("0.1"),
    });
    expect(rate.toFixed()).toBe("0");
  });
});

describe("Funding: split and schedule", () => {
  it.each([
    // 0.0215 × 0.2 = 0.0043 to insurance, 0.0172 to the pool
    { fee: "0.0215", toInsurance: "0.0043", toPool: "0.0172" },
    // 0.052639 × 0.2 = 0.0105278 → 0.010527 to insurance (rounded down), 0.042112 to the pool
    { fee: "0.052639", toInsurance: "0.010527", toPool: "0.042112" },
    // 0.000417 × 0.2 = 0.0000834 → 0.000083, 0.000334 to the pool
    { fee: "0.000417", toInsurance: "0.000083", toPool: "0.000334" },
    { fee: "0", toInsurance: "0", toPool: "0" },
  ])("fee $fee: $toInsurance to insurance, $toPool to the pool", ({ fee, toInsurance, toPool }) => {
    const split = splitFee(d(fee), d("0.2"));
    expect(split.toInsurance.toFixed()).toBe(toInsurance);
    expect(split.toPool.toFixed()).toBe(toPool);
    expect(split.toInsurance.plus(split.toPool).eq(d(fee))).toBe(true);
  });

  it("counts whole intervals due", () => {
    expect(intervalsDue(0, 7_200_000, 3600)).toBe(2);
    expect(intervalsDue(0, 7_199_999, 3600)).toBe(1);
    expect(intervalsDue(5_000, 1_000, 3600)).toBe(0);
  });
});
