// Issue 15: events of several mutually exclusive outcomes. Converting NO of k outcomes gives (k − 1) × q collateral
// and q YES of every other outcome; the event's escrow backs the converted YES of whichever outcome wins.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalState } from "../src/canonical-state.js";
import { decide } from "../src/decide.js";
import type { Event } from "../src/events.js";
import { type Money, money } from "../src/money.js";
import { snapshotOf, stateFromSnapshot } from "../src/snapshot.js";
import { CreditExchange, FAR_RESOLUTION, place, T0, tick } from "./credit-fixtures.js";
import { cashOf, positionOf } from "./given.js";

/** The account's cash plus `amount`, as the state prints it. */
const plus = (cash: string, amount: number): string => money(cash).plus(amount).toFixed();

const MARKETS = ["a", "b", "c", "d"] as const;

const listEvent = (eventId = "pres") => ({
  type: "ListEvent" as const,
  eventId,
  title: "Who wins?",
  tickSize: "0.01" as const,
  resolvesAt: FAR_RESOLUTION,
  outcomes: MARKETS.map((m) => ({ marketId: m, question: `Will ${m} win?` })),
});

const convert = (accountId: string, marketIds: string[], quantity: number, reference = "conv-1") => ({
  type: "ConvertPositions" as const,
  accountId,
  eventId: "pres",
  marketIds,
  quantity: String(quantity),
  reference,
});

/**
 * Event "pres" of four outcomes a–d; mm (10 000) bids 10 YES at 0.30 in each and alice (1000) buys 10 NO at 0.70 in
 * each: a MINT per market, so alice holds 10 NO of every outcome (cost 28), mm 10 YES of each (cost 12).
 */
function alice_holds_10_no_of_each_of_four_outcomes(): CreditExchange {
  const x = new CreditExchange(T0);
  x.fund("10000", "mm");
  x.fund("1000", "alice", "bob");
  x.run(listEvent());
  for (const m of MARKETS) {
    x.run(place("mm", "buy", "YES", "0.3", 10, { marketId: m, clientOrderId: `mm-${m}` }));
    x.run(place("alice", "buy", "NO", "0.7", 10, { marketId: m, clientOrderId: `alice-${m}` }));
  }
  return x;
}

const eventOf = (x: CreditExchange) => x.state.eventGroups.get("pres")!;
const escrowOf = (x: CreditExchange, m: string) => x.state.markets.get(m)!.escrow.toFixed();

describe("listing an event", () => {
  it("given a ListEvent of four outcomes, then EventListed and four markets naming it; each its own book and pool", () => {
    const x = new CreditExchange(T0);
    const events = x.run(listEvent());
    expect(events.map((e) => e.type)).toEqual(["EventListed", ...MARKETS.map(() => "MarketListed")]);
    expect(events[0]).toMatchObject({ eventId: "pres", marketIds: [...MARKETS] });
    for (const m of MARKETS) expect(x.state.markets.get(m)!.eventId).toBe("pres");
  });

  it("refuses one outcome, 101 outcomes, a market named twice, an existing market or event", () => {
    const x = new CreditExchange(T0);
    const one = { ...listEvent(), outcomes: [{ marketId: "a", question: "a?" }] };
    expect(x.rejects(one)).toBe("INVALID_EVENT");
    const many = {
      ...listEvent(),
      outcomes: Array.from({ length: 101 }, (_, i) => ({ marketId: `m${i}`, question: `${i}?` })),
    };
    expect(x.rejects(many)).toBe("INVALID_EVENT");
    const twice = {
      ...listEvent(),
      outcomes: [...listEvent().outcomes, { marketId: "a", question: "again?" }],
    };
    expect(x.rejects(twice)).toBe("INVALID_EVENT");
    x.run(listEvent());
    expect(x.rejects(listEvent())).toBe("EVENT_EXISTS");
    expect(x.rejects({ ...listEvent("other") })).toBe("MARKET_EXISTS");
    expect(x.events.filter((e) => e.type === "EventListed")).toHaveLength(1);
  });
});

