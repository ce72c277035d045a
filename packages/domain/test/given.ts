// The one given/when/then helper for deciders: given(events).when(command).then(events) | .thenRejects(code).
// Below it: command builders, `history` (a fixture built by running commands) and state readers for assertions.
import { expect } from "vitest";
import { canonicalJson } from "../src/canonical-json.js";
import { canonicalState } from "../src/canonical-state.js";
import type { Outcome, TickSize, TimeInForce } from "../src/codecs.js";
import type { LogCommand } from "../src/commands.js";
import { decideLogCommand } from "../src/decide.js";
import type { Event } from "../src/events.js";
import { evolveAll } from "../src/evolve.js";
import { invariantViolations } from "../src/invariants.js";
import { toAmountString } from "../src/money.js";
import type { RejectionCode } from "../src/rejection.js";
import { emptyPosition, initialState, type Position, type State } from "../src/state.js";

/** A command without its time stamp: `given` stamps it. */
export type CommandInput = LogCommand extends infer C
  ? C extends { at: number }
    ? Omit<C, "at"> & { at?: number }
    : never
  : never;

/** The sequencer's time used when a command does not say. */
export const AT = 1_730_000_000_000;

export interface Scenario {
  /** The events the decider produced; asserts they equal `expected` (a partial match on each event). */
  then(expected: Partial<Event>[]): { state: State; events: Event[] };
  /** Asserts the command is refused with `code`, and that the state was not touched. */
  thenRejects(code: RejectionCode): void;
  /** The raw decision and state, for tests that inspect more. */
  decide(): { state: State; events: Event[] };
}

/** Options of `given`: `everyEvent` also checks, for credit-layer tests, the money invariants after every single event. */
export interface GivenOptions {
  /**
   * Checks, besides the defaults, that `decide` leaves the credit layer alone too (pools, funds, leveraged positions,
   * backstop bids, auctions) and that the money invariants (`betweenCommands: false`) hold after every single event.
   */
  readonly everyEvent?: boolean;
}

export function given(history: Event[] = [], options: GivenOptions = {}) {
  const text = (state: State) =>
    options.everyEvent ? canonicalState(state) + creditStateText(state) : canonicalState(state);
  const apply = (state: State, events: Event[]) => {
    if (!options.everyEvent) return evolveAll(state, events);
    for (const event of events) {
      evolveAll(state, [event]);
      expect(invariantViolations(state, { betweenCommands: false }), `after ${event.type}`).toEqual([]);
    }
    return state;
  };
  return {
    when(input: CommandInput): Scenario {
      const command = { at: AT, ...input } as LogCommand;
      const state = evolveAll(initialState(), history);
      expect(invariantViolations(state), "the given history is sound").toEqual([]);
      const run = () => {
        const before = text(state);
        const decision = decideLogCommand(command, state);
        expect(text(state), "decide never changes the state").toBe(before);
        return decision;
      };
      return {
        // biome-ignore lint/suspicious/noThenProperty: `then` is the helper's given/when/then vocabulary; a Scenario is never awaited
        then(expected) {
          const decision = run();
          if (decision._tag === "Left")
            throw new Error(`expected events, got rejection ${JSON.stringify(decision.left)}`);
          // The risk mark's bookkeeping is compared only when the expected events name it (credit-mark.unit does).
          const namesMark = expected.some(
            (e) => e.type === "MarkUpdated" || e.type === "MarkIntervalStarted",
          );
          const compared = namesMark
            ? decision.right
            : decision.right.filter((e) => e.type !== "MarkUpdated" && e.type !== "MarkIntervalStarted");
          expect(compared).toHaveLength(expected.length);
          compared.forEach((event, i) => {
            expect(event).toMatchObject(expected[i]!);
          });
          apply(state, decision.right);
          expect(invariantViolations(state), "the state after the events is sound").toEqual([]);
          return { state, events: decision.right };
        },
        thenRejects(code) {
          const decision = run();
          if (decision._tag === "Right")
            throw new Error(`expected rejection ${code}, got ${JSON.stringify(decision.right)}`);
          expect(decision.left.code).toBe(code);
        },
        decide() {
          const decision = run();
          if (decision._tag === "Left") throw new Error(`rejected: ${JSON.stringify(decision.left)}`);
          apply(state, decision.right);
          return { state, events: decision.right };
        },
      };
    },
  };
}

/**
 * A fixture built by running commands: `start` followed by the events each command produced, in turn.
 * Throws when a command is rejected, so a fixture can only describe a history the decider accepts.
 */
export function history(start: Event[], ...commands: CommandInput[]): Event[] {
  const state = evolveAll(initialState(), start);
  const events = [...start];
  for (const input of commands) {
    const decision = decideLogCommand({ at: AT, ...input } as LogCommand, state);
    if (decision._tag === "Left")
      throw new Error(`fixture command rejected: ${JSON.stringify(decision.left)}`);
    evolveAll(state, decision.right);
    events.push(...decision.right);
  }
  return events;
}

/** The state a history folds to. */
export const stateOf = (events: Event[]): State => evolveAll(initialState(), events);

// ---- command builders ----

export interface OrderOptions {
  marketId?: string;
  clientOrderId?: string;
  timeInForce?: TimeInForce;
  postOnly?: boolean;
  leverage?: string;
}

