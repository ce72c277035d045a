import { describe, expect, it } from "vitest";
import { Decimal } from "../src/decimal.js";
import {
  extremityCap,
  isLeverageAllowed,
  lendingLimit,
  leverageCaps,
  maxBorrow,
  maxLeverage,
  timeCap,
  utilization,
  utilizationCap,
} from "../src/leverage.js";
import { withDefaults } from "../src/params.js";
import { at, d, params as defaults, pool, RESOLVES_AT_MS } from "./fixtures.js";

/** The defaults with the first design's extremity move (0.10), which the time and utilization cases below were written with. */
const params = withDefaults({ extremityMove: "0.1" });

const market = (mark: string, nowMs: number, lent = "0") => ({
  nowMs,
  resolvesAtMs: RESOLVES_AT_MS,
  markPrice: d(mark),
  ...pool(lent),
});

describe("Leverage: the default extremity cap survives the adverse jump the fee prices (extremityMove = adverseJumpSize = 0.2)", () => {
  it.each([
    ["0.5", "2.5"],
    ["0.6", "2"],
    ["0.4", "2"],
    ["0.25", "1.25"],
    ["0.8", "1"],
    ["0.2", "1"],
  ])("at %s: %sx", (mark, max) => {
    expect(defaults.extremityMove).toBe(defaults.adverseJumpSize);
    expect(maxLeverage(defaults, market(mark, at.thirtyDaysBefore)).toFixed()).toBe(max);
  });

  it("a position at the cap keeps equity ≥ 0 after an adverse jump of 0.20 at any price: q/L ≥ 0.2", () => {
    for (let ticks = 1; ticks < 100; ticks++) {
      const mark = d(String(ticks)).div(100);
      const q = Decimal.min(mark, d("1").minus(mark));
      const cap = extremityCap(defaults, mark);
      // equity a share at leverage L is q / L; 1x has nothing borrowed and cannot go bankrupt
      if (cap.gt(1)) expect(q.div(cap).gte(d(defaults.adverseJumpSize))).toBe(true);
    }
  });
});

