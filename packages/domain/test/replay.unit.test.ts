// Replay and determinism: folding the log from scratch gives the state built command by command, and deciding the
// same commands again on a fresh state gives the same events, byte for byte.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../src/canonical-json.js";
import { canonicalState } from "../src/canonical-state.js";
import type { Command } from "../src/commands.js";
import { decide } from "../src/decide.js";
import { Event } from "../src/events.js";
import { evolveAll } from "../src/evolve.js";
import { invariantViolations } from "../src/invariants.js";
import { initialState } from "../src/state.js";
import { AT, buy, type CommandInput, cancel, sell } from "./given.js";
import { drive, scenarioArbitrary } from "./model.js";

/**
 * A day on two markets: accounts and deposits, every fill kind, IOC / FOK / post-only, self-trade prevention,
 * a cancel, a halt and a resume, marks, a withdrawal, some rejected commands, and both markets resolved.
 */
const a_day_on_two_markets: CommandInput[] = [
  { type: "OpenAccount", accountId: "alice" },
  { type: "OpenAccount", accountId: "bob" },
  { type: "OpenAccount", accountId: "carol" },
  { type: "OpenAccount", accountId: "alice" }, // ACCOUNT_EXISTS
  { type: "Deposit", accountId: "alice", amount: "1000", reference: "d-1" },
  { type: "Deposit", accountId: "bob", amount: "500.5", reference: "d-1" },
  { type: "Deposit", accountId: "carol", amount: "250.123456", reference: "d-1" },
  { type: "Deposit", accountId: "carol", amount: "250.123456", reference: "d-1" }, // a retry: no events
  {
    type: "ListMarket",
    marketId: "rain",
    question: "Rain tomorrow?",
    tickSize: "0.01",
    resolvesAt: "2030-01-01T00:00:00Z",
  },
  {
    type: "ListMarket",
    marketId: "fed",
    question: "Rate cut?",
    tickSize: "0.001",
    resolvesAt: "2030-06-01T00:00:00Z",
    takerFeeBps: 25,
    auctionDurationSeconds: 1,
  },
  buy("alice", "YES", "0.60", 10, { marketId: "rain" }), // o-1 rests
  buy("bob", "NO", "0.40", 15, { marketId: "rain" }), // o-2: MINT 10 at 0.60, 5 rest (an ask at YES 0.60)
  sell("alice", "YES", "0.70", 4, { marketId: "rain" }), // o-3 rests
  buy("carol", "YES", "0.75", 10, { marketId: "rain", timeInForce: "IOC" }), // o-4: MINT 5, TRANSFER 4, 1 IOC_REMAINDER
  buy("carol", "YES", "0.90", 50, { marketId: "rain", timeInForce: "FOK" }), // o-5: FOK_NOT_FILLABLE
  sell("bob", "NO", "0.35", 5, { marketId: "rain", postOnly: true }), // o-6 rests: a bid at YES 0.65
  sell("alice", "YES", "0.60", 6, { marketId: "rain" }), // o-7: MERGE 5 at YES 0.65 with bob, 1 rests
  buy("alice", "YES", "0.50", 3, { marketId: "rain", postOnly: true }), // o-8 rests
  buy("alice", "NO", "0.50", 3, { marketId: "rain" }), // o-9: SELF_TRADE removes o-8, then rests
  cancel("bob", "o-9"), // NOT_ORDER_OWNER
  { type: "SetMarkPrice", marketId: "rain", price: "0.58" },
  buy("alice", "YES", "0.333", 3, { marketId: "fed", clientOrderId: "f-1" }),
  buy("bob", "NO", "0.667", 3, { marketId: "fed" }), // MINT with a rounded fee
  { type: "HaltMarket", marketId: "fed" },
  buy("carol", "NO", "0.5", 1, { marketId: "fed" }), // MARKET_NOT_OPEN
  { type: "ResumeMarket", marketId: "fed" }, // reopens with a 1 s call auction
  { type: "Tick" }, // 1 s later: the (empty) auction uncrosses, continuous trading again
  sell("alice", "YES", "0.4", 2, { marketId: "fed" }),
  buy("carol", "YES", "0.41", 2, { marketId: "fed", clientOrderId: "f-2" }), // TRANSFER with fee
  buy("carol", "YES", "0.41", 2, { marketId: "fed", clientOrderId: "f-2" }), // the same again: no events
  cancel("alice", "o-9"), // USER
  { type: "Withdraw", accountId: "carol", amount: "100", reference: "w-1" },
  { type: "Withdraw", accountId: "carol", amount: "100000", reference: "w-2" }, // INSUFFICIENT_FUNDS
  { type: "ResolveMarket", marketId: "rain", outcome: "YES" },
  { type: "ResolveMarket", marketId: "fed", outcome: "INVALID" },
  { type: "ResolveMarket", marketId: "fed", outcome: "NO" }, // MARKET_RESOLVED
];

