// Orders: the four intents, MINT / TRANSFER / MERGE with their cash flows, partial fills, time in force,
// post-only, self-trade prevention, cancels, and every rejection a PlaceOrder or CancelOrder can meet.
// Market m1 ticks 0.01 without fee unless a case says otherwise; alice, bob and carol start with 1000 each.
import { describe, expect, it } from "vitest";
import { toAmountString } from "../src/money.js";
import { MAX_QUANTITY } from "../src/prices.js";
import {
  AT,
  alice_bob_carol_with_1000_each_and_market_m1 as base,
  buy,
  type CommandInput,
  cancel,
  cashOf,
  deposited,
  escrowOf,
  given,
  history,
  listed,
  alice_long_10_yes_bob_long_10_no_at_060 as long_10_at_060,
  positionOf,
  reservedOf,
  sell,
} from "./given.js";

/** o-1: alice bids 10 YES at 0.60 (client order id "a1"): 6.00 reserved, 994.00 free. */
const alice_bids_10_yes_at_060 = history(base, buy("alice", "YES", "0.60", 10, { clientOrderId: "a1" }));
/** From 10 pairs minted at 0.60 (o-1, o-2 filled, t-1): o-3 alice offers her 10 YES at 0.60. */
const alice_offers_10_yes_at_060 = history(long_10_at_060, sell("alice", "YES", "0.60", 10));
/** From 10 pairs minted at 0.60: o-3 alice offers 4 of her 10 YES at 0.70 (4 reserved, 6 free). */
const alice_offers_4_yes_at_070 = history(long_10_at_060, sell("alice", "YES", "0.70", 4));
/** From 10 pairs minted at 0.60: o-3 bob offers his 10 NO at 0.35 (a bid at YES 0.65 on the book). */
const bob_offers_10_no_at_035 = history(long_10_at_060, sell("bob", "NO", "0.35", 10));

describe("each intent on an empty book rests with its reservation", () => {
  it("given an empty book, when alice buys 10 YES at 0.60, then it rests reserving 6.00", () => {
    const { state } = given(base)
      .when(buy("alice", "YES", "0.60", 10, { clientOrderId: "a1" }))
      .then([
        {
          type: "OrderAccepted",
          orderId: "o-1",
          accountId: "alice",
          marketId: "m1",
          clientOrderId: "a1",
          side: "buy",
          outcome: "YES",
          price: "0.6",
          quantity: 10,
          timeInForce: "GTC",
          postOnly: false,
          reservedCash: "6",
          reservedShares: 0,
          at: AT,
        },
        { type: "OrderRested", orderId: "o-1", marketId: "m1", quantity: 10 },
      ]);
    expect(cashOf(state, "alice")).toBe("994");
    expect(reservedOf(state, "alice")).toBe("6");
    expect(state.markets.get("m1")!.book.bestBid()).toBe(60);
  });

  it("given an empty book, when bob buys 10 NO at 0.40, then it rests reserving 4.00 as an ask at YES 0.60", () => {
    const { state } = given(base)
      .when(buy("bob", "NO", "0.40", 10))
      .then([
        {
          type: "OrderAccepted",
          orderId: "o-1",
          side: "buy",
          outcome: "NO",
          price: "0.4",
          reservedCash: "4",
          reservedShares: 0,
        },
        { type: "OrderRested", orderId: "o-1", quantity: 10 },
      ]);
    expect(cashOf(state, "bob")).toBe("996");
    expect(state.markets.get("m1")!.book.bestAsk()).toBe(60);
  });

  it("given alice holds 10 YES, when she sells 4 YES at 0.70, then it rests reserving 4 YES and no cash", () => {
    const { state } = given(long_10_at_060)
      .when(sell("alice", "YES", "0.70", 4))
      .then([
        {
          type: "OrderAccepted",
          orderId: "o-3",
          side: "sell",
          outcome: "YES",
          reservedCash: "0",
          reservedShares: 4,
        },
        { type: "OrderRested", orderId: "o-3", quantity: 4 },
      ]);
    expect(positionOf(state, "alice")).toEqual({ yes: 6, no: 0, yesReserved: 4, noReserved: 0 });
    expect(cashOf(state, "alice")).toBe("994");
    expect(state.markets.get("m1")!.book.bestAsk()).toBe(70);
  });

  it("given bob holds 10 NO, when he sells 10 NO at 0.35, then it rests reserving 10 NO as a bid at YES 0.65", () => {
    const { state } = given(long_10_at_060)
      .when(sell("bob", "NO", "0.35", 10))
      .then([
        {
          type: "OrderAccepted",
          orderId: "o-3",
          side: "sell",
          outcome: "NO",
          price: "0.35",
          reservedShares: 10,
        },
        { type: "OrderRested", orderId: "o-3", quantity: 10 },
      ]);
    expect(positionOf(state, "bob")).toEqual({ yes: 0, no: 0, yesReserved: 0, noReserved: 10 });
    expect(state.markets.get("m1")!.book.bestBid()).toBe(65);
  });
});