describe("converting NO of k outcomes", () => {
  it("k = 1: 10 NO of a give nothing back but 10 YES of b, c and d; a's escrow falls by 10, the event holds 10", () => {
    const x = alice_holds_10_no_of_each_of_four_outcomes();
    const cash = cashOf(x.state, "alice");
    const events = x.run(convert("alice", ["a"], 10));
    expect(events).toEqual([
      {
        type: "PositionsConverted",
        eventId: "pres",
        accountId: "alice",
        marketIds: ["a"],
        quantity: 10,
        released: "0",
        reference: "conv-1",
      },
    ]);
    expect(cashOf(x.state, "alice")).toBe(cash);
    expect(positionOf(x.state, "alice", "a")).toMatchObject({ yes: 0, no: 0 });
    for (const m of ["b", "c", "d"])
      expect(positionOf(x.state, "alice", m)).toMatchObject({ yes: 10, no: 10 });
    expect(escrowOf(x, "a")).toBe("0");
    expect(eventOf(x)).toMatchObject({ unpairedYes: 10 });
    expect(eventOf(x).escrow.toFixed()).toBe("10");
  });

  it("k = n − 1 = 3: 10 NO of a, b and c give 20 collateral and 10 YES of d", () => {
    const x = alice_holds_10_no_of_each_of_four_outcomes();
    const cash = cashOf(x.state, "alice");
    const events = x.run(convert("alice", ["a", "b", "c"], 10));
    expect(events[0]).toMatchObject({ released: "20" });
    expect(cashOf(x.state, "alice")).toBe(plus(cash, 20));
    expect(positionOf(x.state, "alice", "d")).toMatchObject({ yes: 10, no: 10 });
  });

  it("k = n = 4: 10 NO of every outcome give 30 collateral (one of the four NO loses) and no YES", () => {
    const x = alice_holds_10_no_of_each_of_four_outcomes();
    const cash = cashOf(x.state, "alice");
    x.run(convert("alice", [...MARKETS], 10));
    expect(cashOf(x.state, "alice")).toBe(plus(cash, 30));
    for (const m of MARKETS) expect(positionOf(x.state, "alice", m)).toMatchObject({ yes: 0, no: 0 });
    expect(eventOf(x).escrow.toFixed()).toBe("10");
  });

  it("refuses more NO than free (a sell order reserves them), an unknown or repeated market, a bad quantity; a retry appends nothing", () => {
    const x = alice_holds_10_no_of_each_of_four_outcomes();
    x.run(place("alice", "sell", "NO", "0.9", 5, { marketId: "a" }));
    expect(x.rejects(convert("alice", ["a", "b"], 6))).toBe("INSUFFICIENT_SHARES");
    expect(x.rejects(convert("alice", ["a", "z"], 1))).toBe("INVALID_EVENT");
    expect(x.rejects(convert("alice", ["a", "a"], 1))).toBe("INVALID_EVENT");
    expect(x.rejects(convert("alice", [], 1))).toBe("INVALID_EVENT");
    expect(x.rejects(convert("alice", ["a"], 0))).toBe("INVALID_QUANTITY");
    expect(x.rejects({ ...convert("alice", ["a"], 1), eventId: "none" })).toBe("UNKNOWN_EVENT");
    x.run(convert("alice", ["b", "a"], 5));
    expect(x.run(convert("alice", ["a", "b"], 5))).toEqual([]);
    expect(x.rejects(convert("alice", ["a", "b"], 4))).toBe("IDEMPOTENCY_CONFLICT");
  });
});

describe("converting leveraged NO", () => {
  it("pledged NO shares do not convert (INSUFFICIENT_SHARES: they are their loan's collateral); the free ones beside them do", () => {
    const x = alice_holds_10_no_of_each_of_four_outcomes();
    x.fund("10000", "lp");
    x.run({ type: "SupplyPool", accountId: "lp", marketId: "a", amount: "5000", reference: "s-a" });
    x.run({ type: "SetMarkPrice", marketId: "a", price: "0.5" }); // leverage needs a mark
    x.run(place("mm", "buy", "YES", "0.5", 10, { marketId: "a", clientOrderId: "mm-a-lev" }));
    const bought = x.run(
      place("bob", "buy", "NO", "0.5", 10, { marketId: "a", leverage: "2", clientOrderId: "bob-lev" }),
    );
    expect(bought.map((e) => e.type)).toContain("LoanOpened");
    // bob's 10 NO of a are pledged to his loan: none is free, so none converts.
    expect(x.state.markets.get("a")!.leveraged.size).toBe(1);
    expect(x.rejects({ ...convert("bob", ["a"], 1, "lev"), accountId: "bob" })).toBe("INSUFFICIENT_SHARES");
    // alice's free NO of a still convert.
    expect(x.run(convert("alice", ["a"], 10)).map((e) => e.type)).toEqual(["PositionsConverted"]);
  });
});

