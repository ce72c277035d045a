// Issue 15, resolution with a challenge window (single markets): a proposal halts the market and pays nothing; any
// account may challenge it with a bond during the window; unchallenged it is final on the first tick at or after
// finalAt, challenged it waits for the operator's ruling; only the final outcome pays. CreditExchange checks the
// money invariants (the solvency identity included) after every event.
import { describe, expect, it } from "vitest";
import { canonicalState } from "../src/canonical-state.js";
import { decide } from "../src/decide.js";
import type { Event } from "../src/events.js";
import { money, toAmountString } from "../src/money.js";
import { snapshotOf, stateFromSnapshot } from "../src/snapshot.js";
import {
  CreditExchange,
  DAY,
  givenExchange,
  HOUR,
  insuranceOf,
  leveragedBuy,
  leveragedOf,
  listMarket,
  mark,
  ofType,
  place,
  type RiskOverrides,
  T0,
  tick,
} from "./credit-fixtures.js";
import { cashOf, reservedOf } from "./given.js";

const WINDOW = 3600; // seconds
const PROPOSED_AT = T0 + HOUR;
const FINAL_AT = PROPOSED_AT + WINDOW * 1000;

/**
 * m1 (far resolution): alice bought 100 YES at 0.60 from mm's NO bid at 0.40 (a MINT: alice 100 YES, mm 100 NO);
 * mm still bids 50 YES at 0.30 (reserves 15). carol and dave (1000 each) hold nothing: the challengers.
 * Cash: alice 940, mm 945 (1000 − 40 − 15 reserved), carol 1000, dave 1000.
 */
function m1_alice_100_yes_mm_100_no(risk: RiskOverrides = {}): CreditExchange {
  const x = new CreditExchange(T0);
  x.fund("1000", "mm", "alice", "carol", "dave");
  x.run(listMarket("m1", risk));
  x.run(place("mm", "buy", "NO", "0.4", 100));
  x.run(place("alice", "buy", "YES", "0.6", 100));
  x.run(place("mm", "buy", "YES", "0.3", 50, { clientOrderId: "bid" }));
  return x;
}

const resolve = (outcome: "YES" | "NO" | "INVALID", challengeSeconds?: number) => ({
  type: "ResolveMarket" as const,
  marketId: "m1",
  outcome,
  ...(challengeSeconds === undefined ? {} : { challengeSeconds }),
});
const challenge = (accountId: string, bond: string, reference = `ch-${accountId}`) => ({
  type: "ChallengeResolution" as const,
  accountId,
  marketId: "m1",
  bond,
  reference,
});
const rule = (outcome: "YES" | "NO" | "INVALID") => ({
  type: "RuleResolution" as const,
  marketId: "m1",
  outcome,
});

/** The scenario with YES proposed at PROPOSED_AT, challengeable for an hour. */
function yes_proposed_for_an_hour(risk: RiskOverrides = {}): CreditExchange {
  const x = m1_alice_100_yes_mm_100_no(risk);
  x.at(PROPOSED_AT).run(resolve("YES", WINDOW));
  return x;
}

const settled = (events: Event[]) =>
  ofType(events, "PositionSettled").map((e) => [e.accountId, e.outcome, e.payout]);

describe("the default window is 0: resolution is final at once, as before", () => {
  it("given no challengeSeconds and the default risk parameters, when the operator resolves YES, then MarketResolved, the bid cancelled, alice paid 100 and mm 0 in the same command", () => {
    const x = m1_alice_100_yes_mm_100_no();
    x.at(PROPOSED_AT);
    givenExchange(x)
      .when(resolve("YES"))
      .then([
        { type: "MarketResolved", marketId: "m1", outcome: "YES" },
        { type: "OrderCancelled", accountId: "mm", reason: "MARKET_RESOLVED", releasedCash: "15" },
        { type: "PositionSettled", accountId: "mm", noShares: 100, payout: "0" },
        { type: "PositionSettled", accountId: "alice", yesShares: 100, payout: "100" },
      ]);
  });

  it("a market listed with challengeWindowSeconds takes it as the default; challengeSeconds 0 still resolves at once", () => {
    const x = m1_alice_100_yes_mm_100_no({ challengeWindowSeconds: 7200 });
    x.at(PROPOSED_AT);
    const proposed = givenExchange(x).when(resolve("NO")).decide().events;
    expect(proposed.map((e) => e.type)).toEqual(["MarketHalted", "ResolutionProposed"]);
    expect(proposed[1]).toEqual({
      type: "ResolutionProposed",
      marketId: "m1",
      outcome: "NO",
      proposedAt: PROPOSED_AT,
      finalAt: PROPOSED_AT + 7200 * 1000,
    });
    const now = givenExchange(x).when(resolve("NO", 0)).decide().events;
    expect(now[0]).toEqual({ type: "MarketResolved", marketId: "m1", outcome: "NO" });
  });

  it("the two parameters are validated at listing: challengeBond must be > 0", () => {
    const x = new CreditExchange(T0);
    expect(x.rejects(listMarket("m1", { challengeBond: "0" }))).toBe("INVALID_RISK_PARAMS");
    expect(x.run(listMarket("m1", { challengeBond: "25", challengeWindowSeconds: 60 }))[0]).toMatchObject({
      risk: { challengeBond: "25", challengeWindowSeconds: 60 },
    });
  });
});

