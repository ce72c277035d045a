// A model of exchange traffic for the property and replay tests: generated steps, resolved against the current
// state into mostly valid commands (deposit before buying, sell only shares held, cancel orders that exist), and a
// driver that decides and evolves them, optionally checking every invariant after every single event.
import fc from "fast-check";
import { expect } from "vitest";
import { canonicalState } from "../src/canonical-state.js";
import type { Outcome, Resolution, TickSize, TimeInForce } from "../src/codecs.js";
import type { Command } from "../src/commands.js";
import { decide } from "../src/decide.js";
import { Event } from "../src/events.js";
import { evolve } from "../src/evolve.js";
import { invariantViolations } from "../src/invariants.js";
import { ceil6, type Money, money, toAmountString, ZERO } from "../src/money.js";
import type { RejectionCode } from "../src/rejection.js";
import { initialState, type State, TICKS_PER_UNIT } from "../src/state.js";

/** Seven accounts open at the start; "a7" only when a step opens it. */
export const ACCOUNTS = ["a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7"] as const;
const OPEN_AT_START = 7;

export interface MarketSpec {
  readonly marketId: string;
  readonly tickSize: TickSize;
  readonly takerFeeBps: number;
}
/** Three markets listed at the start (each tick size, different fees); "m-late" only when a step lists it. */
export const MARKETS: readonly MarketSpec[] = [
  { marketId: "m-cent", tickSize: "0.01", takerFeeBps: 0 },
  { marketId: "m-milli", tickSize: "0.001", takerFeeBps: 25 },
  { marketId: "m-basis", tickSize: "0.0001", takerFeeBps: 100 },
  { marketId: "m-late", tickSize: "0.01", takerFeeBps: 1000 },
];
const LISTED_AT_START = 3;

export type Step =
  | { kind: "open"; account: number }
  | { kind: "deposit"; account: number; micros: number; ref: number }
  | { kind: "withdraw"; account: number; perMille: number; ref: number }
  | { kind: "list"; market: number }
  | { kind: "halt" | "resume"; market: number }
  | { kind: "mark"; market: number; tenThousandths: number }
  | { kind: "resolve"; market: number; outcome: Resolution }
  | {
      kind: "order";
      account: number;
      market: number;
      side: "buy" | "sell";
      outcome: Outcome;
      /** Cents away from 0.50 (−6..6) plus a finer offset, or anywhere in (0, 1) when `anywhere` is set. */
      cents: number;
      fine: number;
      anywhere: number | null;
      /** Priced to cross the best opposite order by `cents` (when there is one), so that trades are frequent. */
      aggressive: boolean;
      quantity: number;
      timeInForce: TimeInForce;
      postOnly: boolean;
      clientOrder: number;
      /** 0..9 and 11 make one field invalid, 10 skips the funds / shares cap (see `orderCommand`); the rest are well formed. */
      oddity: number;
    }
  | { kind: "cancel"; pick: number; byOwner: boolean; openOnly: boolean }
  | { kind: "retry"; pick: number };

export interface Scenario {
  /** The first deposit of each of the seven starting accounts, in millionths. */
  readonly initialMicros: number[];
  readonly steps: Step[];
  /** How each market still open at the end resolves (every run ends with its books full of orders settled). */
  readonly finalOutcomes: Resolution[];
}

// Mostly the accounts and markets that exist from the start; now and then the late ones (maybe not there yet).
const account = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 0, max: OPEN_AT_START - 1 }) },
  fc.constant(OPEN_AT_START),
);
const market = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: LISTED_AT_START - 1 }) },
  fc.constant(LISTED_AT_START),
);

