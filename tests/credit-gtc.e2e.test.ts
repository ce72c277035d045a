// End to end through the real gateway process and its SQLite log (issue 11, leveraged GTC orders) on a manual clock:
// 1. a 2x GTC bid rests reserving only its own part; a seller fills it and the loan is drawn then: the leveraged
//    position, its loan and the pool's lending show through the API, LoanOpened just before the trade in the log;
// 2. a 2x GTC bid placed while the cap allowed it, hit after the cap fell (the time ramp toward the hazard window):
//    it is cancelled with LEVERAGE_NOT_AVAILABLE, visible on GET /v1/orders/{orderId}, its reservation released,
//    and the seller fills against the next bid.
// Leverage 2 near 0.50: within the extremity cap whatever extremityMove's default (0.1: 5x, 0.2: 2.5x).
// `GET /v1/audit/solvency` is balanced after every step.
import { describe, expect, it } from "vitest";
import type { ApiResponse } from "./support/client.js";
import { creditGateway } from "./support/credit.js";
import { readEvents, T0 } from "./support/gateway.js";

const DAY = 86_400_000;

interface OrderView {
  orderId: string;
  status: string;
  filledQuantity: string;
  cancelReason?: string;
  leverage?: string;
  timeInForce: string;
  trades: { price: string; quantity: string; liquidity: string }[];
}
interface AccountView {
  cash: string;
  reserved: string;
  positions: {
    marketId: string;
    outcome?: string;
    yes: string;
    leveraged: boolean;
    loan: string;
    status: string;
  }[];
}

