// Guarantees 1–4 in the decider: winners paid in full from escrow, 1x positions never touched by the credit layer,
// the solvency identity after every single event (every move of collateral an event), no negative balance anywhere
// and bad debt as an explicit event.
import { describe, expect, it } from "vitest";
import { decide } from "../src/decide.js";
import type { Event } from "../src/events.js";
import { evolve } from "../src/evolve.js";
import { solvency } from "../src/invariants.js";
import { type Money, money, ZERO } from "../src/money.js";
import { initialState, type State } from "../src/state.js";
import {
  alice_long_100_yes_at_050_5x,
  amount,
  FEE_FREE,
  givenExchange,
  HOUR,
  insuranceOf,
  leveragedBuy,
  loanOf,
  MINUTE,
  mark,
  market_m1_at_050_with_pool_1000,
  namesAccount,
  ofType,
  place,
  poolOf,
  type RiskOverrides,
  sharedInsuranceOf,
  T0,
  tick,
  typesOf,
} from "./credit-fixtures.js";
import { cashOf, escrowOf, positionOf } from "./given.js";

describe("guarantee 1: winners are paid in full", () => {
  it("a NO win pays mm's 1x NO exactly 1 a share while alice's 5x YES defaults with empty insurance funds: the LP bears the loss", () => {
    const x = alice_long_100_yes_at_050_5x(FEE_FREE);
    // mm holds 100 NO at 1x (paid 50); alice 100 pledged YES with a loan of 40; escrow 100; no insurance.
    const { state } = givenExchange(x)
      .when({ type: "ResolveMarket", marketId: "m1", outcome: "NO" })
      .then([
        { type: "MarketResolved", outcome: "NO" },
        { type: "PositionSettled", accountId: "mm", yesShares: 0, noShares: 100, payout: "100" },
        { type: "PledgedSharesRedeemed", accountId: "alice", outcome: "YES", shares: 100, payout: "0" },
        { type: "BadDebtRecorded", accountId: "alice", amount: "40" },
        {
          type: "LossSocialized",
          accountId: "alice",
          amount: "40",
          haircuts: [{ accountId: "lp", amount: "40" }],
        },
        { type: "PositionClosed", accountId: "alice", reason: "SETTLED" },
      ]);
    // mm: 10 000 − 50 paid + 100 = 10 050; the escrow is empty; the pool is down 40 (1000 → 960).
    expect(cashOf(state, "mm")).toBe("10050");
    expect(escrowOf(state)).toBe("0");
    expect(poolOf(state)).toMatchObject({ cash: "960", lent: "0", losses: "40" });
  });

  it("a YES win pays alice's pledged shares 1 each: the loan is repaid first, the rest is hers", () => {
    const x = alice_long_100_yes_at_050_5x(FEE_FREE);
    const { state } = givenExchange(x)
      .when({ type: "ResolveMarket", marketId: "m1", outcome: "YES" })
      .then([
        { type: "MarketResolved", outcome: "YES" },
        { type: "PositionSettled", accountId: "mm", noShares: 100, payout: "0" },
        { type: "PledgedSharesRedeemed", accountId: "alice", shares: 100, payout: "100" },
        { type: "LoanRepaid", accountId: "alice", amount: "40", source: "settlement" },
        { type: "PositionClosed", accountId: "alice", reason: "SETTLED" },
      ]);
    // alice paid 10 of margin and gets 100 − 40 = 60: 1000 − 10 + 60 = 1050.
    expect(cashOf(state, "alice")).toBe("1050");
    expect(poolOf(state)).toMatchObject({ cash: "1000", lent: "0" });
  });

  it("INVALID pays 0.5 a share to 1x and pledged shares alike", () => {
    const x = alice_long_100_yes_at_050_5x(FEE_FREE);
    const { state } = givenExchange(x)
      .when({ type: "ResolveMarket", marketId: "m1", outcome: "INVALID" })
      .then([
        { type: "MarketResolved", outcome: "INVALID" },
        { type: "PositionSettled", accountId: "mm", noShares: 100, payout: "50" },
        { type: "PledgedSharesRedeemed", accountId: "alice", shares: 100, payout: "50" },
        { type: "LoanRepaid", accountId: "alice", amount: "40", source: "settlement" },
        { type: "PositionClosed", accountId: "alice", reason: "SETTLED" },
      ]);
    expect([cashOf(state, "mm"), cashOf(state, "alice"), escrowOf(state)]).toEqual(["10000", "1000", "0"]);
  });

  it("winners are paid from escrow even after a default drained both insurance funds and the LP took out all the cash it could", () => {
    // The shared fund's per-market cap is not what this test is about: lifted, so the default drains both funds.
    const x = alice_long_100_yes_at_050_5x({ ...FEE_FREE, sharedFundMarketCap: "1" });
    // carol buys 50 YES at 1x from mm2 (MINT: mm2 holds 50 NO at 1x)
    x.runAll(
      place("mm2", "buy", "NO", "0.5", 50),
      place("carol", "buy", "YES", "0.5", 50, { timeInForce: "IOC" }),
    );
    x.runAll(
      { type: "DepositInsurance", fundId: "market:m1", amount: "1", reference: "seed" },
      { type: "DepositInsurance", fundId: "shared", amount: "1", reference: "seed" },
      place("bob", "buy", "YES", "0.31", 100),
      mark("0.42"), // alice: a margin call
    );
    x.run(mark("0.33")); // equity 33 − 40 < 0: sold at once to bob at 0.31, bad debt 9 = 1 + 1 + 7
    expect([insuranceOf(x.state), sharedInsuranceOf(x.state), poolOf(x.state).losses]).toEqual([
      "0",
      "0",
      "7",
    ]);
    x.run({ type: "RedeemPool", accountId: "lp", marketId: "m1", shares: "1000", reference: "all" });
    expect(poolOf(x.state)).toMatchObject({ cash: "0", lent: "0", shares: "0" });
    const cashBefore = { carol: cashOf(x.state, "carol"), bob: cashOf(x.state, "bob") };
    const { state } = givenExchange(x)
      .when({ type: "ResolveMarket", marketId: "m1", outcome: "YES" })
      .decide();
    // carol's 50 YES and bob's 100 YES (bought from alice's liquidation) pay exactly 1 each.
    expect(cashOf(state, "carol")).toBe(amount(money(cashBefore.carol).plus(50)));
    expect(cashOf(state, "bob")).toBe(amount(money(cashBefore.bob).plus(100)));
    expect(escrowOf(state)).toBe("0");
  });
});