// Unbiased: fast-check's bias towards the smallest values would put every price at the bottom of its range
// (so that buys of YES and of NO never cross), make most orders an oddity and most deposits tiny.
export const stepArbitrary: fc.Arbitrary<Step> = fc.noBias(
  fc.oneof(
    {
      weight: 65,
      arbitrary: fc.record({
        kind: fc.constant("order" as const),
        account,
        market,
        side: fc.constantFrom("buy" as const, "sell" as const),
        outcome: fc.constantFrom("YES" as const, "NO" as const),
        cents: fc.integer({ min: -6, max: 6 }),
        fine: fc.integer({ min: 0, max: 99 }),
        anywhere: fc.oneof({ weight: 10, arbitrary: fc.constant(null) }, fc.integer({ min: 1, max: 9999 })),
        aggressive: fc.integer({ min: 0, max: 9 }).map((n) => n < 4),
        quantity: fc.oneof(
          { weight: 5, arbitrary: fc.integer({ min: 1, max: 20 }) },
          fc.integer({ min: 21, max: 400 }),
        ),
        timeInForce: fc.constantFrom<TimeInForce>("GTC", "GTC", "GTC", "GTC", "IOC", "FOK"),
        postOnly: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
        clientOrder: fc.integer({ min: 0, max: 40 }),
        oddity: fc.integer({ min: 0, max: 119 }),
      }),
    },
    {
      weight: 12,
      arbitrary: fc.record({
        kind: fc.constant("cancel" as const),
        pick: fc.nat(),
        byOwner: fc.integer({ min: 0, max: 5 }).map((n) => n > 0),
        openOnly: fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
      }),
    },
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant("deposit" as const),
        account,
        micros: fc.integer({ min: 1, max: 2_000_000_000 }),
        ref: fc.integer({ min: 0, max: 7 }),
      }),
    },
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant("withdraw" as const),
        account,
        // mostly a small part of the free cash (so that traders keep trading), sometimes all of it or more
        perMille: fc.oneof(
          { weight: 9, arbitrary: fc.integer({ min: 0, max: 300 }) },
          fc.integer({ min: 900, max: 1300 }),
        ),
        ref: fc.integer({ min: 0, max: 7 }),
      }),
    },
    { weight: 5, arbitrary: fc.record({ kind: fc.constant("retry" as const), pick: fc.nat() }) },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant("mark" as const),
        market,
        tenThousandths: fc.oneof(
          { weight: 10, arbitrary: fc.integer({ min: 1, max: 9999 }) },
          fc.constantFrom(0, 10000),
        ),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("halt" as const), market }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("resume" as const), market }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("resolve" as const),
        market,
        outcome: fc.constantFrom<Resolution>("YES", "NO", "INVALID"),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("list" as const), market }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("open" as const), account }) },
  ),
);

export const scenarioArbitrary = (maxSteps: number): fc.Arbitrary<Scenario> =>
  fc.record({
    initialMicros: fc.array(fc.noBias(fc.integer({ min: 1_000_000, max: 3_000_000_000 })), {
      minLength: OPEN_AT_START,
      maxLength: OPEN_AT_START,
    }),
    steps: fc.array(stepArbitrary, { minLength: Math.min(40, maxSteps), maxLength: maxSteps, size: "max" }),
    finalOutcomes: fc.array(fc.constantFrom<Resolution>("YES", "NO", "INVALID"), {
      minLength: MARKETS.length,
      maxLength: MARKETS.length,
    }),
  });

const BASE_TIME = 1_730_000_000_000;
const amountOfMicros = (micros: number): string => toAmountString(money(micros).div(1_000_000));

function listing(spec: MarketSpec): Command {
  return {
    type: "ListMarket",
    at: BASE_TIME,
    marketId: spec.marketId,
    question: `Will ${spec.marketId} resolve YES?`,
    tickSize: spec.tickSize,
    resolvesAt: "2030-01-01T00:00:00Z",
    takerFeeBps: spec.takerFeeBps,
  };
}

/** The fixed start: seven accounts with a first deposit each, three markets. */
export function setupCommands(scenario: Scenario): Command[] {
  const commands: Command[] = [];
  for (let i = 0; i < OPEN_AT_START; i++)
    commands.push({ type: "OpenAccount", at: BASE_TIME, accountId: ACCOUNTS[i]! });
  scenario.initialMicros.forEach((micros, i) => {
    const accountId = ACCOUNTS[i]!;
    commands.push({
      type: "Deposit",
      at: BASE_TIME,
      accountId,
      amount: amountOfMicros(micros),
      reference: "initial",
    });
  });
  for (const spec of MARKETS.slice(0, LISTED_AT_START)) commands.push(listing(spec));
  return commands;
}