describe("a proposal halts the market and pays nothing", () => {
  it("given an open market, when YES is proposed with a one-hour window, then MarketHalted and ResolutionProposed, no cash moves, the resting bid stays", () => {
    const x = m1_alice_100_yes_mm_100_no();
    x.at(PROPOSED_AT);
    givenExchange(x)
      .when(resolve("YES", WINDOW))
      .then([
        { type: "MarketHalted", marketId: "m1" },
        {
          type: "ResolutionProposed",
          marketId: "m1",
          outcome: "YES",
          proposedAt: PROPOSED_AT,
          finalAt: FINAL_AT,
        },
      ]);
    x.run(resolve("YES", WINDOW));
    const m1 = x.state.markets.get("m1")!;
    expect(m1.status).toBe("halted");
    expect(m1.resolution).toMatchObject({ proposed: "YES", finalAt: FINAL_AT, challenges: [] });
    expect([cashOf(x.state, "alice"), cashOf(x.state, "mm"), reservedOf(x.state, "mm")]).toEqual([
      "940",
      "945",
      "15",
    ]);
    expect(m1.book.restingOrders()).toHaveLength(1);
  });

  it("during the window: orders are refused (halted), resume and a second proposal are refused (RESOLUTION_PENDING), a tick before finalAt resolves nothing", () => {
    const x = yes_proposed_for_an_hour();
    expect(x.rejects(place("carol", "buy", "NO", "0.5", 10))).toBe("MARKET_NOT_OPEN");
    expect(x.rejects({ type: "ResumeMarket", marketId: "m1" })).toBe("RESOLUTION_PENDING");
    expect(x.rejects(resolve("NO", WINDOW))).toBe("RESOLUTION_PENDING");
    expect(x.rejects(resolve("NO"))).toBe("RESOLUTION_PENDING");
    expect(ofType(x.at(FINAL_AT - 1).run(tick(FINAL_AT - 1)), "MarketResolved")).toEqual([]);
    expect(cashOf(x.state, "alice")).toBe("940");
  });

  it("a market past resolvesAt (closed, no tick yet) accepts a proposal: it closes first (orders cancelled MARKET_CLOSED), no halt", () => {
    const resolvesAt = T0 + DAY;
    const x = m1_alice_100_yes_mm_100_no({ resolvesAt: new Date(resolvesAt).toISOString() });
    const events = x.at(resolvesAt + HOUR).run(resolve("NO", WINDOW));
    expect(events.map((e) => e.type)).toEqual(["MarketClosed", "OrderCancelled", "ResolutionProposed"]);
    expect(x.state.markets.get("m1")!.status).toBe("closed");
    const final = x.at(resolvesAt + HOUR + WINDOW * 1000).run(tick(x.now + WINDOW * 1000));
    expect(settled(final)).toEqual([
      ["mm", "NO", "100"],
      ["alice", "NO", "0"],
    ]);
  });
});

