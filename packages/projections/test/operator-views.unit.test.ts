// The operator's risk views over a state the decider built: leveraged positions nearest to liquidation first (higher
// leverage, higher liquidation price, smaller distance), filtered by market and status, distance = mark − liquidation.
import { type Command, decide, evolve, initialState, type State } from "@pmx/domain";
import { describe, expect, it } from "vitest";
import { auctionView, riskPositionsView } from "../src/operator-views.js";

const AT = Date.parse("2025-01-01T00:00:00Z");

function decided(commands: Omit<Command, "at">[]): State {
  const state = initialState();
  for (const c of commands) {
    const decision = decide({ ...c, at: AT } as Command, state);
    if (decision._tag === "Left") throw new Error(`${c.type}: ${JSON.stringify(decision.left)}`);
    for (const e of decision.right) evolve(state, e);
  }
  return state;
}

const buy = (
  accountId: string,
  outcome: string,
  leverage: string,
  n: number,
  quantity = "50",
): Omit<Command, "at"> =>
  ({
    type: "PlaceOrder",
    accountId,
    marketId: "m",
    clientOrderId: `c-${n}`,
    side: "buy",
    outcome,
    price: "0.5",
    quantity,
    timeInForce: leverage === "1" ? "GTC" : "IOC",
    postOnly: false,
    leverage,
  }) as Omit<Command, "at">;

/** A market lending up to 5x (2.5x now), its pool supplied, the mark at 0.5, a maker's NO bid and three leveraged YES buyers. */
function threeBorrowers(): State {
  const accounts = ["lp", "mm", "x15", "x2", "x25"];
  return decided([
    ...accounts.map((accountId) => ({ type: "OpenAccount", accountId }) as Omit<Command, "at">),
    ...accounts.map(
      (accountId) => ({ type: "Deposit", accountId, amount: "10000", reference: "d" }) as Omit<Command, "at">,
    ),
    {
      type: "ListMarket",
      marketId: "m",
      question: "m?",
      tickSize: "0.01",
      resolvesAt: "2030-01-01T00:00:00Z",
      maxLeverage: "5",
      jumpIntensityPerDay: "0",
      utilizationChargePerDay: "0",
    } as Omit<Command, "at">,
    { type: "SupplyPool", accountId: "lp", marketId: "m", amount: "5000", reference: "s" } as Omit<
      Command,
      "at"
    >,
    { type: "SetMarkPrice", marketId: "m", price: "0.5" } as Omit<Command, "at">,
    buy("mm", "NO", "1", 1, "150"),
    buy("x2", "YES", "2", 2),
    buy("x25", "YES", "2.5", 3),
    buy("x15", "YES", "1.5", 4),
  ]);
}

describe("riskPositionsView", () => {
  it("given three leveraged buyers at 1.5x, 2x and 2.5x, then the 2.5x is first and the 1.5x last, each distance = mark − liquidation price", () => {
    const rows = riskPositionsView(threeBorrowers(), {});
    expect(rows.map((r) => r.accountId)).toEqual(["x25", "x2", "x15"]);
    for (const r of rows) {
      expect(r.markPrice).toBe("0.5");
      expect(Number(r.distanceToLiquidation)).toBeCloseTo(0.5 - Number(r.liquidationPrice), 12);
    }
    const distances = rows.map((r) => Number(r.distanceToLiquidation));
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
  });

  it("given filters, then only that market's and that status's positions", () => {
    const state = threeBorrowers();
    expect(riskPositionsView(state, { marketId: "m" })).toHaveLength(3);
    expect(riskPositionsView(state, { marketId: "other" })).toEqual([]);
    expect(riskPositionsView(state, { status: "margin_call" })).toEqual([]);
    expect(riskPositionsView(state, { status: "healthy" })).toHaveLength(3);
  });
});

describe("auctionView", () => {
  it("given no auction, then not running and no indicative price", () => {
    const state = threeBorrowers();
    expect(auctionView(state, state.markets.get("m")!)).toEqual({
      marketId: "m",
      running: false,
      until: null,
      collectedOrders: 0,
      indicativePrice: null,
      indicativeVolume: "0",
      imbalance: "0",
    });
  });
});
