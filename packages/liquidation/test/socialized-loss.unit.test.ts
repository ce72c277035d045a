import { describe, expect, it } from "vitest";
import { assetsForRedeem, haircutPool, sharesForDeposit, shareValue } from "../src/socialized-loss.js";
import { d } from "./fixtures.js";

const holdings = (...rows: [string, string][]) =>
  rows.map(([provider, shares]) => ({ provider, shares: d(shares) }));
const amountsOf = (loss: string, rows: [string, string][], assets = "10000") =>
  haircutPool(d(loss), holdings(...rows), d(assets)).perProvider.map(
    (p) => `${p.provider}:${p.amount.toFixed()}`,
  );

describe("SocializedLoss: pro-rata haircut", () => {
  it.each([
    // 10 over 50 / 30 / 20 shares: 5, 3, 2
    {
      name: "even split",
      loss: "10",
      rows: [
        ["alice", "50"],
        ["bob", "30"],
        ["carol", "20"],
      ],
      out: ["alice:5", "bob:3", "carol:2"],
    },
    // 1 over three equal holders: 0.333333 each, the leftover 0.000001 to the first provider id
    {
      name: "thirds",
      loss: "1",
      rows: [
        ["carol", "1"],
        ["alice", "1"],
        ["bob", "1"],
      ],
      out: ["carol:0.333333", "alice:0.333334", "bob:0.333333"],
    },
    // 0.000001 over two equal holders: the smaller id bears it
    {
      name: "one micro unit",
      loss: "0.000001",
      rows: [
        ["b", "5"],
        ["a", "5"],
      ],
      out: ["b:0", "a:0.000001"],
    },
    // 1 over 2 / 1 shares: 0.666666 (remainder 2/3) and 0.333333 (remainder 1/3): the larger remainder gets the unit
    {
      name: "largest remainder",
      loss: "1",
      rows: [
        ["a", "1"],
        ["b", "2"],
      ],
      out: ["a:0.333333", "b:0.666667"],
    },
    // a provider with no shares bears nothing
    {
      name: "zero shares",
      loss: "1",
      rows: [
        ["a", "0"],
        ["b", "3"],
      ],
      out: ["a:0", "b:1"],
    },
    // alice's 1 of pool haircut over a pool of 10 000 shares held 7 000 / 3 000
    {
      name: "alice's jump",
      loss: "1",
      rows: [
        ["lp-1", "7000"],
        ["lp-2", "3000"],
      ],
      out: ["lp-1:0.7", "lp-2:0.3"],
    },
  ] as const)("$name", ({ loss, rows, out }) => {
    expect(
      amountsOf(
        loss,
        rows.map(([p, s]) => [p, s]),
      ),
    ).toEqual(out);
  });

  it("reduces assets, not shares: 10 000 − 1 = 9 999", () => {
    const result = haircutPool(d("1"), holdings(["lp-1", "7000"], ["lp-2", "3000"]), d("10000"));
    expect(result.assetsAfter.toFixed()).toBe("9999");
    expect(result.perProvider.map((p) => p.shares.toFixed())).toEqual(["7000", "3000"]);
  });

  it("refuses a haircut larger than the pool, a negative loss, or more than 6 dp", () => {
    expect(() => haircutPool(d("2"), holdings(["a", "1"]), d("1"))).toThrow(RangeError);
    expect(() => haircutPool(d("-1"), holdings(["a", "1"]), d("1"))).toThrow(RangeError);
    expect(() => haircutPool(d("0.0000001"), holdings(["a", "1"]), d("1"))).toThrow(RangeError);
    expect(() => haircutPool(d("1"), holdings(["a", "0"]), d("1"))).toThrow(RangeError);
  });
});

describe("SocializedLoss: pool shares", () => {
  it("share value 9 999 / 10 000 = 0.9999; 1 in an empty pool", () => {
    expect(shareValue(d("9999"), d("10000")).toFixed()).toBe("0.9999");
    expect(shareValue(d("0"), d("0")).toFixed()).toBe("1");
    // 2 / 3 = 0.666666… rounds down
    expect(shareValue(d("2"), d("3")).toFixed()).toBe("0.666666");
  });

  it.each([
    // 100 into an empty pool: 100 shares
    { amount: "100", assets: "0", shares: "0", out: "100" },
    // 100 into 9 000 assets / 10 000 shares: 111.111111 (rounded down, against the depositor)
    { amount: "100", assets: "9000", shares: "10000", out: "111.111111" },
    // 100 into 10 000 / 10 000: 100
    { amount: "100", assets: "10000", shares: "10000", out: "100" },
  ])("deposit $amount into $assets / $shares → $out shares", ({ amount, assets, shares, out }) => {
    expect(sharesForDeposit(d(amount), d(assets), d(shares))?.toFixed()).toBe(out);
  });

  it("refuses a deposit into a pool whose shares are worthless", () => {
    expect(sharesForDeposit(d("100"), d("0"), d("10"))).toBeNull();
  });

  it.each([
    // 111.111111 of 10 111.111111 shares over 9 100 assets: 99.999999 (rounded down, against the redeemer)
    { shares: "111.111111", assets: "9100", total: "10111.111111", out: "99.999999" },
    // half of a 9 999 pool: 4 999.5
    { shares: "5000", assets: "9999", total: "10000", out: "4999.5" },
    { shares: "0", assets: "0", total: "0", out: "0" },
  ])("redeem $shares of $total over $assets → $out", ({ shares, assets, total, out }) => {
    expect(assetsForRedeem(d(shares), d(assets), d(total)).toFixed()).toBe(out);
  });

  it("refuses to redeem more shares than exist", () => {
    expect(() => assetsForRedeem(d("2"), d("10"), d("1"))).toThrow(RangeError);
  });
});