describe("unchallenged: final on the first tick at or after finalAt", () => {
  it("given YES proposed, when a tick comes at finalAt, then MarketResolved YES, the bid cancelled MARKET_RESOLVED, exactly 1 per winning share", () => {
    const x = yes_proposed_for_an_hour();
    x.at(FINAL_AT);
    givenExchange(x)
      .when(tick(FINAL_AT))
      .then([
        { type: "MarketResolved", marketId: "m1", outcome: "YES" },
        { type: "OrderCancelled", accountId: "mm", reason: "MARKET_RESOLVED", releasedCash: "15" },
        { type: "PositionSettled", accountId: "mm", yesShares: 0, noShares: 100, payout: "0" },
        { type: "PositionSettled", accountId: "alice", yesShares: 100, noShares: 0, payout: "100" },
      ]);
    x.run(tick(FINAL_AT + 5));
    expect(x.state.markets.get("m1")!.status).toBe("resolved");
    expect(x.state.markets.get("m1")!.resolution).toBeNull();
    expect([cashOf(x.state, "alice"), cashOf(x.state, "mm")]).toEqual(["1040", "960"]);
    expect(ofType(x.run(tick(FINAL_AT + HOUR)), "MarketResolved")).toEqual([]);
  });
});

describe("challenges: a bond reserved from cash, during the window only", () => {
  it("given YES proposed, when carol challenges with a bond of 100, then ResolutionChallenged and her cash 900, reserved 100", () => {
    const x = yes_proposed_for_an_hour();
    x.at(PROPOSED_AT + 10 * 60_000);
    givenExchange(x)
      .when(challenge("carol", "100"))
      .then([
        {
          type: "ResolutionChallenged",
          marketId: "m1",
          accountId: "carol",
          bond: "100",
          reference: "ch-carol",
          at: PROPOSED_AT + 10 * 60_000,
        },
      ]);
    x.run(challenge("carol", "100"));
    expect([cashOf(x.state, "carol"), reservedOf(x.state, "carol")]).toEqual(["900", "100"]);
    expect(x.state.markets.get("m1")!.resolution!.challenges).toHaveLength(1);
  });

  it("a bond below challengeBond (default 100; the market's own when listed) is refused BOND_TOO_SMALL", () => {
    expect(yes_proposed_for_an_hour().rejects(challenge("carol", "99.999999"))).toBe("BOND_TOO_SMALL");
    const own = yes_proposed_for_an_hour({ challengeBond: "20" });
    expect(own.rejects(challenge("carol", "19.99"))).toBe("BOND_TOO_SMALL");
    expect(ofType(own.run(challenge("carol", "20")), "ResolutionChallenged")).toHaveLength(1);
  });

  it("a retry with the same reference appends nothing; the same reference with another bond is IDEMPOTENCY_CONFLICT", () => {
    const x = yes_proposed_for_an_hour();
    x.run(challenge("carol", "100"));
    expect(x.run(challenge("carol", "100"))).toEqual([]);
    expect(x.rejects(challenge("carol", "150"))).toBe("IDEMPOTENCY_CONFLICT");
    expect([cashOf(x.state, "carol"), reservedOf(x.state, "carol")]).toEqual(["900", "100"]);
  });

  it("a challenge at or after finalAt is refused CHALLENGE_WINDOW_CLOSED (the command's time decides, before any tick)", () => {
    const x = yes_proposed_for_an_hour();
    x.at(FINAL_AT - 1).run(challenge("carol", "100"));
    expect(x.at(FINAL_AT).rejects(challenge("dave", "100"))).toBe("CHALLENGE_WINDOW_CLOSED");
  });

  it("more bond than free cash is INSUFFICIENT_FUNDS; without a proposal NO_PENDING_RESOLUTION; after resolution MARKET_RESOLVED", () => {
    expect(yes_proposed_for_an_hour().rejects(challenge("carol", "1000.01"))).toBe("INSUFFICIENT_FUNDS");
    const open = m1_alice_100_yes_mm_100_no();
    expect(open.rejects(challenge("carol", "100"))).toBe("NO_PENDING_RESOLUTION");
    open.run(resolve("YES"));
    expect(open.rejects(challenge("carol", "100"))).toBe("MARKET_RESOLVED");
  });

  it("a challenged proposal is never finalized by a tick: it waits for the ruling, the bonds stay reserved", () => {
    const x = yes_proposed_for_an_hour();
    x.run(challenge("carol", "100"));
    for (const t of [FINAL_AT, FINAL_AT + HOUR, FINAL_AT + DAY])
      expect(ofType(x.at(t).run(tick(t)), "MarketResolved")).toEqual([]);
    expect(x.state.markets.get("m1")!.status).toBe("halted");
    expect([cashOf(x.state, "alice"), reservedOf(x.state, "carol")]).toEqual(["940", "100"]);
  });
});