describe("fills: MINT, TRANSFER, MERGE at the maker's price", () => {
  it("given alice bids 10 YES at 0.60, when bob buys 10 NO at 0.40, then MINT", () => {
    // 10 YES at 0.60: alice pays 6.00; 10 NO at 0.40: bob pays 4.00; escrow +10
    const { state } = given(alice_bids_10_yes_at_060)
      .when(buy("bob", "NO", "0.40", 10))
      .then([
        { type: "OrderAccepted", orderId: "o-2", reservedCash: "4" },
        {
          type: "TradeExecuted",
          tradeId: "t-1",
          marketId: "m1",
          kind: "MINT",
          yesPrice: "0.6",
          quantity: 10,
          makerOrderId: "o-1",
          makerAccountId: "alice",
          makerSide: "buy",
          makerOutcome: "YES",
          makerAmount: "6",
          takerOrderId: "o-2",
          takerAccountId: "bob",
          takerSide: "buy",
          takerOutcome: "NO",
          takerAmount: "4",
          takerFee: "0",
        },
      ]);
    expect([cashOf(state, "alice"), reservedOf(state, "alice")]).toEqual(["994", "0"]);
    expect([cashOf(state, "bob"), reservedOf(state, "bob")]).toEqual(["996", "0"]);
    expect(positionOf(state, "alice")).toEqual({ yes: 10, no: 0, yesReserved: 0, noReserved: 0 });
    expect(positionOf(state, "bob")).toEqual({ yes: 0, no: 10, yesReserved: 0, noReserved: 0 });
    const m1 = state.markets.get("m1")!;
    expect([escrowOf(state), m1.pairs, m1.lastPrice, m1.volume, m1.trades]).toEqual(["10", 10, "0.6", 10, 1]);
    expect([state.orders.get("o-1")!.status, state.orders.get("o-2")!.status]).toEqual(["filled", "filled"]);
    expect(m1.book.restingCount()).toBe(0);
  });

  it("given bob bids 10 NO at 0.45, when alice buys 10 YES at 0.60, then MINT at YES 0.55", () => {
    // 10 YES at 0.55: alice pays 5.50 (not 6.00); 10 NO at 0.45: bob pays 4.50; escrow +10
    const bob_bids_10_no_at_045 = history(base, buy("bob", "NO", "0.45", 10));
    const { state } = given(bob_bids_10_no_at_045)
      .when(buy("alice", "YES", "0.60", 10))
      .then([
        { type: "OrderAccepted", orderId: "o-2", reservedCash: "5.5" },
        {
          type: "TradeExecuted",
          kind: "MINT",
          yesPrice: "0.55",
          makerOutcome: "NO",
          makerAmount: "4.5",
          takerOutcome: "YES",
          takerAmount: "5.5",
        },
      ]);
    expect(cashOf(state, "alice")).toBe("994.5");
    expect(cashOf(state, "bob")).toBe("995.5");
    expect(escrowOf(state)).toBe("10");
  });

  it("given alice offers 10 YES at 0.60, when carol buys 10 YES at 0.60, then TRANSFER of YES", () => {
    // 10 YES at 0.60: carol pays 6.00, alice receives 6.00; escrow unchanged at 10
    const { state } = given(alice_offers_10_yes_at_060)
      .when(buy("carol", "YES", "0.60", 10))
      .then([
        { type: "OrderAccepted", orderId: "o-4", reservedCash: "6" },
        {
          type: "TradeExecuted",
          tradeId: "t-2",
          kind: "TRANSFER",
          yesPrice: "0.6",
          quantity: 10,
          makerOrderId: "o-3",
          makerAccountId: "alice",
          makerSide: "sell",
          makerOutcome: "YES",
          makerAmount: "6",
          takerOrderId: "o-4",
          takerAccountId: "carol",
          takerSide: "buy",
          takerOutcome: "YES",
          takerAmount: "6",
          takerFee: "0",
        },
      ]);
    expect(cashOf(state, "alice")).toBe("1000"); // 994 + 6
    expect(cashOf(state, "carol")).toBe("994");
    expect(positionOf(state, "alice")).toEqual({ yes: 0, no: 0, yesReserved: 0, noReserved: 0 });
    expect(positionOf(state, "carol")).toEqual({ yes: 10, no: 0, yesReserved: 0, noReserved: 0 });
    expect([escrowOf(state), state.markets.get("m1")!.pairs]).toEqual(["10", 10]);
  });

  it("given carol bids 10 YES at 0.70, when alice sells 10 YES at 0.65, then TRANSFER at 0.70 (the seller gets the maker's better price)", () => {
    // 10 YES at 0.70: carol pays 7.00, alice receives 7.00 (not 6.50)
    const carol_bids_10_yes_at_070 = history(long_10_at_060, buy("carol", "YES", "0.70", 10));
    const { state } = given(carol_bids_10_yes_at_070)
      .when(sell("alice", "YES", "0.65", 10))
      .then([
        { type: "OrderAccepted", orderId: "o-4", reservedShares: 10 },
        {
          type: "TradeExecuted",
          kind: "TRANSFER",
          yesPrice: "0.7",
          makerSide: "buy",
          makerAmount: "7",
          takerSide: "sell",
          takerAmount: "7",
        },
      ]);
    expect(cashOf(state, "alice")).toBe("1001"); // 994 + 7
    expect(cashOf(state, "carol")).toBe("993");
    expect(positionOf(state, "carol").yes).toBe(10);
  });

  it("given bob offers 10 NO at 0.35, when carol buys 10 NO at 0.35, then TRANSFER of NO at YES 0.65", () => {
    // 10 NO at 0.35: carol pays 3.50, bob receives 3.50; escrow unchanged at 10
    const { state } = given(bob_offers_10_no_at_035)
      .when(buy("carol", "NO", "0.35", 10))
      .then([
        { type: "OrderAccepted", orderId: "o-4", reservedCash: "3.5" },
        {
          type: "TradeExecuted",
          kind: "TRANSFER",
          yesPrice: "0.65",
          quantity: 10,
          makerAccountId: "bob",
          makerSide: "sell",
          makerOutcome: "NO",
          makerAmount: "3.5",
          takerAccountId: "carol",
          takerSide: "buy",
          takerOutcome: "NO",
          takerAmount: "3.5",
        },
      ]);
    expect(cashOf(state, "bob")).toBe("999.5"); // 996 + 3.5
    expect(cashOf(state, "carol")).toBe("996.5");
    expect(positionOf(state, "carol")).toEqual({ yes: 0, no: 10, yesReserved: 0, noReserved: 0 });
    expect(positionOf(state, "bob")).toEqual({ yes: 0, no: 0, yesReserved: 0, noReserved: 0 });
    expect(escrowOf(state)).toBe("10");
  });

  it("given carol bids 10 NO at 0.45, when bob sells 10 NO at 0.40, then TRANSFER of NO at NO 0.45 (YES 0.55)", () => {
    // 10 NO at 0.45: carol pays 4.50, bob receives 4.50
    const carol_bids_10_no_at_045 = history(long_10_at_060, buy("carol", "NO", "0.45", 10));
    const { state } = given(carol_bids_10_no_at_045)
      .when(sell("bob", "NO", "0.40", 10))
      .then([
        { type: "OrderAccepted", orderId: "o-4", reservedShares: 10 },
        {
          type: "TradeExecuted",
          kind: "TRANSFER",
          yesPrice: "0.55",
          makerAmount: "4.5",
          takerAmount: "4.5",
          takerOutcome: "NO",
        },
      ]);
    expect(cashOf(state, "bob")).toBe("1000.5"); // 996 + 4.5
    expect(cashOf(state, "carol")).toBe("995.5");
  });

  it("given alice offers 10 YES at 0.55, when bob sells 10 NO at 0.45, then MERGE", () => {
    // 10 YES at 0.55: alice receives 5.50; 10 NO at 0.45: bob receives 4.50; escrow −10
    const alice_offers_10_yes_at_055 = history(long_10_at_060, sell("alice", "YES", "0.55", 10));
    const { state } = given(alice_offers_10_yes_at_055)
      .when(sell("bob", "NO", "0.45", 10))
      .then([
        { type: "OrderAccepted", orderId: "o-4", reservedShares: 10 },
        {
          type: "TradeExecuted",
          kind: "MERGE",
          yesPrice: "0.55",
          quantity: 10,
          makerAccountId: "alice",
          makerSide: "sell",
          makerOutcome: "YES",
          makerAmount: "5.5",
          takerAccountId: "bob",
          takerSide: "sell",
          takerOutcome: "NO",
          takerAmount: "4.5",
          takerFee: "0",
        },
      ]);
    expect(cashOf(state, "alice")).toBe("999.5"); // 994 + 5.5
    expect(cashOf(state, "bob")).toBe("1000.5"); // 996 + 4.5
    expect([escrowOf(state), state.markets.get("m1")!.pairs]).toEqual(["0", 0]);
    expect(positionOf(state, "alice")).toEqual({ yes: 0, no: 0, yesReserved: 0, noReserved: 0 });
    expect(positionOf(state, "bob")).toEqual({ yes: 0, no: 0, yesReserved: 0, noReserved: 0 });
  });

  it("given bob offers 10 NO at 0.35 (YES 0.65), when alice sells 10 YES at 0.60, then MERGE at YES 0.65", () => {
    // 10 YES at 0.65: alice receives 6.50 (not 6.00); 10 NO at 0.35: bob receives 3.50; escrow −10
    const { state } = given(bob_offers_10_no_at_035)
      .when(sell("alice", "YES", "0.60", 10))
      .then([
        { type: "OrderAccepted", orderId: "o-4" },
        { type: "TradeExecuted", kind: "MERGE", yesPrice: "0.65", makerAmount: "3.5", takerAmount: "6.5" },
      ]);
    expect(cashOf(state, "alice")).toBe("1000.5"); // 994 + 6.5
    expect(cashOf(state, "bob")).toBe("999.5"); // 996 + 3.5
    expect(escrowOf(state)).toBe("0");
  });
});