describe("resolving an event", () => {
  it("winner b after alice converted 10 NO of a, b, c: b's YES holders get 1 a share (mm 10, alice 0), every NO of a, c, d 1; the escrow pays exactly", () => {
    const x = alice_holds_10_no_of_each_of_four_outcomes();
    x.run(convert("alice", ["a", "b", "c"], 10)); // alice: +20 cash, 10 YES of d, 10 NO of d
    const mm = cashOf(x.state, "mm");
    const alice = cashOf(x.state, "alice");
    const events = x.run({ type: "ResolveEvent", eventId: "pres", winner: "b" });
    expect(events[0]).toEqual({ type: "EventResolved", eventId: "pres", outcome: "WINNER", winner: "b" });
    const resolved = events.filter(
      (e): e is Extract<Event, { type: "MarketResolved" }> => e.type === "MarketResolved",
    );
    expect(resolved.map((e) => [e.marketId, e.outcome])).toEqual([
      ["a", "NO"],
      ["b", "YES"],
      ["c", "NO"],
      ["d", "NO"],
    ]);
    // mm: 10 YES of b pay 10; alice: 10 NO of d pay 10 (her d YES lose).
    expect(cashOf(x.state, "mm")).toBe(plus(mm, 10));
    expect(cashOf(x.state, "alice")).toBe(plus(alice, 10));
    for (const m of MARKETS) expect(escrowOf(x, m)).toBe("0");
    expect(eventOf(x).escrow.toFixed()).toBe("0");
    expect(x.rejects(convert("alice", ["d"], 1, "late"))).toBe("EVENT_RESOLVED");
    expect(x.rejects({ type: "ResolveEvent", eventId: "pres", winner: "a" })).toBe("EVENT_RESOLVED");
  });

  it("winner a, whose NO alice burned: mm's 10 YES of a are paid from the event's escrow", () => {
    const x = alice_holds_10_no_of_each_of_four_outcomes();
    x.run(convert("alice", ["a"], 10));
    const mm = cashOf(x.state, "mm");
    x.run({ type: "ResolveEvent", eventId: "pres", winner: "a" });
    expect(cashOf(x.state, "mm")).toBe(plus(mm, 10));
    expect(eventOf(x).escrow.toFixed()).toBe("0");
  });

  it("INVALID pays 1/n a YES share and 1 − 1/n a NO share in each of the n markets (n = 4: alice's 40 NO get 30); resolving one market alone is refused", () => {
    const x = alice_holds_10_no_of_each_of_four_outcomes();
    expect(x.rejects({ type: "ResolveMarket", marketId: "a", outcome: "YES" })).toBe("EVENT_MARKET");
    expect(x.rejects({ type: "ResolveEvent", eventId: "pres" })).toBe("INVALID_EVENT");
    expect(x.rejects({ type: "ResolveEvent", eventId: "pres", winner: "zz" })).toBe("INVALID_EVENT");
    const alice = cashOf(x.state, "alice");
    const mm = cashOf(x.state, "mm");
    const events = x.run({ type: "ResolveEvent", eventId: "pres", outcome: "INVALID" });
    expect(events[0]).toEqual({ type: "EventResolved", eventId: "pres", outcome: "INVALID" });
    expect(cashOf(x.state, "alice")).toBe(plus(alice, 4 * 7.5));
    expect(cashOf(x.state, "mm")).toBe(plus(mm, 4 * 2.5));
    for (const m of MARKETS) expect(escrowOf(x, m)).toBe("0");
  });

  it("finding: any holder converting 1 NO made INVALID impossible (EVENT_CONVERTED); now INVALID pays the converted YES from the event's escrow and a conversion neither gains nor loses", () => {
    const x = alice_holds_10_no_of_each_of_four_outcomes();
    const y = alice_holds_10_no_of_each_of_four_outcomes();
    // bob's single share is all it took to block INVALID for everybody.
    x.run(place("bob", "buy", "NO", "0.7", 1, { marketId: "a", clientOrderId: "bob-a" }));
    x.run(place("mm", "buy", "YES", "0.3", 1, { marketId: "a", clientOrderId: "mm-a2" }));
    x.run(convert("bob", ["a"], 1, "block"));
    x.run(convert("alice", ["a", "b", "c"], 10)); // +20 cash, 10 YES of d beside her 10 NO of d
    y.run(place("bob", "buy", "NO", "0.7", 1, { marketId: "a", clientOrderId: "bob-a" }));
    y.run(place("mm", "buy", "YES", "0.3", 1, { marketId: "a", clientOrderId: "mm-a2" }));
    x.run({ type: "ResolveEvent", eventId: "pres", outcome: "INVALID" });
    y.run({ type: "ResolveEvent", eventId: "pres", outcome: "INVALID" });
    // Each account ends with the same cash whether it converted or not (1/4 = 0.25 exactly: no rounding).
    for (const id of ["alice", "bob", "mm"]) expect(cashOf(x.state, id), id).toBe(cashOf(y.state, id));
    expect(eventOf(x).escrow.toFixed()).toBe("0");
    for (const m of MARKETS) expect(escrowOf(x, m)).toBe("0");
  });

  it("n = 3: 1/3 rounds down to 0.333333 a YES share, NO gets 0.666667; the 11 × 0.000001 left in the escrow go to the shared insurance fund", () => {
    const x = new CreditExchange(T0);
    x.fund("10000", "mm");
    x.fund("1000", "alice");
    x.run({
      ...listEvent("three"),
      outcomes: ["p", "q", "r"].map((m) => ({ marketId: m, question: `${m}?` })),
    });
    for (const m of ["p", "q", "r"]) {
      x.run(place("mm", "buy", "YES", "0.3", 11, { marketId: m, clientOrderId: `mm-${m}` }));
      x.run(place("alice", "buy", "NO", "0.7", 11, { marketId: m, clientOrderId: `alice-${m}` }));
    }
    x.run({ ...convert("alice", ["p"], 11), eventId: "three" });
    const shared = x.state.sharedInsurance;
    const mm = cashOf(x.state, "mm");
    const alice = cashOf(x.state, "alice");
    x.run({ type: "ResolveEvent", eventId: "three", outcome: "INVALID" });
    // mm: 33 YES × 0.333333; alice: 11 YES of q and r × 0.333333 + 22 NO of q and r × 0.666667.
    expect(cashOf(x.state, "mm")).toBe(money(mm).plus(money("0.333333").times(33)).toFixed());
    expect(cashOf(x.state, "alice")).toBe(
      money(alice).plus(money("0.333333").times(22)).plus(money("0.666667").times(22)).toFixed(),
    );
    // The 11 converted YES of each market are backed by 11 in the escrow; 3 × 11 × 0.333333 = 10.999989 pay them.
    expect(x.state.sharedInsurance.minus(shared).toFixed()).toBe("0.000011");
    expect(x.state.eventGroups.get("three")!.escrow.toFixed()).toBe("0");
  });
});