interface Recorded {
  events: Event[];
  /** canonicalState after each command. */
  states: string[];
  /** The events of each command, or its rejection code. */
  decisions: (Event[] | string)[];
}

function record(commands: Command[]): Recorded {
  const state = initialState();
  const recorded: Recorded = { events: [], states: [], decisions: [] };
  for (const command of commands) {
    const decision = decide(command, state);
    if (decision._tag === "Left") recorded.decisions.push(decision.left.code);
    else {
      evolveAll(state, decision.right);
      recorded.events.push(...decision.right);
      recorded.decisions.push(decision.right);
    }
    recorded.states.push(canonicalState(state));
  }
  return recorded;
}

const stamped = (inputs: CommandInput[]): Command[] =>
  inputs.map((c, i) => ({ at: AT + i * 1000, ...c }) as Command);

describe("replay of a day on two markets", () => {
  const commands = stamped(a_day_on_two_markets);
  const recorded = record(commands);

  it("given the scripted day, when it is decided, then it produces trades of every kind and the expected rejections", () => {
    const kinds = recorded.events.flatMap((e) => (e.type === "TradeExecuted" ? [e.kind] : []));
    expect(kinds).toEqual(["MINT", "MINT", "TRANSFER", "MERGE", "MINT", "TRANSFER"]);
    const reasons = recorded.events.flatMap((e) => (e.type === "OrderCancelled" ? [e.reason] : []));
    expect(reasons).toEqual(["IOC_REMAINDER", "FOK_NOT_FILLABLE", "SELF_TRADE", "USER", "MARKET_RESOLVED"]);
    expect(recorded.decisions.filter((d): d is string => typeof d === "string")).toEqual([
      "ACCOUNT_EXISTS",
      "NOT_ORDER_OWNER",
      "MARKET_NOT_OPEN",
      "INSUFFICIENT_FUNDS",
      "MARKET_RESOLVED",
    ]);
    expect(recorded.decisions.filter((d) => Array.isArray(d) && d.length === 0)).toHaveLength(2); // two retries
  });

  it("given the day's events, when they are replayed on an initial state, then the state equals the one built incrementally", () => {
    const replayed = evolveAll(initialState(), recorded.events);
    expect(canonicalState(replayed)).toBe(recorded.states.at(-1));
    expect(invariantViolations(replayed)).toEqual([]);
  });

  it("given the day's events, when replayed batch by batch, then the state after each command matches", () => {
    const state = initialState();
    recorded.decisions.forEach((decision, i) => {
      if (Array.isArray(decision)) evolveAll(state, decision);
      expect(canonicalState(state), `after command ${i} (${commands[i]!.type})`).toBe(recorded.states[i]);
    });
  });

  it("given the day's events written to JSON and read back through the Event codec, when replayed, then the same state", () => {
    const wire = JSON.stringify(recorded.events);
    const decoded = (JSON.parse(wire) as unknown[]).map((raw) => {
      const result = Event.decode(raw);
      if (result._tag === "Left") throw new Error(`event does not decode: ${JSON.stringify(raw)}`);
      return result.right;
    });
    expect(canonicalState(evolveAll(initialState(), decoded))).toBe(recorded.states.at(-1));
  });

  it("given the same commands, when they are decided again on a fresh state, then the events are identical (determinism)", () => {
    const again = record(commands);
    expect(canonicalJson(again.events)).toBe(canonicalJson(recorded.events));
    expect(again.decisions).toEqual(recorded.decisions);
    expect(again.states).toEqual(recorded.states);
  });

  it("given a state, when the same command is decided twice, then both decisions are equal and the state is untouched", () => {
    const state = evolveAll(initialState(), recorded.events.slice(0, 30));
    const before = canonicalState(state);
    const command = { at: AT, ...buy("carol", "NO", "0.3", 2, { marketId: "rain" }) } as Command;
    expect(decide(command, state)).toEqual(decide(command, state));
    expect(canonicalState(state)).toBe(before);
  });
});

describe("replay of random traffic", () => {
  it("given random command sequences, when their events are replayed and their commands re-decided, then the same state and the same events", () => {
    fc.assert(
      fc.property(scenarioArbitrary(120), (scenario) => {
        const run = drive(scenario, { check: false });
        expect(canonicalState(evolveAll(initialState(), run.events))).toBe(canonicalState(run.state));
        const again = drive(scenario, { check: false });
        expect(canonicalJson(again.events)).toBe(canonicalJson(run.events));
        expect(again.decisions).toEqual(run.decisions);
        // re-deciding the recorded commands themselves (as `replay --verify` does) reproduces the log
        expect(canonicalJson(record(run.commands).events)).toBe(canonicalJson(run.events));
      }),
      { numRuns: 30 },
    );
  }, 60_000);
});