describe("partial fills and priority", () => {
  it("given alice bids 10 YES at 0.60, when bob buys 4 NO at 0.40, then the maker is partly filled and keeps 3.60 reserved for 6", () => {
    // 4 YES at 0.60: alice pays 2.40; 4 NO at 0.40: bob pays 1.60; escrow +4
    const { state } = given(alice_bids_10_yes_at_060)
      .when(buy("bob", "NO", "0.40", 4))
      .then([
        { type: "OrderAccepted", orderId: "o-2", reservedCash: "1.6" },
        { type: "TradeExecuted", kind: "MINT", quantity: 4, makerAmount: "2.4", takerAmount: "1.6" },
      ]);
    const o1 = state.orders.get("o-1")!;
    expect([o1.status, o1.filledQuantity, toAmountString(o1.reservedCash)]).toEqual(["open", 4, "3.6"]);
    expect(state.markets.get("m1")!.book.get(1)!.remainingLots).toBe(6);
    expect([cashOf(state, "alice"), reservedOf(state, "alice")]).toEqual(["994", "3.6"]);
    expect(cashOf(state, "bob")).toBe("998.4");
    expect(escrowOf(state)).toBe("4");
  });

  it("given alice bids 10 YES at 0.60, when bob buys 15 NO at 0.40, then 10 fill and the taker's 5 rest reserving 2.00", () => {
    // 10 NO at 0.40: bob pays 4.00; 5 NO rest at 0.40: 2.00 reserved; bob reserves 6.00 in all
    const { state } = given(alice_bids_10_yes_at_060)
      .when(buy("bob", "NO", "0.40", 15))
      .then([
        { type: "OrderAccepted", orderId: "o-2", quantity: 15, reservedCash: "6" },
        { type: "TradeExecuted", quantity: 10, takerAmount: "4" },
        { type: "OrderRested", orderId: "o-2", quantity: 5 },
      ]);
    expect([cashOf(state, "bob"), reservedOf(state, "bob")]).toEqual(["994", "2"]);
    const o2 = state.orders.get("o-2")!;
    expect([o2.status, o2.filledQuantity, toAmountString(o2.reservedCash)]).toEqual(["open", 10, "2"]);
  });

  it("given bids of 5 at 0.60 (alice, first), 5 at 0.60 (carol) and 5 at 0.62 (alice), when bob buys 12 NO at 0.40, then best price first, then time", () => {
    // 5 at YES 0.62: bob pays 0.38 × 5 = 1.90; 5 at 0.60 from alice: 2.00; 2 at 0.60 from carol: 0.80; total 4.70
    const three_bids = history(
      base,
      buy("alice", "YES", "0.60", 5, { clientOrderId: "a1" }),
      buy("carol", "YES", "0.60", 5),
      buy("alice", "YES", "0.62", 5, { clientOrderId: "a2" }),
    );
    const { state } = given(three_bids)
      .when(buy("bob", "NO", "0.40", 12))
      .then([
        { type: "OrderAccepted", orderId: "o-4", reservedCash: "4.7" },
        {
          type: "TradeExecuted",
          tradeId: "t-1",
          makerOrderId: "o-3",
          yesPrice: "0.62",
          quantity: 5,
          makerAmount: "3.1",
          takerAmount: "1.9",
        },
        {
          type: "TradeExecuted",
          tradeId: "t-2",
          makerOrderId: "o-1",
          yesPrice: "0.6",
          quantity: 5,
          makerAmount: "3",
          takerAmount: "2",
        },
        {
          type: "TradeExecuted",
          tradeId: "t-3",
          makerOrderId: "o-2",
          yesPrice: "0.6",
          quantity: 2,
          makerAmount: "1.2",
          takerAmount: "0.8",
        },
      ]);
    expect(cashOf(state, "bob")).toBe("995.3");
    expect(state.orders.get("o-2")!.filledQuantity).toBe(2);
    expect(reservedOf(state, "carol")).toBe("1.8"); // 3 left at 0.60
    expect(escrowOf(state)).toBe("12");
  });

  it("given alice offers 10 YES at 0.60, when carol buys 10 YES at 0.65, then she pays 0.60 and reserves only 6.00", () => {
    // price improvement: 10 × 0.60 = 6.00, not 10 × 0.65 = 6.50
    const { state } = given(alice_offers_10_yes_at_060)
      .when(buy("carol", "YES", "0.65", 10))
      .then([
        { type: "OrderAccepted", orderId: "o-4", price: "0.65", reservedCash: "6" },
        { type: "TradeExecuted", kind: "TRANSFER", yesPrice: "0.6", takerAmount: "6" },
      ]);
    expect([cashOf(state, "carol"), reservedOf(state, "carol")]).toEqual(["994", "0"]);
  });

  it("given alice offers 10 YES at 0.60, when carol buys 15 YES at 0.65, then 10 fill at 0.60 and 5 rest at 0.65", () => {
    // 10 × 0.60 = 6.00 paid + 5 × 0.65 = 3.25 resting = 9.25 reserved
    const { state } = given(alice_offers_10_yes_at_060)
      .when(buy("carol", "YES", "0.65", 15))
      .then([
        { type: "OrderAccepted", orderId: "o-4", reservedCash: "9.25" },
        { type: "TradeExecuted", yesPrice: "0.6", quantity: 10, takerAmount: "6" },
        { type: "OrderRested", orderId: "o-4", quantity: 5 },
      ]);
    expect([cashOf(state, "carol"), reservedOf(state, "carol")]).toEqual(["990.75", "3.25"]);
  });
});

