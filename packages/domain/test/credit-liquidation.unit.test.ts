// Guarantees 6 and 10 in the decider: on a continuous path with resting liquidity a leveraged position is
// liquidated while its equity is still ≥ 0 (no bad debt); below maintenance it first gets a margin call with a
// deadline (added margin or a reduction clears it); past the deadline, or at once near zero equity, it is
// liquidated — offered whole to backstop bidders at a price no worse than the book, else sold through the book
// within the band.
import { describe, expect, it } from "vitest";
import { money, toAmountString } from "../src/money.js";
import {
  alice_long_100_yes_at_050_5x,
  CreditExchange,
  FEE_FREE,
  givenExchange,
  HOUR,
  leveragedBuy,
  leveragedOf,
  listMarket,
  MINUTE,
  mark,
  ofType,
  place,
  poolOf,
  T0,
  tick,
  typesOf,
} from "./credit-fixtures.js";
import { cashOf, positionOf } from "./given.js";

const GRACE = 600 * 1000;

describe("guarantee 6: liquidation before bankruptcy when liquidity allows", () => {
  it("a fall of 0.001 a minute with a bid ladder re-quoted under each mark: alice is called at 0.421, liquidated at 0.411 when the grace expires, with equity ≥ 0 and no bad debt", () => {
    // m1 on ticks of 0.001; alice buys 100 YES at 0.50 with 5x (loan 40, liquidation price 0.421053,
    // bankruptcy 0.40); mm2 keeps 60 YES bid at each of mark − 0.001, − 0.002, − 0.003.
    const x = new CreditExchange(T0);
    x.fund("10000", "mm", "mm2", "lp");
    x.fund("1000", "alice");
    x.runAll(
      listMarket("m1", { tickSize: "0.001" }),
      { type: "SupplyPool", accountId: "lp", marketId: "m1", amount: "1000", reference: "s-1" },
      mark("0.5"),
      place("mm", "buy", "NO", "0.5", 100),
      leveragedBuy("alice", "YES", "0.5", 100, "5"),
    );
    let ladder: string[] = [];
    let minute = 0;
    while (leveragedOf(x.state, "alice", "YES") && minute < 120) {
      minute += 1;
      x.at(T0 + minute * MINUTE);
      const markThousandths = 500 - minute;
      for (const orderId of ladder)
        if (x.state.orders.get(orderId)!.status === "open")
          x.run({ type: "CancelOrder", accountId: "mm2", orderId });
      ladder = [1, 2, 3].map((k) => {
        const [accepted] = x.run(
          place("mm2", "buy", "YES", String((markThousandths - k) / 1000), 60, {
            clientOrderId: `ladder-${minute}-${k}`,
          }),
        );
        return (accepted as { orderId: string }).orderId;
      });
      x.run(mark(String(markThousandths / 1000)));
      x.run(tick(x.now));
    }
    const called = ofType(x.events, "MarginCalled");
    const started = ofType(x.events, "LiquidationStarted");
    // The loan: 40 plus the fees charged in advance at the opening (mark 0.50) and at minute 60 (mark 0.44).
    const fees = ofType(x.events, "FundingAccrued");
    expect(fees.map((f) => f.until)).toEqual([T0 + HOUR, T0 + 2 * HOUR]);
    const loan = fees.reduce((sum, f) => sum.plus(f.amount), money(40));
    // At 0.421 (minute 79) the equity 42.1 − loan ≈ 2.03 is below maintenance 2.105: a call, 10 minutes' grace.
    expect(called).toEqual([
      expect.objectContaining({
        accountId: "alice",
        equity: toAmountString(money("42.1").minus(loan)),
        maintenance: "2.105",
        deadline: T0 + 79 * MINUTE + GRACE,
      }),
    ]);
    // At minute 89 (mark 0.411) the deadline has come: equity 41.1 − loan ≈ 1.03 ≥ 0.
    expect(started).toEqual([
      expect.objectContaining({
        reason: "GRACE_EXPIRED",
        equity: toAmountString(money("41.1").minus(loan)),
        shares: 100,
        loan: toAmountString(loan),
      }),
    ]);
    expect(Number(started[0]!.equity)).toBeGreaterThanOrEqual(0);
    // Sold to the ladder at 0.410 × 60 + 0.409 × 40 = 40.96: the loan is repaid in full, the penalty
    // ceil6(1% × 40.96) = 0.4096 goes to insurance, alice keeps the rest. No bad debt.
    const end = x.events.slice(x.events.indexOf(started[0]!));
    expect(ofType(end, "TradeExecuted").map((t) => [t.yesPrice, t.quantity])).toEqual([
      ["0.41", 60],
      ["0.409", 40],
    ]);
    expect(ofType(end, "LoanRepaid")[0]).toMatchObject({
      amount: toAmountString(loan),
      source: "liquidation",
    });
    expect(ofType(end, "LiquidationPenaltyCharged")[0]).toMatchObject({ amount: "0.4096" });
    expect(ofType(x.events, "BadDebtRecorded", "InsuranceFundDrawn", "LossSocialized")).toEqual([]);
    expect(cashOf(x.state, "alice")).toBe(toAmountString(money("990.5504").minus(loan.minus(40))));
  });
});

