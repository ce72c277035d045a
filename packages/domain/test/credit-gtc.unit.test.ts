// Issue 11, leveraged GTC orders: a leveraged buy may rest. At placement its resting remainder reserves only the
// buyer's own part at the limit, ownOf(lots) = cost − floor6(cost × (L − 1) / L); the loan is drawn at each fill,
// under the limits of that moment (the market's cap, the pool's room, the exposure limits, the maintenance
// requirement at the mark, the position's state). A fill they no longer allow cancels the order with
// LEVERAGE_NOT_AVAILABLE, its reservation released, and the taker goes on to the next order of the book.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Outcome } from "../src/codecs.js";
import type { Command } from "../src/commands.js";
import { decide } from "../src/decide.js";
import type { Event } from "../src/events.js";
import { evolveAll } from "../src/evolve.js";
import { invariantViolations } from "../src/invariants.js";
import { money, toAmountString, ZERO } from "../src/money.js";
import { costOf, restingReserveOf } from "../src/prices.js";
import { snapshotOf, stateFromSnapshot } from "../src/snapshot.js";
import { initialState } from "../src/state.js";
import {
  alice_long_100_yes_at_050_5x,
  type CreditExchange,
  DAY,
  FEE_FREE,
  givenExchange,
  leveragedBuy,
  leveragedOf,
  MINUTE,
  mark,
  market_m1_at_050_with_pool_1000,
  ofType,
  place,
  poolOf,
  type RiskOverrides,
  snapshot,
  T0,
  tick,
  typesOf,
} from "./credit-fixtures.js";
import { cashOf, reservedOf } from "./given.js";

/** A leveraged GTC buy (post-only when told). */
const gtc = (
  accountId: string,
  outcome: Outcome,
  price: string,
  quantity: number,
  leverage: string,
  options: { clientOrderId?: string; postOnly?: boolean } = {},
) => {
  const command = place(accountId, "buy", outcome, price, quantity, { leverage, ...options });
  return options.postOnly ? { ...command, postOnly: true } : command;
};

/** An IOC 1x buy: the taker that hits a resting bid of the other outcome (a MINT). */
const ioc = (accountId: string, outcome: Outcome, price: string, quantity: number, clientOrderId?: string) =>
  place(accountId, "buy", outcome, price, quantity, {
    timeInForce: "IOC",
    ...(clientOrderId ? { clientOrderId } : {}),
  });

const reservationOf = (x: CreditExchange, orderId: string): string =>
  toAmountString(x.state.orders.get(orderId)!.reservedCash);

/** m1 at 0.50 without fees (loans stay round), lp's 1000 in its pool; alice bids 100 YES at 0.50 GTC with 2x (o-1). */
function alice_bids_100_yes_at_050_2x(risk: RiskOverrides = {}): CreditExchange {
  const x = market_m1_at_050_with_pool_1000({ ...FEE_FREE, ...risk });
  x.run(gtc("alice", "YES", "0.5", 100, "2"));
  return x;
}

