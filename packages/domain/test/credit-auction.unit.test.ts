// Guarantee 9 in the decider: a mark move larger than the band (or a halt's reopening) moves the market into a call
// auction; during it only GTC 1x limit orders are accepted and collected; at its end everything uncrosses at one
// price. Liquidations started during it wait for it.
import { describe, expect, it } from "vitest";
import {
  alice_long_100_yes_at_050_5x,
  type CreditExchange,
  givenExchange,
  leveragedBuy,
  leveragedOf,
  MINUTE,
  mark,
  market_m1_at_050_with_pool_1000,
  ofType,
  place,
  T0,
  tick,
  typesOf,
} from "./credit-fixtures.js";
import { cashOf } from "./given.js";

const AUCTION = 300 * 1000;

/** mm holds 100 YES and mm2 100 NO (a MINT at 0.50); mm asks 10 YES at 0.51, mm2 bids 10 YES at 0.49. */
function m1_with_a_two_sided_book(): CreditExchange {
  const x = market_m1_at_050_with_pool_1000();
  x.runAll(
    place("mm", "buy", "YES", "0.5", 100),
    place("mm2", "buy", "NO", "0.5", 100),
    place("mm", "sell", "YES", "0.51", 10),
    place("mm2", "buy", "YES", "0.49", 10),
  );
  return x;
}

