import { describe, expect, it } from "vitest";
import {
  bankruptcyPrice,
  effectiveLeverage,
  equity,
  initialRequirement,
  isBelowMaintenance,
  liquidationPrice,
  loanForPurchase,
  maintenanceRequirement,
  marginForPurchase,
  meetsInitial,
  outcomePrice,
  positionValue,
  yesPriceOf,
} from "../src/position.js";
import {
  alice_long_100_yes_at_060_5x as alice,
  bob_long_200_no_at_030_3x as bob,
  carol_long_100_yes_at_060_1x as carol,
  d,
  params,
} from "./fixtures.js";

describe("Margin: loan and margin of a purchase", () => {
  it.each([
    // 100 YES at 0.60 with 5x: cost 60, margin 12, loan 48
    { name: "alice 5x", cost: "60", leverage: "5", loan: "48", margin: "12" },
    // 200 NO at 0.30 with 3x: cost 60, margin 20, loan 40
    { name: "bob 3x", cost: "60", leverage: "3", loan: "40", margin: "20" },
    // 1x borrows nothing: cost 60, margin 60, loan 0
    { name: "carol 1x", cost: "60", leverage: "1", loan: "0", margin: "60" },
    // cost 10 with 3x: loan 6.666666 (rounded down), margin 3.333334 (the trader pays the rounding)
    { name: "rounding at 3x", cost: "10", leverage: "3", loan: "6.666666", margin: "3.333334" },
    // cost 7.5 with 2.5x: loan 4.5, margin 3
    { name: "fractional leverage", cost: "7.5", leverage: "2.5", loan: "4.5", margin: "3" },
  ])("$name", ({ cost, leverage, loan, margin }) => {
    expect(loanForPurchase(d(cost), d(leverage)).toFixed()).toBe(loan);
    expect(marginForPurchase(d(cost), d(leverage)).toFixed()).toBe(margin);
  });
});

describe("Margin: outcome marks", () => {
  it("a YES holder's mark is p, a NO holder's is 1 − p, and back", () => {
    expect(outcomePrice("YES", d("0.7")).toFixed()).toBe("0.7");
    expect(outcomePrice("NO", d("0.7")).toFixed()).toBe("0.3");
    expect(yesPriceOf("NO", d("0.210527")).toFixed()).toBe("0.789473");
    expect(yesPriceOf("YES", d("0.505264")).toFixed()).toBe("0.505264");
  });
});

describe("Margin: alice_long_100_yes_at_060_5x as the price falls", () => {
  it.each([
    // at 0.60: value 60, equity 12, maintenance 3 (5% of 60): healthy
    { mark: "0.6", value: "60", equity: "12", maintenance: "3", below: false },
    // at 0.52: value 52, equity 4, maintenance 2.6: healthy
    { mark: "0.52", value: "52", equity: "4", maintenance: "2.6", below: false },
    // at 0.505264 (the liquidation price): value 50.5264, equity 2.5264, maintenance 2.52632: healthy
    { mark: "0.505264", value: "50.5264", equity: "2.5264", maintenance: "2.52632", below: false },
    // at 0.505263: value 50.5263, equity 2.5263, maintenance 2.526315: below
    { mark: "0.505263", value: "50.5263", equity: "2.5263", maintenance: "2.526315", below: true },
    // at 0.48 (the bankruptcy price): value 48, equity 0, maintenance 2.4: below
    { mark: "0.48", value: "48", equity: "0", maintenance: "2.4", below: true },
    // at 0.40 after a 0.20 jump: value 40, equity -8 (bad debt 8 if sold there), maintenance 2
    { mark: "0.4", value: "40", equity: "-8", maintenance: "2", below: true },
  ])(
    "at $mark: equity $equity, maintenance $maintenance",
    ({ mark, value, equity: eq, maintenance, below }) => {
      expect(positionValue(alice.position, d(mark)).toFixed()).toBe(value);
      expect(equity(alice.position, d(mark)).toFixed()).toBe(eq);
      expect(maintenanceRequirement(params, alice.position, d(mark)).toFixed()).toBe(maintenance);
      expect(isBelowMaintenance(params, alice.position, d(mark))).toBe(below);
    },
  );

  it("liquidation price 48 / (100 × 0.95) = 0.50526315… rounds up to 0.505264; bankruptcy at 0.48", () => {
    expect(liquidationPrice(params, alice.position)?.toFixed()).toBe("0.505264");
    expect(bankruptcyPrice(alice.position)?.toFixed()).toBe("0.48");
  });

  it("initial requirement 60 / 5 = 12 is met at a 5x cap, 60 / 4 = 15 is not at a 4x cap", () => {
    expect(initialRequirement(alice.position, d("0.6"), d("5")).toFixed()).toBe("12");
    expect(meetsInitial(alice.position, d("0.6"), d("5"))).toBe(true);
    expect(initialRequirement(alice.position, d("0.6"), d("4")).toFixed()).toBe("15");
    expect(meetsInitial(alice.position, d("0.6"), d("4"))).toBe(false);
  });

  it("effective leverage: 60 / 12 = 5 at 0.60; none left at 0.48", () => {
    expect(effectiveLeverage(alice.position, d("0.6"))?.toFixed()).toBe("5");
    expect(effectiveLeverage(alice.position, d("0.48"))).toBeNull();
  });
});

