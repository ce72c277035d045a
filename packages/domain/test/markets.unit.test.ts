// Markets: listing, halting and resuming, mark prices, and resolution (cancel open orders, pay winners from escrow).
import { describe, expect, it } from "vitest";
import type { TickSize } from "../src/codecs.js";
import type { Event } from "../src/events.js";
import { solvency } from "../src/invariants.js";
import { toAmountString } from "../src/money.js";
import {
  alice_long_10_yes_bob_long_10_no_at_060,
  buy,
  cancel,
  cashOf,
  escrowOf,
  given,
  history,
  listed,
  positionOf,
  reservedOf,
  sell,
  stateOf,
  alice_bob_carol_with_1000_each_and_market_m1 as three_traders_and_m1,
} from "./given.js";

const LISTING = {
  type: "ListMarket",
  marketId: "m1",
  question: "Will it rain in Paris on 2030-01-01?",
  tickSize: "0.01",
  resolvesAt: "2030-01-01T00:00:00Z",
} as const;

const market_m1_listed: Event[] = [listed("m1")];
const market_m1_halted: Event[] = [listed("m1"), { type: "MarketHalted", marketId: "m1" }];
const market_m1_resolved_yes: Event[] = [
  listed("m1"),
  { type: "MarketResolved", marketId: "m1", outcome: "YES" },
];
const three_traders_and_m1_halted: Event[] = [
  ...three_traders_and_m1,
  { type: "MarketHalted", marketId: "m1" },
];

/**
 * alice 10 YES (paid 6.00, cash 994), bob 10 NO (paid 4.00, cash 996), escrow 10; then three open orders:
 * o-3 carol bids 5 YES at 0.50 (reserves 2.50), o-4 alice offers 4 of her YES at 0.90 (reserves 4 YES),
 * o-5 bob bids 3 NO at 0.05 (reserves 0.15).
 */
const m1_with_positions_and_three_open_orders: Event[] = history(
  alice_long_10_yes_bob_long_10_no_at_060,
  buy("carol", "YES", "0.50", 5),
  sell("alice", "YES", "0.90", 4),
  buy("bob", "NO", "0.05", 3),
);

/**
 * From alice 10 YES / bob 10 NO at 0.60: bob offers 4 NO at 0.30 and alice takes them (TRANSFER, alice pays 1.20).
 * alice: 10 YES + 4 NO, cash 992.80; bob: 6 NO, cash 997.20; escrow 10.
 */
const alice_10_yes_4_no_bob_6_no: Event[] = history(
  alice_long_10_yes_bob_long_10_no_at_060,
  sell("bob", "NO", "0.30", 4),
  buy("alice", "NO", "0.30", 4),
);

describe("ListMarket", () => {
  it.each([
    ["0.01", 100],
    ["0.001", 1000],
    ["0.0001", 10000],
  ] as [TickSize, number][])(
    "given nothing, when a market with tick size %s is listed, then MarketListed, open, %i ticks",
    (tickSize, ticks) => {
      const { state } = given([])
        .when({ ...LISTING, tickSize })
        .then([
          {
            type: "MarketListed",
            marketId: "m1",
            question: "Will it rain in Paris on 2030-01-01?",
            tickSize,
            resolvesAt: "2030-01-01T00:00:00Z",
            takerFeeBps: 0,
          },
        ]);
      const market = state.markets.get("m1")!;
      expect(market.ticks).toBe(ticks);
      expect(market.status).toBe("open");
      expect(market.outcome).toBeNull();
      expect(toAmountString(market.escrow)).toBe("0");
      expect(market.pairs).toBe(0);
    },
  );

  it("given nothing, when a market is listed with a 25 bps taker fee, then the fee is recorded", () => {
    const { state } = given([])
      .when({ ...LISTING, takerFeeBps: 25 })
      .then([{ type: "MarketListed", takerFeeBps: 25 }]);
    expect(state.markets.get("m1")!.takerFeeBps).toBe(25);
  });

  it("given nothing, when the question has surrounding spaces, then it is listed trimmed", () => {
    given([])
      .when({ ...LISTING, question: "  Will it rain?  " })
      .then([{ type: "MarketListed", question: "Will it rain?" }]);
  });

  it("given nothing, when the question has exactly 500 characters, then it is listed", () => {
    given([])
      .when({ ...LISTING, question: "q".repeat(500) })
      .then([{ type: "MarketListed", question: "q".repeat(500) }]);
  });

  it.each([
    ["empty", ""],
    ["blank", "   \t "],
    ["501 characters", "q".repeat(501)],
  ])("given nothing, when the question is %s, then INVALID_QUESTION", (_, question) => {
    given([])
      .when({ ...LISTING, question })
      .thenRejects("INVALID_QUESTION");
  });

  it("given m1 is listed, when m1 is listed again, then MARKET_EXISTS", () => {
    given(market_m1_listed).when(LISTING).thenRejects("MARKET_EXISTS");
  });

  it("given m1 is resolved, when m1 is listed again, then MARKET_EXISTS", () => {
    given(market_m1_resolved_yes).when(LISTING).thenRejects("MARKET_EXISTS");
  });
});

