// End to end through the real gateway process (issue 11, finding 6: limits and fair shares) on a manual clock:
// 1. a leveraged buy that would leave its account owing the market's pool more than maxAccountLoanFraction of the
//    pool's assets is refused with 422 ACCOUNT_EXPOSURE_LIMIT and its figures, and writes nothing;
// 2. a backstop bid far below the mark (0.33 against a floor of 0.42 × 0.95 = 0.399) does not take a liquidated
//    position: the liquidation goes to the book instead, and the bidder is untouched.
// `GET /v1/audit/solvency` is balanced after every step.
import { describe, expect, it } from "vitest";
import { expectApiError } from "./support/client.js";
import { creditGateway } from "./support/credit.js";
import { readEvents, T0 } from "./support/gateway.js";

const MINUTE = 60_000;

interface PositionView {
  marketId: string;
  yes: string;
  leveraged: boolean;
  loan: string;
  status: string;
}

/** The types of the events in the file, in order. */
const eventTypes = (dbPath: string): string[] => readEvents(dbPath).map((e) => e.type);

describe("credit fairness through the gateway: exposure limit and backstop floor", () => {
  const c = creditGateway({ lp: "10000", mm: "10000", alice: "1000", bob: "1000", carol: "1000" });
  const { who, solvent, ok, order, account: accountOf, marketWithPool } = c;
  const account = (name: string) => accountOf<{ cash: string; positions: PositionView[] }>(name);

  it("given alice owes 240 of a 1000 pool, when she borrows 40 more (limit 0.25 × 1000 = 250), then 422 ACCOUNT_EXPOSURE_LIMIT with limit, current and requested, and nothing is written", async () => {
    await marketWithPool("limits");
    await ok(
      await order("mm", {
        clientOrderId: "no-bid",
        marketId: "limits",
        outcome: "NO",
        price: "0.5",
        quantity: "1000",
      }),
      201,
    );
    const buy = (clientOrderId: string, quantity: string) =>
      order("alice", {
        clientOrderId,
        marketId: "limits",
        outcome: "YES",
        price: "0.5",
        quantity,
        timeInForce: "IOC",
        leverage: "5",
      });
    await ok(await buy("first", "600"), 201);
    expect(
      (await account("alice")).positions.find((p) => p.marketId === "limits" && p.leveraged),
    ).toMatchObject({
      loan: "240",
    });
    const events = (await c.api.health()).events;
    const refused = await buy("more", "100");
    expectApiError(refused, 422, "ACCOUNT_EXPOSURE_LIMIT");
    expect(refused.body.error.details).toEqual({ limit: "250", current: "240", requested: "40" });
    expect((await c.api.health()).events).toBe(events);
    await solvent();
    // 25 more (a loan of 10) stays within the limit.
    await ok(await buy("within", "25"), 201);
  });

  it("given bob's 100 YES at 5x (loan 40) called at 0.42 on a book bidding only 0.30, when his grace expires with carol's backstop bid at 0.33, then carol takes nothing and the book gets the liquidation", async () => {
    await marketWithPool("floor");
    await ok(
      await order("mm", {
        clientOrderId: "floor-no",
        marketId: "floor",
        outcome: "NO",
        price: "0.5",
        quantity: "100",
      }),
      201,
    );
    await ok(
      await order("bob", {
        clientOrderId: "bob-long",
        marketId: "floor",
        outcome: "YES",
        price: "0.5",
        quantity: "100",
        timeInForce: "IOC",
        leverage: "5",
      }),
      201,
    );
    await ok(
      await order("mm", {
        clientOrderId: "floor-bid",
        marketId: "floor",
        outcome: "YES",
        price: "0.3",
        quantity: "100",
      }),
      201,
    );
    await ok(
      await c.api.as(who.carol!, "POST", "/v1/markets/floor/backstop", {
        outcome: "YES",
        price: "0.33",
        maxShares: "100",
      }),
    );
    await ok(await c.api.op("POST", "/v1/markets/floor/mark", { price: "0.42" }));
    const bobsPosition = async () =>
      (await account("bob")).positions.find((p) => p.marketId === "floor" && p.leveraged);
    expect(await bobsPosition()).toMatchObject({ status: "margin_call", loan: "40" });
    const before = eventTypes(c.gw.dbPath).length;

    await c.api.setClock(T0 + 10 * MINUTE);
    await solvent();

    const during = eventTypes(c.gw.dbPath).slice(before);
    expect(during).toContain("LiquidationStarted");
    // Before the floor, carol took the 100 YES for 33 at a mark of 0.42 (bad debt 7 for the pool).
    expect(during).not.toContain("PositionTransferred");
    expect(during).not.toContain("BadDebtRecorded");
    expect(await bobsPosition()).toMatchObject({ status: "liquidating", yes: "100", loan: "40" });
    const carol = await account("carol");
    expect(carol.cash).toBe("1000");
    expect(carol.positions.filter((p) => p.marketId === "floor")).toEqual([]);
  });
});
