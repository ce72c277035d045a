// Guarantee 5: bad debt goes down the waterfall stated in advance — the position's own margin (its liquidation
// proceeds) → the market's insurance fund → the shared insurance fund → a pro-rata haircut of the pool's LPs —
// each step its own event with its amount, each only when the previous one did not cover the debt.
import { describe, expect, it } from "vitest";
import type { Event } from "../src/events.js";
import {
  alice_long_100_yes_at_050_5x,
  type CreditExchange,
  FEE_FREE,
  givenExchange,
  insuranceOf,
  leveragedOf,
  mark,
  ofType,
  place,
  poolOf,
  sharedInsuranceOf,
  typesOf,
} from "./credit-fixtures.js";
import { cashOf } from "./given.js";

/**
 * alice_long_100_yes_at_050_5x without fees (loan 40), the funds seeded with `market` and `shared`, mm2 bidding
 * 100 YES at 0.32 (the only bid), and the YES mark at 0.42: alice is under a margin call (equity 2 < 2.1). The
 * next mark, 0.33, is a fall within the band (no auction) that the grace window cannot catch: equity 33 − 40 < 0.
 */
function alice_called_at_042(
  market: string,
  shared: string,
  extra?: (x: CreditExchange) => void,
): CreditExchange {
  // One market defaults alone here: the shared fund's per-market cap (credit-fairness.unit.test.ts) is lifted.
  const x = alice_long_100_yes_at_050_5x({ ...FEE_FREE, sharedFundMarketCap: "1" });
  extra?.(x);
  if (market !== "0")
    x.run({ type: "DepositInsurance", fundId: "market:m1", amount: market, reference: "seed" });
  if (shared !== "0")
    x.run({ type: "DepositInsurance", fundId: "shared", amount: shared, reference: "seed" });
  x.run(place("mm2", "buy", "YES", "0.32", 100));
  expect(typesOf(x.run(mark("0.42")))).toEqual(["MarkPriceSet", "MarginCalled"]);
  return x;
}