describe("placement: a leveraged GTC buy rests and reserves only its own part", () => {
  it("given m1 at 0.50, when alice bids 100 YES at 0.50 GTC with 2x, then it rests reserving 25 (cost 50 − the loan of 25 drawn at fill); nothing is lent yet", () => {
    const x = market_m1_at_050_with_pool_1000(FEE_FREE);
    const { state } = givenExchange(x)
      .when(gtc("alice", "YES", "0.5", 100, "2"))
      .then([
        {
          type: "OrderAccepted",
          orderId: "o-1",
          timeInForce: "GTC",
          leverage: "2",
          reservedCash: "25",
        },
        { type: "OrderRested", orderId: "o-1", quantity: 100 },
      ]);
    expect([cashOf(state, "alice"), reservedOf(state, "alice")]).toEqual(["975", "25"]);
    expect(poolOf(state)).toMatchObject({ cash: "1000", lent: "0" });
    expect(leveragedOf(state, "alice", "YES")).toBeUndefined();
  });

  it("post-only too: alice's post-only 2x bid of 30 NO at 0.40 rests reserving 6 (cost 12 − loan 6)", () => {
    const x = market_m1_at_050_with_pool_1000(FEE_FREE);
    givenExchange(x)
      .when(gtc("alice", "NO", "0.4", 30, "2", { postOnly: true }))
      .then([
        { type: "OrderAccepted", postOnly: true, leverage: "2", reservedCash: "6" },
        { type: "OrderRested", quantity: 30 },
      ]);
  });

  it("its taking part borrows at once, its remainder at its fills: 100 YES at 0.50 with 2x against 40 offered → loan 10 now, reservation 10 + 15 = 25; the next 60 draw 15", () => {
    const x = market_m1_at_050_with_pool_1000(FEE_FREE);
    x.run(place("mm", "buy", "NO", "0.5", 40));
    const { events } = givenExchange(x)
      .when(gtc("alice", "YES", "0.5", 100, "2"))
      .then([
        { type: "OrderAccepted", orderId: "o-2", reservedCash: "25" },
        { type: "LoanOpened", orderId: "o-2", accountId: "alice", amount: "10" },
        { type: "TradeExecuted", makerOrderId: "o-1", takerOrderId: "o-2", quantity: 40 },
        { type: "OrderRested", orderId: "o-2", quantity: 60 },
      ]);
    expect(typesOf(events)).toContain("OrderRested");
    x.run(gtc("alice", "YES", "0.5", 100, "2"));
    expect(reservationOf(x, "o-2")).toBe("15");
    givenExchange(x)
      .when(ioc("bob", "NO", "0.5", 60))
      .then([
        { type: "OrderAccepted", orderId: "o-3" },
        { type: "LoanOpened", orderId: "o-2", accountId: "alice", amount: "15" },
        { type: "TradeExecuted", makerOrderId: "o-2", quantity: 60, makerAmount: "30" },
      ]);
  });

  it("a call auction still takes 1x GTC orders only: a leveraged bid is refused (the cap is 1 during it)", () => {
    const x = market_m1_at_050_with_pool_1000(FEE_FREE);
    x.runAll({ type: "HaltMarket", marketId: "m1" }, { type: "ResumeMarket", marketId: "m1" });
    givenExchange(x)
      .when(gtc("alice", "YES", "0.5", 10, "2"))
      .thenRejects("LEVERAGE_TOO_HIGH");
  });
});