describe("time in force and post-only", () => {
  it("given alice offers 10 YES at 0.60, when carol buys 15 YES at 0.65 IOC, then 10 fill and 5 are cancelled IOC_REMAINDER", () => {
    // carol pays 6.00; nothing rests, nothing stays reserved
    const { state } = given(alice_offers_10_yes_at_060)
      .when(buy("carol", "YES", "0.65", 15, { timeInForce: "IOC" }))
      .then([
        { type: "OrderAccepted", orderId: "o-4", timeInForce: "IOC", reservedCash: "6" },
        { type: "TradeExecuted", quantity: 10, takerAmount: "6" },
        {
          type: "OrderCancelled",
          orderId: "o-4",
          accountId: "carol",
          reason: "IOC_REMAINDER",
          quantity: 5,
          releasedCash: "0",
          releasedShares: 0,
        },
      ]);
    expect([cashOf(state, "carol"), reservedOf(state, "carol")]).toEqual(["994", "0"]);
    const o4 = state.orders.get("o-4")!;
    expect([o4.status, o4.filledQuantity, o4.cancelReason]).toEqual(["cancelled", 10, "IOC_REMAINDER"]);
    expect(state.markets.get("m1")!.book.restingCount()).toBe(0);
  });

  it("given an empty book, when alice buys 10 YES at 0.50 IOC, then all 10 are cancelled IOC_REMAINDER and nothing is reserved", () => {
    const { state } = given(base)
      .when(buy("alice", "YES", "0.50", 10, { timeInForce: "IOC" }))
      .then([
        { type: "OrderAccepted", orderId: "o-1", reservedCash: "0" },
        { type: "OrderCancelled", orderId: "o-1", reason: "IOC_REMAINDER", quantity: 10 },
      ]);
    expect(cashOf(state, "alice")).toBe("1000");
  });

  it("given carol bids 6 YES at 0.50, when alice sells 10 YES at 0.50 IOC, then 6 sell and 4 come back free", () => {
    // alice receives 6 × 0.50 = 3.00
    const carol_bids_6_yes_at_050 = history(long_10_at_060, buy("carol", "YES", "0.50", 6));
    const { state } = given(carol_bids_6_yes_at_050)
      .when(sell("alice", "YES", "0.50", 10, { timeInForce: "IOC" }))
      .then([
        { type: "OrderAccepted", orderId: "o-4", reservedShares: 6 },
        { type: "TradeExecuted", kind: "TRANSFER", quantity: 6, takerAmount: "3" },
        { type: "OrderCancelled", orderId: "o-4", reason: "IOC_REMAINDER", quantity: 4, releasedShares: 0 },
      ]);
    expect(positionOf(state, "alice")).toEqual({ yes: 4, no: 0, yesReserved: 0, noReserved: 0 });
    expect(cashOf(state, "alice")).toBe("997");
  });

  it("given alice offers 10 YES at 0.60, when carol buys 15 YES at 0.65 FOK, then FOK_NOT_FILLABLE and nothing trades", () => {
    const { state } = given(alice_offers_10_yes_at_060)
      .when(buy("carol", "YES", "0.65", 15, { timeInForce: "FOK" }))
      .then([
        { type: "OrderAccepted", orderId: "o-4", timeInForce: "FOK", reservedCash: "0" },
        {
          type: "OrderCancelled",
          orderId: "o-4",
          reason: "FOK_NOT_FILLABLE",
          quantity: 15,
          releasedCash: "0",
        },
      ]);
    expect(cashOf(state, "carol")).toBe("1000");
    expect(state.markets.get("m1")!.book.get(3)!.remainingLots).toBe(10);
    expect(state.markets.get("m1")!.trades).toBe(1); // only the mint of the fixture
  });

  it("given alice offers 10 YES at 0.60, when carol buys 10 YES at 0.65 FOK, then all 10 fill", () => {
    const { state } = given(alice_offers_10_yes_at_060)
      .when(buy("carol", "YES", "0.65", 10, { timeInForce: "FOK" }))
      .then([
        { type: "OrderAccepted", orderId: "o-4", reservedCash: "6" },
        { type: "TradeExecuted", quantity: 10, takerAmount: "6" },
      ]);
    expect(state.orders.get("o-4")!.status).toBe("filled");
  });

  it("given only alice's own bid crosses, when alice buys 10 NO FOK, then FOK_NOT_FILLABLE and her bid stays", () => {
    const { state } = given(alice_bids_10_yes_at_060)
      .when(buy("alice", "NO", "0.40", 10, { timeInForce: "FOK" }))
      .then([
        { type: "OrderAccepted", orderId: "o-2", reservedCash: "0" },
        { type: "OrderCancelled", orderId: "o-2", reason: "FOK_NOT_FILLABLE", quantity: 10 },
      ]);
    expect(state.orders.get("o-1")!.status).toBe("open");
    expect(reservedOf(state, "alice")).toBe("6");
  });

  it("given alice offers 10 YES at 0.60, when carol bids 5 YES at 0.60 post-only, then POST_ONLY_WOULD_CROSS", () => {
    const { state } = given(alice_offers_10_yes_at_060)
      .when(buy("carol", "YES", "0.60", 5, { postOnly: true }))
      .then([
        { type: "OrderAccepted", orderId: "o-4", postOnly: true, reservedCash: "0" },
        {
          type: "OrderCancelled",
          orderId: "o-4",
          reason: "POST_ONLY_WOULD_CROSS",
          quantity: 5,
          releasedCash: "0",
        },
      ]);
    expect(cashOf(state, "carol")).toBe("1000");
    expect(state.markets.get("m1")!.book.get(3)!.remainingLots).toBe(10);
  });

  it("given alice offers 10 YES at 0.60, when carol bids 5 YES at 0.59 post-only, then it rests reserving 2.95", () => {
    const { state } = given(alice_offers_10_yes_at_060)
      .when(buy("carol", "YES", "0.59", 5, { postOnly: true }))
      .then([
        { type: "OrderAccepted", orderId: "o-4", reservedCash: "2.95" },
        { type: "OrderRested", orderId: "o-4", quantity: 5 },
      ]);
    expect(reservedOf(state, "carol")).toBe("2.95");
  });

  it("given alice offers 10 YES at 0.60, when alice bids 5 YES at 0.60 post-only, then POST_ONLY_WOULD_CROSS and her offer stays", () => {
    const { state } = given(alice_offers_10_yes_at_060)
      .when(buy("alice", "YES", "0.60", 5, { postOnly: true }))
      .then([
        { type: "OrderAccepted" },
        { type: "OrderCancelled", orderId: "o-4", reason: "POST_ONLY_WOULD_CROSS" },
      ]);
    expect(state.orders.get("o-3")!.status).toBe("open");
  });

  it.each(["IOC", "FOK"] as const)(
    "given an empty book, when alice places a post-only %s order, then INVALID_ORDER_TERMS (post-only means rest or nothing)",
    (timeInForce) => {
      given(base)
        .when(buy("alice", "YES", "0.50", 1, { postOnly: true, timeInForce }))
        .thenRejects("INVALID_ORDER_TERMS");
    },
  );
});

