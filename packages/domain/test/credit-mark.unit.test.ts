// Guarantee 12 (issue 11, finding 1): no single print or thin quote moves the risk mark; liquidation waits; it stops on recovery.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CreditExchange,
  FEE_FREE,
  HOUR,
  LIQUIDATE_AT_ONCE,
  leveragedBuy,
  leveragedOf,
  listMarket,
  MINUTE,
  mark,
  ofType,
  place,
  T0,
  tick,
} from "./credit-fixtures.js";

const riskMarkOf = (x: CreditExchange, marketId = "m1") => x.state.markets.get(marketId)!.riskMark;

/**
 * m1 with no oracle, default risk parameters (fee-free): mm quotes YES 0.49 / 0.51 with depth, a first tick marks
 * it 0.50 from the book; alice buys 100 YES at 0.51 with 4x (loan 38.25) and bob 100 with 3x (loan 34); then the
 * market goes quiet (mm's bid is cancelled) and a new mark interval begins.
 */
function healthy_4x_and_3x_on_a_quiet_book(): CreditExchange {
  const x = new CreditExchange(T0);
  x.fund("10000", "mm", "mm2", "lp", "eve", "mallory");
  x.fund("1000", "alice", "bob");
  x.run(listMarket("m1", FEE_FREE));
  x.run({ type: "SupplyPool", accountId: "lp", marketId: "m1", amount: "1000", reference: "s-1" });
  x.run(place("mm", "buy", "YES", "0.49", 100, { clientOrderId: "mm-bid" }));
  x.run(place("mm2", "buy", "NO", "0.49", 400));
  x.run(tick(T0));
  expect(riskMarkOf(x)).toBe("0.5");
  x.run(leveragedBuy("alice", "YES", "0.51", 100, "4"));
  x.run(leveragedBuy("bob", "YES", "0.51", 100, "3"));
  const mmBid = x.state.accounts.get("mm")!.clientOrders.get("mm-bid")!;
  x.run({ type: "CancelOrder", accountId: "mm", orderId: mmBid });
  x.at(T0 + 6 * MINUTE).run(tick(T0 + 6 * MINUTE));
  return x;
}

describe("guarantee 12: no single print moves the mark (finding 1)", () => {
  it("the 0.02 self-cross of finding 1 (21 lots) liquidates nobody: the mark stays 0.50 for the next two hours", () => {
    const x = healthy_4x_and_3x_on_a_quiet_book();
    // eve bids 0.02, mallory sells YES into it (buys NO at 0.98): a 21-lot print at 0.02, cost ≈ 0.4 in all
    x.run(place("eve", "buy", "YES", "0.02", 21));
    const printed = x.run(place("mallory", "buy", "NO", "0.98", 21, { timeInForce: "IOC" }));
    expect(ofType(printed, "TradeExecuted")[0]).toMatchObject({ yesPrice: "0.02", quantity: 21 });
    const after: string[] = [];
    for (let t = T0 + 7 * MINUTE; t <= T0 + 2 * HOUR + 7 * MINUTE; t += MINUTE) {
      after.push(
        ...x
          .at(t)
          .run(tick(t))
          .map((e) => e.type),
      );
    }
    expect(after).not.toContain("MarginCalled");
    expect(after).not.toContain("LiquidationStarted");
    expect(riskMarkOf(x)).toBe("0.5");
    expect(leveragedOf(x.state, "alice", "YES")).toMatchObject({ status: "healthy", shares: 100 });
    expect(leveragedOf(x.state, "bob", "YES")).toMatchObject({ status: "healthy", shares: 100 });
  });

  it("property: one print at any price and size, then ticks for an hour, causes no margin call and no liquidation", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 2000 }), (cents, lots) => {
        const x = healthy_4x_and_3x_on_a_quiet_book();
        const price = (cents / 100).toString();
        const noPrice = ((100 - cents) / 100).toString();
        x.run(place("eve", "buy", "YES", price, lots));
        x.attempt(place("mallory", "buy", "NO", noPrice, lots, { timeInForce: "IOC" }));
        for (let t = T0 + 7 * MINUTE; t <= T0 + HOUR + 7 * MINUTE; t += 5 * MINUTE) {
          const types = x
            .at(t)
            .run(tick(t))
            .map((e) => e.type);
          expect(types).not.toContain("MarginCalled");
          expect(types).not.toContain("LiquidationStarted");
        }
      }),
      { numRuns: 25 },
    );
  });

  it("a thin quote alone does not move it: a 1-lot bid and ask around 0.03 leave the mark at 0.50", () => {
    const x = healthy_4x_and_3x_on_a_quiet_book();
    x.run(place("eve", "buy", "YES", "0.02", 1));
    x.run(place("mallory", "buy", "NO", "0.96", 1)); // a YES ask at 0.04
    for (let t = T0 + 7 * MINUTE; t <= T0 + HOUR; t += 5 * MINUTE) x.at(t).run(tick(t));
    expect(riskMarkOf(x)).toBe("0.5");
  });

  it("the reverse: an underwater borrower's 1-lot print at 0.60 does not hold the mark up while the book and trades are at 0.30", () => {
    const x = healthy_4x_and_3x_on_a_quiet_book();
    // The market really moves: a deep book 0.29 / 0.31 and 50 lots traded at 0.30 every 5 minutes; alice prints 1
    // lot at 0.60 each time. The sources' move starts an auction (orders then queue), and the mark follows the book.
    x.run(place("mm", "buy", "YES", "0.29", 500, { clientOrderId: "bid-029" }));
    x.run(place("mm2", "buy", "NO", "0.69", 500, { clientOrderId: "ask-031" }));
    const marks: string[] = [];
    for (let t = T0 + 7 * MINUTE; t <= T0 + 67 * MINUTE; t += MINUTE) {
      x.at(t);
      if ((t - T0) % (5 * MINUTE) === 2 * MINUTE) {
        const k = (t - T0) / MINUTE;
        x.attempt(place("mm", "buy", "YES", "0.3", 50, { clientOrderId: `cross-bid-${k}` }));
        x.attempt(place("mm2", "buy", "NO", "0.7", 50, { clientOrderId: `cross-ask-${k}` }));
        x.attempt(place("alice", "buy", "YES", "0.6", 1, { clientOrderId: `prop-${k}`, timeInForce: "IOC" }));
      }
      x.run(tick(t + 1000));
      marks.push(riskMarkOf(x)!);
    }
    // Never more than the band (0.1) below the previous interval's mark, and at 0.30 where the sources are.
    expect(marks[0]).toBe("0.4");
    expect(marks.at(-1)).toBe("0.3");
    const aliceCalled = x.history().some((e) => e.type === "MarginCalled" && e.accountId === "alice");
    expect(aliceCalled, "alice, below maintenance at 0.30, is called").toBe(true);
  });
});

