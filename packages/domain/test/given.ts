// The one given/when/then helper for deciders: given(events).when(command).then(events) | .thenRejects(code).
import { expect } from "vitest";
import type { Command } from "../src/commands.js";
import { decide } from "../src/decide.js";
import type { Event } from "../src/events.js";
import { evolveAll } from "../src/evolve.js";
import { invariantViolations } from "../src/invariants.js";
import { canonicalState } from "../src/canonical-state.js";
import type { RejectionCode } from "../src/rejection.js";
import { initialState, type State } from "../src/state.js";

type CommandInput = Command extends infer C ? (C extends { at: number } ? Omit<C, "at"> & { at?: number } : never) : never;

export interface Scenario {
  /** The events the decider produced; asserts they equal `expected` (a partial match on each event). */
  then(expected: Partial<Event>[]): { state: State; events: Event[] };
  /** Asserts the command is refused with `code`, and that the state was not touched. */
  thenRejects(code: RejectionCode): void;
  /** The raw decision and state, for tests that inspect more. */
  decide(): { state: State; events: Event[] };
}

export function given(history: Event[] = []) {
  return {
    when(input: CommandInput): Scenario {
      const command = { at: 1_730_000_000_000, ...input } as Command;
      const state = evolveAll(initialState(), history);
      expect(invariantViolations(state), "the given history is sound").toEqual([]);
      const run = () => {
        const before = canonicalState(state);
        const decision = decide(command, state);
        expect(canonicalState(state), "decide never changes the state").toBe(before);
        return decision;
      };
      return {
        then(expected) {
          const decision = run();
          if (decision._tag === "Left") throw new Error(`expected events, got rejection ${JSON.stringify(decision.left)}`);
          expect(decision.right).toHaveLength(expected.length);
          decision.right.forEach((event, i) => expect(event).toMatchObject(expected[i]!));
          evolveAll(state, decision.right);
          expect(invariantViolations(state), "the state after the events is sound").toEqual([]);
          return { state, events: decision.right };
        },
        thenRejects(code) {
          const decision = run();
          if (decision._tag === "Right") throw new Error(`expected rejection ${code}, got ${JSON.stringify(decision.right)}`);
          expect(decision.left.code).toBe(code);
        },
        decide() {
          const decision = run();
          if (decision._tag === "Left") throw new Error(`rejected: ${JSON.stringify(decision.left)}`);
          evolveAll(state, decision.right);
          return { state, events: decision.right };
        },
      };
    },
  };
}

/** Fixtures: histories named after their scenario. */
export const alice_and_bob_with_1000_each_and_market_m1: Event[] = [
  { type: "AccountOpened", accountId: "alice" },
  { type: "AccountOpened", accountId: "bob" },
  { type: "Deposited", accountId: "alice", amount: "1000", reference: "d-a" },
  { type: "Deposited", accountId: "bob", amount: "1000", reference: "d-b" },
  { type: "MarketListed", marketId: "m1", question: "Will it rain?", tickSize: "0.01", resolvesAt: "2030-01-01T00:00:00Z", takerFeeBps: 0 },
];