describe("the operator's ruling", () => {
  it("given YES proposed and challenged by carol (100) and dave (150), when the operator rules NO after the window, then the bonds go back, NO is final and pays mm 1 per NO share", () => {
    const x = yes_proposed_for_an_hour();
    x.run(challenge("carol", "100"));
    x.run(challenge("dave", "150"));
    x.at(FINAL_AT + HOUR);
    givenExchange(x)
      .when(rule("NO"))
      .then([
        {
          type: "ResolutionRuled",
          marketId: "m1",
          outcome: "NO",
          bondsTo: "challengers",
          at: FINAL_AT + HOUR,
        },
        { type: "MarketResolved", marketId: "m1", outcome: "NO" },
        { type: "OrderCancelled", accountId: "mm", reason: "MARKET_RESOLVED" },
        { type: "PositionSettled", accountId: "mm", noShares: 100, payout: "100" },
        { type: "PositionSettled", accountId: "alice", yesShares: 100, payout: "0" },
      ]);
    x.run(rule("NO"));
    expect([cashOf(x.state, "carol"), reservedOf(x.state, "carol")]).toEqual(["1000", "0"]);
    expect([cashOf(x.state, "dave"), reservedOf(x.state, "dave")]).toEqual(["1000", "0"]);
    expect([cashOf(x.state, "mm"), cashOf(x.state, "alice")]).toEqual(["1060", "940"]);
    expect(insuranceOf(x.state)).toBe("0");
    expect(x.state.markets.get("m1")!.outcome).toBe("NO");
  });

  it("a ruling that confirms the proposal pays the bonds to the market's insurance fund (reserved → insurance), YES final", () => {
    const x = yes_proposed_for_an_hour();
    x.run(challenge("carol", "100"));
    x.run(challenge("dave", "150"));
    const events = x.at(FINAL_AT).run(rule("YES"));
    expect(events[0]).toMatchObject({ type: "ResolutionRuled", outcome: "YES", bondsTo: "insurance" });
    expect(settled(events)).toEqual([
      ["mm", "YES", "0"],
      ["alice", "YES", "100"],
    ]);
    expect(insuranceOf(x.state)).toBe("250");
    expect([cashOf(x.state, "carol"), reservedOf(x.state, "carol")]).toEqual(["900", "0"]);
    expect([cashOf(x.state, "dave"), reservedOf(x.state, "dave")]).toEqual(["850", "0"]);
  });

  it("a ruling during the window settles the bonds at once but pays nothing before finalAt: the ruled outcome is final on the first tick at or after it; no challenge or ruling after it", () => {
    const x = yes_proposed_for_an_hour();
    x.run(challenge("carol", "100"));
    const ruled = x.at(PROPOSED_AT + 30 * 60_000).run(rule("INVALID"));
    expect(ruled.map((e) => e.type)).toEqual(["ResolutionRuled"]);
    expect([cashOf(x.state, "carol"), reservedOf(x.state, "carol")]).toEqual(["1000", "0"]);
    expect(x.rejects(challenge("dave", "100"))).toBe("CHALLENGE_WINDOW_CLOSED");
    expect(x.rejects(rule("YES"))).toBe("ALREADY_RULED");
    expect(ofType(x.at(FINAL_AT - 1).run(tick(FINAL_AT - 1)), "MarketResolved")).toEqual([]);
    const final = x.at(FINAL_AT).run(tick(FINAL_AT));
    expect(final[0]).toEqual({ type: "MarketResolved", marketId: "m1", outcome: "INVALID" });
    expect(settled(final)).toEqual([
      ["mm", "INVALID", "50"],
      ["alice", "INVALID", "50"],
    ]);
  });

  it("a ruling without a proposal is NO_PENDING_RESOLUTION; on an unchallenged proposal NOT_CHALLENGED; after resolution MARKET_RESOLVED", () => {
    const x = m1_alice_100_yes_mm_100_no();
    expect(x.rejects(rule("NO"))).toBe("NO_PENDING_RESOLUTION");
    x.at(PROPOSED_AT).run(resolve("YES", WINDOW));
    expect(x.rejects(rule("NO"))).toBe("NOT_CHALLENGED");
    x.at(FINAL_AT).run(tick(FINAL_AT));
    expect(x.rejects(rule("NO"))).toBe("MARKET_RESOLVED");
  });
});