describe("HaltMarket and ResumeMarket", () => {
  it("given m1 open, when it is halted, then MarketHalted and its status is halted", () => {
    const { state } = given(market_m1_listed)
      .when({ type: "HaltMarket", marketId: "m1" })
      .then([{ type: "MarketHalted", marketId: "m1" }]);
    expect(state.markets.get("m1")!.status).toBe("halted");
  });

  it("given m1 halted, when it is halted again, then MARKET_NOT_OPEN", () => {
    given(market_m1_halted).when({ type: "HaltMarket", marketId: "m1" }).thenRejects("MARKET_NOT_OPEN");
  });

  it("given m1 resolved, when it is halted, then MARKET_NOT_OPEN", () => {
    given(market_m1_resolved_yes).when({ type: "HaltMarket", marketId: "m1" }).thenRejects("MARKET_NOT_OPEN");
  });

  it("given no market m2, when m2 is halted, then UNKNOWN_MARKET", () => {
    given(market_m1_listed).when({ type: "HaltMarket", marketId: "m2" }).thenRejects("UNKNOWN_MARKET");
  });

  it("given m1 halted, when it is resumed, then MarketResumed, it is open and reopens with a call auction", () => {
    const { state } = given(market_m1_halted)
      .when({ type: "ResumeMarket", marketId: "m1", at: 1_000_000 })
      .then([
        { type: "MarketResumed", marketId: "m1" },
        { type: "AuctionStarted", marketId: "m1", reason: "REOPENING", until: 1_000_000 + 300_000 },
      ]);
    expect(state.markets.get("m1")!.status).toBe("open");
    expect(state.markets.get("m1")!.auctionUntil).toBe(1_300_000);
  });

  it("given m1 open, when it is resumed, then MARKET_NOT_HALTED", () => {
    given(market_m1_listed).when({ type: "ResumeMarket", marketId: "m1" }).thenRejects("MARKET_NOT_HALTED");
  });

  it("given m1 resolved, when it is resumed, then MARKET_NOT_HALTED", () => {
    given(market_m1_resolved_yes)
      .when({ type: "ResumeMarket", marketId: "m1" })
      .thenRejects("MARKET_NOT_HALTED");
  });

  it("given no market m2, when m2 is resumed, then UNKNOWN_MARKET", () => {
    given(market_m1_listed).when({ type: "ResumeMarket", marketId: "m2" }).thenRejects("UNKNOWN_MARKET");
  });

  it("given open orders on m1, when m1 is halted, then the orders stay on the book with their reservations", () => {
    const { state } = given(m1_with_positions_and_three_open_orders)
      .when({ type: "HaltMarket", marketId: "m1" })
      .then([{ type: "MarketHalted" }]);
    expect(state.markets.get("m1")!.book.restingCount()).toBe(3);
    expect(reservedOf(state, "carol")).toBe("2.5");
    expect(positionOf(state, "alice").yesReserved).toBe(4);
  });

  it("given m1 halted, when alice buys on it, then MARKET_NOT_OPEN", () => {
    given(three_traders_and_m1_halted)
      .when(buy("alice", "YES", "0.50", 1))
      .thenRejects("MARKET_NOT_OPEN");
  });

  it("given m1 halted with alice holding YES, when alice sells on it, then MARKET_NOT_OPEN", () => {
    given([...alice_long_10_yes_bob_long_10_no_at_060, { type: "MarketHalted", marketId: "m1" }])
      .when(sell("alice", "YES", "0.70", 1))
      .thenRejects("MARKET_NOT_OPEN");
  });

  it("given m1 halted then resumed, when alice buys on it, then the order is accepted and rests", () => {
    given([...three_traders_and_m1_halted, { type: "MarketResumed", marketId: "m1" }])
      .when(buy("alice", "YES", "0.50", 1))
      .then([
        { type: "OrderAccepted", orderId: "o-1", reservedCash: "0.5" },
        { type: "OrderRested", orderId: "o-1", quantity: 1 },
      ]);
  });

  it("given m1 halted with carol's open bid, when carol cancels it, then it is cancelled (cancelling is allowed while halted)", () => {
    const halted = [
      ...m1_with_positions_and_three_open_orders,
      { type: "MarketHalted", marketId: "m1" } as Event,
    ];
    const { state } = given(halted)
      .when(cancel("carol", "o-3"))
      .then([{ type: "OrderCancelled", orderId: "o-3", reason: "USER", quantity: 5, releasedCash: "2.5" }]);
    expect(cashOf(state, "carol")).toBe("1000");
  });
});