describe("Margin: bob_long_200_no_at_030_3x", () => {
  it("NO mark 0.30: value 60, equity 20, maintenance 3; liquidation at NO 0.210527 (YES 0.789473), bankruptcy at NO 0.2", () => {
    const mark = outcomePrice(bob.outcome, bob.yesPrice);
    expect(equity(bob.position, mark).toFixed()).toBe("20");
    expect(maintenanceRequirement(params, bob.position, mark).toFixed()).toBe("3");
    const liq = liquidationPrice(params, bob.position)!;
    expect(liq.toFixed()).toBe("0.210527");
    expect(yesPriceOf("NO", liq).toFixed()).toBe("0.789473");
    expect(bankruptcyPrice(bob.position)?.toFixed()).toBe("0.2");
    // YES at 0.79 (NO 0.21): value 42, equity 2, maintenance 2.1: below
    expect(isBelowMaintenance(params, bob.position, outcomePrice("NO", d("0.79")))).toBe(true);
  });
});

describe("Margin: carol_long_100_yes_at_060_1x (guarantee 2: 1x is safe)", () => {
  it.each(["0.6", "0.3", "0.01", "0"])("at %s: no maintenance requirement, never below it", (mark) => {
    expect(maintenanceRequirement(params, carol.position, d(mark)).toFixed()).toBe("0");
    expect(initialRequirement(carol.position, d(mark), d("5")).toFixed()).toBe("0");
    expect(isBelowMaintenance(params, carol.position, d(mark))).toBe(false);
  });

  it("has no liquidation or bankruptcy price", () => {
    expect(liquidationPrice(params, carol.position)).toBeNull();
    expect(bankruptcyPrice(carol.position)).toBeNull();
  });

  it("a dust position whose value rounds to 0 is still not below maintenance", () => {
    const dust = { shares: d("0.000001"), loan: d("0") };
    expect(positionValue(dust, d("0.5")).toFixed()).toBe("0");
    expect(isBelowMaintenance(params, dust, d("0.5"))).toBe(false);
  });
});

describe("Margin: degenerate positions", () => {
  it("a loan without shares is liquidatable at any price (trigger prices capped at 1)", () => {
    const empty = { shares: d("0"), loan: d("1") };
    expect(liquidationPrice(params, empty)?.toFixed()).toBe("1");
    expect(bankruptcyPrice(empty)?.toFixed()).toBe("1");
    expect(isBelowMaintenance(params, empty, d("0.99"))).toBe(true);
  });
});