describe("guarantee 12: the oracle leads while fresh, then the market's sources take over", () => {
  it("an oracle mark older than markStalenessSeconds (1 h) no longer pins the mark: a deep book and trades at 0.60 move it", () => {
    const x = healthy_4x_and_3x_on_a_quiet_book();
    x.run(mark("0.5"));
    x.run(place("mm", "buy", "YES", "0.59", 500, { clientOrderId: "bid-059" }));
    x.run(place("mm2", "buy", "NO", "0.39", 500, { clientOrderId: "ask-061" }));
    const tradeAndTick = (from: number, to: number) => {
      for (let t = from; t <= to; t += MINUTE) {
        x.at(t);
        x.run(place("mm", "buy", "YES", "0.6", 20, { clientOrderId: `x-bid-${t}` }));
        x.run(place("mm2", "buy", "NO", "0.4", 20, { clientOrderId: `x-ask-${t}`, timeInForce: "IOC" }));
        x.run(tick(t + 1000));
      }
    };
    tradeAndTick(T0 + 7 * MINUTE, T0 + 60 * MINUTE); // within the hour: the oracle leads
    expect(riskMarkOf(x)).toBe("0.5");
    tradeAndTick(T0 + 67 * MINUTE, T0 + 75 * MINUTE); // the oracle (set at T0 + 6 min) is stale from T0 + 66 min
    expect(riskMarkOf(x)).toBe("0.6");
  });
});

describe("guarantee 12: a liquidation needs the mark below maintenance for liquidationDelaySeconds, and stops on recovery", () => {
  it("an oracle drop to near-zero equity calls alice; the liquidation comes only 300 s later, if the mark is still there", () => {
    const x = healthy_4x_and_3x_on_a_quiet_book();
    x.run(place("mm", "buy", "YES", "0.3", 500, { clientOrderId: "floor-bids" }));
    const start = T0 + 10 * MINUTE;
    // At 0.385 alice's equity 0.25 is below 20% of maintenance 1.925: near zero (bob's 4.5 is healthy).
    const called = x.at(start).run(mark("0.385"));
    expect(ofType(called, "MarginCalled").map((e) => e.accountId)).toEqual(["alice"]);
    expect(ofType(called, "LiquidationStarted")).toEqual([]);
    expect(ofType(x.at(start + 299_000).run(tick(start + 299_000)), "LiquidationStarted")).toEqual([]);
    const due = x.at(start + 300_000).run(tick(start + 300_000));
    expect(ofType(due, "LiquidationStarted").map((e) => e.accountId)).toEqual(["alice"]);
  });

  it("a liquidation waiting for an auction stops when the mark comes back before the sale (LiquidationStopped)", () => {
    const x = new CreditExchange(T0);
    x.fund("10000", "mm", "mm2", "lp");
    x.fund("1000", "alice");
    x.run(listMarket("m1", { ...FEE_FREE, ...LIQUIDATE_AT_ONCE }));
    x.run({ type: "SupplyPool", accountId: "lp", marketId: "m1", amount: "1000", reference: "s-1" });
    x.run(mark("0.5"));
    x.run(place("mm", "buy", "NO", "0.5", 100));
    x.run(leveragedBuy("alice", "YES", "0.5", 100, "5"));
    const jump = x.advance(MINUTE).run(mark("0.2"));
    expect(ofType(jump, "AuctionStarted")).toHaveLength(1);
    expect(ofType(jump, "LiquidationStarted").map((e) => e.accountId)).toEqual(["alice"]);
    const back = x.advance(MINUTE).run(mark("0.5"));
    expect(ofType(back, "LiquidationStopped")).toEqual([
      expect.objectContaining({ accountId: "alice", outcome: "YES", equity: "10", maintenance: "2.5" }),
    ]);
    expect(leveragedOf(x.state, "alice", "YES")).toMatchObject({ status: "healthy", shares: 100 });
    const uncrossed = x.advance(10 * MINUTE).run(tick(T0 + 12 * MINUTE));
    expect(ofType(uncrossed, "PositionClosed")).toEqual([]);
    expect(leveragedOf(x.state, "alice", "YES")).toMatchObject({
      status: "healthy",
      shares: 100,
      loan: expect.anything(),
    });
  });
});
