// CancelAllOrders: every open order of the account (one market, or all) cancelled by one command, reason USER.
import { describe, expect, it } from "vitest";
import {
  alice_and_bob_with_1000_each_and_market_m1,
  buy,
  cashOf,
  given,
  history,
  listed,
  reservedOf,
} from "./given.js";

const base = [...alice_and_bob_with_1000_each_and_market_m1, listed("m2")];
/** alice: o-1 bid 10 YES at 0.40 (m1), o-2 bid 5 NO at 0.30 (m1), o-3 bid 4 YES at 0.50 (m2); bob: o-4 (m1). */
const resting = history(
  base,
  buy("alice", "YES", "0.40", 10),
  buy("alice", "NO", "0.30", 5),
  buy("alice", "YES", "0.50", 4, { marketId: "m2" }),
  buy("bob", "YES", "0.20", 10),
);

describe("CancelAllOrders", () => {
  it("given alice's open orders in two markets, when she cancels all in m1, then her two m1 orders are cancelled (USER), in number order, bob's and m2's untouched", () => {
    const { state } = given(resting)
      .when({ type: "CancelAllOrders", accountId: "alice", marketId: "m1" })
      .then([
        {
          type: "OrderCancelled",
          orderId: "o-1",
          accountId: "alice",
          reason: "USER",
          quantity: 10,
          releasedCash: "4",
        },
        {
          type: "OrderCancelled",
          orderId: "o-2",
          accountId: "alice",
          reason: "USER",
          quantity: 5,
          releasedCash: "1.5",
        },
      ]);
    expect(state.orders.get("o-3")!.status).toBe("open");
    expect(state.orders.get("o-4")!.status).toBe("open");
    expect([cashOf(state, "alice"), reservedOf(state, "alice")]).toEqual(["998", "2"]);
  });

  it("given alice's open orders, when she cancels all without a market, then all three are cancelled", () => {
    const { state } = given(resting)
      .when({ type: "CancelAllOrders", accountId: "alice" })
      .then([
        { type: "OrderCancelled", orderId: "o-1" },
        { type: "OrderCancelled", orderId: "o-2" },
        { type: "OrderCancelled", orderId: "o-3", marketId: "m2" },
      ]);
    expect([cashOf(state, "alice"), reservedOf(state, "alice")]).toEqual(["1000", "0"]);
  });

  it("given a partly filled bid and a filled one, when alice cancels all, then only the remainder of the open one is cancelled", () => {
    const partly = history(
      resting,
      buy("bob", "NO", "0.60", 3),
      buy("bob", "NO", "0.50", 4, { marketId: "m2" }),
    );
    given(partly)
      .when({ type: "CancelAllOrders", accountId: "alice" })
      .then([
        { type: "OrderCancelled", orderId: "o-1", quantity: 7, releasedCash: "2.8" },
        { type: "OrderCancelled", orderId: "o-2", quantity: 5 },
      ]);
  });

  it("given no open order, then no event and no rejection", () => {
    given(base).when({ type: "CancelAllOrders", accountId: "alice" }).then([]);
    given(resting).when({ type: "CancelAllOrders", accountId: "bob", marketId: "m2" }).then([]);
  });

  it("given an unknown account or market, then UNKNOWN_ACCOUNT / UNKNOWN_MARKET", () => {
    given(resting).when({ type: "CancelAllOrders", accountId: "zed" }).thenRejects("UNKNOWN_ACCOUNT");
    given(resting)
      .when({ type: "CancelAllOrders", accountId: "alice", marketId: "m9" })
      .thenRejects("UNKNOWN_MARKET");
  });
});
