// Issue 11, finding 2: a position nobody will buy must not grow fees without bound (a loan once reached 1.05e18
// after resolvesAt, broke its event codec and stopped every tick of the exchange). Fees stop in liquidation, at
// resolvesAt, and at the position's equity; one pathological position leaves the clock and other markets running.
import { isRight } from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { Event } from "../src/events.js";
import { money } from "../src/money.js";
import {
  CreditExchange,
  DAY,
  HOUR,
  leveragedBuy,
  leveragedOf,
  listMarket,
  mark,
  place,
  T0,
  tick,
} from "./credit-fixtures.js";

const RESOLVES_AT = T0 + 3 * DAY;

/**
 * m1 resolves 3 days out (hazard window 1 day, no ramp: 5x until T0 + 2 d); alice buys 100 YES at 0.50 with 2x
 * (loan 25) and nobody bids afterwards; m2 is a second market where mm and mm2 trade every day.
 */
function alice_stranded_2x_on_m1_beside_m2(): CreditExchange {
  const x = new CreditExchange(T0);
  x.fund("100000", "mm", "mm2", "lp");
  x.fund("1000", "alice");
  x.run(listMarket("m1", { resolvesAt: new Date(RESOLVES_AT).toISOString(), leverageRampSeconds: 0 }));
  x.run(listMarket("m2"));
  x.run({ type: "SupplyPool", accountId: "lp", marketId: "m1", amount: "1000", reference: "s-1" });
  x.run(mark("0.5"));
  x.run(place("mm", "buy", "NO", "0.5", 100));
  x.run(leveragedBuy("alice", "YES", "0.5", 100, "2"));
  return x;
}

describe("issue 11 (2): fees on a position nobody buys are bounded, and time never stops", () => {
  it("given alice's stranded 2x position, when the exchange ticks daily for 90 days with nobody resolving m1, then every tick is decided and its events are valid, no fee is charged from resolvesAt on or during liquidation, a fee never takes the loan past the shares' value, and m2 trades every day", () => {
    const x = alice_stranded_2x_on_m1_beside_m2();
    for (let day = 1; day <= 90; day++) {
      const at = T0 + day * DAY;
      const result = x.attempt(tick(at));
      expect("events" in result, `tick of day ${day} refused`).toBe(true);
      if (!("events" in result)) return;
      for (const event of result.events)
        expect(isRight(Event.decode(event)), `day ${day}: ${event.type} breaks its codec`).toBe(true);
      // m2 keeps trading beside it: a buy of YES meets a buy of NO (a MINT).
      x.run(place("mm", "buy", "YES", "0.4", 1, { marketId: "m2", clientOrderId: `b-${day}` }));
      const minted = x.run(
        place("mm2", "buy", "NO", "0.6", 1, { marketId: "m2", clientOrderId: `n-${day}` }),
      );
      expect(
        minted.some((e) => e.type === "TradeExecuted"),
        `m2 trade of day ${day}`,
      ).toBe(true);
    }
    // Walk alice's m1 history: the fees charged, by the state of her position when charged.
    let status = "healthy";
    let charged = 0;
    for (const event of x.events) {
      if (!("marketId" in event) || event.marketId !== "m1") continue;
      if (event.type === "LiquidationStarted") status = "liquidating";
      if (event.type === "MarginCallCleared") status = "healthy";
      if (event.type !== "FundingAccrued" || event.amount === "0") continue;
      charged++;
      const start = event.until - HOUR;
      expect(start, `a fee for an interval from resolvesAt on (until ${event.until})`).toBeLessThan(
        RESOLVES_AT,
      );
      expect(status, `a fee of ${event.amount} while ${status}`).not.toBe("liquidating");
      // 100 shares at the mark 0.50 are worth 50: fees never take the loan past that.
      expect(money(event.loan).lte(50), `loan ${event.loan} past the shares' value`).toBe(true);
    }
    expect(charged).toBeGreaterThan(0);
    const position = leveragedOf(x.state, "alice", "YES");
    expect(position === undefined || money(position.loan.toString()).lte(50)).toBe(true);
  });
});