describe("SetMarkPrice", () => {
  it("given m1 open, when the mark is set to 0.42, then MarkPriceSet 0.42 and the market's mark is 0.42", () => {
    const { state } = given(market_m1_listed)
      .when({ type: "SetMarkPrice", marketId: "m1", price: "0.42" })
      .then([{ type: "MarkPriceSet", marketId: "m1", price: "0.42" }]);
    expect(state.markets.get("m1")!.markPrice).toBe("0.42");
  });

  it("given m1 open, when the mark is 0.4200, then it is written canonically as 0.42", () => {
    given(market_m1_listed)
      .when({ type: "SetMarkPrice", marketId: "m1", price: "0.4200" })
      .then([{ type: "MarkPriceSet", price: "0.42" }]);
  });

  it.each(["0.0001", "0.9999"])(
    "given m1 open, when the mark is %s (just inside the range), then it is set",
    (price) => {
      given(market_m1_listed)
        .when({ type: "SetMarkPrice", marketId: "m1", price })
        .then([{ type: "MarkPriceSet", price }]);
    },
  );

  it.each(["0", "1", "1.5"])("given m1 open, when the mark is %s, then PRICE_OUT_OF_RANGE", (price) => {
    given(market_m1_listed)
      .when({ type: "SetMarkPrice", marketId: "m1", price })
      .thenRejects("PRICE_OUT_OF_RANGE");
  });

  it("given m1 halted, when the mark is set, then it is set (marks move while trading is halted)", () => {
    given(market_m1_halted)
      .when({ type: "SetMarkPrice", marketId: "m1", price: "0.3" })
      .then([{ type: "MarkPriceSet", price: "0.3" }]);
  });

  it("given m1 resolved, when the mark is set, then MARKET_NOT_OPEN", () => {
    given(market_m1_resolved_yes)
      .when({ type: "SetMarkPrice", marketId: "m1", price: "0.3" })
      .thenRejects("MARKET_NOT_OPEN");
  });

  it("given no market m2, when its mark is set, then UNKNOWN_MARKET", () => {
    given(market_m1_listed)
      .when({ type: "SetMarkPrice", marketId: "m2", price: "0.3" })
      .thenRejects("UNKNOWN_MARKET");
  });
});

