// Guarantee 15 (issue 11, findings 5 and 6): no loan across resolution; the time and extremity caps bind open positions.
import { describe, expect, it } from "vitest";
import { money, toAmountString } from "../src/money.js";
import {
  CreditExchange,
  DAY,
  HOUR,
  leveragedBuy,
  leveragedOf,
  listMarket,
  mark,
  ofType,
  place,
  T0,
  tick,
} from "./credit-fixtures.js";
import { cashOf } from "./given.js";

const RESOLVES_AT = T0 + 10 * DAY;
const HAZARD_START = RESOLVES_AT - DAY;
const DELEVERAGE_START = HAZARD_START - HOUR;

/**
 * m1 resolving in 10 days (hazard window 1 day, deleverage grace 1 h, no ramp: the time cap stays 5x until the
 * scheduled deleveraging; with the default 7-day ramp the falling cap calls her earlier, the same way), mark 0.50,
 * pool 1000; alice buys 100 YES at 0.50 with 2x (loan 25).
 */
function alice_right_2x_holder(): CreditExchange {
  const x = new CreditExchange(T0);
  x.fund("10000", "mm", "mm2", "lp");
  x.fund("1000", "alice");
  x.run(
    listMarket("m1", {
      resolvesAt: new Date(RESOLVES_AT).toISOString().replace(".000", ""),
      leverageRampSeconds: 0,
    }),
  );
  x.run({ type: "SupplyPool", accountId: "lp", marketId: "m1", amount: "1000", reference: "s" });
  x.run(mark("0.5"));
  x.run(place("mm", "buy", "NO", "0.5", 100));
  x.run(leveragedBuy("alice", "YES", "0.5", 100, "2"));
  return x;
}

// Hourly ticks (and the same oracle mark, kept fresh) from `from` to `to`; answers every event.
function hourly(x: CreditExchange, from: number, to: number) {
  const events = [];
  for (let t = from; t <= to; t += HOUR) {
    x.at(t);
    events.push(...x.run(mark("0.5")), ...x.run(tick(t)));
  }
  return events;
}

describe("guarantee 15: no loan across resolution (finding 5)", () => {
  it("a right 2x holder is called 1 h before the hazard window, repays, and is paid 1 a share at resolution less only the fees charged before the window", () => {
    const x = alice_right_2x_holder();
    const before = hourly(x, T0 + HOUR, DELEVERAGE_START - HOUR);
    expect(ofType(before, "DeleverageCalled")).toEqual([]);
    const called = hourly(x, DELEVERAGE_START, DELEVERAGE_START);
    expect(ofType(called, "DeleverageCalled")).toEqual([
      expect.objectContaining({ accountId: "alice", cap: "1", deadline: HAZARD_START }),
    ]);
    const loan = leveragedOf(x.state, "alice", "YES")!.loan;
    const fees = ofType(x.events, "FundingAccrued")
      .filter((e) => e.accountId === "alice")
      .reduce((sum, e) => sum.plus(e.amount), money(0));
    x.run({
      type: "AddMargin",
      accountId: "alice",
      marketId: "m1",
      outcome: "YES",
      amount: toAmountString(loan),
      reference: "repay",
    });
    const after = hourly(x, HAZARD_START, RESOLVES_AT - HOUR);
    expect(ofType(after, "FundingAccrued")).toEqual([]);
    expect(ofType(after, "LiquidationStarted")).toEqual([]);
    const cashBefore = money(cashOf(x.state, "alice"));
    x.at(RESOLVES_AT).run({ type: "ResolveMarket", marketId: "m1", outcome: "YES" });
    // paid 100 for 100 shares; she paid 25 margin + the loan (25 principal + fees): her cost beyond 50 is the fees
    expect(money(cashOf(x.state, "alice")).minus(cashBefore).toFixed()).toBe("100");
    expect(loan.minus(25).toFixed()).toBe(fees.toFixed());
  });

  it("a holder who does nothing is deleveraged at the window's start: just enough shares are sold to repay, the rest is paid at resolution; no loan is open in the window", () => {
    const x = alice_right_2x_holder();
    x.run(place("mm2", "buy", "YES", "0.49", 200));
    hourly(x, T0 + HOUR, HAZARD_START - HOUR);
    const sale = hourly(x, HAZARD_START, HAZARD_START);
    expect(ofType(sale, "LoanRepaid")).toEqual([
      expect.objectContaining({ accountId: "alice", source: "deleverage" }),
    ]);
    expect(ofType(sale, "PositionClosed")).toEqual([
      expect.objectContaining({ accountId: "alice", reason: "REPAID" }),
    ]);
    expect(toAmountString(x.state.markets.get("m1")!.pool.lent)).toBe("0");
    const sold = ofType(sale, "TradeExecuted").reduce((n, e) => n + e.quantity, 0);
    expect(sold).toBeLessThan(60); // ≈ loan / 0.49, not the whole 100
    const during = hourly(x, HAZARD_START + HOUR, RESOLVES_AT - HOUR);
    expect(ofType(during, "FundingAccrued")).toEqual([]);
    const cashBefore = money(cashOf(x.state, "alice"));
    x.at(RESOLVES_AT).run({ type: "ResolveMarket", marketId: "m1", outcome: "YES" });
    expect(money(cashOf(x.state, "alice")).minus(cashBefore).toFixed()).toBe(String(100 - sold));
  });

  it("no new loan once the scheduled deleveraging has begun (LEVERAGE_TOO_HIGH at 2x)", () => {
    const x = alice_right_2x_holder();
    x.fund("1000", "bob");
    x.run(place("mm", "buy", "NO", "0.5", 10, { clientOrderId: "more" }));
    x.at(DELEVERAGE_START);
    expect(x.rejects(leveragedBuy("bob", "YES", "0.5", 10, "2"))).toBe("LEVERAGE_TOO_HIGH");
  });
});

describe("guarantee 15: the extremity cap binds open positions (finding 6)", () => {
  it("a 3x YES position carried from 0.61 to 0.97 is called as the extremity cap falls (1.2x at 0.88, 1x at 0.97) and, past the grace hour, sells enough to repay its loan", () => {
    const x = new CreditExchange(T0);
    x.fund("10000", "mm", "mm2", "lp");
    x.fund("1000", "bob");
    x.run(listMarket("m1", { resolvesAt: new Date(T0 + 60 * DAY).toISOString().replace(".000", "") }));
    x.run({ type: "SupplyPool", accountId: "lp", marketId: "m1", amount: "1000", reference: "s" });
    x.run(mark("0.61"));
    x.run(place("mm", "buy", "NO", "0.39", 100));
    x.run(leveragedBuy("bob", "YES", "0.61", 100, "3")); // the extremity cap at 0.61 is 3.9x
    const calls = [];
    let t = T0;
    for (const p of ["0.7", "0.79", "0.88", "0.97"]) {
      t += HOUR;
      calls.push(...ofType(x.at(t).run(mark(p)), "DeleverageCalled"));
    }
    expect(calls.map((e) => e.accountId)).toEqual(["bob"]); // at 0.88 (cap 1.2x, leverage 1.86), still over at 0.97 (1x)
    x.run(place("mm2", "buy", "YES", "0.96", 100));
    const sale = [...x.at(t + HOUR).run(mark("0.97")), ...x.run(tick(t + HOUR))];
    expect(ofType(sale, "PositionClosed")).toEqual([
      expect.objectContaining({ accountId: "bob", reason: "REPAID" }),
    ]);
    expect(toAmountString(x.state.markets.get("m1")!.pool.lent)).toBe("0");
  });
});