describe("the credit layer keeps working during the window", () => {
  const RESOLVES_AT = T0 + 10 * DAY;
  const HAZARD_START = RESOLVES_AT - DAY;
  const DELEVERAGE_START = HAZARD_START - HOUR;

  /** m1 resolving in 10 days (hazard window 1 day, grace 1 h, no ramp), pool 1000; alice 100 YES at 0.50 with 2x (loan 25). */
  function alice_right_2x_holder(): CreditExchange {
    const x = new CreditExchange(T0);
    x.fund("10000", "mm", "lp");
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

  it("a proposal made before the scheduled deleveraging: the hourly ticks in its window still call alice at DELEVERAGE_START (cap 1x, deadline the hazard start), fees accrue until resolvesAt and none after; final, her pledged shares repay the loan", () => {
    const x = alice_right_2x_holder();
    const proposedAt = DELEVERAGE_START - 2 * HOUR;
    const finalAt = RESOLVES_AT + 2 * HOUR;
    x.at(proposedAt).run(resolve("YES", (finalAt - proposedAt) / 1000));
    expect(x.state.markets.get("m1")!.status).toBe("halted");
    const during: Event[] = [];
    for (let t = proposedAt + HOUR; t < finalAt; t += HOUR) during.push(...x.at(t).run(tick(t)));
    expect(ofType(during, "DeleverageCalled")).toEqual([
      expect.objectContaining({ accountId: "alice", cap: "1", deadline: HAZARD_START }),
    ]);
    // A halted market sells nothing (no matching); the fee accrues as in any halted market until resolvesAt, when
    // the market closes: no fee after it.
    expect(ofType(during, "TradeExecuted")).toEqual([]);
    const closedAt = during.findIndex((e) => e.type === "MarketClosed");
    expect(closedAt).toBeGreaterThan(0);
    expect(ofType(during.slice(0, closedAt), "FundingAccrued").length).toBeGreaterThan(0);
    const afterClose = during.slice(closedAt);
    expect(ofType(afterClose, "FundingAccrued")).toEqual([]);
    const loan = leveragedOf(x.state, "alice", "YES")!.loan;
    const cashBefore = money(cashOf(x.state, "alice"));
    const final = x.at(finalAt).run(tick(finalAt));
    expect(final[0]).toEqual({ type: "MarketResolved", marketId: "m1", outcome: "YES" });
    expect(ofType(final, "PledgedSharesRedeemed")).toEqual([
      expect.objectContaining({ accountId: "alice", shares: 100, payout: "100" }),
    ]);
    expect(toAmountString(money(cashOf(x.state, "alice")).minus(cashBefore))).toBe(
      toAmountString(money(100).minus(loan)),
    );
    expect(toAmountString(x.state.markets.get("m1")!.pool.lent)).toBe("0");
  });

  it("margin can still be added during the window (the loan is repaid from cash)", () => {
    const x = alice_right_2x_holder();
    x.at(T0 + HOUR).run(resolve("YES", WINDOW));
    const events = x.run({
      type: "AddMargin",
      accountId: "alice",
      marketId: "m1",
      outcome: "YES",
      amount: "10",
      reference: "m-1",
    });
    expect(ofType(events, "LoanRepaid")).toHaveLength(1);
  });
});

describe("snapshots", () => {
  it("a pending, challenged resolution round-trips: the restored state is the same and decides the ruling the same", () => {
    const x = yes_proposed_for_an_hour();
    x.run(challenge("carol", "100"));
    const restored = stateFromSnapshot(JSON.parse(JSON.stringify(snapshotOf(x.state))));
    expect(canonicalState(restored)).toBe(canonicalState(x.state));
    expect(restored.markets.get("m1")!.resolution!.challenges[0]!.bond.toFixed()).toBe("100");
    const command = { ...rule("NO"), at: FINAL_AT };
    expect(decide(command, restored)).toEqual(decide(command, x.state));
  });

  it("a state without a pending resolution has no resolution key in its snapshot (state hashes of older logs unchanged)", () => {
    const x = m1_alice_100_yes_mm_100_no();
    expect(Object.keys(snapshotOf(x.state).markets[0]!)).not.toContain("resolution");
  });
});
