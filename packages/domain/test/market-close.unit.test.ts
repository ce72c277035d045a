// Issue 13 (found by credit-resolution.e2e): a market stops matching by itself at `resolvesAt`. The command's own time
// decides; the first tick (or oracle mark) at or after it writes MarketClosed and cancels the orders (MARKET_CLOSED).
import { describe, expect, it } from "vitest";
import type { Event } from "../src/events.js";
import { CreditExchange, listMarket, mark, place, T0, tick } from "./credit-fixtures.js";
import { cashOf, positionOf } from "./given.js";

const HOUR = 3_600_000;
const RESOLVES_AT = T0 + 24 * HOUR;

/** m1 resolving a day after T0; mm bids 100 YES at 0.40 (reserves 40) and offers 50 YES it holds at 0.60. */
function m1_with_resting_orders_resolving_in_a_day(): CreditExchange {
  const x = new CreditExchange(T0);
  x.fund("1000", "mm", "alice");
  x.run(listMarket("m1", { resolvesAt: new Date(RESOLVES_AT).toISOString() }));
  x.run(place("mm", "buy", "NO", "0.5", 50));
  x.run(place("alice", "buy", "YES", "0.5", 50)); // a MINT: mm holds 50 NO, alice 50 YES
  x.run(place("mm", "buy", "YES", "0.4", 100, { clientOrderId: "bid" }));
  x.run(place("alice", "sell", "YES", "0.6", 50, { clientOrderId: "ask" }));
  return x;
}

const cancelled = (events: Event[]) =>
  events.flatMap((e) =>
    e.type === "OrderCancelled"
      ? [[e.accountId, e.reason, e.quantity, e.releasedCash, e.releasedShares]]
      : [],
  );

describe("a market closes by itself at resolvesAt", () => {
  it("given resting orders, when a tick comes at resolvesAt, then MarketClosed and each order cancelled with MARKET_CLOSED, releasing its 40 cash and 50 shares", () => {
    const x = m1_with_resting_orders_resolving_in_a_day();
    expect(cashOf(x.state, "mm")).toBe("935"); // 1000 − 25 (the NO) − 40 reserved
    const before = x.at(RESOLVES_AT - 1).run(tick(RESOLVES_AT - 1));
    expect(before.some((e) => e.type === "MarketClosed")).toBe(false);
    const events = x.at(RESOLVES_AT).run(tick(RESOLVES_AT));
    expect(events[0]).toEqual({ type: "MarketClosed", marketId: "m1", at: RESOLVES_AT });
    expect(cancelled(events)).toEqual([
      ["mm", "MARKET_CLOSED", 100, "40", 0],
      ["alice", "MARKET_CLOSED", 50, "0", 50],
    ]);
    expect(x.state.markets.get("m1")!.status).toBe("closed");
    expect(cashOf(x.state, "mm")).toBe("975");
    expect(positionOf(x.state, "alice")).toMatchObject({ yes: 50, yesReserved: 0 });
    expect(x.run(tick(RESOLVES_AT + HOUR)).some((e) => e.type === "MarketClosed")).toBe(false);
  });

  it("given no tick yet, when an order comes at resolvesAt, then MARKET_NOT_OPEN (status closed) and nothing is written; a millisecond earlier it would have traded", () => {
    const early = m1_with_resting_orders_resolving_in_a_day();
    early.at(RESOLVES_AT - 1);
    expect(
      early
        .run(place("alice", "buy", "NO", "0.6", 10, { clientOrderId: "late" }))
        .some((e) => e.type === "TradeExecuted"),
    ).toBe(true);

    const x = m1_with_resting_orders_resolving_in_a_day();
    const logged = x.events.length;
    x.at(RESOLVES_AT);
    const result = x.attempt(place("alice", "buy", "NO", "0.6", 10, { clientOrderId: "late" }));
    expect(result).toMatchObject({ rejection: { code: "MARKET_NOT_OPEN", details: { status: "closed" } } });
    expect(x.events.length).toBe(logged);
    expect(x.rejects({ type: "HaltMarket", marketId: "m1" })).toBe("MARKET_NOT_OPEN");
  });

  it("an oracle mark after resolvesAt closes the market too, and calls or sells nothing", () => {
    const x = m1_with_resting_orders_resolving_in_a_day();
    const events = x.at(RESOLVES_AT + 5).run(mark("0.9"));
    expect(events.map((e) => e.type)).toEqual([
      "MarkPriceSet",
      "MarketClosed",
      "OrderCancelled",
      "OrderCancelled",
    ]);
  });

  it("a closed market resolves as any other: mm's 50 NO pay 50 on NO, alice's 50 YES nothing", () => {
    const x = m1_with_resting_orders_resolving_in_a_day();
    x.at(RESOLVES_AT).run(tick(RESOLVES_AT));
    x.run({ type: "ResolveMarket", marketId: "m1", outcome: "NO" });
    expect(x.state.markets.get("m1")!.status).toBe("resolved");
    expect(cashOf(x.state, "mm")).toBe("1025");
    expect(cashOf(x.state, "alice")).toBe("975");
  });

  it("a halted market closes as well, and can no longer be resumed", () => {
    const x = m1_with_resting_orders_resolving_in_a_day();
    x.run({ type: "HaltMarket", marketId: "m1" });
    x.at(RESOLVES_AT);
    expect(x.rejects({ type: "ResumeMarket", marketId: "m1" })).toBe("MARKET_NOT_HALTED");
    const events = x.run(tick(RESOLVES_AT));
    expect(events.filter((e) => e.type === "MarketClosed")).toHaveLength(1);
    expect(x.state.markets.get("m1")!.book.restingOrders().length).toBe(0);
  });
});
