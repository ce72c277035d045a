import { describe, expect, it } from "vitest";
import { shareSharedFund } from "../src/waterfall.js";
import { d } from "./fixtures.js";

// Draws as strings, for shortfalls given as strings.
const draws = (fund: string, capFraction: string, shortfalls: string[]): string[] =>
  shareSharedFund(d(fund), claims(capFraction, shortfalls)).map((x) => x.toFixed());
const claims = (capFraction: string, shortfalls: string[]) =>
  shortfalls.map((s) => ({ shortfall: d(s), capFraction: d(capFraction) }));

describe("Waterfall: the shared fund shared pro rata among the shortfalls of one decision, each capped", () => {
  it("a fund smaller than the shortfalls is shared pro rata: 5 for shortfalls 6 and 4 → 3 and 2 (not 5 and 0)", () => {
    expect(draws("5", "1", ["6", "4"])).toEqual(["3", "2"]);
  });

  it("a fund larger than the shortfalls covers each in full", () => {
    expect(draws("100", "1", ["6", "4"])).toEqual(["6", "4"]);
  });

  it("each draw is at most capFraction × fund: 0.25 × 5 = 1.25 each", () => {
    expect(draws("5", "0.25", ["6", "4"])).toEqual(["1.25", "1.25"]);
  });

  it("a capped claim's unused share goes to the others pro rata: fund 100, cap 25; 1000 gets 25, 20 gets all 20", () => {
    expect(draws("100", "0.25", ["1000", "20"])).toEqual(["25", "20"]);
  });

  it("each market has its own cap: fund 100, a claim of 1000 capped at 1 and one of 20 capped at 0.25 → 80 and 20 (Σ ≤ 100)", () => {
    const result = shareSharedFund(d("100"), [
      { shortfall: d("1000"), capFraction: d("1") },
      { shortfall: d("20"), capFraction: d("0.25") },
    ]);
    // pro rata 100 × 1000 / 1020 = 98.04 for the first; the second's pro-rata 1.96 is under its cap of 25 → 1.960784
    expect(result.map((x) => x.toFixed())).toEqual(["98.039215", "1.960784"]);
  });

  it("the cap is floor6 of its fraction of the fund: 0.333333 × 1 = 0.333333", () => {
    expect(draws("1", "0.333333", ["5"])).toEqual(["0.333333"]);
  });

  it("rounding never over-allocates: 1 over three equal shortfalls is 0.333333 each (Σ 0.999999 ≤ 1)", () => {
    expect(draws("1", "1", ["2", "2", "2"])).toEqual(["0.333333", "0.333333", "0.333333"]);
  });

  it("no fund, or no shortfall, draws nothing", () => {
    expect(draws("0", "0.25", ["6", "4"])).toEqual(["0", "0"]);
    expect(draws("5", "0.25", ["0", "4"])).toEqual(["0", "1.25"]);
    expect(draws("5", "0.25", [])).toEqual([]);
  });

  it("Σ draws ≤ fund and each draw ≤ min(shortfall, cap), over a grid of awkward figures", () => {
    const funds = ["0.000001", "0.7", "1", "3.333333", "10", "1000"];
    const caps = ["0.000001", "0.1", "0.25", "0.5", "1"];
    const shortfallSets = [["0.000001", "0.000001"], ["1", "2", "3"], ["0.7", "999", "0.000003"], ["5"]];
    for (const fund of funds)
      for (const cap of caps)
        for (const shortfalls of shortfallSets) {
          const result = shareSharedFund(d(fund), claims(cap, shortfalls));
          const total = result.reduce((sum, x) => sum.plus(x), d("0"));
          expect(total.lte(d(fund)), `${fund} ${cap} ${shortfalls}`).toBe(true);
          result.forEach((x, i) => {
            expect(x.gte(0)).toBe(true);
            expect(x.decimalPlaces()).toBeLessThanOrEqual(6);
            expect(x.lte(d(shortfalls[i]!))).toBe(true);
            expect(x.lte(d(fund).mul(cap))).toBe(true);
          });
        }
  });
});
