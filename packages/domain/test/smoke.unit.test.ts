import { describe, expect, it } from "vitest";
import { alice_and_bob_with_1000_each_and_market_m1 as base, given } from "./given.js";

describe("smoke: a MINT between alice's buy YES and bob's buy NO", () => {
  it("mints 10 pairs at 0.60: alice pays 6, bob pays 4, escrow holds 10", () => {
    const afterRest = given(base)
      .when({
        type: "PlaceOrder",
        accountId: "alice",
        marketId: "m1",
        clientOrderId: "a1",
        side: "buy",
        outcome: "YES",
        price: "0.60",
        quantity: "10",
        timeInForce: "GTC",
        postOnly: false,
        leverage: "1",
      })
      .then([
        { type: "OrderAccepted", orderId: "o-1", reservedCash: "6" },
        { type: "OrderRested", orderId: "o-1", quantity: 10 },
      ]);
    const { state } = given([...base, ...afterRest.events])
      .when({
        type: "PlaceOrder",
        accountId: "bob",
        marketId: "m1",
        clientOrderId: "b1",
        side: "buy",
        outcome: "NO",
        price: "0.40",
        quantity: "10",
        timeInForce: "GTC",
        postOnly: false,
        leverage: "1",
      })
      .then([
        { type: "OrderAccepted", orderId: "o-2", reservedCash: "4" },
        {
          type: "TradeExecuted",
          kind: "MINT",
          yesPrice: "0.6",
          quantity: 10,
          makerAmount: "6",
          takerAmount: "4",
        },
      ]);
    expect(state.markets.get("m1")!.escrow.toString()).toBe("10");
    expect(state.accounts.get("alice")!.cash.toString()).toBe("994");
    expect(state.accounts.get("bob")!.cash.toString()).toBe("996");
  });
});
