// Issue 11, finding 6 (limits and fair shares): a backstop takes a position at no less than the outcome mark × (1 −
// backstopDiscount); the shared fund is shared pro rata among the markets defaulting in one decision, each capped at
// sharedFundMarketCap of it; a leveraged buy stays within maxAccountLoanFraction of the pool and maxMarketLoan.
import { describe, expect, it } from "vitest";
import type { Event } from "../src/events.js";
import type { Rejection } from "../src/rejection.js";
import {
  alice_long_100_yes_at_050_5x,
  CreditExchange,
  FEE_FREE,
  givenExchange,
  leveragedBuy,
  leveragedOf,
  listMarket,
  loanOf,
  mark,
  market_m1_at_050_with_pool_1000,
  ofType,
  place,
  poolOf,
  type RiskOverrides,
  sharedInsuranceOf,
  T0,
  tick,
} from "./credit-fixtures.js";
import { type CommandInput, cashOf, positionOf } from "./given.js";

const GRACE = 600 * 1000;

describe("backstop floor: a backstop takes a position at no less than ceil6(outcome mark × (1 − backstopDiscount))", () => {
  /**
   * alice_long_100_yes_at_050_5x without fees (loan 40), the only YES bid mm2's 100 at 0.30 (below the band floor
   * 0.42 − 0.1 = 0.32: the book cannot absorb the position), carol's backstop bid at `price`, and the mark at 0.42:
   * alice is called (equity 2 < 2.1). The backstop floor at 0.42 is ceil6(0.42 × 0.95) = 0.399.
   */
  function alice_called_on_a_thin_book_with_carol_backstop_at(price: string, risk: RiskOverrides = {}) {
    const x = alice_long_100_yes_at_050_5x({ ...FEE_FREE, ...risk });
    x.runAll(place("mm2", "buy", "YES", "0.3", 100), {
      type: "SetBackstopBid",
      accountId: "carol",
      marketId: "m1",
      outcome: "YES",
      price,
      maxShares: "100",
    });
    x.run(mark("0.42"));
    x.at(T0 + GRACE);
    return x;
  }

  it("a backstop bid at 0.33 (above the band floor 0.32, below the backstop floor 0.399) does not take alice's 100 YES: the book is tried and cannot sell", () => {
    // Before the floor: carol took the 100 shares for 33 while the mark valued them at 42 — bad debt 7 for the lenders.
    const x = alice_called_on_a_thin_book_with_carol_backstop_at("0.33");
    const { state } = givenExchange(x)
      .when(tick(T0 + GRACE))
      .then([
        { type: "LiquidationStarted", accountId: "alice", reason: "GRACE_EXPIRED", shares: 100, loan: "40" },
        {
          type: "OrderAccepted",
          accountId: "alice",
          side: "sell",
          outcome: "YES",
          price: "0.32",
          quantity: 100,
          source: "liquidation",
        },
        { type: "OrderCancelled", accountId: "alice" },
      ]);
    expect(leveragedOf(state, "alice", "YES")).toMatchObject({ status: "liquidating", shares: 100 });
    expect(positionOf(state, "carol")).toMatchObject({ yes: 0 });
    expect(cashOf(state, "carol")).toBe("1000");
  });

  it("a backstop bid at 0.399, the floor itself, takes the position for 39.9", () => {
    const x = alice_called_on_a_thin_book_with_carol_backstop_at("0.399");
    const { events } = givenExchange(x)
      .when(tick(T0 + GRACE))
      .decide();
    expect(ofType(events, "PositionTransferred")).toEqual([
      expect.objectContaining({ toAccountId: "carol", shares: 100, price: "0.399", amount: "39.9" }),
    ]);
  });

  it("a market listed with backstopDiscount 0.25 (floor ceil6(0.42 × 0.75) = 0.315) lets the 0.33 bid take the position", () => {
    const x = alice_called_on_a_thin_book_with_carol_backstop_at("0.33", { backstopDiscount: "0.25" });
    const { events } = givenExchange(x)
      .when(tick(T0 + GRACE))
      .decide();
    expect(ofType(events, "PositionTransferred")).toEqual([
      expect.objectContaining({ toAccountId: "carol", price: "0.33", amount: "33" }),
    ]);
  });
});