describe("self-trade prevention cancels the resting order of the same account", () => {
  it("given alice bids 10 YES at 0.60, when alice buys 5 NO at 0.40, then her bid is cancelled SELF_TRADE and the new order rests", () => {
    // o-1 releases 6.00; o-2 reserves 5 × 0.40 = 2.00
    const { state } = given(alice_bids_10_yes_at_060)
      .when(buy("alice", "NO", "0.40", 5))
      .then([
        { type: "OrderAccepted", orderId: "o-2", reservedCash: "2" },
        {
          type: "OrderCancelled",
          orderId: "o-1",
          accountId: "alice",
          reason: "SELF_TRADE",
          quantity: 10,
          releasedCash: "6",
          releasedShares: 0,
        },
        { type: "OrderRested", orderId: "o-2", quantity: 5 },
      ]);
    expect([cashOf(state, "alice"), reservedOf(state, "alice")]).toEqual(["998", "2"]);
    expect(state.orders.get("o-1")!.cancelReason).toBe("SELF_TRADE");
    expect(state.markets.get("m1")!.trades).toBe(0);
  });

  it("given alice bids 10 at 0.60 and carol 10 at 0.59, when alice buys 5 NO at 0.41, then alice's bid goes and she trades with carol", () => {
    // MINT 5 at YES 0.59: carol pays 2.95, alice pays 5 × 0.41 = 2.05
    const two_bids = history(base, buy("alice", "YES", "0.60", 10), buy("carol", "YES", "0.59", 10));
    const { state } = given(two_bids)
      .when(buy("alice", "NO", "0.41", 5))
      .then([
        { type: "OrderAccepted", orderId: "o-3", reservedCash: "2.05" },
        { type: "OrderCancelled", orderId: "o-1", reason: "SELF_TRADE", quantity: 10, releasedCash: "6" },
        {
          type: "TradeExecuted",
          kind: "MINT",
          yesPrice: "0.59",
          quantity: 5,
          makerOrderId: "o-2",
          makerAmount: "2.95",
          takerAmount: "2.05",
        },
      ]);
    expect([cashOf(state, "alice"), reservedOf(state, "alice")]).toEqual(["997.95", "0"]);
    expect(reservedOf(state, "carol")).toBe("2.95"); // 5 left at 0.59
  });

  it("given alice offers 4 YES at 0.70, when alice bids 2 YES at 0.75, then her offer is cancelled SELF_TRADE releasing 4 YES", () => {
    const { state } = given(alice_offers_4_yes_at_070)
      .when(buy("alice", "YES", "0.75", 2))
      .then([
        { type: "OrderAccepted", orderId: "o-4", reservedCash: "1.5" },
        {
          type: "OrderCancelled",
          orderId: "o-3",
          reason: "SELF_TRADE",
          quantity: 4,
          releasedCash: "0",
          releasedShares: 4,
        },
        { type: "OrderRested", orderId: "o-4", quantity: 2 },
      ]);
    expect(positionOf(state, "alice")).toEqual({ yes: 10, no: 0, yesReserved: 0, noReserved: 0 });
  });
});

