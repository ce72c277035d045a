// Issue 13: amending a resting order. Given/when/then: a smaller quantity at the same price keeps its place in the
// queue, a larger one or a new price goes to the back; the reservation follows; an amend never trades.
import { describe, expect, it } from "vitest";
import type { Event } from "../src/events.js";
import { money } from "../src/money.js";
import { CreditExchange, listMarket, place, T0 } from "./credit-fixtures.js";
import { cashOf } from "./given.js";

const amend = (
  accountId: string,
  orderId: string,
  terms: { price?: string; quantity?: string },
  id = "am-1",
) => ({
  type: "AmendOrder" as const,
  accountId,
  orderId,
  clientRequestId: id,
  ...terms,
});
const makers = (events: Event[]) =>
  events.filter((e) => e.type === "TradeExecuted").map((e) => [e.makerAccountId, e.quantity]);

/** m1: bob bids 10 YES at 0.40 (order o-1), then carol 10 YES at 0.40 (o-2, behind bob's in the queue). */
function two_bids_at_040(): CreditExchange {
  const x = new CreditExchange(T0);
  x.fund("1000", "alice", "bob", "carol");
  x.run(listMarket("m1"));
  x.run(place("bob", "buy", "YES", "0.4", 10, { clientOrderId: "bob-1" }));
  x.run(place("carol", "buy", "YES", "0.4", 10, { clientOrderId: "carol-1" }));
  return x;
}
const orderId = (x: CreditExchange, accountId: string, clientOrderId: string) =>
  x.state.accounts.get(accountId)!.clientOrders.get(clientOrderId)!;
/** alice sells YES by buying NO at 0.60 (a mint against the YES bids at 0.40). */
const take = (quantity: number, id: string) =>
  place("alice", "buy", "NO", "0.6", quantity, { timeInForce: "IOC", clientOrderId: id });

describe("amending a resting order", () => {
  it("a smaller quantity at the same price keeps its place: bob's 6 fill before carol's; 1.6 of his reservation comes back", () => {
    const x = two_bids_at_040();
    const bob = orderId(x, "bob", "bob-1");
    const cash = cashOf(x.state, "bob");
    const [amended] = x.run(amend("bob", bob, { quantity: "6" }));
    expect(amended).toMatchObject({
      type: "OrderAmended",
      keptPriority: true,
      quantity: 6,
      reservedCash: "2.4",
    });
    expect(cashOf(x.state, "bob")).toBe(money(cash).plus("1.6").toFixed());
    expect(makers(x.run(take(8, "a-1")))).toEqual([
      ["bob", 6],
      ["carol", 2],
    ]);
  });

  it("a larger quantity goes to the back of the level: carol's 10 fill first", () => {
    const x = two_bids_at_040();
    const bob = orderId(x, "bob", "bob-1");
    expect(x.run(amend("bob", bob, { quantity: "12" }))[0]).toMatchObject({
      keptPriority: false,
      reservedCash: "4.8",
    });
    expect(makers(x.run(take(12, "a-1")))).toEqual([
      ["carol", 10],
      ["bob", 2],
    ]);
  });

  it("a new price moves it to its new level (and back to the 0.40 level behind carol, losing its place)", () => {
    const x = two_bids_at_040();
    const bob = orderId(x, "bob", "bob-1");
    x.run(amend("bob", bob, { price: "0.45" }, "up"));
    expect(makers(x.run(take(3, "a-1")))).toEqual([["bob", 3]]); // best bid now
    x.run(amend("bob", bob, { price: "0.4" }, "down"));
    expect(makers(x.run(take(12, "a-2")))).toEqual([
      ["carol", 10],
      ["bob", 2],
    ]);
  });

  it("never trades: a price that would cross is AMEND_WOULD_CROSS; nothing changes", () => {
    const x = two_bids_at_040();
    x.run(place("alice", "buy", "NO", "0.5", 5, { clientOrderId: "ask-050" })); // an ask at 0.50 in YES terms
    const bob = orderId(x, "bob", "bob-1");
    expect(x.rejects(amend("bob", bob, { price: "0.5" }))).toBe("AMEND_WOULD_CROSS");
    expect(x.rejects(amend("bob", bob, { price: "0.55" }))).toBe("AMEND_WOULD_CROSS");
    expect(x.run(amend("bob", bob, { price: "0.49" }))[0]).toMatchObject({ price: "0.49" });
  });

  it("the same clientRequestId again is a retry (nothing); other terms under it 409; other refusals", () => {
    const x = two_bids_at_040();
    const bob = orderId(x, "bob", "bob-1");
    x.run(amend("bob", bob, { quantity: "6" }));
    expect(x.run(amend("bob", bob, { quantity: "6" }))).toEqual([]);
    expect(x.rejects(amend("bob", bob, { quantity: "5" }))).toBe("IDEMPOTENCY_CONFLICT");
    expect(x.rejects(amend("carol", bob, { quantity: "5" }, "c"))).toBe("NOT_ORDER_OWNER");
    expect(x.rejects(amend("bob", bob, {}, "none"))).toBe("INVALID_ORDER_TERMS");
    expect(x.rejects(amend("bob", bob, { price: "0.405" }, "tick"))).toBe("PRICE_NOT_ON_TICK");
    expect(x.rejects(amend("bob", bob, { quantity: "2000000" }, "rich"))).toBe("INSUFFICIENT_FUNDS");
    x.run(take(4, "a-1"));
    expect(x.rejects(amend("bob", bob, { quantity: "4" }, "filled"))).toBe("INVALID_QUANTITY"); // 4 filled
    x.run(take(2, "a-2"));
    expect(x.rejects(amend("bob", bob, { quantity: "9" }, "done"))).toBe("ORDER_NOT_OPEN"); // filled
  });

  it("a sell's reservation is shares: more than are free is INSUFFICIENT_SHARES", () => {
    const x = two_bids_at_040();
    x.run(take(10, "a-1")); // alice now holds 10 NO (bob's bid filled: bob holds 10 YES)
    x.run(place("bob", "sell", "YES", "0.7", 4, { clientOrderId: "bob-sell" }));
    const sell = orderId(x, "bob", "bob-sell");
    expect(x.run(amend("bob", sell, { quantity: "10" }))[0]).toMatchObject({
      reservedShares: 10,
      keptPriority: false,
    });
    expect(x.rejects(amend("bob", sell, { quantity: "11" }, "more"))).toBe("INSUFFICIENT_SHARES");
    expect(x.state.accounts.get("bob")!.positions.get("m1")).toMatchObject({ yes: 0, yesReserved: 10 });
  });
});