describe("an event's resolution with a challenge window", () => {
  const propose = (winner: string, challengeSeconds = 3600) => ({
    type: "ResolveEvent" as const,
    eventId: "pres",
    winner,
    challengeSeconds,
  });
  const challengeIt = (accountId: string, bond = "100", reference = "ch-1") => ({
    type: "ChallengeEventResolution" as const,
    accountId,
    eventId: "pres",
    bond,
    reference,
  });

  it("a proposal halts every market, pays nothing and refuses a second proposal; unchallenged, the first tick at finalAt resolves all four", () => {
    const x = alice_holds_10_no_of_each_of_four_outcomes();
    const mm = cashOf(x.state, "mm");
    const events = x.run(propose("b"));
    expect(events.map((e) => e.type)).toEqual([
      ...MARKETS.map(() => "MarketHalted"),
      "EventResolutionProposed",
    ]);
    expect(events.at(-1)).toMatchObject({ outcome: "WINNER", winner: "b", finalAt: T0 + 3_600_000 });
    for (const m of MARKETS) expect(x.state.markets.get(m)!.status).toBe("halted");
    expect(x.rejects(propose("c"))).toBe("RESOLUTION_PENDING");
    expect(x.rejects(place("mm", "buy", "YES", "0.3", 1, { marketId: "b", clientOrderId: "late" }))).toBe(
      "MARKET_NOT_OPEN",
    );
    x.run(tick(T0 + 3_599_999));
    expect(cashOf(x.state, "mm")).toBe(mm);
    const final = x.run(tick(T0 + 3_600_000));
    expect(final[0]).toEqual({ type: "EventResolved", eventId: "pres", outcome: "WINNER", winner: "b" });
    expect(cashOf(x.state, "mm")).toBe(plus(mm, 10));
    expect(eventOf(x).resolution).toBeNull();
    expect(final.filter((e) => e.type === "MarketResolved")).toHaveLength(4);
  });

  it("a challenge reserves its bond; the ruling for another winner returns the bonds and pays that winner at finalAt", () => {
    const x = alice_holds_10_no_of_each_of_four_outcomes();
    x.run(propose("b"));
    const bob = cashOf(x.state, "bob");
    x.advance(60_000);
    expect(x.rejects(challengeIt("bob", "99.999999"))).toBe("BOND_TOO_SMALL"); // the markets' challengeBond: 100
    x.run(challengeIt("bob", "100"));
    expect(cashOf(x.state, "bob")).toBe(plus(bob, -100));
    expect(x.run(challengeIt("bob", "100"))).toEqual([]); // the same reference again: a retry
    expect(x.rejects(challengeIt("bob", "101"))).toBe("IDEMPOTENCY_CONFLICT");
    x.advance(3_600_000); // past finalAt: challenged, so it waits for the ruling
    expect(x.run(tick(x.now)).filter((e) => e.type === "EventResolved")).toEqual([]);
    expect(x.rejects(challengeIt("alice", "100", "late"))).toBe("CHALLENGE_WINDOW_CLOSED");
    const mm = cashOf(x.state, "mm");
    const ruled = x.run({ type: "RuleEventResolution", eventId: "pres", winner: "c" });
    expect(ruled[0]).toMatchObject({ type: "EventResolutionRuled", winner: "c", bondsTo: "challengers" });
    expect(ruled[1]).toEqual({ type: "EventResolved", eventId: "pres", outcome: "WINNER", winner: "c" });
    expect(cashOf(x.state, "bob")).toBe(bob);
    expect(cashOf(x.state, "mm")).toBe(plus(mm, 10)); // mm's 10 YES of c
    expect(x.rejects({ type: "RuleEventResolution", eventId: "pres", winner: "d" })).toBe("MARKET_RESOLVED");
  });

  it("a ruling that confirms the proposal pays the bonds to the shared insurance fund; ruled before finalAt it is final at finalAt", () => {
    const x = alice_holds_10_no_of_each_of_four_outcomes();
    x.run({ type: "ResolveEvent", eventId: "pres", outcome: "INVALID", challengeSeconds: 3600 });
    x.run(challengeIt("bob", "250"));
    expect(x.rejects({ type: "RuleEventResolution", eventId: "pres" })).toBe("INVALID_EVENT");
    const shared = x.state.sharedInsurance;
    const ruled = x.run({ type: "RuleEventResolution", eventId: "pres", outcome: "INVALID" });
    expect(ruled).toEqual([
      { type: "EventResolutionRuled", eventId: "pres", outcome: "INVALID", bondsTo: "insurance", at: x.now },
    ]);
    expect(x.state.sharedInsurance.minus(shared).toFixed()).toBe("250");
    expect(x.rejects({ type: "RuleEventResolution", eventId: "pres", winner: "a" })).toBe("ALREADY_RULED");
    expect(x.rejects(challengeIt("alice", "100", "after-ruling"))).toBe("CHALLENGE_WINDOW_CLOSED");
    const alice = cashOf(x.state, "alice");
    x.run(tick(T0 + 3_600_000));
    expect(cashOf(x.state, "alice")).toBe(plus(alice, 4 * 7.5));
  });

  it("a pending, challenged event proposal round-trips through a snapshot and decides the ruling the same; with none pending the snapshot has no resolution key", () => {
    const x = alice_holds_10_no_of_each_of_four_outcomes();
    expect(Object.keys(snapshotOf(x.state).eventGroups![0]!)).not.toContain("resolution");
    x.run(propose("b"));
    x.run(challengeIt("bob"));
    const restored = stateFromSnapshot(JSON.parse(JSON.stringify(snapshotOf(x.state))));
    expect(canonicalState(restored)).toBe(canonicalState(x.state));
    expect(restored.eventGroups.get("pres")!.resolution!.challenges[0]!.bond.toFixed()).toBe("100");
    const command = {
      type: "RuleEventResolution" as const,
      eventId: "pres",
      winner: "c",
      at: T0 + 3_600_000,
    };
    expect(decide(command, restored)).toEqual(decide(command, x.state));
  });

  it("refuses a ruling with no challenge, a challenge or ruling with no proposal, and a market's own challenge route on an event market", () => {
    const x = alice_holds_10_no_of_each_of_four_outcomes();
    expect(x.rejects(challengeIt("bob"))).toBe("NO_PENDING_RESOLUTION");
    expect(x.rejects({ type: "RuleEventResolution", eventId: "pres", winner: "a" })).toBe(
      "NO_PENDING_RESOLUTION",
    );
    x.run(propose("a"));
    expect(x.rejects({ type: "RuleEventResolution", eventId: "pres", winner: "a" })).toBe("NOT_CHALLENGED");
    expect(
      x.rejects({ type: "ChallengeResolution", accountId: "bob", marketId: "a", bond: "10", reference: "m" }),
    ).toBe("EVENT_MARKET");
    expect(x.rejects({ type: "RuleResolution", marketId: "a", outcome: "NO" })).toBe("EVENT_MARKET");
    expect(x.rejects({ ...challengeIt("nobody"), accountId: "nobody" })).toBe("UNKNOWN_ACCOUNT");
  });
});