describe("guarantee 9: jumps go to auction, not through an empty book", () => {
  it("a move of exactly the band stays in continuous trading; a larger one starts a call auction for auctionDurationSeconds", () => {
    const x = m1_with_a_two_sided_book();
    givenExchange(x)
      .when(mark("0.6"))
      .then([{ type: "MarkPriceSet", price: "0.6" }]);
    givenExchange(x)
      .when(mark("0.61"))
      .then([
        { type: "MarkPriceSet", price: "0.61" },
        { type: "AuctionStarted", marketId: "m1", until: T0 + AUCTION, reason: "PRICE_BAND" },
      ]);
  });

  it("orders collected during the auction, with the book's resting ones, uncross at one price at its end: 50 at 0.71", () => {
    const x = m1_with_a_two_sided_book();
    x.run(mark("0.7"));
    x.at(T0 + MINUTE);
    for (const order of [
      place("carol", "buy", "YES", "0.75", 30),
      place("bob", "buy", "YES", "0.72", 20),
      place("mm", "sell", "YES", "0.68", 25),
      place("mm", "sell", "YES", "0.71", 20),
    ])
      expect(typesOf(x.run(order))).toEqual(["OrderAccepted", "OrderQueued"]);
    // Bids 30 @ 0.75, 20 @ 0.72, 10 @ 0.49 (resting); asks 10 @ 0.51 (resting), 25 @ 0.68, 20 @ 0.71.
    // At 0.71 and at 0.72: demand 50, supply 55 → 50 trade (the most), imbalance 5 at both; 0.71 is nearer the
    // mark 0.70. Everyone trades at 0.71: carol and bob pay less than their limits, mm's 0.51 ask gets 0.71.
    const { state, events } = givenExchange(x)
      .when(tick(T0 + AUCTION))
      .decide();
    const trades = ofType(events, "TradeExecuted");
    expect(new Set(trades.map((t) => t.yesPrice))).toEqual(new Set(["0.71"]));
    expect(trades.every((t) => t.auction === true && t.takerFee === "0")).toBe(true);
    expect(trades.reduce((n, t) => n + t.quantity, 0)).toBe(50);
    expect(ofType(events, "AuctionUncrossed")).toEqual([
      { type: "AuctionUncrossed", marketId: "m1", price: "0.71", volume: 50 },
    ]);
    // mm's 0.71 ask has 5 left: it rests; the 0.49 bid still rests; nothing crosses.
    expect(ofType(events, "OrderRested")).toEqual([expect.objectContaining({ quantity: 5 })]);
    expect([cashOf(state, "carol"), cashOf(state, "bob")]).toEqual(["978.7", "985.8"]); // 30 × 0.71, 20 × 0.71
    const book = state.markets.get("m1")!.book;
    expect([book.bestBid(), book.bestAsk()]).toEqual([49, 71]);
    expect(state.markets.get("m1")!.auctionUntil).toBeNull();
  });

  it("during the auction only GTC 1x limit orders are accepted", () => {
    const x = alice_long_100_yes_at_050_5x();
    x.runAll(place("mm2", "buy", "YES", "0.5", 10), mark("0.7"));
    const during = givenExchange(x);
    during
      .when(place("carol", "buy", "YES", "0.7", 10, { timeInForce: "IOC" }))
      .thenRejects("MARKET_IN_AUCTION");
    during
      .when(place("carol", "buy", "YES", "0.7", 10, { timeInForce: "FOK" }))
      .thenRejects("MARKET_IN_AUCTION");
    during
      .when({ ...place("carol", "buy", "YES", "0.7", 10), postOnly: true } as Parameters<
        typeof during.when
      >[0])
      .thenRejects("MARKET_IN_AUCTION");
    during.when(leveragedBuy("carol", "YES", "0.7", 10, "2")).thenRejects("LEVERAGE_TOO_HIGH");
    during
      .when({
        type: "ReducePosition",
        accountId: "alice",
        marketId: "m1",
        outcome: "YES",
        quantity: "10",
        price: "0.7",
      })
      .thenRejects("MARKET_NOT_OPEN");
    during
      .when(place("carol", "buy", "YES", "0.7", 10))
      .then([{ type: "OrderAccepted", queued: true }, { type: "OrderQueued" }]);
  });

  it("a liquidation started by the jump waits for the auction: nothing is sold before it ends, then it sells in the uncrossing", () => {
    const x = alice_long_100_yes_at_050_5x();
    x.run(place("mm2", "buy", "YES", "0.32", 100));
    expect(typesOf(x.run(mark("0.3")))).toEqual(["MarkPriceSet", "AuctionStarted", "LiquidationStarted"]);
    expect(x.run(tick(T0 + AUCTION - 1))).toEqual([]);
    expect(leveragedOf(x.state, "alice", "YES")).toMatchObject({ status: "liquidating", shares: 100 });
    const end = x.run(tick(T0 + AUCTION));
    const sold = ofType(end, "TradeExecuted").filter(
      (t) => t.takerAccountId === "alice" || t.makerAccountId === "alice",
    );
    expect(sold.reduce((n, t) => n + t.quantity, 0)).toBe(100);
    expect(sold.every((t) => t.auction === true)).toBe(true);
    expect(leveragedOf(x.state, "alice", "YES")).toBeUndefined();
  });

  it("liquidations collected during the auction uncross at the auction's one price", () => {
    // alice's 100 pledged YES are to be liquidated (band floor 0.30 − 0.10 = 0.20); during the auction mm2 bids
    // 60 at 0.35 and 60 at 0.33. As one auction (liquidation = an ask of 100 at 0.20): 100 trade at any price
    // from 0.20 to 0.33, imbalance 20 at each; the mark 0.30 is the reference → all 100 at 0.30.
    const x = alice_long_100_yes_at_050_5x();
    x.run(mark("0.3"));
    x.at(T0 + MINUTE);
    x.runAll(place("mm2", "buy", "YES", "0.35", 60), place("mm2", "buy", "YES", "0.33", 60));
    const { events } = givenExchange(x)
      .when(tick(T0 + AUCTION))
      .decide();
    const trades = ofType(events, "TradeExecuted");
    expect(
      trades
        .filter((t) => t.takerAccountId === "alice" || t.makerAccountId === "alice")
        .reduce((n, t) => n + t.quantity, 0),
    ).toBe(100);
    expect(new Set(trades.map((t) => t.yesPrice)).size, "one price for every fill").toBe(1);
    expect(ofType(events, "AuctionUncrossed")[0]).toMatchObject({ price: "0.3", volume: 100 });
  });

  it("a halted market reopens through a call auction that collects orders and uncrosses at one price", () => {
    const x = m1_with_a_two_sided_book();
    x.run({ type: "HaltMarket", marketId: "m1" });
    x.at(T0 + MINUTE);
    givenExchange(x)
      .when({ type: "ResumeMarket", marketId: "m1" })
      .then([
        { type: "MarketResumed", marketId: "m1" },
        { type: "AuctionStarted", marketId: "m1", until: T0 + MINUTE + AUCTION, reason: "REOPENING" },
      ]);
    x.run({ type: "ResumeMarket", marketId: "m1" });
    // carol bids 20 at 0.55, bob 5 at 0.52; the resting ask is 10 at 0.51 → 10 trade at any price from 0.51 to
    // 0.55; the imbalance is 15 at 0.51–0.52 and 10 at 0.53–0.55; of those, 0.53 is nearest the mark 0.50.
    x.runAll(place("carol", "buy", "YES", "0.55", 20), place("bob", "buy", "YES", "0.52", 5));
    const { events } = givenExchange(x)
      .when(tick(T0 + MINUTE + AUCTION))
      .decide();
    expect(ofType(events, "AuctionUncrossed")[0]).toMatchObject({ price: "0.53", volume: 10 });
    expect(new Set(ofType(events, "TradeExecuted").map((t) => t.yesPrice))).toEqual(new Set(["0.53"]));
  });
});