describe("guarantee 5: waterfall order, stated in advance", () => {
  it("all three steps, in order, with their amounts: bad debt 8 = market insurance 3 + shared insurance 2 + LPs 3", () => {
    const x = alice_called_at_042("3", "2");
    // At 0.33 alice's 100 YES are liquidated at once, sold through the book within the band (floor 0.23):
    // 100 × 0.32 = 32 repays 32 of the 40 loan (the position's own margin is spent), leaving bad debt 8.
    // Market insurance 3 < 8 pays 3, shared 2 < 5 pays 2, the pool's only LP bears the last 3.
    const { state } = givenExchange(x)
      .when(mark("0.33"))
      .then([
        { type: "MarkPriceSet", price: "0.33" },
        {
          type: "LiquidationStarted",
          accountId: "alice",
          reason: "EQUITY_NEAR_ZERO",
          equity: "-7",
          loan: "40",
        },
        {
          type: "OrderAccepted",
          accountId: "alice",
          side: "sell",
          outcome: "YES",
          price: "0.23",
          quantity: 100,
          source: "liquidation",
        },
        {
          type: "TradeExecuted",
          kind: "TRANSFER",
          yesPrice: "0.32",
          quantity: 100,
          makerAccountId: "mm2",
          takerAccountId: "alice",
        },
        { type: "LoanRepaid", accountId: "alice", amount: "32", source: "liquidation" },
        { type: "BadDebtRecorded", accountId: "alice", outcome: "YES", amount: "8" },
        { type: "InsuranceFundDrawn", fundId: "market:m1", accountId: "alice", amount: "3" },
        { type: "InsuranceFundDrawn", fundId: "shared", accountId: "alice", amount: "2" },
        {
          type: "LossSocialized",
          accountId: "alice",
          amount: "3",
          haircuts: [{ accountId: "lp", amount: "3" }],
        },
        { type: "PositionClosed", accountId: "alice", outcome: "YES", reason: "LIQUIDATED" },
      ]);
    // The pool got 32 + 3 + 2 back of the 40 it lent and wrote off 3: each of lp's 1000 shares is worth 0.997.
    expect(poolOf(state)).toEqual({ cash: "997", lent: "0", shares: "1000", feesEarned: "0", losses: "3" });
    expect([insuranceOf(state), sharedInsuranceOf(state)]).toEqual(["0", "0"]);
    expect(leveragedOf(state, "alice", "YES")).toBeUndefined();
  });

  // Bad debt 8 each time (32 of 40 repaid); the funds before → what each step pays.
  const cases: {
    name: string;
    market: string;
    shared: string;
    steps: string[][];
    haircut: string | null;
    left: string[];
  }[] = [
    {
      name: "market fund 10 covers all 8: no shared draw, no haircut",
      market: "10",
      shared: "10",
      steps: [["market:m1", "8"]],
      haircut: null,
      left: ["2", "10"],
    },
    {
      name: "market fund 8 covers exactly 8: nothing more",
      market: "8",
      shared: "10",
      steps: [["market:m1", "8"]],
      haircut: null,
      left: ["0", "10"],
    },
    {
      name: "market fund 3, then shared 5 of its 10: no haircut",
      market: "3",
      shared: "10",
      steps: [
        ["market:m1", "3"],
        ["shared", "5"],
      ],
      haircut: null,
      left: ["0", "5"],
    },
    {
      name: "market fund empty: shared 6, then the LPs 2",
      market: "0",
      shared: "6",
      steps: [["shared", "6"]],
      haircut: "2",
      left: ["0", "0"],
    },
    {
      name: "both funds empty: the LPs bear all 8",
      market: "0",
      shared: "0",
      steps: [],
      haircut: "8",
      left: ["0", "0"],
    },
  ];
  for (const { name, market, shared, steps, haircut, left } of cases)
    it(name, () => {
      const x = alice_called_at_042(market, shared);
      const { state, events } = givenExchange(x).when(mark("0.33")).decide();
      const waterfall = ofType(events, "BadDebtRecorded", "InsuranceFundDrawn", "LossSocialized");
      expect(waterfall.map(describeStep)).toEqual([
        "BadDebtRecorded 8",
        ...steps.map(([fund, amount]) => `InsuranceFundDrawn ${fund} ${amount}`),
        ...(haircut ? [`LossSocialized ${haircut}`] : []),
      ]);
      expect([insuranceOf(state), sharedInsuranceOf(state)]).toEqual(left);
      expect(poolOf(state).losses).toBe(haircut ?? "0");
    });

  it("the haircut is pro rata to pool shares: LPs with 1000 and 600 shares bear 5 and 3 of 8", () => {
    const x = alice_called_at_042("0", "0", (x) => {
      x.run({ type: "SupplyPool", accountId: "mm", marketId: "m1", amount: "600", reference: "s-mm" });
    });
    const { events } = givenExchange(x).when(mark("0.33")).decide();
    const [loss] = ofType(events, "LossSocialized");
    // 8 × 1000 / 1600 = 5 and 8 × 600 / 1600 = 3
    expect(loss!.haircuts).toEqual([
      { accountId: "lp", amount: "5" },
      { accountId: "mm", amount: "3" },
    ]);
  });

  it("the position's own margin pays first: the liquidation proceeds repay the loan before any bad debt is recorded", () => {
    const x = alice_called_at_042("3", "2");
    const { state, events } = givenExchange(x).when(mark("0.33")).decide();
    const order = typesOf(events).filter((t) =>
      ["LoanRepaid", "BadDebtRecorded", "InsuranceFundDrawn", "LossSocialized", "PositionClosed"].includes(t),
    );
    expect(order).toEqual([
      "LoanRepaid",
      "BadDebtRecorded",
      "InsuranceFundDrawn",
      "InsuranceFundDrawn",
      "LossSocialized",
      "PositionClosed",
    ]);
    // Nobody outside the list pays: alice's free cash (1000 − 10 margin; the 32 of proceeds went to the loan) is
    // not touched by her bad debt.
    expect(cashOf(state, "alice")).toBe("990");
  });
});

function describeStep(e: Event): string {
  switch (e.type) {
    case "BadDebtRecorded":
      return `BadDebtRecorded ${e.amount}`;
    case "InsuranceFundDrawn":
      return `InsuranceFundDrawn ${e.fundId} ${e.amount}`;
    case "LossSocialized":
      return `LossSocialized ${e.amount}`;
    default:
      return e.type;
  }
}