/** The largest quantity whose up-front need (limit cost + fee) fits in `cash`; 0 when none does. */
function affordable(cash: Money, priceTicks: number, ticks: number, feeBps: number): number {
  const perShare = money(priceTicks).div(ticks);
  let q = cash
    .div(perShare.times(1 + feeBps / 10000))
    .floor()
    .toNumber();
  const need = (n: number) => {
    const cost = perShare.times(n);
    return cost.plus(ceil6(cost.times(feeBps).div(10000)));
  };
  while (q > 0 && need(q).gt(cash)) q -= 1;
  return q;
}

/** Turns a generated step into a command against the current state (null: nothing sensible to send). */
export function toCommand(step: Step, state: State, past: readonly Command[], at: number): Command | null {
  switch (step.kind) {
    case "open":
      return { type: "OpenAccount", at, accountId: ACCOUNTS[step.account]! };
    case "deposit":
      return {
        type: "Deposit",
        at,
        accountId: ACCOUNTS[step.account]!,
        amount: amountOfMicros(step.micros),
        reference: `dep-${step.ref}`,
      };
    case "withdraw": {
      const accountId = ACCOUNTS[step.account]!;
      const cash = state.accounts.get(accountId)?.cash ?? money(100);
      const amount = cash.times(step.perMille).div(1000).toDecimalPlaces(6, 1); // ROUND_DOWN
      return { type: "Withdraw", at, accountId, amount: toAmountString(amount), reference: `wd-${step.ref}` };
    }
    case "list":
      return listing(MARKETS[step.market]!);
    case "halt":
      return { type: "HaltMarket", at, marketId: MARKETS[step.market]!.marketId };
    case "resume": {
      // resume a market that is halted, when there is one
      const halted = [...state.markets.values()].find((m) => m.status === "halted");
      return { type: "ResumeMarket", at, marketId: halted?.marketId ?? MARKETS[step.market]!.marketId };
    }
    case "mark":
      return {
        type: "SetMarkPrice",
        at,
        marketId: MARKETS[step.market]!.marketId,
        price: toAmountString(money(step.tenThousandths).div(10000)),
      };
    case "resolve":
      return { type: "ResolveMarket", at, marketId: MARKETS[step.market]!.marketId, outcome: step.outcome };
    case "order":
      return orderCommand(step, state, at);
    case "cancel": {
      // mostly an open order; sometimes any order (filled or cancelled ones are ORDER_NOT_OPEN)
      const orders = [...state.orders.values()].filter((o) => !step.openOnly || o.status === "open");
      if (orders.length === 0) return { type: "CancelOrder", at, accountId: ACCOUNTS[0], orderId: "o-1" };
      const index = step.pick % (orders.length + 1);
      if (index === orders.length)
        return { type: "CancelOrder", at, accountId: ACCOUNTS[0], orderId: "o-999999" };
      const order = orders[index]!;
      const other =
        ACCOUNTS[(ACCOUNTS.indexOf(order.accountId as (typeof ACCOUNTS)[number]) + 1) % OPEN_AT_START]!;
      return {
        type: "CancelOrder",
        at,
        accountId: step.byOwner ? order.accountId : other,
        orderId: order.orderId,
      };
    }
    case "retry": {
      if (past.length === 0) return null;
      return { ...past[step.pick % past.length]!, at };
    }
    default:
      return step satisfies never;
  }
}