describe("leveraged GTC orders through the gateway", () => {
  const c = creditGateway({ lp: "10000", mm: "10000", alice: "1000", bob: "1000", carol: "1000" });
  /** The answer's body once its status is `status` (and the exchange still solvent). */
  const body = async <T>(res: Promise<ApiResponse<T>>, status = 200): Promise<T> =>
    (await c.ok(await res, status)).body;
  /** A buy (GTC 1x unless told) of `quantity` `outcome` at `price` on `marketId`, answered 201. */
  const buy = (name: string, marketId: string, clientOrderId: string, terms: Record<string, string>) =>
    body(c.order<OrderView>(name, { clientOrderId, marketId, ...terms }), 201);
  const getOrder = (name: string, orderId: string) =>
    body(c.api.as<OrderView>(c.who[name]!, "GET", `/v1/orders/${orderId}`));
  const account = (name: string) => c.account<AccountView>(name);
  const pool = (marketId: string) =>
    body(
      c.api.send<{ cash: string; lent: string }>({
        method: "GET",
        path: `/v1/markets/${marketId}/pool`,
        headers: {},
      }),
    );
  /** The events the request appends to the log. */
  const appended = async <T>(request: () => Promise<T>) => {
    const before = readEvents(c.gw.dbPath).length;
    const answer = await request();
    return { answer, log: readEvents(c.gw.dbPath).slice(before) };
  };

  it("given a 2x GTC bid of 100 YES at 0.50 resting with 25 reserved, when mm sells 100 YES at 0.50 into it, then alice's loan of 25 is drawn at the fill: her leveraged position holds 100 YES with loan 25, she reserves 0, the pool has lent 25", async () => {
    await c.marketWithPool("gtc");
    // mm gets 100 YES to sell (a MINT with carol's NO).
    await buy("mm", "gtc", "mm-yes", { outcome: "YES", price: "0.5", quantity: "100" });
    await buy("carol", "gtc", "carol-no", {
      outcome: "NO",
      price: "0.5",
      quantity: "100",
      timeInForce: "IOC",
    });

    const placed = await buy("alice", "gtc", "bid-2x", {
      outcome: "YES",
      price: "0.5",
      quantity: "100",
      leverage: "2",
    });
    expect(placed).toMatchObject({
      status: "open",
      filledQuantity: "0",
      leverage: "2",
      timeInForce: "GTC",
      trades: [],
    });
    expect(await getOrder("alice", placed.orderId)).toMatchObject({ status: "open", leverage: "2" });
    expect(await account("alice")).toMatchObject({ cash: "975", reserved: "25" });
    expect(await pool("gtc")).toMatchObject({ cash: "1000", lent: "0" });

    const { answer: sold, log } = await appended(() =>
      buy("mm", "gtc", "mm-sells", {
        side: "sell",
        outcome: "YES",
        price: "0.5",
        quantity: "100",
        timeInForce: "IOC",
      }),
    );
    expect(sold).toMatchObject({
      status: "filled",
      trades: [{ price: "0.5", quantity: "100", liquidity: "taker" }],
    });
    expect(log.map((e) => e.type)).toEqual(["OrderAccepted", "LoanOpened", "TradeExecuted"]);
    expect(log[1]!.data).toMatchObject({
      accountId: "alice",
      orderId: placed.orderId,
      amount: "25",
      leverage: "2",
    });

    expect(await getOrder("alice", placed.orderId)).toMatchObject({
      status: "filled",
      filledQuantity: "100",
      trades: [{ price: "0.5", quantity: "100", liquidity: "maker" }],
    });
    const alice = await account("alice");
    expect(alice).toMatchObject({ cash: "975", reserved: "0" });
    expect(alice.positions.find((p) => p.marketId === "gtc" && p.leveraged)).toMatchObject({
      outcome: "YES",
      yes: "100",
      loan: "25",
      status: "healthy",
    });
    expect(await pool("gtc")).toMatchObject({ cash: "975", lent: "25" });
  });

  it("given a 2x GTC bid placed 4.5 days before resolution (time cap 3), when a seller hits it 2 days later (time cap 1.85), then it is cancelled LEVERAGE_NOT_AVAILABLE as GET /v1/orders shows, its 25 are released, and the seller fills against mm's 1x bid at 0.49", async () => {
    await c.marketWithPool("ramp", { resolvesAt: new Date(T0 + 4.5 * DAY).toISOString() });
    const bid = await buy("alice", "ramp", "ramp-2x", {
      outcome: "YES",
      price: "0.5",
      quantity: "100",
      leverage: "2",
    });
    await buy("mm", "ramp", "ramp-1x", { outcome: "YES", price: "0.49", quantity: "100" });
    // 975 free after the first test's fill; 25 more reserved by this bid
    expect(await account("alice")).toMatchObject({ cash: "950", reserved: "25" });

    await c.api.setClock(T0 + 2 * DAY);
    await c.solvent();
    const { answer: sold, log } = await appended(() =>
      buy("bob", "ramp", "ramp-no", { outcome: "NO", price: "0.51", quantity: "100", timeInForce: "IOC" }),
    );
    expect(sold).toMatchObject({ status: "filled", trades: [{ price: "0.51", quantity: "100" }] });
    expect(log.map((e) => e.type)).toEqual(["OrderAccepted", "OrderCancelled", "TradeExecuted"]);
    expect(log[1]!.data).toMatchObject({
      orderId: bid.orderId,
      reason: "LEVERAGE_NOT_AVAILABLE",
      quantity: 100,
      releasedCash: "25",
    });
    expect(log[2]!.data).toMatchObject({ makerAccountId: "mm", yesPrice: "0.49" });

    expect(await getOrder("alice", bid.orderId)).toMatchObject({
      status: "cancelled",
      cancelReason: "LEVERAGE_NOT_AVAILABLE",
      filledQuantity: "0",
      leverage: "2",
    });
    const alice = await account("alice");
    expect(alice).toMatchObject({ cash: "975", reserved: "0" });
    expect(alice.positions.filter((p) => p.marketId === "ramp")).toEqual([]);
    expect(await pool("ramp")).toMatchObject({ cash: "1000", lent: "0" });
  });
});