describe("ResolveMarket", () => {
  it("given m1 without positions or orders, when it resolves YES, then only MarketResolved", () => {
    const { state } = given(market_m1_listed)
      .when({ type: "ResolveMarket", marketId: "m1", outcome: "YES" })
      .then([{ type: "MarketResolved", marketId: "m1", outcome: "YES" }]);
    expect(state.markets.get("m1")!.status).toBe("resolved");
    expect(state.markets.get("m1")!.outcome).toBe("YES");
  });

  it("given positions and three open orders, when m1 resolves YES, then the orders are cancelled MARKET_RESOLVED with their reservations, and YES is paid 1 per share", () => {
    // alice 10 YES → 10.00; bob 10 NO → 0; escrow 10 → 0.
    const { state } = given(m1_with_positions_and_three_open_orders)
      .when({ type: "ResolveMarket", marketId: "m1", outcome: "YES" })
      .then([
        { type: "MarketResolved", marketId: "m1", outcome: "YES" },
        // bids first (carol's buy YES at 0.50), then asks best first (alice's sell YES at 0.90, bob's buy NO = YES 0.95)
        {
          type: "OrderCancelled",
          orderId: "o-3",
          accountId: "carol",
          reason: "MARKET_RESOLVED",
          quantity: 5,
          releasedCash: "2.5",
          releasedShares: 0,
        },
        {
          type: "OrderCancelled",
          orderId: "o-4",
          accountId: "alice",
          reason: "MARKET_RESOLVED",
          quantity: 4,
          releasedCash: "0",
          releasedShares: 4,
        },
        {
          type: "OrderCancelled",
          orderId: "o-5",
          accountId: "bob",
          reason: "MARKET_RESOLVED",
          quantity: 3,
          releasedCash: "0.15",
          releasedShares: 0,
        },
        {
          type: "PositionSettled",
          accountId: "alice",
          marketId: "m1",
          outcome: "YES",
          yesShares: 10,
          noShares: 0,
          payout: "10",
        },
        {
          type: "PositionSettled",
          accountId: "bob",
          marketId: "m1",
          outcome: "YES",
          yesShares: 0,
          noShares: 10,
          payout: "0",
        },
      ]);
    expect(cashOf(state, "alice")).toBe("1004"); // 994 + 10
    expect(cashOf(state, "bob")).toBe("996"); // 996 − 0.15 reserved + 0.15 released + 0
    expect(cashOf(state, "carol")).toBe("1000"); // 997.50 + 2.50 released
    for (const id of ["alice", "bob", "carol"]) expect(reservedOf(state, id)).toBe("0");
    expect(escrowOf(state)).toBe("0");
    expect(state.markets.get("m1")!.pairs).toBe(0);
    expect(state.markets.get("m1")!.book.restingCount()).toBe(0);
    expect(state.accounts.get("alice")!.positions.has("m1")).toBe(false);
    expect(["o-3", "o-4", "o-5"].map((id) => state.orders.get(id)!.cancelReason)).toEqual([
      "MARKET_RESOLVED",
      "MARKET_RESOLVED",
      "MARKET_RESOLVED",
    ]);
  });

  it("given positions and three open orders, when m1 resolves NO, then NO is paid 1 per share: bob 10, alice 0", () => {
    const { state, events } = given(m1_with_positions_and_three_open_orders)
      .when({ type: "ResolveMarket", marketId: "m1", outcome: "NO" })
      .decide();
    expect(events.filter((e) => e.type === "PositionSettled")).toEqual([
      {
        type: "PositionSettled",
        accountId: "alice",
        marketId: "m1",
        outcome: "NO",
        yesShares: 10,
        noShares: 0,
        payout: "0",
      },
      {
        type: "PositionSettled",
        accountId: "bob",
        marketId: "m1",
        outcome: "NO",
        yesShares: 0,
        noShares: 10,
        payout: "10",
      },
    ]);
    expect(cashOf(state, "alice")).toBe("994");
    expect(cashOf(state, "bob")).toBe("1006");
    expect(escrowOf(state)).toBe("0");
  });

  it.each([
    // alice 10 YES + 4 NO (cash 992.80), bob 6 NO (cash 997.20), escrow 10
    ["YES", "10", "0", "1002.8", "997.2"],
    ["NO", "4", "6", "996.8", "1003.2"],
    ["INVALID", "7", "3", "999.8", "1000.2"], // 0.5 × (10 + 4) = 7; 0.5 × 6 = 3
  ] as const)(
    "given alice 10 YES + 4 NO and bob 6 NO, when m1 resolves %s, then alice is paid %s, bob %s, and the escrow of 10 is spent exactly",
    (outcome, alicePayout, bobPayout, aliceCash, bobCash) => {
      const escrowBefore = escrowOf(stateOf(alice_10_yes_4_no_bob_6_no));
      expect(escrowBefore).toBe("10");
      const { state } = given(alice_10_yes_4_no_bob_6_no)
        .when({ type: "ResolveMarket", marketId: "m1", outcome })
        .then([
          { type: "MarketResolved", outcome },
          { type: "PositionSettled", accountId: "alice", yesShares: 10, noShares: 4, payout: alicePayout },
          { type: "PositionSettled", accountId: "bob", yesShares: 0, noShares: 6, payout: bobPayout },
        ]);
      expect(cashOf(state, "alice")).toBe(aliceCash);
      expect(cashOf(state, "bob")).toBe(bobCash);
      expect(escrowOf(state)).toBe("0");
      expect(state.markets.get("m1")!.pairs).toBe(0);
      expect(solvency(state).balanced).toBe(true);
      expect(solvency(state).totals.heldTotal).toBe("3000");
    },
  );

  it("given alice 10 YES and bob 10 NO, when m1 resolves INVALID, then each is paid 0.5 per share: 5 and 5", () => {
    const { state } = given(alice_long_10_yes_bob_long_10_no_at_060)
      .when({ type: "ResolveMarket", marketId: "m1", outcome: "INVALID" })
      .then([
        { type: "MarketResolved", outcome: "INVALID" },
        { type: "PositionSettled", accountId: "alice", yesShares: 10, noShares: 0, payout: "5" },
        { type: "PositionSettled", accountId: "bob", yesShares: 0, noShares: 10, payout: "5" },
      ]);
    expect(cashOf(state, "alice")).toBe("999"); // 994 + 5
    expect(cashOf(state, "bob")).toBe("1001"); // 996 + 5
  });

  it("given 3 pairs minted at 0.37 (alice 3 YES, bob 3 NO), when m1 resolves INVALID, then 1.5 each", () => {
    const three_pairs = history(
      three_traders_and_m1,
      buy("alice", "YES", "0.37", 3),
      buy("bob", "NO", "0.63", 3),
    );
    given(three_pairs)
      .when({ type: "ResolveMarket", marketId: "m1", outcome: "INVALID" })
      .then([
        { type: "MarketResolved" },
        { type: "PositionSettled", accountId: "alice", payout: "1.5" },
        { type: "PositionSettled", accountId: "bob", payout: "1.5" },
      ]);
  });

  it("given m1 halted with positions, when it resolves YES, then it settles like an open market", () => {
    const { state } = given([
      ...alice_long_10_yes_bob_long_10_no_at_060,
      { type: "MarketHalted", marketId: "m1" },
    ])
      .when({ type: "ResolveMarket", marketId: "m1", outcome: "YES" })
      .then([
        { type: "MarketResolved" },
        { type: "PositionSettled", accountId: "alice", payout: "10" },
        { type: "PositionSettled", accountId: "bob", payout: "0" },
      ]);
    expect(state.markets.get("m1")!.status).toBe("resolved");
  });

  it("given m1 resolved YES, when it is resolved again (NO), then MARKET_RESOLVED", () => {
    given(market_m1_resolved_yes)
      .when({ type: "ResolveMarket", marketId: "m1", outcome: "NO" })
      .thenRejects("MARKET_RESOLVED");
  });

  it("given no market m2, when m2 is resolved, then UNKNOWN_MARKET", () => {
    given(market_m1_listed)
      .when({ type: "ResolveMarket", marketId: "m2", outcome: "YES" })
      .thenRejects("UNKNOWN_MARKET");
  });

  describe("after resolution", () => {
    const m1_resolved_with_cancelled_orders = history(m1_with_positions_and_three_open_orders, {
      type: "ResolveMarket",
      marketId: "m1",
      outcome: "YES",
    });

    it("given m1 resolved, when carol places a new order on it, then MARKET_NOT_OPEN", () => {
      given(m1_resolved_with_cancelled_orders)
        .when(buy("carol", "YES", "0.50", 1, { clientOrderId: "after" }))
        .thenRejects("MARKET_NOT_OPEN");
    });

    it("given m1 resolved, when carol cancels her order cancelled by the resolution, then ORDER_NOT_OPEN", () => {
      given(m1_resolved_with_cancelled_orders).when(cancel("carol", "o-3")).thenRejects("ORDER_NOT_OPEN");
    });
  });
});
