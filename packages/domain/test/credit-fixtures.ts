// Credit-layer fixtures: a manual-clock exchange that decides and applies commands one by one, checking the money
// invariants after every single event and all of them after every command; readers of the credit state; and
// histories named after their scenario, for given(history).when(command).then(events).
import { expect } from "vitest";
import { canonicalState } from "../src/canonical-state.js";
import type { Outcome } from "../src/codecs.js";
import type { Command } from "../src/commands.js";
import { decide } from "../src/decide.js";
import type { Event, EventType } from "../src/events.js";
import { evolve } from "../src/evolve.js";
import { invariantViolations } from "../src/invariants.js";
import { type Money, toAmountString, ZERO } from "../src/money.js";
import type { Rejection } from "../src/rejection.js";
import { initialState, type LeveragedPosition, leveragedKey, type State } from "../src/state.js";
import { AT, type CommandInput, creditStateText, given } from "./given.js";

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** 2024-10-27T03:33:20Z (given's AT): the credit tests' clock starts here. */
export const T0 = AT;
/** Far from resolution: the time limit on leverage does not bind. */
export const FAR_RESOLUTION = "2030-01-01T00:00:00Z";

type ListMarketInput = Extract<CommandInput, { type: "ListMarket" }>;

/**
 * The extremity move these scenarios were written with (0.10: a 5x position at 0.50 is allowed). The default is 0.20,
 * the adverse jump the fee prices (2.5x at 0.50); its own tests are credit-jump-cap.unit's.
 */
export const EXTREMITY_010 = { extremityMove: "0.1" } as const;

/** A ListMarket command on tick 0.01 without taker fee, resolving far away, with EXTREMITY_010 and otherwise the default risk parameters unless overridden. */
export const listMarket = (marketId: string, overrides: Partial<ListMarketInput> = {}): CommandInput => ({
  type: "ListMarket",
  marketId,
  question: `Will ${marketId} resolve YES?`,
  tickSize: "0.01",
  resolvesAt: FAR_RESOLUTION,
  ...EXTREMITY_010,
  ...overrides,
});

/** A PlaceOrder command; GTC 1x unless told otherwise; the client order id names the order's terms. */
export function place(
  accountId: string,
  side: "buy" | "sell",
  outcome: Outcome,
  price: string,
  quantity: number,
  options: {
    marketId?: string;
    timeInForce?: "GTC" | "IOC" | "FOK";
    leverage?: string;
    clientOrderId?: string;
  } = {},
): CommandInput {
  const timeInForce = options.timeInForce ?? "GTC";
  const leverage = options.leverage ?? "1";
  return {
    type: "PlaceOrder",
    accountId,
    marketId: options.marketId ?? "m1",
    clientOrderId:
      options.clientOrderId ?? `${side}-${outcome}-${price}-${quantity}-${timeInForce}-${leverage}`,
    side,
    outcome,
    price,
    quantity: String(quantity),
    timeInForce,
    postOnly: false,
    leverage,
  };
}

/** A leveraged IOC buy. */
export const leveragedBuy = (
  accountId: string,
  outcome: Outcome,
  price: string,
  quantity: number,
  leverage: string,
  options: { marketId?: string; timeInForce?: "IOC" | "FOK"; clientOrderId?: string } = {},
): CommandInput =>
  place(accountId, "buy", outcome, price, quantity, { timeInForce: "IOC", ...options, leverage });

export const mark = (price: string, marketId = "m1"): CommandInput => ({
  type: "SetMarkPrice",
  marketId,
  price,
});
export const tick = (at: number): CommandInput => ({ type: "Tick", at });

/**
 * An exchange driven by explicit times (a manual clock). Every accepted command is recorded with its events;
 * `decide` is checked never to change the state (the whole of it, credit layer included), every money invariant
 * after every single event, and every invariant after every command.
 */
export class CreditExchange {
  readonly state: State = initialState();
  /** Every command sent (accepted or not), stamped with its time, in order. */
  readonly commands: Command[] = [];
  /** Every event, in order. */
  readonly events: Event[] = [];
  /** Per event: the index of the command that produced it. */
  readonly causes: number[] = [];
  now: number;

  constructor(start: number = T0) {
    this.now = start;
  }

  /** Moves the clock (never backwards). */
  at(ms: number): this {
    if (ms < this.now) throw new Error(`the clock goes forward only: ${ms} < ${this.now}`);
    this.now = ms;
    return this;
  }

  advance(ms: number): this {
    return this.at(this.now + ms);
  }

  /** Decides the command (at its own `at`, else now) and applies its events; a rejection is returned, not thrown. */
  attempt(input: CommandInput): { events: Event[] } | { rejection: Rejection } {
    const command = { at: this.now, ...input } as Command;
    if (command.at > this.now) this.now = command.at;
    const before = snapshot(this.state);
    const decision = decide(command, this.state);
    const after = snapshot(this.state);
    if (after !== before) expect(after, `decide(${command.type}) changed the state`).toBe(before);
    this.commands.push(command);
    if (decision._tag === "Left") return { rejection: decision.left };
    for (const event of decision.right) {
      evolve(this.state, event);
      this.events.push(event);
      this.causes.push(this.commands.length - 1);
      const problems = invariantViolations(this.state, { betweenCommands: false });
      if (problems.length > 0) expect(problems, `after ${event.type} of ${command.type}`).toEqual([]);
    }
    const problems = invariantViolations(this.state);
    if (problems.length > 0) expect(problems, `after ${command.type}`).toEqual([]);
    return { events: decision.right };
  }

  /** Like `attempt`, but a rejection fails the test. */
  run(input: CommandInput): Event[] {
    const result = this.attempt(input);
    if ("rejection" in result) throw new Error(`${input.type} rejected: ${JSON.stringify(result.rejection)}`);
    return result.events;
  }

  /** Runs each command in turn. */
  runAll(...inputs: CommandInput[]): Event[] {
    return inputs.flatMap((input) => this.run(input));
  }

  /** The rejection code of a command expected to be refused. */
  rejects(input: CommandInput): string {
    const result = this.attempt(input);
    if (!("rejection" in result))
      throw new Error(`${input.type} accepted: ${result.events.map((e) => e.type).join(", ")}`);
    return result.rejection.code;
  }

  /** Opens the accounts and deposits `amount` into each. */
  fund(amount: string, ...accountIds: string[]): this {
    for (const accountId of accountIds) {
      this.run({ type: "OpenAccount", accountId });
      this.run({ type: "Deposit", accountId, amount, reference: `initial-${accountId}` });
    }
    return this;
  }

  /** The events so far (a history for `given`). */
  history(): Event[] {
    return [...this.events];
  }
}

/**
 * given(the exchange's history).when(command), the command stamped with the exchange's clock unless it says
 * otherwise, with the credit-layer checks on (every event sound, decide leaves the whole state alone).
 */
export const givenExchange = (x: CreditExchange) => ({
  when: (input: CommandInput) =>
    given(x.history(), { everyEvent: true }).when({ at: x.now, ...input } as CommandInput),
});

/** The whole state as text: the settlement layer's canonical form plus the credit layer. */
export const snapshot = (state: State): string => canonicalState(state) + creditStateText(state);

// ---- readers (amounts as canonical strings) ----

export const amount = (value: Money): string => toAmountString(value);

export function leveragedOf(
  state: State,
  accountId: string,
  outcome: Outcome,
  marketId = "m1",
): LeveragedPosition | undefined {
  return state.markets.get(marketId)!.leveraged.get(leveragedKey(accountId, outcome));
}

export const loanOf = (state: State, accountId: string, outcome: Outcome, marketId = "m1"): string =>
  toAmountString(leveragedOf(state, accountId, outcome, marketId)?.loan ?? ZERO);

export const poolOf = (state: State, marketId = "m1") => {
  const pool = state.markets.get(marketId)!.pool;
  return {
    cash: toAmountString(pool.cash),
    lent: toAmountString(pool.lent),
    shares: toAmountString(pool.shares),
    feesEarned: toAmountString(pool.feesEarned),
    losses: toAmountString(pool.losses),
  };
};

export const insuranceOf = (state: State, marketId = "m1"): string =>
  toAmountString(state.markets.get(marketId)!.insurance);
export const sharedInsuranceOf = (state: State): string => toAmountString(state.sharedInsurance);

/** The events of the given types, in order. */
export const ofType = <T extends EventType>(
  events: readonly Event[],
  ...types: T[]
): Extract<Event, { type: T }>[] =>
  events.filter((e): e is Extract<Event, { type: T }> => (types as string[]).includes(e.type));

/** The event types, in order (for sequence assertions). */
/** The types of a decision's events, without the risk mark's bookkeeping (MarkIntervalStarted, MarkUpdated: credit-mark.unit's). */
export const typesOf = (events: readonly Event[]): string[] =>
  events.filter((e) => e.type !== "MarkUpdated" && e.type !== "MarkIntervalStarted").map((e) => e.type);

/** Does any event name this account as the holder of a leveraged position, a liquidation or a haircut? */
export function namesAccount(event: Event, accountId: string): boolean {
  switch (event.type) {
    case "LiquidationStarted":
    case "MarginCalled":
    case "FundingAccrued":
    case "LoanOpened":
    case "BadDebtRecorded":
    case "LiquidationPenaltyCharged":
      return event.accountId === accountId;
    case "LossSocialized":
      return (
        event.accountId === accountId ||
        event.haircuts.some((h) => h.accountId === accountId && h.amount !== "0")
      );
    case "PositionTransferred":
      return event.fromAccountId === accountId;
    default:
      return false;
  }
}

// ---- scenarios ----

/** Risk parameter overrides of a ListMarket command. */
export type RiskOverrides = Partial<Omit<ListMarketInput, "type" | "marketId" | "question">>;

/**
 * No jump-risk fee at all (no jump intensity, no utilization charge; resolution is far): for tests about other
 * things, so that loans stay round numbers. The fee itself is guarantee 8's (credit-funding.unit.test.ts).
 */
export const FEE_FREE: RiskOverrides = { jumpIntensityPerDay: "0", utilizationChargePerDay: "0" };

/**
 * No liquidation delay: near-zero equity is liquidated at the first sweep. The scenarios built on m1 are about what
 * a liquidation does once it starts; the delay (and the robust mark that feeds it) is credit-mark.unit's.
 */
export const LIQUIDATE_AT_ONCE: RiskOverrides = { liquidationDelaySeconds: 0 };

/**
 * m1 (tick 0.01, no taker fee, far resolution, default risk parameters unless overridden) at mark 0.50; lp
 * supplied 1000 to its pool; mm and mm2 (10 000 each) make the market; alice, bob and carol (1000 each) trade;
 * the insurance funds are empty.
 */
export function market_m1_at_050_with_pool_1000(risk: RiskOverrides = {}): CreditExchange {
  const x = new CreditExchange(T0);
  x.fund("10000", "mm", "mm2", "lp");
  x.fund("1000", "alice", "bob", "carol");
  x.run(listMarket("m1", { ...LIQUIDATE_AT_ONCE, ...risk }));
  x.run({ type: "SupplyPool", accountId: "lp", marketId: "m1", amount: "1000", reference: "s-1" });
  x.run(mark("0.5"));
  return x;
}

/**
 * alice_long_100_yes_at_050_5x: on market_m1_at_050_with_pool_1000, mm bids 100 NO at 0.50 and alice buys 100 YES
 * at 0.50 with 5x (IOC): cost 50, loan 40, margin 10; a MINT, so mm holds 100 NO at 1x. With the default
 * parameters the first hour's fee, 0.026564, is charged at once (in advance): the loan is then 40.026564.
 * FEE_FREE: the loan stays 40, the liquidation price is 40 / (100 × 0.95) = 0.421053, bankruptcy 0.40.
 */
export function alice_long_100_yes_at_050_5x(risk: RiskOverrides = {}): CreditExchange {
  const x = market_m1_at_050_with_pool_1000(risk);
  x.run(place("mm", "buy", "NO", "0.5", 100));
  x.run(leveragedBuy("alice", "YES", "0.5", 100, "5"));
  return x;
}

/**
 * a_credit_day_on_m1: every path of the credit layer on one market, with rejected commands among them — supply,
 * a redemption refused while lent out, insurance deposits and a retry, leveraged buys (one refused), hourly fees,
 * a margin call cleared by added margin, a jump into an auction with collected orders, liquidations after it (a
 * backstop transfer short of the loan: bad debt down the waterfall), a new leveraged buy, a withdrawal, the
 * resolution (pledged shares redeemed) and the LP's redemption.
 */
export function a_credit_day_on_m1(): CreditExchange {
  const x = alice_long_100_yes_at_050_5x();
  const attempts: CommandInput[] = [
    { type: "DepositInsurance", fundId: "market:m1", amount: "3", reference: "seed" },
    { type: "DepositInsurance", fundId: "market:m1", amount: "3", reference: "seed" }, // a retry: no events
    { type: "DepositInsurance", fundId: "shared", amount: "2", reference: "seed" },
    { type: "RedeemPool", accountId: "lp", marketId: "m1", shares: "1000", reference: "r-1" }, // POOL_CASH_LENT_OUT
    place("mm2", "buy", "NO", "0.5", 100),
    leveragedBuy("bob", "YES", "0.5", 100, "2"),
    leveragedBuy("carol", "YES", "0.5", 10, "9"), // LEVERAGE_TOO_HIGH
  ];
  for (const input of attempts) x.attempt(input);
  for (let h = 1; h <= 3; h++) x.run(tick(T0 + h * HOUR));
  x.attempt(mark("0.42")); // alice called
  x.attempt({
    type: "AddMargin",
    accountId: "alice",
    marketId: "m1",
    outcome: "YES",
    amount: "5",
    reference: "am-1",
  });
  x.attempt(place("mm2", "buy", "YES", "0.25", 100, { clientOrderId: "bids" }));
  x.attempt({
    type: "SetBackstopBid",
    accountId: "carol",
    marketId: "m1",
    outcome: "YES",
    price: "0.3",
    maxShares: "100",
  });
  x.attempt(mark("0.38"));
  x.attempt(mark("0.2")); // a jump: an auction; alice's and bob's liquidations wait for it
  x.advance(MINUTE);
  x.attempt(place("mm", "sell", "NO", "0.79", 20)); // collected (mm holds NO)
  x.attempt(place("mm2", "buy", "NO", "0.8", 10, { clientOrderId: "auction-bid" }));
  x.attempt(place("mm2", "buy", "NO", "0.8", 10, { timeInForce: "IOC", clientOrderId: "auction-ioc" })); // MARKET_IN_AUCTION
  x.run(tick(x.now + 5 * MINUTE));
  x.attempt(place("mm2", "buy", "NO", "0.8", 50, { clientOrderId: "after" }));
  x.attempt(leveragedBuy("bob", "YES", "0.2", 20, "2")); // alive at the resolution
  x.attempt({ type: "Withdraw", accountId: "carol", amount: "10", reference: "w-1" });
  x.attempt({ type: "ResolveMarket", marketId: "m1", outcome: "NO" });
  x.attempt({ type: "RedeemPool", accountId: "lp", marketId: "m1", shares: "1000", reference: "r-2" });
  return x;
}