/** A GTC, not post-only, 1x order on m1; the client order id defaults to one naming the order's terms. */
export function order(
  accountId: string,
  side: "buy" | "sell",
  outcome: Outcome,
  price: string,
  quantity: number | string,
  options: OrderOptions = {},
): CommandInput {
  const timeInForce = options.timeInForce ?? "GTC";
  return {
    type: "PlaceOrder",
    accountId,
    marketId: options.marketId ?? "m1",
    clientOrderId: options.clientOrderId ?? `${side}-${outcome}-${price}-${quantity}-${timeInForce}`,
    side,
    outcome,
    price,
    quantity: String(quantity),
    timeInForce,
    postOnly: options.postOnly ?? false,
    leverage: options.leverage ?? "1",
  };
}

export const buy = (
  accountId: string,
  outcome: Outcome,
  price: string,
  quantity: number | string,
  options?: OrderOptions,
) => order(accountId, "buy", outcome, price, quantity, options);
export const sell = (
  accountId: string,
  outcome: Outcome,
  price: string,
  quantity: number | string,
  options?: OrderOptions,
) => order(accountId, "sell", outcome, price, quantity, options);
export const cancel = (accountId: string, orderId: string): CommandInput => ({
  type: "CancelOrder",
  accountId,
  orderId,
});

// ---- event builders for fixtures ----

export const opened = (...accountIds: string[]): Event[] =>
  accountIds.map((accountId) => ({ type: "AccountOpened", accountId }));
export const deposited = (accountId: string, amount: string, reference = `d-${accountId}`): Event => ({
  type: "Deposited",
  accountId,
  amount,
  reference,
});
export const listed = (marketId: string, tickSize: TickSize = "0.01", takerFeeBps = 0): Event => ({
  type: "MarketListed",
  marketId,
  question: `Question of ${marketId}?`,
  tickSize,
  resolvesAt: "2030-01-01T00:00:00Z",
  takerFeeBps,
});

// ---- state readers (amounts as canonical strings, so expectations read as plain numbers) ----

export const cashOf = (state: State, accountId: string): string =>
  toAmountString(state.accounts.get(accountId)!.cash);
export const reservedOf = (state: State, accountId: string): string =>
  toAmountString(state.accounts.get(accountId)!.reserved);
/** The account's free and reserved shares of a market (zeros when it holds none). */
export const positionOf = (state: State, accountId: string, marketId = "m1"): Position => {
  const { yes, no, yesReserved, noReserved } =
    state.accounts.get(accountId)!.positions.get(marketId) ?? emptyPosition();
  return { yes, no, yesReserved, noReserved };
};
export const escrowOf = (state: State, marketId = "m1"): string =>
  toAmountString(state.markets.get(marketId)!.escrow);

/** Fixtures: histories named after their scenario. */
export const alice_and_bob_with_1000_each_and_market_m1: Event[] = [
  { type: "AccountOpened", accountId: "alice" },
  { type: "AccountOpened", accountId: "bob" },
  { type: "Deposited", accountId: "alice", amount: "1000", reference: "d-a" },
  { type: "Deposited", accountId: "bob", amount: "1000", reference: "d-b" },
  {
    type: "MarketListed",
    marketId: "m1",
    question: "Will it rain?",
    tickSize: "0.01",
    resolvesAt: "2030-01-01T00:00:00Z",
    takerFeeBps: 0,
  },
];

/** alice, bob and carol with 1000 each; m1 ticks 0.01 without fee. */
export const alice_bob_carol_with_1000_each_and_market_m1: Event[] = [
  ...opened("alice", "bob", "carol"),
  deposited("alice", "1000"),
  deposited("bob", "1000"),
  deposited("carol", "1000"),
  listed("m1"),
];

/** 10 YES at 0.60 minted: alice paid 6.00 for 10 YES, bob 4.00 for 10 NO; escrow 10; carol untouched with 1000. */
export const alice_long_10_yes_bob_long_10_no_at_060: Event[] = history(
  alice_bob_carol_with_1000_each_and_market_m1,
  buy("alice", "YES", "0.60", 10),
  buy("bob", "NO", "0.40", 10),
);

/**
 * The credit layer as text (`canonicalState` covers the settlement layer only): insurance funds, each market's
 * risk parameters, pool, insurance, leveraged positions (with the time their fees are paid up to), backstop bids and
 * auction state.
 */
export function creditStateText(state: State): string {
  const byKey = <V>(map: Map<string, V>): [string, V][] =>
    [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return canonicalJson({
    sharedInsurance: toAmountString(state.sharedInsurance),
    insuranceDeposits: toAmountString(state.totals.insuranceDeposits),
    markets: byKey(state.markets).map(([marketId, m]) => ({
      marketId,
      risk: { ...m.risk },
      insurance: toAmountString(m.insurance),
      pool: {
        cash: toAmountString(m.pool.cash),
        lent: toAmountString(m.pool.lent),
        shares: toAmountString(m.pool.shares),
        feesEarned: toAmountString(m.pool.feesEarned),
        losses: toAmountString(m.pool.losses),
        providers: byKey(m.pool.providers).map(([id, shares]) => [id, toAmountString(shares)]),
      },
      leveraged: [...m.leveraged.entries()].map(([key, p]) => ({
        key,
        shares: p.shares,
        sharesReserved: p.sharesReserved,
        loan: toAmountString(p.loan),
        feesOwed: toAmountString(p.feesOwed),
        marginPaid: toAmountString(p.marginPaid),
        status: p.status,
        deadline: p.deadline,
        paidUntil: p.paidUntil,
      })),
      backstops: byKey(m.backstops).map(([key, b]) => ({ key, ...b })),
      auctionUntil: m.auctionUntil,
      auctionOrders: [...m.auctionOrders],
    })),
  });
}