describe("a fill of a resting leveraged buy draws its loan then", () => {
  it("given alice's 2x bid of 100 YES at 0.50, when bob buys 100 NO at 0.50, then LoanOpened(o-1, 25, 2x) comes just before the trade: alice holds 100 pledged YES with a loan of 25, reserves 0, and the pool has lent 25", () => {
    const x = alice_bids_100_yes_at_050_2x();
    const { state } = givenExchange(x)
      .when(ioc("bob", "NO", "0.5", 100))
      .then([
        { type: "OrderAccepted", orderId: "o-2", accountId: "bob", reservedCash: "50" },
        {
          type: "LoanOpened",
          marketId: "m1",
          accountId: "alice",
          outcome: "YES",
          orderId: "o-1",
          amount: "25",
          leverage: "2",
        },
        {
          type: "TradeExecuted",
          kind: "MINT",
          makerOrderId: "o-1",
          makerAccountId: "alice",
          makerAmount: "50",
          takerOrderId: "o-2",
          quantity: 100,
        },
      ]);
    expect(leveragedOf(state, "alice", "YES")).toMatchObject({ shares: 100, sharesReserved: 0 });
    expect(toAmountString(leveragedOf(state, "alice", "YES")!.loan)).toBe("25");
    expect([cashOf(state, "alice"), reservedOf(state, "alice")]).toEqual(["975", "0"]);
    expect(state.orders.get("o-1")).toMatchObject({ status: "filled", filledQuantity: 100 });
    expect(poolOf(state)).toMatchObject({ cash: "975", lent: "25" });
  });

  it("a seller of YES hits it too (a TRANSFER): mm sells 100 YES at 0.50 into alice's bid, alice borrows 25", () => {
    const x = market_m1_at_050_with_pool_1000(FEE_FREE);
    x.runAll(place("mm", "buy", "YES", "0.5", 100), ioc("mm2", "NO", "0.5", 100)); // mm holds 100 YES
    x.run(gtc("alice", "YES", "0.5", 100, "2")); // o-3
    const { events } = givenExchange(x)
      .when(place("mm", "sell", "YES", "0.5", 100, { timeInForce: "IOC" }))
      .decide();
    expect(typesOf(events)).toEqual(["OrderAccepted", "LoanOpened", "TradeExecuted"]);
    expect(events[1]).toMatchObject({ accountId: "alice", orderId: "o-3", amount: "25" });
    expect(events[2]).toMatchObject({ kind: "TRANSFER", makerOrderId: "o-3", makerAmount: "50" });
  });

  it("the maker pays the first interval's jump-risk fee in advance, the same fee as the same loan taken by an IOC (default fees)", () => {
    // The maker's way: alice's 2x bid of 100 YES at 0.50 filled by bob.
    const x = market_m1_at_050_with_pool_1000();
    x.run(gtc("alice", "YES", "0.5", 100, "2"));
    const made = givenExchange(x)
      .when(ioc("bob", "NO", "0.5", 100))
      .decide().events;
    // The taker's way: mm bids 100 NO at 0.50 and alice buys 100 YES at 0.50 with 2x (IOC).
    const y = market_m1_at_050_with_pool_1000();
    y.run(place("mm", "buy", "NO", "0.5", 100));
    const taken = givenExchange(y)
      .when(leveragedBuy("alice", "YES", "0.5", 100, "2"))
      .decide().events;
    const [makerFee] = ofType(made, "FundingAccrued");
    const [takerFee] = ofType(taken, "FundingAccrued");
    expect(typesOf(made)).toEqual(["OrderAccepted", "LoanOpened", "TradeExecuted", "FundingAccrued"]);
    expect(makerFee).toMatchObject({ accountId: "alice", outcome: "YES" });
    expect(money(makerFee!.amount).gt(0)).toBe(true);
    expect(makerFee).toEqual(takerFee);
  });

  it("two leveraged buyers meet: bob's 2x IOC buy of 100 NO at 0.50 hits alice's 2x bid, each borrows 25 (bob's loan first, alice's just before the trade) and the pool lends 50", () => {
    const x = alice_bids_100_yes_at_050_2x();
    const { state } = givenExchange(x)
      .when(leveragedBuy("bob", "NO", "0.5", 100, "2"))
      .then([
        { type: "OrderAccepted", orderId: "o-2", reservedCash: "25" },
        { type: "LoanOpened", accountId: "bob", orderId: "o-2", outcome: "NO", amount: "25" },
        { type: "LoanOpened", accountId: "alice", orderId: "o-1", outcome: "YES", amount: "25" },
        { type: "TradeExecuted", kind: "MINT", makerOrderId: "o-1", takerOrderId: "o-2", quantity: 100 },
      ]);
    expect(poolOf(state)).toMatchObject({ cash: "950", lent: "50" });
    expect([reservedOf(state, "alice"), reservedOf(state, "bob")]).toEqual(["0", "0"]);
  });

  it("a cancel by the owner releases the own part still reserved: 25 at first, 15 after a fill of 40 (own part 10, loan 10)", () => {
    const x = alice_bids_100_yes_at_050_2x();
    givenExchange(x)
      .when({ type: "CancelOrder", accountId: "alice", orderId: "o-1" })
      .then([{ type: "OrderCancelled", reason: "USER", quantity: 100, releasedCash: "25" }]);
    const fill = x.run(ioc("bob", "NO", "0.5", 40));
    expect(ofType(fill, "LoanOpened")[0]).toMatchObject({ orderId: "o-1", amount: "10" });
    expect(reservationOf(x, "o-1")).toBe("15");
    const { state } = givenExchange(x)
      .when({ type: "CancelOrder", accountId: "alice", orderId: "o-1" })
      .then([{ type: "OrderCancelled", reason: "USER", quantity: 60, releasedCash: "15" }]);
    expect([cashOf(state, "alice"), reservedOf(state, "alice")]).toEqual(["990", "0"]);
    expect(toAmountString(leveragedOf(state, "alice", "YES")!.loan)).toBe("10");
  });

  it("self-trade prevention removes it releasing its own part: alice's buy of 10 NO at 0.50 cancels her 2x bid (SELF_TRADE, 25 released)", () => {
    const x = alice_bids_100_yes_at_050_2x();
    givenExchange(x)
      .when(place("alice", "buy", "NO", "0.5", 10))
      .then([
        { type: "OrderAccepted", orderId: "o-2", reservedCash: "5" },
        { type: "OrderCancelled", orderId: "o-1", reason: "SELF_TRADE", quantity: 100, releasedCash: "25" },
        { type: "OrderRested", orderId: "o-2", quantity: 10 },
      ]);
  });

  it("the market's resolution cancels it releasing its own part: a 2x bid of 100 YES at 0.40 releases 20", () => {
    const x = market_m1_at_050_with_pool_1000(FEE_FREE);
    x.run(gtc("alice", "YES", "0.4", 100, "2"));
    givenExchange(x)
      .when({ type: "ResolveMarket", marketId: "m1", outcome: "NO" })
      .then([
        { type: "MarketResolved" },
        { type: "OrderCancelled", orderId: "o-1", reason: "MARKET_RESOLVED", releasedCash: "20" },
      ]);
  });

  it("a reduction sells pledged shares into it (a multi-step decision): bob's 100 YES at 0.48 go to alice's 2x bid, alice borrows 24, bob repays his 25", () => {
    const x = market_m1_at_050_with_pool_1000(FEE_FREE);
    x.runAll(place("mm", "buy", "NO", "0.5", 100), leveragedBuy("bob", "YES", "0.5", 100, "2"));
    x.run(gtc("alice", "YES", "0.48", 100, "2"));
    const { state } = givenExchange(x)
      .when({
        type: "ReducePosition",
        accountId: "bob",
        marketId: "m1",
        outcome: "YES",
        quantity: "100",
        price: "0.48",
      })
      .then([
        { type: "OrderAccepted", accountId: "bob", source: "position" },
        { type: "LoanOpened", accountId: "alice", orderId: "o-3", amount: "24" },
        { type: "TradeExecuted", kind: "TRANSFER", makerOrderId: "o-3", makerAmount: "48" },
        { type: "LoanRepaid", accountId: "bob", amount: "25" },
        { type: "PositionClosed", accountId: "bob", reason: "REPAID" },
      ]);
    expect(toAmountString(leveragedOf(state, "alice", "YES")!.loan)).toBe("24");
    expect(poolOf(state)).toMatchObject({ lent: "24" });
  });
});