describe("CancelOrder", () => {
  it("given alice bids 10 YES at 0.60, when she cancels it, then OrderCancelled USER releasing 6.00", () => {
    const { state } = given(alice_bids_10_yes_at_060)
      .when(cancel("alice", "o-1"))
      .then([
        {
          type: "OrderCancelled",
          orderId: "o-1",
          accountId: "alice",
          marketId: "m1",
          reason: "USER",
          quantity: 10,
          releasedCash: "6",
          releasedShares: 0,
        },
      ]);
    expect([cashOf(state, "alice"), reservedOf(state, "alice")]).toEqual(["1000", "0"]);
    expect(state.orders.get("o-1")!.status).toBe("cancelled");
    expect(state.markets.get("m1")!.book.restingCount()).toBe(0);
  });

  it("given alice offers 4 YES at 0.70, when she cancels it, then the 4 YES are free again", () => {
    const { state } = given(alice_offers_4_yes_at_070)
      .when(cancel("alice", "o-3"))
      .then([
        {
          type: "OrderCancelled",
          orderId: "o-3",
          reason: "USER",
          quantity: 4,
          releasedCash: "0",
          releasedShares: 4,
        },
      ]);
    expect(positionOf(state, "alice")).toEqual({ yes: 10, no: 0, yesReserved: 0, noReserved: 0 });
  });

  it("given alice's bid of 10 was filled for 4, when she cancels it, then the 6 left are cancelled releasing 3.60", () => {
    const partly_filled = history(alice_bids_10_yes_at_060, buy("bob", "NO", "0.40", 4));
    const { state } = given(partly_filled)
      .when(cancel("alice", "o-1"))
      .then([{ type: "OrderCancelled", orderId: "o-1", reason: "USER", quantity: 6, releasedCash: "3.6" }]);
    expect([cashOf(state, "alice"), reservedOf(state, "alice")]).toEqual(["997.6", "0"]); // paid 2.40 for 4 YES
    expect(positionOf(state, "alice").yes).toBe(4);
  });

  it("given alice's open order, when bob cancels it, then NOT_ORDER_OWNER", () => {
    given(alice_bids_10_yes_at_060).when(cancel("bob", "o-1")).thenRejects("NOT_ORDER_OWNER");
  });

  it("given no order o-99, when alice cancels o-99, then UNKNOWN_ORDER", () => {
    given(alice_bids_10_yes_at_060).when(cancel("alice", "o-99")).thenRejects("UNKNOWN_ORDER");
  });

  it("given alice's order o-1 was filled, when she cancels it, then ORDER_NOT_OPEN", () => {
    given(long_10_at_060).when(cancel("alice", "o-1")).thenRejects("ORDER_NOT_OPEN");
  });

  it("given alice's order o-1 was cancelled, when she cancels it again, then ORDER_NOT_OPEN", () => {
    given(history(alice_bids_10_yes_at_060, cancel("alice", "o-1")))
      .when(cancel("alice", "o-1"))
      .thenRejects("ORDER_NOT_OPEN");
  });

  it("given no account zed, when zed cancels o-1, then UNKNOWN_ACCOUNT", () => {
    given(alice_bids_10_yes_at_060).when(cancel("zed", "o-1")).thenRejects("UNKNOWN_ACCOUNT");
  });
});