/** The order's limit in its own outcome's ticks: around 0.50, anywhere, or crossing the best opposite order. */
function orderPriceTicks(
  step: Extract<Step, { kind: "order" }>,
  state: State,
  marketId: string,
  ticks: number,
  side: "buy" | "sell",
  outcome: Outcome,
): number {
  const cent = ticks / 100;
  if (step.anywhere !== null) return Math.max(1, Math.floor((step.anywhere * ticks) / 10000));
  const around = ticks / 2 + step.cents * cent + Math.floor((step.fine * cent) / 100);
  const book = state.markets.get(marketId)?.book;
  if (!step.aggressive || !book) return around;
  // buy YES and sell NO are bids on the YES book; sell YES and buy NO are asks
  const bid = (side === "buy") === (outcome === "YES");
  const opposite = bid ? book.bestAsk() : book.bestBid();
  if (opposite <= 0 || opposite >= ticks) return around;
  const through = Math.abs(step.cents) * cent;
  const yes = Math.min(ticks - 1, Math.max(1, bid ? opposite + through : opposite - through));
  return outcome === "YES" ? yes : ticks - yes;
}

function orderCommand(step: Extract<Step, { kind: "order" }>, state: State, at: number): Command {
  const spec = MARKETS[step.market]!;
  const ticks = TICKS_PER_UNIT[spec.tickSize];
  const accountId = ACCOUNTS[step.account]!;
  const account = state.accounts.get(accountId);
  let outcome = step.outcome;
  let quantity = step.quantity;
  let side = step.side;
  if (account && step.oddity !== 10) {
    // Sell what is held: the other outcome when there is none of this one, at most what is free; buy when nothing is.
    const position = account.positions.get(spec.marketId);
    const free = (o: Outcome) => (position ? (o === "YES" ? position.yes : position.no) : 0);
    const other: Outcome = outcome === "YES" ? "NO" : "YES";
    if (side === "sell" && free(outcome) === 0) {
      if (free(other) > 0) outcome = other;
      else side = "buy";
    }
    if (side === "sell") quantity = Math.min(quantity, free(outcome));
  }
  const priceTicks = orderPriceTicks(step, state, spec.marketId, ticks, side, outcome);
  if (account && step.oddity !== 10) {
    if (side === "buy") {
      // at most an eighth of the free cash, so that resting orders do not lock up all of an account's money
      const budget = account.cash.div(8);
      const cap = affordable(budget, priceTicks, ticks, state.markets.get(spec.marketId)?.takerFeeBps ?? 0);
      if (cap > 0) quantity = Math.min(quantity, cap);
    }
  }
  let price = toAmountString(money(priceTicks).div(ticks));
  let marketId = spec.marketId;
  let leverage = "1";
  let timeInForce = step.timeInForce;
  let postOnly = step.postOnly && timeInForce === "GTC";
  let accountOf: string = accountId;
  let quantityText = String(quantity);
  switch (step.oddity) {
    case 0:
      price = toAmountString(money(priceTicks).plus(0.5).div(ticks)); // PRICE_NOT_ON_TICK
      break;
    case 1:
      price = "0"; // PRICE_OUT_OF_RANGE
      break;
    case 2:
      price = "1"; // PRICE_OUT_OF_RANGE
      break;
    case 3:
      quantityText = "0"; // INVALID_QUANTITY
      break;
    case 4:
      quantityText = "1000000001"; // INVALID_QUANTITY
      break;
    case 5:
      leverage = "2"; // LEVERAGE_TOO_HIGH on a buy, INVALID_LEVERAGE on a sell
      break;
    case 6:
      leverage = "0.5"; // INVALID_LEVERAGE
      break;
    case 7:
      marketId = "m-none"; // UNKNOWN_MARKET
      break;
    case 8:
      accountOf = "nobody"; // UNKNOWN_ACCOUNT
      break;
    case 9:
      postOnly = true; // INVALID_ORDER_TERMS unless GTC
      timeInForce = "IOC";
      break;
    case 11:
      quantityText = String(quantity * 1000); // most likely INSUFFICIENT_FUNDS / INSUFFICIENT_SHARES
      break;
    default:
      break;
  }
  return {
    type: "PlaceOrder",
    at,
    accountId: accountOf,
    marketId,
    clientOrderId: `c-${step.clientOrder}`,
    side,
    outcome,
    price,
    quantity: quantityText,
    timeInForce,
    postOnly,
    leverage,
  };
}

