// Vesting of collected fees (PoolValue): linear unlocking, and an end no stream of tiny collections can keep pushing back.
import { describe, expect, it } from "vitest";
import { Decimal } from "../src/decimal.js";
import { addToVesting, lockedProfit, type Vesting } from "../src/pool-value.js";

const DAY_S = 86_400;
const T0 = Date.UTC(2025, 0, 1);
const NONE: Vesting = { amount: new Decimal(0), startMs: null };

describe("PoolValue vesting", () => {
  it("one collection of 100 unlocks linearly over the day: 100 at once, 50 at noon, 0 at the end", () => {
    const v = addToVesting(NONE, new Decimal(100), T0, DAY_S);
    expect(v).toEqual({ amount: new Decimal(100), startMs: T0 });
    expect(lockedProfit(v, T0, DAY_S).toFixed()).toBe("100");
    expect(lockedProfit(v, T0 + 43_200_000, DAY_S).toFixed()).toBe("50");
    expect(lockedProfit(v, T0 + 86_400_000, DAY_S).toFixed()).toBe("0");
  });

  it("a second collection adds to what is locked: 50 still locked + 100 new = 150 locked at once, all unlocked by the weighted end", () => {
    const first = addToVesting(NONE, new Decimal(100), T0, DAY_S);
    const at = T0 + 43_200_000;
    const both = addToVesting(first, new Decimal(100), at, DAY_S);
    expect(lockedProfit(both, at, DAY_S).toFixed()).toBe("150");
    // end = (50 × (T0 + 24 h) + 100 × (T0 + 36 h)) / 150 = T0 + 32 h
    expect(lockedProfit(both, T0 + 32 * 3_600_000 - 1000, DAY_S).gt(0)).toBe(true);
    expect(lockedProfit(both, T0 + 32 * 3_600_000, DAY_S).toFixed()).toBe("0");
  });

  it("a griefer repaying 0.000001 every second for an hour does not hold back 100 collected at T0: it has unlocked a minute after T0 + 24 h", () => {
    let v = addToVesting(NONE, new Decimal(100), T0, DAY_S);
    for (let s = 1; s <= 3600; s++) v = addToVesting(v, new Decimal("0.000001"), T0 + s * 1000, DAY_S);
    // Restarting the whole day at each collection would leave about 4 of the 100 locked then.
    expect(lockedProfit(v, T0 + 86_400_000 + 60_000, DAY_S).lte("0.01")).toBe(true);
  });
});
