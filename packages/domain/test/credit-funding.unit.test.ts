// Guarantee 8 in the decider: borrowers pay the jump-risk fee per accrual interval — FundingAccrued amounts equal
// Funding.jumpRiskFee for the same inputs, to the last decimal, interval after interval — capitalized into the
// loan; on repayment the pool's cash grows by the fees minus the insurance cut, which goes to the market's fund.
import { Funding, RiskParams } from "@pmx/liquidation";
import { describe, expect, it } from "vitest";
import type { EventOf } from "../src/events.js";
import { type Money, money, toAmountString } from "../src/money.js";
import {
  alice_long_100_yes_at_050_5x,
  CreditExchange,
  DAY,
  givenExchange,
  HOUR,
  insuranceOf,
  leveragedBuy,
  listMarket,
  loanOf,
  MINUTE,
  mark,
  market_m1_at_050_with_pool_1000,
  ofType,
  place,
  poolOf,
  T0,
  tick,
} from "./credit-fixtures.js";

const PARAMS = RiskParams.DEFAULT_RISK_PARAMS;

/** One position's fee for the interval starting at `startMs`, computed here from the model, not read from the decider. */
function expectedFee(input: {
  loan: Money;
  shares: number;
  outcomePrice: string;
  startMs: number;
  resolvesAtMs: number;
  lent: Money;
  cash: Money;
}): Money {
  return money(
    Funding.jumpRiskFee(PARAMS, {
      loan: input.loan,
      shares: money(input.shares),
      outcomePrice: money(input.outcomePrice),
      intervalSeconds: PARAMS.accrualIntervalSeconds,
      nowMs: input.startMs,
      resolvesAtMs: input.resolvesAtMs,
      resolutionHazard: false,
      utilization: input.lent.div(input.cash.plus(input.lent)),
    }).toFixed(),
  );
}