// Cheap checks for the hot loop: vitest's `expect` is only built when something is wrong.
function same<T>(actual: T, expected: T, message: string): void {
  if (actual !== expected) expect(actual, message).toBe(expected);
}
function none(problems: string[], message: string): void {
  if (problems.length > 0) expect(problems, message).toEqual([]);
}
function holds(condition: boolean, message: string): void {
  if (!condition) expect(condition, message).toBe(true);
}

/** What a run saw, for coverage assertions. */
export interface Stats {
  commands: number;
  accepted: number;
  rejections: Partial<Record<RejectionCode, number>>;
  events: Partial<Record<string, number>>;
}
export const newStats = (): Stats => ({ commands: 0, accepted: 0, rejections: {}, events: {} });

export interface Run {
  readonly commands: Command[];
  readonly events: Event[];
  /** The events of each command (empty for rejections and no-op retries), index-aligned with `commands`. */
  readonly decisions: (Event[] | RejectionCode)[];
  readonly state: State;
}

/**
 * The violations a state may show between the events of one command: the taker order just accepted reserves
 * for its fills and its resting remainder at once, and is on the book only after its OrderRested, so the
 * per-order checks about it ("open with N left but the book holds M", "reserves X, its remainder costs Y")
 * hold only at the end of the command. Everything else must hold after every event.
 */
const inFlight = (violation: string, orderId: string | null): boolean =>
  orderId !== null &&
  (violation.startsWith(`order ${orderId}: open with `) ||
    violation.startsWith(`order ${orderId}: reserves `));

/** Decides and evolves the scenario's commands; with `check`, asserts every property after every event. */
export function drive(scenario: Scenario, options: { check: boolean; stats?: Stats }): Run {
  const { check, stats } = options;
  const state = initialState();
  const commands: Command[] = [];
  const events: Event[] = [];
  const decisions: (Event[] | RejectionCode)[] = [];
  let deposits: Money = ZERO;
  let withdrawals: Money = ZERO;

  const apply = (command: Command, counted: boolean) => {
    const before = check ? canonicalState(state) : "";
    const decision = decide(command, state);
    if (check) same(canonicalState(state), before, `decide(${command.type}) changed the state`);
    commands.push(command);
    if (stats && counted) stats.commands += 1;
    if (decision._tag === "Left") {
      decisions.push(decision.left.code);
      if (stats && counted)
        stats.rejections[decision.left.code] = (stats.rejections[decision.left.code] ?? 0) + 1;
      return;
    }
    if (stats && counted && decision.right.length > 0) stats.accepted += 1;
    decisions.push(decision.right);
    const escrowBefore = new Map([...state.markets].map(([id, m]) => [id, m.escrow]));
    let taker: string | null = null;
    for (const event of decision.right) {
      if (check) {
        same(Event.decode(JSON.parse(JSON.stringify(event)))._tag, "Right", `${event.type} fits its codec`);
        checkEvent(event, state);
      }
      evolve(state, event);
      events.push(event);
      if (stats) stats.events[eventKey(event)] = (stats.events[eventKey(event)] ?? 0) + 1;
      if (event.type === "OrderAccepted") taker = event.orderId;
      if (event.type === "Deposited") deposits = deposits.plus(event.amount);
      if (event.type === "Withdrawn") withdrawals = withdrawals.plus(event.amount);
      if (check)
        none(
          invariantViolations(state).filter((v) => !inFlight(v, taker)),
          `after ${event.type} of ${command.type}`,
        );
    }
    if (!check) return;
    none(invariantViolations(state), `after ${command.type}`);
    if (command.type === "ResolveMarket") {
      // the winners are paid exactly what the market held, nothing is left, nothing stays open
      const market = state.markets.get(command.marketId)!;
      const payouts = decision.right.reduce(
        (sum, e) => (e.type === "PositionSettled" ? sum.plus(e.payout) : sum),
        ZERO as Money,
      );
      expect(toAmountString(payouts), "payouts = the escrow the market had").toBe(
        toAmountString(escrowBefore.get(command.marketId)!),
      );
      expect([toAmountString(market.escrow), market.pairs, market.book.restingCount()]).toEqual(["0", 0, 0]);
      for (const order of state.orders.values())
        holds(order.marketId !== command.marketId || order.status !== "open", `${order.orderId} left open`);
    }
  };

  for (const command of setupCommands(scenario)) apply(command, false);
  scenario.steps.forEach((step, i) => {
    const command = toCommand(step, state, commands, BASE_TIME + (i + 1) * 1000);
    if (command) apply(command, true);
  });
  const end = BASE_TIME + (scenario.steps.length + 1) * 1000;
  MARKETS.forEach((spec, i) => {
    const status = state.markets.get(spec.marketId)?.status;
    if (status !== undefined && status !== "resolved")
      apply(
        { type: "ResolveMarket", at: end, marketId: spec.marketId, outcome: scenario.finalOutcomes[i]! },
        false,
      );
  });

  if (check) {
    // The identity, summed here from the accounts and the events rather than by `solvency`.
    let held: Money = state.totals.fees;
    for (const a of state.accounts.values()) held = held.plus(a.cash).plus(a.reserved);
    for (const m of state.markets.values()) held = held.plus(m.escrow);
    expect(toAmountString(held), "cash + reserved + escrow + fees = deposits − withdrawals").toBe(
      toAmountString(deposits.minus(withdrawals)),
    );
    expect([toAmountString(state.totals.deposits), toAmountString(state.totals.withdrawals)]).toEqual([
      toAmountString(deposits),
      toAmountString(withdrawals),
    ]);
    const fees = events.reduce(
      (sum, e) => (e.type === "TradeExecuted" ? sum.plus(e.takerFee) : sum),
      ZERO as Money,
    );
    expect(toAmountString(state.totals.fees)).toBe(toAmountString(fees));
  }
  return { commands, events, decisions, state };
}

