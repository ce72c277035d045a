import { describe, expect, it } from "vitest";
import { allocateBadDebt, WATERFALL_ORDER } from "../src/waterfall.js";
import { d } from "./fixtures.js";

const amounts = (badDebt: string, sources: [string, string, string, string]) => {
  const [positionMargin, marketInsurance, sharedInsurance, poolAssets] = sources.map(d);
  const result = allocateBadDebt(d(badDebt), {
    positionMargin: positionMargin!,
    marketInsurance: marketInsurance!,
    sharedInsurance: sharedInsurance!,
    poolAssets: poolAssets!,
  });
  return {
    sources: result.steps.map((s) => s.source),
    amounts: result.steps.map((s) => s.amount.toFixed()),
    uncovered: result.uncovered.toFixed(),
  };
};

describe("Waterfall: position margin → market insurance → shared insurance → pool haircut", () => {
  it.each([
    // alice's jump to 0.40 leaves 8 bad debt; no margin left, market insurance 5, shared 2: the pool's LPs lose 1
    {
      name: "alice's 8 after the jump",
      debt: "8",
      src: ["0", "5", "2", "10000"],
      out: ["0", "5", "2", "1"],
      uncovered: "0",
    },
    // 8 with 10 of posted margin: the position pays it all
    {
      name: "margin covers it",
      debt: "8",
      src: ["10", "5", "2", "10000"],
      out: ["8", "0", "0", "0"],
      uncovered: "0",
    },
    // 8 with 3 margin and 20 market insurance: 3 then 5
    {
      name: "margin then market insurance",
      debt: "8",
      src: ["3", "20", "2", "10000"],
      out: ["3", "5", "0", "0"],
      uncovered: "0",
    },
    // 100 against 10 + 20 + 30 + a pool of 15: 25 is uncovered, reported, no balance goes negative
    {
      name: "everything exhausted",
      debt: "100",
      src: ["10", "20", "30", "15"],
      out: ["10", "20", "30", "15"],
      uncovered: "25",
    },
    // no bad debt: four zero steps
    {
      name: "nothing to cover",
      debt: "0",
      src: ["10", "20", "30", "15"],
      out: ["0", "0", "0", "0"],
      uncovered: "0",
    },
    // micro amounts stay exact: 0.000003 over 0.000001 + 0.000001 + 0 + 0.000005
    {
      name: "micro amounts",
      debt: "0.000003",
      src: ["0.000001", "0.000001", "0", "0.000005"],
      out: ["0.000001", "0.000001", "0", "0.000001"],
      uncovered: "0",
    },
  ] as const)("$name", ({ debt, src, out, uncovered }) => {
    const result = amounts(debt, [...src]);
    expect(result.sources).toEqual([...WATERFALL_ORDER]);
    expect(result.amounts).toEqual(out);
    expect(result.uncovered).toBe(uncovered);
  });

  it("refuses negative inputs instead of hiding them", () => {
    const zero = d("0");
    const sources = { positionMargin: zero, marketInsurance: zero, sharedInsurance: zero, poolAssets: zero };
    expect(() => allocateBadDebt(d("-1"), sources)).toThrow(RangeError);
    expect(() => allocateBadDebt(d("1"), { ...sources, marketInsurance: d("-1") })).toThrow(RangeError);
  });
});