describe("several partial fills use exactly the own part reserved", () => {
  it("property: for any leverage, limit and split into fills, the fills' own parts (maker amount − loan) add up to the reservation at placement, each reservation left is ownOf(lots left), and the last leaves 0", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("1.5", "2", "2.5", "3", "3.3", "4", "4.75", "5"),
        fc.integer({ min: 10, max: 50 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 8 }),
        (leverage, priceTicks, fills) => {
          // explicit risk parameters: the extremity cap is 5 at 0.50 whatever the default
          const x = market_m1_at_050_with_pool_1000({ ...FEE_FREE, extremityMove: "0.1", maxLeverage: "5" });
          const price = toAmountString(money(priceTicks).div(100));
          const quantity = fills.reduce((a, b) => a + b, 0);
          const placed = x.run(gtc("alice", "YES", price, quantity, leverage));
          const reserved = money(ofType(placed, "OrderAccepted")[0]!.reservedCash);
          expect(reserved).toEqual(restingReserveOf(priceTicks, quantity, 100, leverage));
          let own = ZERO;
          let loans = ZERO;
          let left = quantity;
          fills.forEach((q, i) => {
            const events = x.run(ioc("bob", "NO", toAmountString(money(1).minus(price)), q, `f-${i}`));
            const [loan] = ofType(events, "LoanOpened");
            const [trade] = ofType(events, "TradeExecuted");
            expect([loan!.orderId, trade!.makerOrderId, trade!.quantity]).toEqual(["o-1", "o-1", q]);
            const part = money(trade!.makerAmount).minus(loan!.amount);
            expect(part.gte(0) && money(loan!.amount).gte(0)).toBe(true);
            own = own.plus(part);
            loans = loans.plus(loan!.amount);
            left -= q;
            expect(reservationOf(x, "o-1")).toBe(
              toAmountString(restingReserveOf(priceTicks, left, 100, leverage)),
            );
          });
          expect(toAmountString(own)).toBe(toAmountString(reserved));
          expect(reservationOf(x, "o-1")).toBe("0");
          expect(reservedOf(x.state, "alice")).toBe("0");
          expect(toAmountString(loans)).toBe(
            toAmountString(costOf(priceTicks, quantity, 100).minus(reserved)),
          );
          expect(toAmountString(leveragedOf(x.state, "alice", "YES")!.loan)).toBe(toAmountString(loans));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("at the fill, under the limits of that moment: a fill they no longer allow cancels the order (LEVERAGE_NOT_AVAILABLE)", () => {
  /** A taker's buy: accepted, the leveraged bid `orderId` cancelled releasing `released`, then what follows. */
  const refused = (
    orderId: string,
    released: string,
    next: Partial<Event>,
    taker = "bob",
  ): Partial<Event>[] => [
    { type: "OrderAccepted", accountId: taker },
    { type: "OrderCancelled", orderId, reason: "LEVERAGE_NOT_AVAILABLE", releasedCash: released },
    next,
  ];
  /** bob's IOC buy of 100 skipping alice's bid o-1 for mm2's 1x bid o-2 (the next order of the book) at `yesPrice`. */
  const nextBid = (released: string, yesPrice: string) =>
    refused("o-1", released, {
      type: "TradeExecuted",
      makerOrderId: "o-2",
      makerAccountId: "mm2",
      takerOrderId: "o-3",
      yesPrice,
      quantity: 100,
    });

  const expectReleased = (state: CreditExchange["state"]) => {
    expect(state.orders.get("o-1")).toMatchObject({
      status: "cancelled",
      cancelReason: "LEVERAGE_NOT_AVAILABLE",
    });
    expect([cashOf(state, "alice"), reservedOf(state, "alice")]).toEqual(["1000", "0"]);
    expect(leveragedOf(state, "alice", "YES")).toBeUndefined();
    expect(poolOf(state)).toMatchObject({ cash: "1000", lent: "0" });
  };

  it("the time ramp: a 2x bid placed 4.5 days before resolution (cap 3 or less) is cancelled when hit 2 days later (time cap 1.85), releasing 25, and bob buys mm2's 100 at 0.49 instead", () => {
    // resolvesAt T0 + 4.5 days, hazard window 1 day, ramp 7 days: time cap 3 at T0, 2.43 a day later, 1.86 two days later
    const x = alice_bids_100_yes_at_050_2x({ resolvesAt: new Date(T0 + 4.5 * DAY).toISOString() });
    x.run(place("mm2", "buy", "YES", "0.49", 100));
    x.at(T0 + DAY);
    const oneDayLater = givenExchange(x)
      .when(ioc("bob", "NO", "0.51", 100))
      .decide().events;
    expect(ofType(oneDayLater, "LoanOpened")[0]).toMatchObject({ orderId: "o-1", amount: "25" });
    x.at(T0 + 2 * DAY);
    const { state } = givenExchange(x)
      .when(ioc("bob", "NO", "0.51", 100))
      .then(nextBid("25", "0.49"));
    expectReleased(state);
  });

  it("a mark move: a 2x bid of 100 YES at 0.15 placed at mark 0.50 is cancelled once the mark is 0.18 (extremity cap 1.8 or less), releasing 7.5; bob buys mm2's 100 at 0.14", () => {
    const x = market_m1_at_050_with_pool_1000(FEE_FREE);
    x.runAll(gtc("alice", "YES", "0.15", 100, "2"), place("mm2", "buy", "YES", "0.14", 100));
    const atHalf = givenExchange(x)
      .when(ioc("bob", "NO", "0.86", 100))
      .decide().events;
    expect(ofType(atHalf, "LoanOpened")[0]).toMatchObject({ orderId: "o-1", amount: "7.5" });
    for (const p of ["0.42", "0.34", "0.26", "0.18"]) x.advance(5 * MINUTE).run(mark(p));
    const { state } = givenExchange(x)
      .when(ioc("bob", "NO", "0.86", 100))
      .then(nextBid("7.5", "0.14"));
    expectReleased(state);
  });

  it("the pool's room: after bob borrows 700 of the 900 the pool may lend, alice's 2x bid of 1000 YES at 0.45 (loan 225) is cancelled releasing 225; a fill of 800 (loan 180) would still have fit", () => {
    const x = market_m1_at_050_with_pool_1000({ ...FEE_FREE, maxAccountLoanFraction: "1" });
    x.run(gtc("alice", "YES", "0.45", 1000, "2"));
    // bob: 2800 YES at 0.50 with 2x from mm → cost 1400, loan 700
    x.runAll(
      place("mm", "buy", "NO", "0.5", 2800, { clientOrderId: "mm-no" }),
      leveragedBuy("bob", "YES", "0.5", 2800, "2"),
    );
    expect(poolOf(x.state)).toMatchObject({ cash: "300", lent: "700" });
    x.run(place("mm2", "buy", "YES", "0.44", 1000)); // o-4
    const part = givenExchange(x)
      .when(ioc("carol", "NO", "0.55", 800))
      .decide().events;
    expect(ofType(part, "LoanOpened")[0]).toMatchObject({ orderId: "o-1", amount: "180" });
    const { state } = givenExchange(x)
      .when(ioc("carol", "NO", "0.56", 1000))
      .then(
        refused(
          "o-1",
          "225",
          { type: "TradeExecuted", makerOrderId: "o-4", yesPrice: "0.44", quantity: 1000 },
          "carol",
        ),
      );
    expect(reservedOf(state, "alice")).toBe("0");
    expect(poolOf(state)).toMatchObject({ cash: "300", lent: "700" });
  });

  it("the account's exposure limit (a quarter of the pool, 250): alice owes 150 from an IOC, her 2x bid of 500 YES at 0.45 (loan 112.5) is cancelled releasing 112.5", () => {
    const x = market_m1_at_050_with_pool_1000(FEE_FREE);
    x.runAll(place("mm", "buy", "NO", "0.5", 600), leveragedBuy("alice", "YES", "0.5", 600, "2"));
    x.runAll(gtc("alice", "YES", "0.45", 500, "2"), place("mm2", "buy", "YES", "0.44", 500));
    givenExchange(x)
      .when(ioc("bob", "NO", "0.56", 500))
      .then(refused("o-3", "112.5", { type: "TradeExecuted", makerOrderId: "o-4", quantity: 500 }));
  });

  it("loans drawn earlier in the same match count: with room for one, of two 2x bids of 1000 YES the first (at 0.46, loan 230) fills and the second (at 0.45, loan 225) is cancelled", () => {
    // pool 500 more from lp (assets 1500, lending limit 1350); bob owes 900: room 450 < 230 + 225
    const x = market_m1_at_050_with_pool_1000({ ...FEE_FREE, maxAccountLoanFraction: "1" });
    x.run({ type: "SupplyPool", accountId: "lp", marketId: "m1", amount: "500", reference: "s-2" });
    x.runAll(gtc("alice", "YES", "0.46", 1000, "2"), gtc("carol", "YES", "0.45", 1000, "2"));
    x.run(place("mm", "buy", "NO", "0.5", 3600, { clientOrderId: "mm-no" }));
    x.run({ type: "Deposit", accountId: "bob", amount: "1000", reference: "more" });
    x.run(leveragedBuy("bob", "YES", "0.5", 3600, "2")); // cost 1800, loan 900
    expect(poolOf(x.state)).toMatchObject({ lent: "900" });
    const { events } = givenExchange(x)
      .when(ioc("mm2", "NO", "0.55", 2000))
      .decide();
    expect(typesOf(events)).toEqual([
      "OrderAccepted",
      "OrderCancelled",
      "LoanOpened",
      "TradeExecuted",
      "OrderCancelled",
    ]);
    expect(events[1]).toMatchObject({
      orderId: "o-2",
      reason: "LEVERAGE_NOT_AVAILABLE",
      releasedCash: "225",
    });
    expect(events[2]).toMatchObject({ orderId: "o-1", accountId: "alice", amount: "230" });
    expect(events[4]).toMatchObject({ orderId: "o-5", reason: "IOC_REMAINDER", quantity: 1000 });
  });

  it("the maintenance requirement at the mark: alice's 4x bid of 100 YES at 0.50 (loan 37.5) fills at mark 0.40 (equity 2.5 ≥ 2) but is cancelled at 0.39 (equity 1.5 < 1.95), releasing 12.5", () => {
    // extremityMove 0.05: the extremity cap stays 5 down to 0.25, so only the requirement refuses the fill
    const x = market_m1_at_050_with_pool_1000({ ...FEE_FREE, extremityMove: "0.05", maxLeverage: "5" });
    x.runAll(gtc("alice", "YES", "0.5", 100, "4"), place("mm2", "buy", "YES", "0.39", 100));
    x.advance(5 * MINUTE).run(mark("0.45"));
    x.advance(5 * MINUTE).run(mark("0.4"));
    const at40 = givenExchange(x)
      .when(ioc("bob", "NO", "0.61", 100))
      .decide().events;
    expect(ofType(at40, "LoanOpened")[0]).toMatchObject({ orderId: "o-1", amount: "37.5" });
    x.advance(5 * MINUTE).run(mark("0.39"));
    const { state } = givenExchange(x)
      .when(ioc("bob", "NO", "0.61", 100))
      .then(nextBid("12.5", "0.39"));
    expectReleased(state);
  });

  it("a position being liquidated borrows no more: alice's 2x bid of 1000 YES at 0.30 is cancelled while her 5x position is in liquidation, though the fill alone would be sound", () => {
    // explicit extremityMove: 5x at 0.50 whatever the default
    const x = alice_long_100_yes_at_050_5x({ ...FEE_FREE, extremityMove: "0.1" }); // loan 40
    x.run(mark("0.42")); // equity 2 < 2.1: called
    x.run(gtc("alice", "YES", "0.3", 1000, "2", { clientOrderId: "dip" })); // o-3, below the band floor 0.378
    x.run(tick(T0 + 10 * MINUTE + 1000)); // the grace window is over: liquidation, no bid within the band
    expect(leveragedOf(x.state, "alice", "YES")!.status).toBe("liquidating");
    givenExchange(x)
      .when(ioc("bob", "NO", "0.7", 1000))
      .then(refused("o-3", "150", { type: "OrderCancelled", reason: "IOC_REMAINDER", quantity: 1000 }));
  });

  it("a call auction lends nothing: at its uncrossing a resting 2x bid it would fill is cancelled and the auction computed without it; one it would not fill stays", () => {
    const x = alice_bids_100_yes_at_050_2x();
    x.run(gtc("carol", "YES", "0.3", 100, "2")); // o-2: far from the clearing price
    x.runAll({ type: "HaltMarket", marketId: "m1" }, { type: "ResumeMarket", marketId: "m1" });
    x.run(place("mm2", "buy", "NO", "0.5", 100)); // o-3, collected: crosses alice's bid
    const { state } = givenExchange(x)
      .when(tick(x.now + 5 * MINUTE))
      .then([
        { type: "OrderCancelled", orderId: "o-1", reason: "LEVERAGE_NOT_AVAILABLE", releasedCash: "25" },
        { type: "OrderRested", orderId: "o-3", quantity: 100 },
        { type: "AuctionUncrossed", volume: 0 },
      ]);
    expect(state.orders.get("o-2")).toMatchObject({ status: "open" });
    expect(reservedOf(state, "carol")).toBe("15");
    expect(reservedOf(state, "alice")).toBe("0");
  });
});

describe("the snapshot of a state with a resting leveraged order", () => {
  it("round-trips: the restored state equals the replayed one, keeps the order's leverage and own-part reservation (15 after a fill of 40), and decides its next fill the same (loan 15)", () => {
    const x = alice_bids_100_yes_at_050_2x();
    x.run(ioc("bob", "NO", "0.5", 40));
    const restored = stateFromSnapshot(JSON.parse(JSON.stringify(snapshotOf(x.state))));
    expect(snapshot(restored)).toBe(snapshot(evolveAll(initialState(), x.history())));
    expect(restored.orders.get("o-1")).toMatchObject({ leverage: "2", status: "open" });
    expect(toAmountString(restored.orders.get("o-1")!.reservedCash)).toBe("15");
    expect(invariantViolations(restored)).toEqual([]);
    const next = { at: x.now, ...ioc("carol", "NO", "0.5", 60) } as Command;
    const fromSnapshot = decide(next, restored);
    expect(fromSnapshot).toEqual(decide(next, x.state));
    expect(fromSnapshot._tag === "Right" && ofType(fromSnapshot.right, "LoanOpened")).toMatchObject([
      { orderId: "o-1", amount: "15" },
    ]);
  });
});