describe("guarantee 8: jump risk is priced", () => {
  it("new borrowing pays its first hour in advance, at the opening: 0.026564 on alice's 40, as the model says", () => {
    // loan 40, 100 YES at 0.50, utilization 40 / 1000: a jump to 0.30 destroys 40 − 30 = 10 with probability
    // 0.05 / 24 → EL 0.0208333…, / 0.8 = 0.0260417; charge 40 × 0.0003 × (1 + 0.04 / 0.9) / 24 = 0.0005222;
    // together 0.0265639 → ceil6 0.026564.
    const x = market_m1_at_050_with_pool_1000();
    x.run(place("mm", "buy", "NO", "0.5", 100));
    givenExchange(x)
      .when(leveragedBuy("alice", "YES", "0.5", 100, "5"))
      .then([
        { type: "OrderAccepted", accountId: "alice", leverage: "5" },
        { type: "LoanOpened", accountId: "alice", amount: "40" },
        { type: "TradeExecuted", quantity: 100 },
        {
          type: "FundingAccrued",
          accountId: "alice",
          outcome: "YES",
          amount: "0.026564",
          rate: "0.0006641",
          loan: "40.026564",
          until: T0 + HOUR,
        },
      ]);
  });

  it("each later interval is charged at its start: a tick at T0 + 1 h charges [T0 + 1 h, T0 + 2 h)", () => {
    const x = alice_long_100_yes_at_050_5x();
    givenExchange(x)
      .when(tick(T0 + HOUR - 1))
      .then([]);
    givenExchange(x)
      .when(tick(T0 + HOUR))
      .then([
        {
          type: "FundingAccrued",
          accountId: "alice",
          amount: "0.026634",
          loan: "40.053198",
          until: T0 + 2 * HOUR,
        },
      ]);
  });

  it("over six intervals, with a moving mark and two borrowers, every FundingAccrued equals Funding.jumpRiskFee for the same inputs to the last decimal (no resolution term: no loan crosses resolution)", () => {
    // Second design: loans are closed before the hazard window (deleverage.ts), so the fee prices the jump risk and
    // the utilization only; the first design's hourly resolution surcharge (1/24, 1/23, … × (1 − q) × loan) is gone.
    const resolvesAtMs = T0 + 30 * DAY;
    const x = new CreditExchange(T0);
    x.fund("10000", "mm", "mm2", "lp");
    x.fund("1000", "alice", "bob");
    x.runAll(
      listMarket("m1", { resolvesAt: new Date(resolvesAtMs).toISOString(), leverageRampSeconds: 0 }),
      { type: "SupplyPool", accountId: "lp", marketId: "m1", amount: "1000", reference: "s-1" },
      mark("0.5"),
      place("mm", "buy", "NO", "0.5", 100),
      leveragedBuy("alice", "YES", "0.5", 100, "5"), // loan 40
      place("mm2", "buy", "YES", "0.5", 100),
      leveragedBuy("bob", "NO", "0.5", 100, "2"), // loan 25
    );
    // The fees charged at the openings, on each new loan alone, at the utilization after it was lent.
    const opened = ofType(x.events, "FundingAccrued");
    expect(opened.map((e) => [e.accountId, e.until])).toEqual([
      ["alice", T0 + HOUR],
      ["bob", T0 + HOUR],
    ]);
    const cash = money(1000 - 40 - 25); // fees are capitalized: the pool's cash does not move until repayment
    const aliceFirst = expectedFee({
      loan: money(40),
      shares: 100,
      outcomePrice: "0.5",
      startMs: T0,
      resolvesAtMs,
      lent: money(40),
      cash: money(960), // before bob borrowed
    });
    const bobFirst = expectedFee({
      loan: money(25),
      shares: 100,
      outcomePrice: "0.5",
      startMs: T0,
      resolvesAtMs,
      lent: money(65).plus(aliceFirst),
      cash,
    });
    expect(opened.map((e) => e.amount)).toEqual([toAmountString(aliceFirst), toAmountString(bobFirst)]);
    const loans = new Map<string, Money>([
      ["alice|YES", money(40).plus(aliceFirst)],
      ["bob|NO", money(25).plus(bobFirst)],
    ]);
    const marks = ["0.52", "0.55", "0.53", "0.5", "0.48", "0.47"];
    let checked = 0;
    marks.forEach((p, i) => {
      x.run(mark(p));
      const start = T0 + (i + 1) * HOUR;
      const accrued = ofType(x.run(tick(start)), "FundingAccrued");
      expect(accrued.map((e) => `${e.accountId}|${e.outcome}`)).toEqual(["alice|YES", "bob|NO"]);
      for (const e of accrued) {
        const key = `${e.accountId}|${e.outcome}`;
        const before = loans.get(key)!;
        // utilization just before this position's fee: every loan so far, fees charged earlier in this tick included
        const lent = [...loans.values()].reduce((a, b) => a.plus(b));
        const fee = expectedFee({
          loan: before,
          shares: 100,
          outcomePrice: e.outcome === "YES" ? p : toAmountString(money(1).minus(p)),
          startMs: start,
          resolvesAtMs,
          lent,
          cash,
        });
        expect(e.amount, `${key}, interval from ${i + 1} h`).toBe(toAmountString(fee));
        expect(e.loan).toBe(toAmountString(before.plus(fee)));
        expect(e.rate).toBe(toAmountString(fee.div(before).toDecimalPlaces(12, 1)));
        expect(e.until).toBe(start + HOUR);
        loans.set(key, before.plus(fee));
        checked += 1;
      }
    });
    expect(checked).toBe(12);
    // No resolution surcharge: alice's hourly fees stay of one size (the first design's jumped ×10 as the window opened).
    const alice = ofType(x.events, "FundingAccrued").filter((e) => e.accountId === "alice");
    expect(alice[3]!.until).toBe(T0 + 4 * HOUR);
    expect(money(alice[3]!.amount).lt(money(alice[2]!.amount).times(2))).toBe(true);
    expect(loanOf(x.state, "alice", "YES")).toBe(toAmountString(loans.get("alice|YES")!));
  });

  it("on repayment the pool's cash grows by the principal and the fees minus the insurance cut; the cut goes to the market's fund", () => {
    const x = alice_long_100_yes_at_050_5x();
    for (let h = 1; h <= 10; h++) x.run(tick(T0 + h * HOUR)); // 11 intervals paid: the opening's and 10 more
    const fees = ofType(x.events, "FundingAccrued").reduce((sum, e) => sum.plus(e.amount), money(0));
    const loan = money(40).plus(fees);
    expect(loanOf(x.state, "alice", "YES")).toBe(toAmountString(loan));
    expect(poolOf(x.state)).toMatchObject({ cash: "960", lent: toAmountString(loan), feesEarned: "0" });
    const cut = fees.times(PARAMS.insuranceCut).toDecimalPlaces(6, 1); // floor6(fees × 0.2)
    const { state } = givenExchange(x)
      .when({
        type: "AddMargin",
        accountId: "alice",
        marketId: "m1",
        outcome: "YES",
        amount: "100",
        reference: "close",
      })
      .then([
        {
          type: "LoanRepaid",
          accountId: "alice",
          amount: toAmountString(loan),
          feePart: toAmountString(fees),
          toInsurance: toAmountString(cut),
          source: "margin",
        },
        { type: "PositionClosed", accountId: "alice", reason: "REPAID" },
      ]);
    const grown = money(1000).plus(fees).minus(cut);
    expect(poolOf(state)).toEqual({
      cash: toAmountString(grown),
      lent: "0",
      shares: "1000",
      feesEarned: toAmountString(fees.minus(cut)),
      losses: "0",
    });
    expect(insuranceOf(state)).toBe(toAmountString(cut));
    // the LP's 1000 shares redeem for more than it supplied, 1000 + fees − cut, once the fees have vested (1 day)
    x.run({
      type: "AddMargin",
      accountId: "alice",
      marketId: "m1",
      outcome: "YES",
      amount: "100",
      reference: "close",
    });
    givenExchange(x)
      .when({ type: "RedeemPool", accountId: "lp", marketId: "m1", shares: "1000", reference: "r" })
      .then([{ type: "PoolRedeemed", accountId: "lp", shares: "1000", amount: "1000" }]);
    x.advance(DAY);
    givenExchange(x)
      .when({ type: "RedeemPool", accountId: "lp", marketId: "m1", shares: "1000", reference: "r" })
      .then([{ type: "PoolRedeemed", accountId: "lp", shares: "1000", amount: toAmountString(grown) }]);
  });

  it("a loan opened after every earlier loan was repaid pays from its own opening, not for the hours the market had no loan", () => {
    // alice borrows at T0 and repays 10 minutes later; the market has no loan for 5 hours; bob borrows 40 at
    // T0 + 5 h: he pays [T0 + 5 h, T0 + 6 h) at the opening and nothing more until T0 + 6 h.
    const x = alice_long_100_yes_at_050_5x();
    x.at(T0 + 10 * MINUTE);
    x.run({
      type: "AddMargin",
      accountId: "alice",
      marketId: "m1",
      outcome: "YES",
      amount: "50",
      reference: "close",
    });
    x.run(tick(T0 + 3 * HOUR));
    x.at(T0 + 5 * HOUR);
    x.run(place("mm", "buy", "NO", "0.5", 100, { clientOrderId: "again" }));
    const opening = x.run(leveragedBuy("bob", "YES", "0.5", 100, "5"));
    const fee = expectedFee({
      loan: money(40),
      shares: 100,
      outcomePrice: "0.5",
      startMs: T0 + 5 * HOUR,
      resolvesAtMs: Date.parse("2030-01-01T00:00:00Z"),
      lent: money(40),
      cash: money(1000).plus(poolOf(x.state).feesEarned).minus(40),
    });
    expect(ofType(opening, "FundingAccrued").map((e) => [e.accountId, e.amount, e.until])).toEqual([
      ["bob", toAmountString(fee), T0 + 6 * HOUR],
    ]);
    givenExchange(x)
      .when(tick(T0 + 5 * HOUR + 59 * MINUTE))
      .then([]);
  });

  it("the fee is charged in advance: a loan repaid within its first interval has paid that interval's fee", () => {
    // The model (docs/risk-model.md): "the fee is charged at the start of each interval, for that interval".
    // alice borrows 40 at T0 and repays it at T0 + 30 min; a tick runs in between.
    const x = alice_long_100_yes_at_050_5x();
    x.run(tick(T0 + 30 * MINUTE));
    x.run({
      type: "AddMargin",
      accountId: "alice",
      marketId: "m1",
      outcome: "YES",
      amount: "50",
      reference: "close",
    });
    const repaid = ofType(x.events, "LoanRepaid") as EventOf<"LoanRepaid">[];
    // the fee of [T0, T0 + 1 h): 0.026564 (see the first test)
    expect(repaid.map((e) => e.feePart)).toEqual(["0.026564"]);
  });
});