describe("PlaceOrder rejections", () => {
  const m3_ticks_0001 = [...base, listed("m3", "0.001")];

  it.each([
    ["0.605", "m1"],
    ["0.5005", "m3"],
  ])("given ticks of the market, when alice bids at %s on %s, then PRICE_NOT_ON_TICK", (price, marketId) => {
    given(m3_ticks_0001)
      .when(buy("alice", "YES", price, 1, { marketId }))
      .thenRejects("PRICE_NOT_ON_TICK");
  });

  it("given m3 ticks 0.001, when alice bids at 0.605, then it is accepted at 0.605", () => {
    given(m3_ticks_0001)
      .when(buy("alice", "YES", "0.605", 10, { marketId: "m3" }))
      .then([{ type: "OrderAccepted", price: "0.605", reservedCash: "6.05" }, { type: "OrderRested" }]);
  });

  it.each(["0", "1", "1.5"])("given m1, when alice bids at %s, then PRICE_OUT_OF_RANGE", (price) => {
    given(base)
      .when(buy("alice", "YES", price, 1))
      .thenRejects("PRICE_OUT_OF_RANGE");
  });

  it.each(["0", "1"])("given alice holds YES, when she offers at %s, then PRICE_OUT_OF_RANGE", (price) => {
    given(long_10_at_060)
      .when(sell("alice", "YES", price, 1))
      .thenRejects("PRICE_OUT_OF_RANGE");
  });

  it.each(["0", String(MAX_QUANTITY + 1), "1.5", "-3"])(
    "given m1, when alice bids for %s shares, then INVALID_QUANTITY",
    (quantity) => {
      given(base)
        .when(buy("alice", "YES", "0.50", quantity))
        .thenRejects("INVALID_QUANTITY");
    },
  );

  it("given alice has 10,000,000, when she bids for MAX_QUANTITY (1,000,000,000) YES at 0.01, then it rests reserving 10,000,000", () => {
    const alice_rich = [...base, deposited("alice", "9999000", "d-rich")];
    given(alice_rich)
      .when(buy("alice", "YES", "0.01", MAX_QUANTITY))
      .then([
        { type: "OrderAccepted", quantity: MAX_QUANTITY, reservedCash: "10000000" },
        { type: "OrderRested", quantity: MAX_QUANTITY },
      ]);
  });

  it("given alice has 1000, when she bids 2000 YES at 0.50 (exactly 1000), then it is accepted", () => {
    given(base)
      .when(buy("alice", "YES", "0.50", 2000))
      .then([{ type: "OrderAccepted", reservedCash: "1000" }, { type: "OrderRested" }]);
  });

  it("given alice has 1000, when she bids 2001 YES at 0.50 (1000.50), then INSUFFICIENT_FUNDS", () => {
    given(base)
      .when(buy("alice", "YES", "0.50", 2001))
      .thenRejects("INSUFFICIENT_FUNDS");
  });

  it.each([
    ["1989 YES at 0.50", buy("alice", "YES", "0.50", 1989)], // 994.50
    ["3314 NO at 0.30", buy("alice", "NO", "0.30", 3314)], // 994.20
  ])(
    "given 6.00 of alice's 1000 reserved by a bid (994 free), when she bids %s, then INSUFFICIENT_FUNDS",
    (_, command) => {
      given(alice_bids_10_yes_at_060).when(command).thenRejects("INSUFFICIENT_FUNDS");
    },
  );

  it("given 6.00 of alice's 1000 reserved by a bid, when she bids 1988 YES at 0.50 (994.00), then it is accepted", () => {
    given(alice_bids_10_yes_at_060)
      .when(buy("alice", "YES", "0.50", 1988))
      .then([{ type: "OrderAccepted", reservedCash: "994" }, { type: "OrderRested" }]);
  });

  it("given carol has 1000 and an offer at 0.40, when she bids 2500 YES at 0.41 (1025 at her limit), then INSUFFICIENT_FUNDS (funds are checked at the limit price)", () => {
    const cheap_offer = history(long_10_at_060, sell("alice", "YES", "0.40", 10));
    given(cheap_offer)
      .when(buy("carol", "YES", "0.41", 2500))
      .thenRejects("INSUFFICIENT_FUNDS");
  });

  it("given carol holds no shares, when she sells 1 YES, then INSUFFICIENT_SHARES", () => {
    given(long_10_at_060)
      .when(sell("carol", "YES", "0.50", 1))
      .thenRejects("INSUFFICIENT_SHARES");
  });

  it("given alice holds 10 YES, when she sells 11, then INSUFFICIENT_SHARES", () => {
    given(long_10_at_060)
      .when(sell("alice", "YES", "0.50", 11))
      .thenRejects("INSUFFICIENT_SHARES");
  });

  it("given alice holds 10 YES and no NO, when she sells 1 NO, then INSUFFICIENT_SHARES", () => {
    given(long_10_at_060)
      .when(sell("alice", "NO", "0.50", 1))
      .thenRejects("INSUFFICIENT_SHARES");
  });

  it("given 4 of alice's 10 YES are reserved by an offer, when she sells 7 more, then INSUFFICIENT_SHARES", () => {
    given(alice_offers_4_yes_at_070)
      .when(sell("alice", "YES", "0.80", 7))
      .thenRejects("INSUFFICIENT_SHARES");
  });

  it("given 4 of alice's 10 YES are reserved by an offer, when she sells the 6 free ones, then it is accepted", () => {
    const { state } = given(alice_offers_4_yes_at_070)
      .when(sell("alice", "YES", "0.80", 6))
      .then([
        { type: "OrderAccepted", reservedShares: 6 },
        { type: "OrderRested", quantity: 6 },
      ]);
    expect(positionOf(state, "alice")).toEqual({ yes: 0, no: 0, yesReserved: 10, noReserved: 0 });
  });

  it("given m1, when alice bids with leverage 2, then LEVERAGE_TOO_HIGH (the maximum is 1)", () => {
    given(base)
      .when(buy("alice", "YES", "0.50", 1, { leverage: "2" }))
      .thenRejects("LEVERAGE_TOO_HIGH");
  });

  it.each(["0.5", "0"])("given m1, when alice bids with leverage %s, then INVALID_LEVERAGE", (leverage) => {
    given(base)
      .when(buy("alice", "YES", "0.50", 1, { leverage }))
      .thenRejects("INVALID_LEVERAGE");
  });

  it("given alice holds YES, when she sells with leverage 2, then INVALID_LEVERAGE (leverage is for buys)", () => {
    given(long_10_at_060)
      .when(sell("alice", "YES", "0.70", 1, { leverage: "2" }))
      .thenRejects("INVALID_LEVERAGE");
  });

  it("given m1, when alice bids with leverage 1.0, then it is accepted", () => {
    given(base)
      .when(buy("alice", "YES", "0.50", 1, { leverage: "1.0" }))
      .then([{ type: "OrderAccepted" }, { type: "OrderRested" }]);
  });

  it("given no account zed, when zed bids, then UNKNOWN_ACCOUNT", () => {
    given(base)
      .when(buy("zed", "YES", "0.50", 1))
      .thenRejects("UNKNOWN_ACCOUNT");
  });

  it("given no market m9, when alice bids on m9, then UNKNOWN_MARKET", () => {
    given(base)
      .when(buy("alice", "YES", "0.50", 1, { marketId: "m9" }))
      .thenRejects("UNKNOWN_MARKET");
  });
});

