// Guarantee 7 in the decider: the maximum leverage for new borrowing falls with time to resolvesAt (1x inside the
// hazard window), with price extremity and with the pool's utilization; it is shown on the market
// (`currentMaxLeverage`) and enforced on every leveraged order with LEVERAGE_TOO_HIGH. Also the other refusals of
// a leveraged order: leverage below 1 or on a sell (INVALID_LEVERAGE), a loan beyond
// what the pool may lend (INSUFFICIENT_POOL_LIQUIDITY).
import { describe, expect, it } from "vitest";
import { money, toAmountString } from "../src/money.js";
import { currentMaxLeverage } from "../src/risk.js";
import {
  alice_long_100_yes_at_050_5x,
  CreditExchange,
  DAY,
  FEE_FREE,
  givenExchange,
  HOUR,
  leveragedBuy,
  listMarket,
  mark,
  market_m1_at_050_with_pool_1000,
  place,
  T0,
  typesOf,
} from "./credit-fixtures.js";

/** The cap m1 shows now. */
function capOf(x: CreditExchange, at = x.now): string {
  const market = x.state.markets.get("m1")!;
  return toAmountString(currentMaxLeverage(market, at, market.pool));
}

/**
 * m1 listed without fees (loans stay round) with `overrides` and lp's 1000 in its pool, at mark `price` p, with
 * asks at the mark for buyers of `side`: mm bids 3000 NO at 1 − p (YES offered at p), or mm2 bids 3000 YES at p
 * (NO offered at 1 − p). At the mark, because a buy above it at the cap would not meet the initial requirement.
 */
function m1_with_liquidity(
  price: string,
  overrides: Parameters<typeof listMarket>[1] = {},
  side: "YES" | "NO" = "YES",
): CreditExchange {
  const x = new CreditExchange(T0);
  x.fund("10000", "mm", "mm2", "lp");
  x.fund("1000", "alice", "bob");
  x.runAll(
    listMarket("m1", { ...FEE_FREE, ...overrides }),
    { type: "SupplyPool", accountId: "lp", marketId: "m1", amount: "1000", reference: "s-1" },
    mark(price),
    side === "YES"
      ? place("mm", "buy", "NO", toAmountString(money(1).minus(price)), 3000)
      : place("mm2", "buy", "YES", price, 3000),
  );
  return x;
}