describe("property: orders on every outcome, conversions and a resolution (at once, or proposed, challenged and ruled)", () => {
  it("keep the solvency identity after every event and pay exactly 1 per winning share (INVALID: 1/4 a YES, 3/4 a NO)", () => {
    const step = fc.oneof(
      fc.record({
        kind: fc.constant("order" as const),
        who: fc.constantFrom("alice", "bob", "mm"),
        market: fc.constantFrom(...MARKETS),
        side: fc.constantFrom("buy" as const, "sell" as const),
        outcome: fc.constantFrom("YES" as const, "NO" as const),
        price: fc.integer({ min: 5, max: 95 }),
        quantity: fc.integer({ min: 1, max: 20 }),
      }),
      fc.record({
        kind: fc.constant("convert" as const),
        who: fc.constantFrom("alice", "bob", "mm"),
        markets: fc.subarray([...MARKETS], { minLength: 1 }),
        quantity: fc.integer({ min: 1, max: 10 }),
      }),
    );
    const finalOutcome = fc.constantFrom(...MARKETS, "INVALID" as const);
    const named = (o: string) => (o === "INVALID" ? { outcome: "INVALID" as const } : { winner: o });
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 5, maxLength: 40 }),
        finalOutcome,
        fc.option(fc.record({ proposed: finalOutcome, challenger: fc.constantFrom("alice", "bob", "mm") })),
        (steps, final, window) => {
          const x = alice_holds_10_no_of_each_of_four_outcomes();
          steps.forEach((s, i) => {
            if (s.kind === "order")
              x.attempt(
                place(s.who, s.side, s.outcome, (s.price / 100).toFixed(2), s.quantity, {
                  marketId: s.market,
                  clientOrderId: `p-${i}`,
                }),
              );
            else x.attempt(convert(s.who, s.markets, s.quantity, `c-${i}`));
          });
          x.run(tick(T0 + 1000));
          // What each account must get: 1 per YES of the winner and per NO of every other market it holds.
          const owedFor = (outcome: string) => {
            const owed = new Map<string, Money>();
            for (const [id, account] of x.state.accounts) {
              let n = money(0);
              for (const m of MARKETS) {
                const p = account.positions.get(m);
                if (!p) continue;
                const [yes, no] = [p.yes + p.yesReserved, p.no + p.noReserved];
                n = n.plus(
                  outcome === "INVALID"
                    ? money(yes).times("0.25").plus(money(no).times("0.75"))
                    : m === outcome
                      ? yes
                      : no,
                );
              }
              owed.set(id, account.cash.plus(account.reserved).plus(n));
            }
            return owed;
          };
          let owed = owedFor(final);
          if (window === null) x.run({ type: "ResolveEvent", eventId: "pres", ...named(final) });
          else {
            // Proposed, challenged (the bond comes back when the ruling changes the outcome), ruled, final at a tick.
            x.run({ type: "ResolveEvent", eventId: "pres", challengeSeconds: 60, ...named(window.proposed) });
            const challenged = x.attempt({
              type: "ChallengeEventResolution",
              accountId: window.challenger,
              eventId: "pres",
              bond: "100",
              reference: "dispute",
            });
            if ("events" in challenged) {
              x.run({ type: "RuleEventResolution", eventId: "pres", ...named(final) });
              if (final === window.proposed)
                owed.set(window.challenger, owed.get(window.challenger)!.minus(100));
            } else owed = owedFor(window.proposed); // unchallenged (too little cash): the proposal stands
            x.run(tick(T0 + 61_000));
          }
          expect(eventOf(x).status).toBe("resolved");
          for (const [id, account] of x.state.accounts)
            expect(account.cash.toFixed(), id).toBe(owed.get(id)!.toFixed());
          expect(eventOf(x).escrow.toFixed()).toBe("0");
          for (const m of MARKETS) expect(escrowOf(x, m)).toBe("0");
        },
      ),
      { numRuns: 80 },
    );
  });
});
