// Issue 13: holdings per market and outcome, hand-checked. alice buys 10 YES at 0.60 and 10 at 0.55 (1 % taker fee),
// sells 5 at 0.70 to bob; the mark is 0.65; the market resolves YES. Every figure below is worked by hand, and the
// realized P&L at the end equals the change of alice's cash.
import { type Command, type CommandOf, decide, type Event } from "@pmx/domain";
import { describe, expect, it } from "vitest";
import { ExchangeProjection } from "../src/exchange-projection.js";

const T0 = Date.UTC(2024, 10, 1);

/** Decides each command on the projection's state and applies its events as the sequencer does. */
function run(p: ExchangeProjection, input: Record<string, unknown>): Event[] {
  const command = { at: T0, ...input } as Command;
  const decision = decide(command, p.state);
  if (decision._tag === "Left") throw new Error(`${command.type}: ${decision.left.code}`);
  const seq = p.lastSeq + 1;
  const count = decision.right.length;
  for (const [index, event] of decision.right.entries())
    p.apply(event, { commandId: `c-${seq}`, seq, at: T0, index, count, hash: `h${seq}-${index}` });
  return decision.right;
}
const order = (
  accountId: string,
  side: "buy" | "sell",
  outcome: "YES" | "NO",
  price: string,
  quantity: number,
  tif: "GTC" | "IOC",
  id: string,
) =>
  ({
    type: "PlaceOrder",
    accountId,
    marketId: "m1",
    clientOrderId: id,
    side,
    outcome,
    price,
    quantity: String(quantity),
    timeInForce: tif,
    postOnly: false,
    leverage: "1",
  }) satisfies Omit<CommandOf<"PlaceOrder">, "at">;

describe("holdings: quantity, average price, realized and unrealized P&L", () => {
  const p = new ExchangeProjection();
  for (const id of ["alice", "bob", "mm"]) {
    run(p, { type: "OpenAccount", accountId: id });
    run(p, { type: "Deposit", accountId: id, amount: "1000", reference: "d" });
  }
  run(p, {
    type: "ListMarket",
    marketId: "m1",
    question: "m1?",
    tickSize: "0.01",
    resolvesAt: "2030-01-01T00:00:00Z",
    takerFeeBps: 100,
  });
  const alice = () => p.holdings("alice").find((h) => h.outcome === "YES")!;

  it("| step | quantity | averagePrice | cost | realizedPnl | unrealizedPnl |", () => {
    // 1. mm bids NO 0.40; alice buys 10 YES at 0.60 (a mint): 6 + 1 % fee 0.06 = 6.06.
    run(p, order("mm", "buy", "NO", "0.4", 10, "GTC", "mm-1"));
    run(p, order("alice", "buy", "YES", "0.6", 10, "IOC", "a-1"));
    expect(alice()).toMatchObject({
      quantity: "10",
      averagePrice: "0.606",
      cost: "6.06",
      realizedPnl: "0",
      unrealizedPnl: null,
    });
    // 2. 10 more at 0.55: 5.5 + 0.055 = 5.555; 20 for 11.615, 0.58075 each.
    run(p, order("mm", "buy", "NO", "0.45", 10, "GTC", "mm-2"));
    run(p, order("alice", "buy", "YES", "0.55", 10, "IOC", "a-2"));
    expect(alice()).toMatchObject({
      quantity: "20",
      averagePrice: "0.58075",
      cost: "11.615",
      realizedPnl: "0",
    });
    // 3. bob bids YES 0.70; alice sells him 5: 3.5 − fee 0.035 = 3.465 for 5 × 0.58075 = 2.90375 of cost: +0.56125.
    run(p, order("bob", "buy", "YES", "0.7", 5, "GTC", "b-1"));
    run(p, order("alice", "sell", "YES", "0.7", 5, "IOC", "a-3"));
    expect(alice()).toMatchObject({
      quantity: "15",
      averagePrice: "0.58075",
      cost: "8.71125",
      realizedPnl: "0.56125",
    });
    expect(p.holdings("bob")).toEqual([
      {
        marketId: "m1",
        outcome: "YES",
        quantity: "5",
        averagePrice: "0.7",
        cost: "3.5",
        realizedPnl: "0",
        unrealizedPnl: null,
      },
    ]);
    // 4. The mark at 0.65: 15 × 0.65 − 8.71125 = 1.03875; mm's 20 NO (cost 4 + 4.5) at 0.35: 7 − 8.5 = −1.5.
    run(p, { type: "SetMarkPrice", marketId: "m1", price: "0.65" });
    expect(alice().unrealizedPnl).toBe("1.03875");
    expect(p.holdings("mm")).toEqual([
      {
        marketId: "m1",
        outcome: "NO",
        quantity: "20",
        averagePrice: "0.425",
        cost: "8.5",
        realizedPnl: "0",
        unrealizedPnl: "-1.5",
      },
    ]);
    // 5. Resolved YES: 15 − 8.71125 more realized, 6.85 in all = alice's cash change (1000 → 1006.85); mm −8.5, bob +1.5.
    run(p, { type: "ResolveMarket", marketId: "m1", outcome: "YES" });
    expect(alice()).toMatchObject({
      quantity: "0",
      averagePrice: null,
      cost: "0",
      realizedPnl: "6.85",
      unrealizedPnl: "0",
    });
    expect(p.state.accounts.get("alice")!.cash.toFixed()).toBe("1006.85");
    expect(p.holdings("mm")[0]).toMatchObject({ realizedPnl: "-8.5" });
    expect(p.holdings("bob")[0]).toMatchObject({ realizedPnl: "1.5" });
  });

  it("survives a projection snapshot: the restored projection answers the same holdings", () => {
    const restored = ExchangeProjection.fromSnapshot(JSON.parse(JSON.stringify(p.toSnapshot())));
    for (const id of ["alice", "bob", "mm"]) expect(restored.holdings(id)).toEqual(p.holdings(id));
  });
});