describe("guarantee 2: 1x is safe", () => {
  /**
   * alice 5x YES (loan 40) next to two 1x holders: mm's 100 NO (the MINT with alice) and carol's 50 YES
   * (a MINT with mm2's 50 NO). Nobody but alice has borrowed.
   */
  function alice_5x_next_to_1x_holders(risk: RiskOverrides = {}) {
    const x = alice_long_100_yes_at_050_5x(risk);
    x.runAll(
      place("mm2", "buy", "NO", "0.5", 50),
      place("carol", "buy", "YES", "0.5", 50, { timeInForce: "IOC" }),
    );
    return x;
  }

  it("no FundingAccrued, MarginCalled or LiquidationStarted names a 1x holder over 48 hourly ticks with a leveraged position alive in the same market", () => {
    const x = alice_5x_next_to_1x_holders();
    const start = x.events.length;
    for (let h = 1; h <= 48; h++) x.run(tick(T0 + h * HOUR));
    const accrued = ofType(x.events.slice(start), "FundingAccrued");
    expect(accrued).toHaveLength(48);
    expect(new Set(accrued.map((e) => e.accountId))).toEqual(new Set(["alice"]));
    for (const holder of ["mm", "mm2", "carol"])
      expect(
        x.events.filter((e) => namesAccount(e, holder)).map((e) => e.type),
        holder,
      ).toEqual([]);
  });

  it("a crash to 0.05 liquidates the borrower, never a 1x YES holder: carol keeps her 50 YES and her cash", () => {
    const x = alice_5x_next_to_1x_holders();
    x.run(place("mm2", "buy", "YES", "0.06", 100));
    const carolBefore = { cash: cashOf(x.state, "carol"), position: positionOf(x.state, "carol") };
    x.run(mark("0.05"));
    x.run(tick(x.now + 5 * MINUTE));
    const liquidated = ofType(x.events, "LiquidationStarted", "LossSocialized", "PositionTransferred");
    expect(liquidated.length).toBeGreaterThan(0);
    for (const e of liquidated) expect(namesAccount(e, "alice") || e.type === "LossSocialized").toBe(true);
    for (const holder of ["mm", "carol"]) expect(x.events.filter((e) => namesAccount(e, holder))).toEqual([]);
    expect({ cash: cashOf(x.state, "carol"), position: positionOf(x.state, "carol") }).toEqual(carolBefore);
  });

  it("an account's 1x shares stay its own when its leveraged position in the same outcome is liquidated", () => {
    const x = alice_long_100_yes_at_050_5x(FEE_FREE);
    // alice also holds 30 YES at 1x (a MINT with mm2's 30 NO)
    x.runAll(
      place("mm2", "buy", "NO", "0.5", 30),
      place("alice", "buy", "YES", "0.5", 30, { timeInForce: "IOC" }),
    );
    x.runAll(place("mm2", "buy", "YES", "0.4", 200), mark("0.42")); // a margin call (equity 2 < 2.1)
    const { state, events } = givenExchange(x).when(mark("0.39")).decide(); // equity 39 − 40 < 0: at once
    expect(ofType(events, "LiquidationStarted")[0]).toMatchObject({ accountId: "alice", shares: 100 });
    const sold = ofType(events, "TradeExecuted").reduce((n, e) => n + e.quantity, 0);
    expect(sold).toBe(100); // the pledged 100 only
    expect(positionOf(state, "alice")).toEqual({ yes: 30, no: 0, yesReserved: 0, noReserved: 0 });
  });

  it("never haircut: a socialized loss names only the pool's providers; 1x holders' cash and shares do not move", () => {
    const x = alice_5x_next_to_1x_holders(FEE_FREE);
    x.runAll(place("bob", "buy", "YES", "0.3", 100), mark("0.3"));
    const before = ["mm", "carol"].map((a) => [cashOf(x.state, a), positionOf(x.state, a)]);
    const { state, events } = givenExchange(x)
      .when(tick(x.now + 5 * MINUTE))
      .decide();
    const [loss] = ofType(events, "LossSocialized");
    expect(loss).toMatchObject({
      accountId: "alice",
      amount: "10",
      haircuts: [{ accountId: "lp", amount: "10" }],
    });
    expect(["mm", "carol"].map((a) => [cashOf(state, a), positionOf(state, a)])).toEqual(before);
  });

  it("the worst case of 1x is the price paid: carol's 50 YES at 0.50 lose exactly 25 on a NO resolution", () => {
    const x = alice_5x_next_to_1x_holders();
    for (let h = 1; h <= 5; h++) x.run(tick(T0 + h * HOUR));
    const { state } = givenExchange(x)
      .when({ type: "ResolveMarket", marketId: "m1", outcome: "NO" })
      .decide();
    expect(cashOf(state, "carol")).toBe("975"); // 1000 − 25
  });
});