describe("guarantee 7: leverage limits are dynamic", () => {
  describe("with time to resolvesAt", () => {
    // resolvesAt = T0 + 4.5 days, hazard window 1 day, ramp 7 days: 3.5 days before the window, half the ramp →
    // 1 + 4 × 0.5 = 3x; 12 hours before resolution, inside the window → 1x.
    const resolvesAt = new Date(T0 + 4.5 * DAY).toISOString();

    it("4.5 days out the cap is 3: 3x is accepted, 3.5x refused", () => {
      const x = m1_with_liquidity("0.5", { resolvesAt });
      expect(capOf(x)).toBe("3");
      givenExchange(x)
        .when(leveragedBuy("alice", "YES", "0.5", 10, "3.5"))
        .thenRejects("LEVERAGE_TOO_HIGH");
      const { events } = givenExchange(x)
        .when(leveragedBuy("alice", "YES", "0.5", 10, "3"))
        .decide();
      expect(typesOf(events)).toContain("LoanOpened");
    });

    it("inside the hazard window the cap is 1: 2x is refused, 1x still trades", () => {
      const x = m1_with_liquidity("0.5", { resolvesAt });
      x.at(T0 + 4 * DAY); // 12 h before resolution
      expect(capOf(x)).toBe("1");
      givenExchange(x)
        .when(leveragedBuy("alice", "YES", "0.5", 10, "2"))
        .thenRejects("LEVERAGE_TOO_HIGH");
      givenExchange(x)
        .when(leveragedBuy("alice", "YES", "0.5", 10, "1.01"))
        .thenRejects("LEVERAGE_TOO_HIGH");
      const { events } = givenExchange(x)
        .when(place("alice", "buy", "YES", "0.5", 10, { timeInForce: "IOC" }))
        .decide();
      expect(typesOf(events)).toEqual(["OrderAccepted", "TradeExecuted"]);
    });

    it("the cap never rises as resolution approaches", () => {
      const x = m1_with_liquidity("0.5", { resolvesAt });
      const caps = [0, 1, 2, 3, 3.5, 4, 4.5, 5].map((d) => Number(capOf(x, T0 + d * DAY)));
      // 0 d: 4.5 d out → 3; 1 d → 1 + 4 × 2.5/7 = 2.43; 2 d → 1.86; 3 d → 1.29; 3.5 d on → 1
      expect(caps).toEqual([3, 2.42, 1.85, 1.28, 1, 1, 1, 1]);
    });
  });

  describe("with price extremity", () => {
    it.each([
      // min(p, 1 − p) / 0.1, clamped to [1, 5]
      { price: "0.5", cap: "5", allowed: "5", refused: null },
      { price: "0.25", cap: "2.5", allowed: "2.5", refused: "3" },
      { price: "0.75", cap: "2.5", allowed: "2.5", refused: "3" },
      { price: "0.03", cap: "1", allowed: null, refused: "2" },
      { price: "0.97", cap: "1", allowed: null, refused: "2" },
    ])("at YES $price the cap is $cap", ({ price, cap, allowed, refused }) => {
      const x = m1_with_liquidity(price);
      expect(capOf(x)).toBe(cap);
      if (refused)
        givenExchange(x)
          .when(leveragedBuy("alice", "YES", price, 10, refused))
          .thenRejects("LEVERAGE_TOO_HIGH");
      if (refused)
        givenExchange(x)
          .when(leveragedBuy("alice", "NO", toAmountString(money(1).minus(price)), 10, refused))
          .thenRejects("LEVERAGE_TOO_HIGH");
      if (allowed) {
        const { events } = givenExchange(x)
          .when(leveragedBuy("alice", "YES", price, 10, allowed))
          .decide();
        expect(typesOf(events)).toContain("LoanOpened");
      }
    });
  });

  describe("with the pool's utilization", () => {
    it("after bob borrows 600 of the pool's 1000 (utilization 0.6) the cap falls from 5 to 4: alice's 5x is refused, 4x accepted", () => {
      // One borrower takes more than a quarter of the pool here: the account limit is not what this test is about.
      const x = m1_with_liquidity("0.5", { maxAccountLoanFraction: "1" });
      expect(capOf(x)).toBe("5");
      // bob: 1500 YES at 0.50 with 5x → cost 750, loan 600
      x.run(leveragedBuy("bob", "YES", "0.5", 1500, "5"));
      // utilization 600 / 1000 = 0.6: 1 + 4 × (0.9 − 0.6) / (0.9 − 0.5) = 4
      expect(capOf(x)).toBe("4");
      givenExchange(x)
        .when(leveragedBuy("alice", "YES", "0.5", 10, "5"))
        .thenRejects("LEVERAGE_TOO_HIGH");
      const { events } = givenExchange(x)
        .when(leveragedBuy("alice", "YES", "0.5", 10, "4"))
        .decide();
      expect(typesOf(events)).toContain("LoanOpened");
    });

    it("no lending beyond assets × (1 − buffer): a 5x order needing a loan of 920 from a pool of 1000 is refused with INSUFFICIENT_POOL_LIQUIDITY", () => {
      // One borrower takes more than a quarter of the pool here: the account limit is not what this test is about.
      const x = m1_with_liquidity("0.5", { maxAccountLoanFraction: "1" });
      // 2300 YES at 0.50 → cost 1150, loan 920 > 900 = 1000 × 0.9
      givenExchange(x)
        .when(leveragedBuy("alice", "YES", "0.5", 2300, "5"))
        .thenRejects("INSUFFICIENT_POOL_LIQUIDITY");
      // 2250 → loan 900: exactly the limit
      const { events } = givenExchange(x)
        .when(leveragedBuy("alice", "YES", "0.5", 2250, "5"))
        .decide();
      expect(events.find((e) => e.type === "LoanOpened")).toMatchObject({ amount: "900" });
    });

    it("a market without a pool lends nothing: the cap is 1", () => {
      const x = new CreditExchange(T0);
      x.fund("10000", "mm");
      x.fund("1000", "alice");
      x.runAll(listMarket("m1"), mark("0.5"), place("mm", "buy", "NO", "0.5", 100));
      expect(capOf(x)).toBe("1");
      givenExchange(x)
        .when(leveragedBuy("alice", "YES", "0.5", 10, "2"))
        .thenRejects("LEVERAGE_TOO_HIGH");
    });
  });

  it("without a mark or a last price the cap is 1", () => {
    const x = new CreditExchange(T0);
    x.fund("10000", "lp");
    x.fund("1000", "alice");
    x.runAll(listMarket("m1"), {
      type: "SupplyPool",
      accountId: "lp",
      marketId: "m1",
      amount: "1000",
      reference: "s",
    });
    expect(capOf(x)).toBe("1");
    givenExchange(x)
      .when(leveragedBuy("alice", "YES", "0.5", 10, "2"))
      .thenRejects("LEVERAGE_TOO_HIGH");
  });

  it("during a call auction the cap is 1", () => {
    const x = market_m1_at_050_with_pool_1000();
    x.run(mark("0.7")); // beyond the band: auction
    givenExchange(x)
      .when(leveragedBuy("alice", "YES", "0.7", 10, "2"))
      .thenRejects("LEVERAGE_TOO_HIGH");
  });

  it("the cap binds the order whatever its side: a NO buyer at YES 0.70 (NO 0.30) gets at most 3x", () => {
    const x = m1_with_liquidity("0.7", {}, "NO");
    expect(capOf(x)).toBe("3");
    givenExchange(x)
      .when(leveragedBuy("alice", "NO", "0.3", 10, "3.01"))
      .thenRejects("LEVERAGE_TOO_HIGH");
    const { events } = givenExchange(x)
      .when(leveragedBuy("alice", "NO", "0.3", 10, "3"))
      .decide();
    expect(typesOf(events)).toContain("LoanOpened");
  });
});