describe("guarantee 10: grace before transfer", () => {
  /** alice_long_100_yes_at_050_5x without fees, then the YES mark falls to 0.42: equity 42 − 40 = 2 < maintenance 2.1. */
  function alice_called_at_042(extra: Parameters<CreditExchange["runAll"]> = []) {
    const x = alice_long_100_yes_at_050_5x(FEE_FREE);
    x.runAll(...extra);
    const called = x.run(mark("0.42"));
    expect(called).toEqual([
      expect.objectContaining({ type: "MarkPriceSet" }),
      expect.objectContaining({ type: "MarkUpdated", price: "0.42", oracle: "0.42" }),
      expect.objectContaining({
        type: "MarginCalled",
        equity: "2",
        maintenance: "2.1",
        deadline: T0 + GRACE,
      }),
    ]);
    return x;
  }

  it("a margin call has a deadline; adding margin before it clears the call", () => {
    const x = alice_called_at_042();
    x.at(T0 + 5 * MINUTE);
    // 5 repays the loan to 35: equity 42 − 35 = 7 ≥ 2.1
    const { state } = givenExchange(x)
      .when({
        type: "AddMargin",
        accountId: "alice",
        marketId: "m1",
        outcome: "YES",
        amount: "5",
        reference: "am-1",
      })
      .then([
        { type: "LoanRepaid", accountId: "alice", amount: "5", feePart: "0", source: "margin" },
        { type: "MarginCallCleared", accountId: "alice", equity: "7" },
      ]);
    expect(leveragedOf(state, "alice", "YES")).toMatchObject({ status: "healthy", deadline: null });
    expect(cashOf(state, "alice")).toBe("985");
  });

  it("reducing before the deadline: half sold at 0.42 repays 21, and the tick at the deadline clears the call instead of liquidating", () => {
    const x = alice_called_at_042([place("mm2", "buy", "YES", "0.42", 50)]);
    x.at(T0 + 5 * MINUTE);
    x.run({
      type: "ReducePosition",
      accountId: "alice",
      marketId: "m1",
      outcome: "YES",
      quantity: "50",
      price: "0.42",
    });
    // 50 pledged YES left, loan 19: equity 21 − 19 = 2 ≥ maintenance 1.05
    givenExchange(x)
      .when(tick(T0 + GRACE))
      .then([{ type: "MarginCallCleared", accountId: "alice", equity: "2" }]);
  });

  it("past the deadline the whole position goes first to a backstop bidder paying no less than the book (40.5), not to one paying less", () => {
    // The book: 50 YES bid at 0.41 and 50 at 0.40 → selling 100 would pay 20.5 + 20 = 40.5.
    // Backstops: carol at 0.40 (pays 40 < 40.5: refused), bob at 0.405 (pays 40.5: no worse than the book).
    const x = alice_called_at_042([
      place("mm2", "buy", "YES", "0.41", 50),
      place("mm2", "buy", "YES", "0.4", 50),
      {
        type: "SetBackstopBid",
        accountId: "carol",
        marketId: "m1",
        outcome: "YES",
        price: "0.4",
        maxShares: "500",
      },
      {
        type: "SetBackstopBid",
        accountId: "bob",
        marketId: "m1",
        outcome: "YES",
        price: "0.405",
        maxShares: "500",
      },
    ]);
    const { state } = givenExchange(x)
      .when(tick(T0 + GRACE))
      .then([
        {
          type: "LiquidationStarted",
          accountId: "alice",
          reason: "GRACE_EXPIRED",
          equity: "2",
          shares: 100,
          loan: "40",
        },
        {
          type: "PositionTransferred",
          fromAccountId: "alice",
          toAccountId: "bob",
          shares: 100,
          price: "0.405",
          amount: "40.5",
        },
        { type: "LoanRepaid", accountId: "alice", amount: "40", source: "liquidation" },
        // ceil6(1% × 40.5) = 0.405 to insurance; alice keeps 0.095
        { type: "LiquidationPenaltyCharged", accountId: "alice", amount: "0.405" },
        { type: "PositionClosed", accountId: "alice", reason: "TRANSFERRED" },
      ]);
    expect(positionOf(state, "bob")).toMatchObject({ yes: 100 });
    expect([cashOf(state, "bob"), cashOf(state, "alice"), cashOf(state, "carol")]).toEqual([
      "959.5",
      "990.095",
      "1000",
    ]);
    expect(poolOf(state)).toMatchObject({ cash: "1000", lent: "0" });
  });

  it("with no backstop bid as good as the book, the position is sold through the book", () => {
    const x = alice_called_at_042([
      place("mm2", "buy", "YES", "0.41", 50),
      place("mm2", "buy", "YES", "0.4", 50),
      {
        type: "SetBackstopBid",
        accountId: "carol",
        marketId: "m1",
        outcome: "YES",
        price: "0.4",
        maxShares: "500",
      },
    ]);
    const { events } = givenExchange(x)
      .when(tick(T0 + GRACE))
      .decide();
    expect(typesOf(events)).not.toContain("PositionTransferred");
    expect(ofType(events, "TradeExecuted").map((t) => [t.yesPrice, t.quantity])).toEqual([
      ["0.41", 50],
      ["0.4", 50],
    ]);
    expect(ofType(events, "PositionClosed")[0]).toMatchObject({ reason: "LIQUIDATED" });
  });

  it("before the deadline nothing happens; at it, the liquidation", () => {
    const x = alice_called_at_042([place("mm2", "buy", "YES", "0.41", 100)]);
    x.run(tick(T0 + GRACE - 1));
    expect(leveragedOf(x.state, "alice", "YES")).toMatchObject({ status: "margin_call" });
    const events = x.run(tick(T0 + GRACE));
    expect(ofType(events, "LiquidationStarted")[0]).toMatchObject({ reason: "GRACE_EXPIRED" });
  });

  it("near-zero equity is liquidated at once, without a grace window: at 0.404 the equity 0.4 is below 20% of maintenance 2.02", () => {
    const x = alice_long_100_yes_at_050_5x(FEE_FREE);
    x.run(place("mm2", "buy", "YES", "0.4", 100));
    // 0.405: equity 0.5 ≥ 0.405 (20% of 2.025) → a call; 0.404: equity 0.4 < 0.404 → at once
    expect(typesOf(x.run(mark("0.405")))).toEqual(["MarkPriceSet", "MarginCalled"]);
    const events = givenExchange(x).when(mark("0.404")).decide().events;
    expect(ofType(events, "LiquidationStarted")[0]).toMatchObject({
      reason: "EQUITY_NEAR_ZERO",
      equity: "0.4",
    });
    const fresh = alice_long_100_yes_at_050_5x(FEE_FREE);
    fresh.run(place("mm2", "buy", "YES", "0.4", 100));
    // straight from healthy: no MarginCalled first
    expect(typesOf(fresh.run(mark("0.404"))).slice(0, 2)).toEqual(["MarkPriceSet", "LiquidationStarted"]);
  });

  it("the book sale stays within the band: with bids only below mark − band, the shares stay pledged until a bid inside the band comes", () => {
    const x = alice_called_at_042([place("mm2", "buy", "YES", "0.31", 100)]);
    // band floor 0.42 − 0.10 = 0.32: the 0.31 bid is out of reach
    const first = x.run(tick(T0 + GRACE));
    expect(typesOf(first)).toEqual(["LiquidationStarted", "OrderAccepted", "OrderCancelled"]);
    expect(leveragedOf(x.state, "alice", "YES")).toMatchObject({ status: "liquidating", shares: 100 });
    x.run(place("bob", "buy", "YES", "0.35", 100));
    const second = x.run(tick(T0 + GRACE + MINUTE));
    expect(ofType(second, "TradeExecuted").map((t) => [t.yesPrice, t.quantity, t.makerAccountId])).toEqual([
      ["0.35", 100, "bob"],
    ]);
    expect(leveragedOf(x.state, "alice", "YES")).toBeUndefined();
  });
});