describe("Leverage: the market cap (5x, hazard 1 day, ramp 7 days, extremity 0.1, kink 0.5, buffer 0.1)", () => {
  it.each([
    // mid price, 30 days out, idle pool of 10 000: the full 5x
    {
      name: "mid price, far from resolution, idle pool",
      mark: "0.5",
      now: at.thirtyDaysBefore,
      lent: "0",
      max: "5",
    },
    // YES 0.60 → NO 0.40 is the cheaper side: 0.40 / 0.1 = 4x
    {
      name: "0.60: the NO side at 0.40 allows 4x",
      mark: "0.6",
      now: at.thirtyDaysBefore,
      lent: "0",
      max: "4",
    },
    // 0.25 / 0.1 = 2.5x
    { name: "0.25: 2.5x", mark: "0.25", now: at.thirtyDaysBefore, lent: "0", max: "2.5" },
    // a cheap YES at 0.03: 0.03 / 0.1 = 0.3 → 1x
    { name: "cheap YES at 0.03: 1x", mark: "0.03", now: at.thirtyDaysBefore, lent: "0", max: "1" },
    // an expensive YES at 0.97 is a cheap NO at 0.03: 1x
    { name: "expensive YES at 0.97: 1x", mark: "0.97", now: at.thirtyDaysBefore, lent: "0", max: "1" },
    // 12 hours before resolvesAt is inside the 1-day hazard window: 1x
    { name: "inside the hazard window: 1x", mark: "0.5", now: at.twelveHoursBefore, lent: "0", max: "1" },
    // exactly at resolvesAt − 1 day the window has started: 1x
    { name: "the first instant of the window: 1x", mark: "0.5", now: at.windowStart, lent: "0", max: "1" },
    // one millisecond before it: 1 + 4 × 1 ms / 7 days → 1x after rounding down
    {
      name: "just before the window: 1x after rounding",
      mark: "0.5",
      now: at.windowStart - 1,
      lent: "0",
      max: "1",
    },
    // after resolvesAt: 1x
    { name: "after resolvesAt: 1x", mark: "0.5", now: at.oneHourAfter, lent: "0", max: "1" },
    // 4.5 days out = 3.5 days before the window, half the 7-day ramp: 1 + 4 × 0.5 = 3x
    { name: "half-way up the ramp: 3x", mark: "0.5", now: at.fourAndAHalfDaysBefore, lent: "0", max: "3" },
    // one hour before the window: 1 + 4 / 168 = 1.0238… → 1.02x (rounded down)
    {
      name: "an hour before the window: 1.02x",
      mark: "0.5",
      now: at.oneDayOneHourBefore,
      lent: "0",
      max: "1.02",
    },
    // utilization 0.5 is at the kink: 5x
    { name: "utilization at the kink: 5x", mark: "0.5", now: at.thirtyDaysBefore, lent: "5000", max: "5" },
    // utilization 0.7: 1 + 4 × (0.9 − 0.7) / (0.9 − 0.5) = 3x
    { name: "utilization 0.7: 3x", mark: "0.5", now: at.thirtyDaysBefore, lent: "7000", max: "3" },
    // utilization 0.85: 1 + 4 × 0.05 / 0.4 = 1.5x
    { name: "utilization 0.85: 1.5x", mark: "0.5", now: at.thirtyDaysBefore, lent: "8500", max: "1.5" },
    // utilization 0.9 = the lending limit: 1x
    {
      name: "utilization at the lending limit: 1x",
      mark: "0.5",
      now: at.thirtyDaysBefore,
      lent: "9000",
      max: "1",
    },
    // 0.35 (3.5x), utilization 0.6 (1 + 4 × 0.3 / 0.4 = 4x), 6 days out (1 + 4 × 5/7 = 3.857x): the smallest, 3.5x
    {
      name: "all three limits: the smallest wins",
      mark: "0.35",
      now: at.sixDaysBefore,
      lent: "6000",
      max: "3.5",
    },
  ])("$name → $max", ({ mark, now, lent, max }) => {
    expect(maxLeverage(params, market(mark, now, lent)).toFixed()).toBe(max);
  });

  it("shows each limit: 0.35, utilization 0.6, 6 days out → time 3.857…, extremity 3.5, utilization 4", () => {
    const caps = leverageCaps(params, market("0.35", at.sixDaysBefore, "6000"));
    expect(caps.time.toDecimalPlaces(6).toFixed()).toBe("3.857143");
    expect(caps.extremity.toFixed()).toBe("3.5");
    expect(caps.utilization.toFixed()).toBe("4");
    expect(caps.max.toFixed()).toBe("3.5");
  });

  it("a pool without assets lends nothing: utilization 1, cap 1x", () => {
    expect(utilization(d("0"), d("0")).toFixed()).toBe("1");
    const empty = { ...market("0.5", at.thirtyDaysBefore), poolAssets: d("0") };
    expect(maxLeverage(params, empty).toFixed()).toBe("1");
  });

  it("a zero ramp is a step: the full cap right up to the hazard window", () => {
    const step = withDefaults({ leverageRampSeconds: 0 });
    expect(timeCap(step, at.oneDayOneHourBefore, RESOLVES_AT_MS).toFixed()).toBe("5");
    expect(timeCap(step, at.twelveHoursBefore, RESOLVES_AT_MS).toFixed()).toBe("1");
    expect(timeCap(step, at.windowStart - 1, RESOLVES_AT_MS).toFixed()).toBe("5");
    expect(timeCap(step, at.windowStart, RESOLVES_AT_MS).toFixed()).toBe("1");
  });

  it("limits on their own: extremity 0.5 → 5, 0.1 → 1; utilization 0.95 → 1", () => {
    expect(extremityCap(params, d("0.5")).toFixed()).toBe("5");
    expect(extremityCap(params, d("0.1")).toFixed()).toBe("1");
    expect(extremityCap(params, d("0")).toFixed()).toBe("1");
    expect(utilizationCap(params, d("0.95")).toFixed()).toBe("1");
  });

  it("a cap with more than 2 dp is rounded down", () => {
    const odd = withDefaults({ maxLeverage: "3.456", extremityMove: "0.1" });
    expect(maxLeverage(odd, market("0.5", at.thirtyDaysBefore)).toFixed()).toBe("3.45");
  });

  it("refuses leverage above the cap or below 1", () => {
    expect(isLeverageAllowed(d("4"), d("4"))).toBe(true);
    expect(isLeverageAllowed(d("4.01"), d("4"))).toBe(false);
    expect(isLeverageAllowed(d("0.5"), d("4"))).toBe(false);
  });
});

describe("Leverage: pool lending capacity", () => {
  it.each([
    // 10 000 assets, 90% lendable = 9 000; 7 000 lent: 2 000 more
    { lent: "7000", limit: "9000", borrow: "2000" },
    // nothing lent: 9 000
    { lent: "0", limit: "9000", borrow: "9000" },
    // 9 500 lent (the pool was haircut or the buffer raised): nothing more, never negative
    { lent: "9500", limit: "9000", borrow: "0" },
  ])("lent $lent: max borrow $borrow", ({ lent, limit, borrow }) => {
    expect(lendingLimit(params, d("10000")).toFixed()).toBe(limit);
    expect(maxBorrow(params, pool(lent)).toFixed()).toBe(borrow);
  });

  it("rounds the lending limit down: 0.000009 × 0.9 = 0.0000081 → 0.000008", () => {
    expect(lendingLimit(params, d("0.000009")).toFixed()).toBe("0.000008");
  });
});
