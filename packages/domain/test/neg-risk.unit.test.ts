// Issue 15: events of several mutually exclusive outcomes. Converting NO of k outcomes gives (k − 1) × q collateral
// and q YES of every other outcome; the event's escrow backs the converted YES of whichever outcome wins.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Event } from "../src/events.js";
import { money } from "../src/money.js";
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

  it("INVALID before any conversion pays 0.5 a share everywhere; after one it is refused (EVENT_CONVERTED), as is resolving one market alone", () => {
    const x = alice_holds_10_no_of_each_of_four_outcomes();
    expect(x.rejects({ type: "ResolveMarket", marketId: "a", outcome: "YES" })).toBe("EVENT_MARKET");
    expect(x.rejects({ type: "ResolveEvent", eventId: "pres" })).toBe("INVALID_EVENT");
    expect(x.rejects({ type: "ResolveEvent", eventId: "pres", winner: "zz" })).toBe("INVALID_EVENT");
    const converted = alice_holds_10_no_of_each_of_four_outcomes();
    converted.run(convert("alice", ["a"], 1));
    expect(converted.rejects({ type: "ResolveEvent", eventId: "pres", outcome: "INVALID" })).toBe(
      "EVENT_CONVERTED",
    );
    const alice = cashOf(x.state, "alice");
    x.run({ type: "ResolveEvent", eventId: "pres", outcome: "INVALID" });
    expect(cashOf(x.state, "alice")).toBe(plus(alice, 4 * 5));
  });
});

describe("property: orders on every outcome, conversions and a resolution", () => {
  it("keep the solvency identity after every event and pay exactly 1 per winning share", () => {
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
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 5, maxLength: 40 }),
        fc.constantFrom(...MARKETS),
        (steps, winner) => {
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
          const owed = new Map<string, string>();
          for (const [id, account] of x.state.accounts) {
            let n = 0;
            for (const m of MARKETS) {
              const p = account.positions.get(m);
              if (!p) continue;
              n += m === winner ? p.yes + p.yesReserved : p.no + p.noReserved;
            }
            owed.set(id, account.cash.plus(account.reserved).plus(n).toFixed());
          }
          x.run({ type: "ResolveEvent", eventId: "pres", winner });
          for (const [id, account] of x.state.accounts) expect(account.cash.toFixed(), id).toBe(owed.get(id));
          expect(eventOf(x).escrow.toFixed()).toBe("0");
          for (const m of MARKETS) expect(escrowOf(x, m)).toBe("0");
        },
      ),
      { numRuns: 60 },
    );
  });
});
