import { describe, expect, it } from "vitest";
import { deriveSeed, exponential, mulberry32, normal, poisson, weightedPick } from "../src/index.js";

describe("seeded randomness", () => {
  it("mulberry32 gives the same sequence for the same seed and another for another seed", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it("derived seeds differ by label and are stable", () => {
    expect(deriveSeed(1, "path")).toBe(deriveSeed(1, "path"));
    expect(deriveSeed(1, "path")).not.toBe(deriveSeed(1, "population"));
    expect(deriveSeed(1, "path")).not.toBe(deriveSeed(2, "path"));
  });

  it("the distributions have about the right means", () => {
    const rng = mulberry32(7);
    const n = 20_000;
    let e = 0;
    let p = 0;
    let z = 0;
    for (let i = 0; i < n; i++) {
      e += exponential(rng, 3);
      p += poisson(rng, 0.5);
      z += normal(rng);
    }
    expect(e / n).toBeCloseTo(3, 1);
    expect(p / n).toBeCloseTo(0.5, 1);
    expect(Math.abs(z / n)).toBeLessThan(0.03);
    const picks = Array.from({ length: 1000 }, () =>
      weightedPick(rng, [
        { value: "a", weight: 3 },
        { value: "b", weight: 1 },
      ]),
    );
    expect(picks.filter((x) => x === "a").length).toBeGreaterThan(700);
  });
});