function eventKey(event: Event): string {
  if (event.type === "TradeExecuted") return `TradeExecuted:${event.kind}`;
  if (event.type === "OrderCancelled") return `OrderCancelled:${event.reason}`;
  if (event.type === "MarketResolved") return `MarketResolved:${event.outcome}`;
  return event.type;
}

/** A trade's terms, checked against the orders it names before it is applied. */
function checkEvent(event: Event, state: State): void {
  if (event.type !== "TradeExecuted") return;
  const market = state.markets.get(event.marketId)!;
  const maker = state.orders.get(event.makerOrderId)!;
  const taker = state.orders.get(event.takerOrderId)!;
  const q = event.quantity;
  const makerPrice = money(event.makerAmount).div(q);
  const takerPrice = money(event.takerAmount).div(q);
  same(toAmountString(makerPrice), maker.price, `${event.tradeId} is at the maker's price`);
  if (taker.side === "buy")
    holds(takerPrice.lte(taker.price), `${event.tradeId}: a buyer pays at most its limit`);
  else holds(takerPrice.gte(taker.price), `${event.tradeId}: a seller receives at least its limit`);
  // MINT and MERGE: the two prices make 1; TRANSFER: the same price
  if (event.kind === "TRANSFER") same(event.makerAmount, event.takerAmount, `${event.tradeId}: one price`);
  else
    same(
      toAmountString(money(event.makerAmount).plus(event.takerAmount)),
      String(q),
      `${event.tradeId}: a pair is 1`,
    );
  const kind =
    maker.side === "buy" && taker.side === "buy"
      ? "MINT"
      : maker.side === "sell" && taker.side === "sell"
        ? "MERGE"
        : "TRANSFER";
  same(event.kind, kind, `${event.tradeId}: kind`);
  same(
    event.takerFee,
    toAmountString(ceil6(money(event.takerAmount).times(market.takerFeeBps).div(10000))),
    `${event.tradeId}: fee = ceil6(amount × bps / 10000)`,
  );
  holds(event.makerAccountId !== event.takerAccountId, `${event.tradeId}: no self-trade`);
}