describe("guarantee 3: conservation after every event", () => {
  it("through a whole credit life the solvency identity holds after every single event, and only deposits, withdrawals and insurance deposits change the total held", () => {
    const x = alice_long_100_yes_at_050_5x();
    x.runAll(
      { type: "DepositInsurance", fundId: "market:m1", amount: "3", reference: "seed" },
      { type: "DepositInsurance", fundId: "shared", amount: "2", reference: "seed" },
      place("mm2", "buy", "NO", "0.5", 100),
      leveragedBuy("bob", "YES", "0.5", 100, "2"),
    );
    for (let h = 1; h <= 6; h++) x.run(tick(T0 + h * HOUR));
    x.runAll(
      { type: "AddMargin", accountId: "bob", marketId: "m1", outcome: "YES", amount: "5", reference: "am" },
      place("mm2", "buy", "YES", "0.32", 200, { clientOrderId: "bids" }),
      mark("0.3"),
    );
    x.run(tick(x.now + 5 * MINUTE));
    x.runAll(
      { type: "Withdraw", accountId: "carol", amount: "100", reference: "w" },
      { type: "ResolveMarket", marketId: "m1", outcome: "NO" },
      { type: "RedeemPool", accountId: "lp", marketId: "m1", shares: "1000", reference: "all" },
    );
    expect(typesOf(x.events)).toEqual(
      expect.arrayContaining([
        "FundingAccrued",
        "LoanRepaid",
        "BadDebtRecorded",
        "InsuranceFundDrawn",
        "LossSocialized",
        "PledgedSharesRedeemed",
      ]),
    );

    const state = initialState();
    let held = heldTotal(state);
    for (const event of x.events) {
      evolve(state, event);
      const s = solvency(state);
      expect(s.balanced, `${event.type}: ${JSON.stringify(s.totals)}`).toBe(true);
      const now = heldTotal(state);
      const delta = now.minus(held);
      expect(amount(delta), `${event.type} moves collateral only`).toBe(amount(externalFlow(event)));
      held = now;
    }
  });
});

