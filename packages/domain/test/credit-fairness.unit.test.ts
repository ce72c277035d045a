// Issue 11, finding 6 (limits and fair shares): a backstop takes a position at no less than the outcome mark × (1 −
// backstopDiscount); the shared fund is shared pro rata among the markets defaulting in one decision, each capped at
// sharedFundMarketCap of it; a leveraged buy stays within maxAccountLoanFraction of the pool and maxMarketLoan.
import { describe, expect, it } from "vitest";
import {
  alice_long_100_yes_at_050_5x,
  FEE_FREE,
  givenExchange,
  leveragedOf,
  mark,
  ofType,
  place,
  type RiskOverrides,
  T0,
  tick,
} from "./credit-fixtures.js";
import { cashOf, positionOf } from "./given.js";

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