describe("exposure limits: one account owes a market's pool at most maxAccountLoanFraction of its assets, all borrowers at most maxMarketLoan", () => {
  it("alice owes 240 of the pool's 1000 (limit 0.25 × 1000 = 250): another 40 is refused with ACCOUNT_EXPOSURE_LIMIT", () => {
    // Before the limit: alice could borrow 280 (28% of the pool) and on up to the lending limit, 900.
    const x = market_m1_at_050_with_pool_1000(FEE_FREE);
    x.runAll(place("mm", "buy", "NO", "0.5", 700), leveragedBuy("alice", "YES", "0.5", 600, "5"));
    expect(loanOf(x.state, "alice", "YES")).toBe("240");
    const refused = givenExchange(x).when(
      leveragedBuy("alice", "YES", "0.5", 100, "5", { clientOrderId: "more" }),
    );
    refused.thenRejects("ACCOUNT_EXPOSURE_LIMIT");
    expect(rejectionOf(x, leveragedBuy("alice", "YES", "0.5", 100, "5", { clientOrderId: "more" }))).toEqual({
      code: "ACCOUNT_EXPOSURE_LIMIT",
      message: expect.any(String),
      details: { limit: "250", current: "240", requested: "40" },
    });
  });

  it("the account limit counts all of alice's positions in the market: 200 on YES, then 60 on NO is refused; 50 is not", () => {
    const x = market_m1_at_050_with_pool_1000(FEE_FREE);
    x.runAll(
      place("mm", "buy", "NO", "0.5", 500),
      leveragedBuy("alice", "YES", "0.5", 500, "5"),
      place("mm", "buy", "YES", "0.5", 300),
    );
    expect(loanOf(x.state, "alice", "YES")).toBe("200");
    expect(rejectionOf(x, leveragedBuy("alice", "NO", "0.5", 150, "5"))).toMatchObject({
      code: "ACCOUNT_EXPOSURE_LIMIT",
      details: { limit: "250", current: "200", requested: "60" },
    });
    x.run(leveragedBuy("alice", "NO", "0.5", 125, "5"));
    expect(loanOf(x.state, "alice", "NO")).toBe("50");
  });

  it("a market with maxMarketLoan 100: alice and bob borrow 40 each, carol's 40 more is refused with MARKET_EXPOSURE_LIMIT; 20 is not", () => {
    const x = market_m1_at_050_with_pool_1000({ ...FEE_FREE, maxMarketLoan: "100" });
    x.runAll(
      place("mm", "buy", "NO", "0.5", 400),
      leveragedBuy("alice", "YES", "0.5", 100, "5"),
      leveragedBuy("bob", "YES", "0.5", 100, "5"),
    );
    expect(rejectionOf(x, leveragedBuy("carol", "YES", "0.5", 100, "5"))).toEqual({
      code: "MARKET_EXPOSURE_LIMIT",
      message: expect.any(String),
      details: { limit: "100", current: "80", requested: "40" },
    });
    x.run(leveragedBuy("carol", "YES", "0.5", 50, "5"));
    expect(poolOf(x.state).lent).toBe("100");
  });

  it("the loan counted is the new loan with its first hour's fee, charged in advance: at the limit exactly, the fee tips it over", () => {
    // With the default fees the first hour of a 40 loan costs 0.026564 (alice_long_100_yes_at_050_5x).
    const x = market_m1_at_050_with_pool_1000({ maxMarketLoan: "40" });
    x.run(place("mm", "buy", "NO", "0.5", 100));
    expect(rejectionOf(x, leveragedBuy("alice", "YES", "0.5", 100, "5"))).toMatchObject({
      code: "MARKET_EXPOSURE_LIMIT",
      details: { limit: "40", current: "0", requested: "40.026564" },
    });
  });

  it("1x buys are never limited: with maxMarketLoan 0 a 2x buy is refused, alice still buys 600 YES outright", () => {
    const x = market_m1_at_050_with_pool_1000({ ...FEE_FREE, maxMarketLoan: "0" });
    x.run(place("mm", "buy", "NO", "0.5", 600));
    expect(rejectionOf(x, leveragedBuy("alice", "YES", "0.5", 100, "2"))).toMatchObject({
      code: "MARKET_EXPOSURE_LIMIT",
    });
    x.run(place("alice", "buy", "YES", "0.5", 600, { timeInForce: "IOC" }));
    expect(positionOf(x.state, "alice")).toMatchObject({ yes: 600 });
  });
});

/** The rejection of a command (checked by `givenExchange` not to change the state). */
function rejectionOf(x: CreditExchange, input: CommandInput): Rejection {
  const result = x.attempt(input);
  if (!("rejection" in result)) throw new Error(`accepted: ${result.events.map((e) => e.type).join(", ")}`);
  return result.rejection;
}

