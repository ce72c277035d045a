// Issue 17: no append may grow with the number of holders or orders. A resolution settles at most WORK_BUDGET
// cancellations and payouts in one command (SettlementContinues), ContinueSettlement does the next pieces until
// SettlementCompleted; a close at resolvesAt cancels at most the budget, the next ticks the rest. Each piece keeps every
// invariant (the fixture checks them after every event); winners are paid exactly 1 a share.
import { describe, expect, it } from "vitest";
import type { Command } from "../src/commands.js";
import { decide } from "../src/decide.js";
import type { Event } from "../src/events.js";
import { evolve } from "../src/evolve.js";
import { invariantViolations } from "../src/invariants.js";
import { money } from "../src/money.js";
import { WORK_BUDGET } from "../src/work-budget.js";
import { CreditExchange, listMarket, place, T0, tick } from "./credit-fixtures.js";
import { type CommandInput, cashOf } from "./given.js";

const count = (events: Event[], type: Event["type"]) => events.filter((e) => e.type === type).length;

/** Decides and applies a set-up command without the fixture's per-command checks (1,200 orders would take seconds). */
function quickly(x: CreditExchange, input: CommandInput): void {
  const decision = decide({ at: x.now, ...input } as Command, x.state);
  if (decision._tag === "Left") throw new Error(`${input.type} refused: ${decision.left.code}`);
  for (const event of decision.right) evolve(x.state, event);
}

/**
 * m1: mm rests 700 bids of 1 YES at 0.40 and carol 502 bids of 1 NO at 0.30 (1,202 open orders, none crossing);
 * alice bought 10 YES at 0.40 from bob (who bought 10 NO at 0.60): two holders.
 */
function m1_with_1202_open_orders_and_two_holders(resolvesAt?: string): CreditExchange {
  const x = new CreditExchange(T0);
  x.fund("10000", "mm", "carol", "alice", "bob");
  x.run(listMarket("m1", resolvesAt ? { resolvesAt } : {}));
  x.run(place("bob", "buy", "NO", "0.6", 10, { clientOrderId: "bob-no" }));
  x.run(place("alice", "buy", "YES", "0.4", 10, { timeInForce: "IOC", clientOrderId: "alice-yes" }));
  for (let i = 0; i < 700; i++) quickly(x, place("mm", "buy", "YES", "0.4", 1, { clientOrderId: `mm-${i}` }));
  for (let i = 0; i < 502; i++)
    quickly(x, place("carol", "buy", "NO", "0.3", 1, { clientOrderId: `carol-${i}` }));
  expect(invariantViolations(x.state)).toEqual([]);
  return x;
}

describe("a settlement larger than one command's bounded work", () => {
  it("ResolveMarket cancels 1,000 orders and says SettlementContinues; ContinueSettlement cancels the other 202, pays both holders, completes", () => {
    const x = m1_with_1202_open_orders_and_two_holders();
    const alice = cashOf(x.state, "alice");
    const first = x.run({ type: "ResolveMarket", marketId: "m1", outcome: "YES" });
    expect(WORK_BUDGET).toBe(1_000);
    expect(count(first, "OrderCancelled")).toBe(1_000);
    expect(count(first, "PositionSettled")).toBe(0);
    expect(first.at(-1)).toEqual({ type: "SettlementContinues", marketId: "m1" });
    expect(x.state.markets.get("m1")!.settlementPending).toBe(true);
    expect(cashOf(x.state, "alice")).toBe(alice); // nothing paid while orders are open
    const second = x.run({ type: "ContinueSettlement", marketId: "m1" });
    expect(count(second, "OrderCancelled")).toBe(202);
    expect(count(second, "PositionSettled")).toBe(2);
    expect(second.at(-1)).toEqual({ type: "SettlementCompleted", marketId: "m1" });
    expect(cashOf(x.state, "alice")).toBe(money(alice).plus(10).toFixed());
    expect(x.state.markets.get("m1")!.escrow.toFixed()).toBe("0");
    expect(x.rejects({ type: "ContinueSettlement", marketId: "m1" })).toBe("NOTHING_TO_SETTLE");
  });

  it("a tick continues a settlement left unfinished (when no ContinueSettlement comes)", () => {
    const x = m1_with_1202_open_orders_and_two_holders();
    x.run({ type: "ResolveMarket", marketId: "m1", outcome: "NO" });
    const bob = cashOf(x.state, "bob");
    const ticked = x.run(tick(T0 + 60_000));
    expect(count(ticked, "PositionSettled")).toBe(2);
    expect(ticked.filter((e) => e.type === "SettlementCompleted")).toHaveLength(1);
    expect(cashOf(x.state, "bob")).toBe(money(bob).plus(10).toFixed());
  });

  it("a market settling within the budget emits neither SettlementContinues nor SettlementCompleted (older logs unchanged)", () => {
    const x = new CreditExchange(T0);
    x.fund("1000", "alice", "bob");
    x.run(listMarket("m1"));
    x.run(place("bob", "buy", "NO", "0.6", 10));
    x.run(place("alice", "buy", "YES", "0.4", 10, { timeInForce: "IOC" }));
    const events = x.run({ type: "ResolveMarket", marketId: "m1", outcome: "YES" });
    expect(events.map((e) => e.type)).toEqual(["MarketResolved", "PositionSettled", "PositionSettled"]);
    expect(x.rejects({ type: "ContinueSettlement", marketId: "m1" })).toBe("NOTHING_TO_SETTLE");
  });

  it("a close at resolvesAt cancels at most 1,000 orders in its tick; the next tick cancels the rest", () => {
    const resolvesAt = new Date(T0 + 3_600_000).toISOString();
    const x = m1_with_1202_open_orders_and_two_holders(resolvesAt);
    const closing = x.run(tick(T0 + 3_600_000));
    expect(count(closing, "MarketClosed")).toBe(1);
    expect(count(closing, "OrderCancelled")).toBe(1_000);
    const next = x.run(tick(T0 + 3_601_000));
    expect(count(next, "OrderCancelled")).toBe(202);
    expect(x.run(tick(T0 + 3_602_000))).toEqual([]);
    expect(cashOf(x.state, "mm")).toBe("10000");
  });
});