describe("the other refusals of a leveraged order", () => {
  it("a leveraged GTC order that crosses borrows for its taking part as an IOC would: 10 YES at 0.50 with 2x → loan 2.5, margin 2.5 (resting ones: credit-gtc.unit)", () => {
    const x = m1_with_liquidity("0.5");
    const { events } = givenExchange(x)
      .when(place("alice", "buy", "YES", "0.5", 10, { leverage: "2" }))
      .decide();
    expect(typesOf(events)).toEqual(["OrderAccepted", "LoanOpened", "TradeExecuted"]);
    expect(events[0]).toMatchObject({ timeInForce: "GTC", reservedCash: "2.5" });
    expect(events[1]).toMatchObject({ amount: "2.5", leverage: "2" });
  });

  it("leverage below 1, or on a sell, is INVALID_LEVERAGE", () => {
    const x = alice_long_100_yes_at_050_5x();
    x.run(place("mm", "buy", "YES", "0.5", 10, { clientOrderId: "bid" }));
    givenExchange(x)
      .when(leveragedBuy("bob", "YES", "0.5", 10, "0.5"))
      .thenRejects("INVALID_LEVERAGE");
    givenExchange(x)
      .when(place("mm", "sell", "NO", "0.5", 10, { timeInForce: "IOC", leverage: "2" }))
      .thenRejects("INVALID_LEVERAGE");
  });

  it("a leveraged buy's margin must be free cash: 5x on 800 YES at 0.50 needs 80 of margin, alice has 70", () => {
    // One borrower takes more than a quarter of the pool here: the account limit is not what this test is about.
    const x = m1_with_liquidity("0.5", { maxAccountLoanFraction: "1" });
    x.run({ type: "Withdraw", accountId: "alice", amount: "930", reference: "w" });
    givenExchange(x)
      .when(leveragedBuy("alice", "YES", "0.5", 800, "5"))
      .thenRejects("INSUFFICIENT_FUNDS");
    // 700 YES: cost 350, loan 280, margin 70
    const { events } = givenExchange(x)
      .when(leveragedBuy("alice", "YES", "0.5", 700, "5"))
      .decide();
    expect(events.find((e) => e.type === "OrderAccepted")).toMatchObject({ reservedCash: "70" });
  });

  it("new borrowing must leave the position at its initial requirement at the mark: a 5x buy of YES at 0.90 with the mark at 0.50 is refused", () => {
    // docs/risk-model.md: "More borrowing … needs equity ≥ [the initial requirement = value / max leverage]".
    // mm offers 100 YES at 0.90; alice would pay 90 with a loan of 72 for shares worth 100 × 0.50 = 50 at the mark:
    // equity −22 (accepted, the next mark would liquidate her at once and the LP bear a bad debt).
    const x = market_m1_at_050_with_pool_1000(FEE_FREE);
    x.runAll(
      place("mm", "buy", "YES", "0.5", 100),
      place("mm2", "buy", "NO", "0.5", 100),
      place("mm", "sell", "YES", "0.9", 100),
    );
    givenExchange(x)
      .when(leveragedBuy("alice", "YES", "0.9", 100, "5"))
      .thenRejects("INSUFFICIENT_MARGIN");
  });

  it("a leveraged FOK that cannot fill whole borrows nothing", () => {
    const x = market_m1_at_050_with_pool_1000();
    x.run(place("mm", "buy", "NO", "0.5", 50));
    const { events } = givenExchange(x)
      .when(leveragedBuy("alice", "YES", "0.5", 100, "2", { timeInForce: "FOK" }))
      .decide();
    expect(typesOf(events)).toEqual(["OrderAccepted", "OrderCancelled"]);
    expect(events[1]).toMatchObject({ reason: "FOK_NOT_FILLABLE" });
  });

  it("an IOC that fills in part borrows only for what it bought: 50 of 100 at 0.50 with 2x → loan 12.5", () => {
    const x = market_m1_at_050_with_pool_1000();
    x.run(place("mm", "buy", "NO", "0.5", 50));
    const { events } = givenExchange(x)
      .when(leveragedBuy("alice", "YES", "0.5", 100, "2"))
      .decide();
    expect(events.find((e) => e.type === "LoanOpened")).toMatchObject({ amount: "12.5", leverage: "2" });
  });

  it("a leveraged order one second before the scheduled deleveraging is still judged by the time limit of that second", () => {
    // ramp 0: the cap steps from 5 to 1 when the scheduled deleveraging begins, deleverageGraceSeconds (1 h) before
    // the hazard window opens (1 day before resolvesAt): no loan may start that would be called at once
    const x = m1_with_liquidity("0.5", {
      resolvesAt: new Date(T0 + DAY + 2 * HOUR).toISOString(),
      leverageRampSeconds: 0,
    });
    expect([capOf(x, T0 + HOUR - 1000), capOf(x, T0 + HOUR)]).toEqual(["5", "1"]);
  });
});