describe("the shared fund is shared pro rata among the markets defaulting at one tick, each capped at sharedFundMarketCap of it", () => {
  /**
   * m1 and m2 (no fees, pools of 1000 each from lp, `risk` overrides on both); alice holds 100 YES of m1 at 5x
   * (loan 40), bob 50 YES of m2 at 5x (loan 20); the only YES bids are mm2's at 0.32 (100 in m1, 50 in m2); m1's
   * own fund holds 2, the shared fund 5. Both marks fall to 0.42: both are called (equity 2 < 2.1, 1 < 1.05). At
   * the deadline one tick liquidates both through the book at 0.32: m1 repays 32 of 40 (bad debt 8, 6 after its
   * own fund), m2 16 of 20 (bad debt 4, no own fund). Shortfalls 6 and 4 for a shared fund of 5.
   */
  function two_markets_called_at_042_shared_fund_5(risk: RiskOverrides = {}): CreditExchange {
    const x = new CreditExchange(T0);
    x.fund("10000", "mm", "mm2", "lp");
    x.fund("1000", "alice", "bob");
    for (const m of ["m1", "m2"])
      x.runAll(listMarket(m, { ...FEE_FREE, ...risk }), {
        type: "SupplyPool",
        accountId: "lp",
        marketId: m,
        amount: "1000",
        reference: `s-${m}`,
      });
    x.runAll(
      mark("0.5", "m1"),
      mark("0.5", "m2"),
      place("mm", "buy", "NO", "0.5", 100, { marketId: "m1" }),
      place("mm", "buy", "NO", "0.5", 50, { marketId: "m2" }),
      leveragedBuy("alice", "YES", "0.5", 100, "5", { marketId: "m1" }),
      leveragedBuy("bob", "YES", "0.5", 50, "5", { marketId: "m2" }),
      place("mm2", "buy", "YES", "0.32", 100, { marketId: "m1" }),
      place("mm2", "buy", "YES", "0.32", 50, { marketId: "m2" }),
      { type: "DepositInsurance", fundId: "market:m1", amount: "2", reference: "seed" },
      { type: "DepositInsurance", fundId: "shared", amount: "5", reference: "seed" },
    );
    expect(ofType(x.runAll(mark("0.42", "m1"), mark("0.42", "m2")), "MarginCalled")).toHaveLength(2);
    x.at(T0 + GRACE);
    return x;
  }

  /** Each waterfall step of the decision as "market fund amount" (haircuts as "market LPs amount"). */
  const steps = (events: readonly Event[]): string[] =>
    ofType(events, "InsuranceFundDrawn", "LossSocialized").map((e) =>
      e.type === "InsuranceFundDrawn"
        ? `${e.marketId} ${e.fundId} ${e.amount}`
        : `${e.marketId} LPs ${e.amount}`,
    );

  it("pro rata, uncapped (sharedFundMarketCap 1): m1 draws 3 and m2 2 of the shared 5 — not m1 all 5 for being listed first", () => {
    // Before: m1 (listed first) took all 5 (its LPs lost 1) and m2's LPs bore all 4 of its bad debt.
    const x = two_markets_called_at_042_shared_fund_5({ sharedFundMarketCap: "1" });
    const { state, events } = givenExchange(x)
      .when(tick(T0 + GRACE))
      .decide();
    expect(ofType(events, "BadDebtRecorded").map((e) => [e.marketId, e.amount])).toEqual([
      ["m1", "8"],
      ["m2", "4"],
    ]);
    expect(steps(events)).toEqual(["m1 market:m1 2", "m1 shared 3", "m1 LPs 3", "m2 shared 2", "m2 LPs 2"]);
    expect(sharedInsuranceOf(state)).toBe("0");
    expect([poolOf(state, "m1").losses, poolOf(state, "m2").losses]).toEqual(["3", "2"]);
    expect([leveragedOf(state, "alice", "YES", "m1"), leveragedOf(state, "bob", "YES", "m2")]).toEqual([
      undefined,
      undefined,
    ]);
  });

  it("with the default cap 0.25 each market draws at most 0.25 × 5 = 1.25 at this tick; the rest of the fund stays", () => {
    const x = two_markets_called_at_042_shared_fund_5();
    const { state, events } = givenExchange(x)
      .when(tick(T0 + GRACE))
      .decide();
    expect(steps(events)).toEqual([
      "m1 market:m1 2",
      "m1 shared 1.25",
      "m1 LPs 4.75",
      "m2 shared 1.25",
      "m2 LPs 2.75",
    ]);
    expect(sharedInsuranceOf(state)).toBe("2.5");
  });

  it("every position is closed after its shortfall is covered: each PositionClosed follows its market's last waterfall step", () => {
    const x = two_markets_called_at_042_shared_fund_5({ sharedFundMarketCap: "1" });
    const { events } = givenExchange(x)
      .when(tick(T0 + GRACE))
      .decide();
    const tail = events
      .filter((e) => ["InsuranceFundDrawn", "LossSocialized", "PositionClosed"].includes(e.type))
      .map((e) => `${e.type} ${"marketId" in e ? e.marketId : ""}`);
    expect(tail).toEqual([
      "InsuranceFundDrawn m1",
      "InsuranceFundDrawn m1",
      "LossSocialized m1",
      "PositionClosed m1",
      "InsuranceFundDrawn m2",
      "LossSocialized m2",
      "PositionClosed m2",
    ]);
  });

  it("one market alone in a decision is capped too: a mark liquidating alice in m1 draws 1.25 of the shared 5", () => {
    const x = two_markets_called_at_042_shared_fund_5();
    const { events } = givenExchange(x).when(mark("0.33", "m1")).decide();
    expect(steps(events)).toEqual(["m1 market:m1 2", "m1 shared 1.25", "m1 LPs 4.75"]);
  });
});