describe("guarantee 4: no negative balances; bad debt is an explicit event", () => {
  it("after every event of a jump through bankruptcy no cash, reservation, escrow, fund, pool or loan is negative, and the unpaid loan is a BadDebtRecorded", () => {
    const x = alice_long_100_yes_at_050_5x(FEE_FREE);
    x.runAll(place("mm2", "buy", "YES", "0.1", 100), mark("0.1"));
    x.run(tick(x.now + 5 * MINUTE));
    const state = initialState();
    for (const event of x.events) {
      evolve(state, event);
      expect(negatives(state), event.type).toEqual([]);
    }
    // 100 × 0.10 = 10 repaid of 40: bad debt 30, all of it the LP's (no insurance)
    const tail = ofType(x.events, "LoanRepaid", "BadDebtRecorded", "LossSocialized");
    expect(tail.map((e) => [e.type, e.amount])).toEqual([
      ["LoanRepaid", "10"],
      ["BadDebtRecorded", "30"],
      ["LossSocialized", "30"],
    ]);
    expect(loanOf(x.state, "alice", "YES")).toBe("0");
    expect(cashOf(x.state, "alice")).toBe("990"); // not below what she kept aside
  });

  it("two liquidations in one sweep: bob's resting bid, partly filled by alice's liquidation, releases only what it still reserves when his own liquidation removes it", () => {
    // alice and bob: 100 YES at 0.50 with 5x each (loan 40); bob also bids 150 YES at 0.45 (reserves 67.5).
    // The mark falls to 0.40 (equity 0: both at once). alice's 100 sell into bob's bid: 50 left, reserving 22.5.
    // bob's liquidation then meets his own bid: self-trade prevention removes it, releasing 22.5 — not 67.5,
    // which would leave his reservations at −45 and 45 of cash that exists nowhere.
    const x = market_m1_at_050_with_pool_1000(FEE_FREE);
    x.runAll(
      place("mm", "buy", "NO", "0.5", 200),
      leveragedBuy("alice", "YES", "0.5", 100, "5"),
      leveragedBuy("bob", "YES", "0.5", 100, "5"),
      place("bob", "buy", "YES", "0.45", 150),
    );
    const decision = decide({ type: "SetMarkPrice", at: x.now, marketId: "m1", price: "0.4" }, x.state);
    if (decision._tag === "Left") throw new Error(decision.left.code);
    const removed = ofType(decision.right, "OrderCancelled").filter((e) => e.reason === "SELF_TRADE");
    expect(removed.map((e) => [e.accountId, e.quantity, e.releasedCash])).toEqual([["bob", 50, "22.5"]]);
    const { state } = givenExchange(x).when(mark("0.4")).decide();
    expect(negatives(state)).toEqual([]);
  });
});

/** Collateral held anywhere: account cash and reservations, escrow, fee revenue, insurance funds, pool cash. */
function heldTotal(state: State): Money {
  let total: Money = state.totals.fees.plus(state.sharedInsurance);
  for (const a of state.accounts.values()) total = total.plus(a.cash).plus(a.reserved);
  for (const m of state.markets.values()) total = total.plus(m.escrow).plus(m.insurance).plus(m.pool.cash);
  return total;
}

/** What an event brings in from outside (positive) or pays out (negative); every other event only moves. */
function externalFlow(event: Event): Money {
  if (event.type === "Deposited" || event.type === "InsuranceDeposited") return money(event.amount);
  if (event.type === "Withdrawn") return money(event.amount).negated();
  return ZERO;
}

function negatives(state: State): string[] {
  const found: string[] = [];
  const check = (label: string, value: Money | number) => {
    if (typeof value === "number" ? value < 0 : value.isNegative()) found.push(label);
  };
  check("shared insurance", state.sharedInsurance);
  for (const a of state.accounts.values()) {
    check(`${a.accountId} cash`, a.cash);
    check(`${a.accountId} reserved`, a.reserved);
  }
  for (const m of state.markets.values()) {
    check("escrow", m.escrow);
    check("insurance", m.insurance);
    check("pool cash", m.pool.cash);
    check("pool lent", m.pool.lent);
    for (const p of m.leveraged.values()) {
      check(`${p.accountId} loan`, p.loan);
      check(`${p.accountId} shares`, p.shares);
    }
  }
  return found;
}