describe("clientOrderId idempotency", () => {
  const a1 = buy("alice", "YES", "0.60", 10, { clientOrderId: "a1" });

  it("given alice placed a1, when a1 is sent again with the same content, then no events and nothing more is reserved", () => {
    const { state } = given(alice_bids_10_yes_at_060).when(a1).then([]);
    expect(reservedOf(state, "alice")).toBe("6");
    expect(state.orderCount).toBe(1);
  });

  it("given alice placed a1 at 0.60, when a1 is sent again written 0.6, then no events (the same price)", () => {
    given(alice_bids_10_yes_at_060)
      .when(buy("alice", "YES", "0.6", 10, { clientOrderId: "a1" }))
      .then([]);
  });

  it("given alice's a1 was filled, when a1 is sent again, then no events (not a second order)", () => {
    const a1_filled = history(alice_bids_10_yes_at_060, buy("bob", "NO", "0.40", 10));
    given(a1_filled).when(a1).then([]);
  });

  it.each<[string, CommandInput]>([
    ["another quantity", buy("alice", "YES", "0.60", 11, { clientOrderId: "a1" })],
    ["another price", buy("alice", "YES", "0.61", 10, { clientOrderId: "a1" })],
    ["another outcome", buy("alice", "NO", "0.60", 10, { clientOrderId: "a1" })],
    ["another time in force", buy("alice", "YES", "0.60", 10, { clientOrderId: "a1", timeInForce: "IOC" })],
    ["post-only", buy("alice", "YES", "0.60", 10, { clientOrderId: "a1", postOnly: true })],
    ["another market", buy("alice", "YES", "0.60", 10, { clientOrderId: "a1", marketId: "m2" })],
  ])("given alice placed a1, when a1 comes with %s, then IDEMPOTENCY_CONFLICT", (_, command) => {
    given([...alice_bids_10_yes_at_060, listed("m2")])
      .when(command)
      .thenRejects("IDEMPOTENCY_CONFLICT");
  });

  it("given alice placed a1 and holds YES, when a1 comes as a sell, then IDEMPOTENCY_CONFLICT", () => {
    const alice_a1_filled = history(alice_bids_10_yes_at_060, buy("bob", "NO", "0.40", 10));
    given(alice_a1_filled)
      .when(sell("alice", "YES", "0.60", 10, { clientOrderId: "a1" }))
      .thenRejects("IDEMPOTENCY_CONFLICT");
  });

  it("given alice placed a1, when bob uses a1, then it is his own new order", () => {
    given(alice_bids_10_yes_at_060)
      .when(buy("bob", "YES", "0.55", 1, { clientOrderId: "a1" }))
      .then([
        { type: "OrderAccepted", orderId: "o-2", accountId: "bob", clientOrderId: "a1" },
        { type: "OrderRested" },
      ]);
  });
});
