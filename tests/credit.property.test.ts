// Property (issue "Done when 3"): random interleavings of the whole credit layer — 1x orders of all four intents,
// leveraged IOC/FOK buys (2x–5x), leveraged GTC bids resting below the mark (post-only too: their loans are drawn at
// their fills, under the limits of that moment, or they are cancelled LEVERAGE_NOT_AVAILABLE), marks with jumps beyond the band, ticks (time passing), pool supply and
// redemption, insurance deposits, backstop bids, added margin and reductions, halts and resumptions, auctions and
// resolutions — keep every invariant after every single event; 1x positions are never liquidated, charged a fee,
// called or haircut; winners are paid exactly; decide never changes the state; re-deciding the commands gives the
// same events; the read side's account histories (fills, activity) sum to every account's cash.
import {
  type Command,
  canonicalJson,
  canonicalState,
  decide,
  type Event,
  evolve,
  initialState,
  invariantViolations,
  type Money,
  money,
  type State,
  toAmountString,
  ZERO,
} from "@pmx/domain";
import { ExchangeProjection } from "@pmx/projections";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const T0 = Date.parse("2024-10-01T00:00:00Z");
const TRADERS = ["t0", "t1", "t2", "t3", "t4", "t5"] as const;
const MAKERS = ["mm0", "mm1"] as const;
const LPS = ["lp0", "lp1"] as const;
const BACKSTOPS = ["bk0", "bk1"] as const;
type Outcome = "YES" | "NO";
type Resolution = "YES" | "NO" | "INVALID";

interface MarketSpec {
  readonly marketId: string;
  readonly tickSize: "0.01" | "0.001";
  readonly ticks: number;
  readonly takerFeeBps: number;
  /** Resolution relative to T0 (ms): the hazard window and the ramp come into play as ticks advance the clock. */
  readonly resolvesInMs: number;
  readonly risk: Record<string, string | number>;
}
const MARKETS: readonly MarketSpec[] = [
  // far from resolution, defaults but a short grace window
  {
    marketId: "c1",
    tickSize: "0.01",
    ticks: 100,
    takerFeeBps: 0,
    resolvesInMs: 400 * 86_400_000,
    risk: { graceWindowSeconds: 300 },
  },
  // a fee, a finer tick, resolution 4 days out (2-day ramp, 1-day hazard window), a short auction
  {
    marketId: "c2",
    tickSize: "0.001",
    ticks: 1000,
    takerFeeBps: 25,
    resolvesInMs: 4 * 86_400_000,
    risk: {
      hazardWindowSeconds: 86_400,
      leverageRampSeconds: 172_800,
      auctionDurationSeconds: 120,
      accrualIntervalSeconds: 1_800,
      jumpIntensityPerDay: "0.2",
    },
  },
];

type Step =
  | { kind: "quote"; maker: number; market: number; spread: number; size: number }
  | {
      kind: "order";
      account: number;
      market: number;
      side: "buy" | "sell";
      outcome: Outcome;
      offset: number;
      quantity: number;
      timeInForce: "GTC" | "IOC" | "FOK";
      postOnly: boolean;
    }
  | {
      kind: "leveraged";
      account: number;
      market: number;
      outcome: Outcome;
      leverage: string;
      quantity: number;
      through: number;
      timeInForce: "IOC" | "FOK";
      gtc: boolean;
    }
  | {
      kind: "leveragedBid";
      account: number;
      market: number;
      outcome: Outcome;
      leverage: string;
      quantity: number;
      below: number;
      postOnly: boolean;
    }
  | { kind: "mark"; market: number; move: number }
  | { kind: "squeeze"; pick: number; depth: number }
  | { kind: "tick"; seconds: number }
  | { kind: "supply"; lp: number; market: number; amount: number }
  | { kind: "redeem"; lp: number; market: number; perMille: number }
  | { kind: "insurance"; fund: number; amount: number; ref: number }
  | { kind: "backstop"; bidder: number; market: number; outcome: Outcome; below: number; maxShares: number }
  | { kind: "addMargin"; pick: number; amount: number; ref: number }
  | { kind: "reduce"; pick: number; perMille: number; below: number }
  | { kind: "halt" | "resume"; market: number }
  | { kind: "cancel"; pick: number }
  | { kind: "resolve"; market: number; outcome: Resolution };

const market = fc.integer({ min: 0, max: MARKETS.length - 1 });
const outcome = fc.constantFrom<Outcome>("YES", "NO");
const stepArbitrary: fc.Arbitrary<Step> = fc.noBias(
  fc.oneof(
    {
      weight: 14,
      arbitrary: fc.record({
        kind: fc.constant("quote" as const),
        maker: fc.integer({ min: 0, max: 1 }),
        market,
        spread: fc.integer({ min: 1, max: 4 }),
        size: fc.integer({ min: 20, max: 300 }),
      }),
    },
    {
      weight: 20,
      arbitrary: fc.record({
        kind: fc.constant("order" as const),
        account: fc.integer({ min: 0, max: TRADERS.length - 1 }),
        market,
        side: fc.constantFrom("buy" as const, "sell" as const),
        outcome,
        offset: fc.integer({ min: -4, max: 6 }),
        quantity: fc.integer({ min: 1, max: 150 }),
        timeInForce: fc.constantFrom("GTC" as const, "GTC" as const, "IOC" as const, "FOK" as const),
        postOnly: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
      }),
    },
    {
      weight: 22,
      arbitrary: fc.record({
        kind: fc.constant("leveraged" as const),
        account: fc.integer({ min: 0, max: TRADERS.length - 1 }),
        market,
        outcome,
        leverage: fc.constantFrom("2", "2", "2.5", "3", "4", "5"),
        quantity: fc.integer({ min: 5, max: 250 }),
        through: fc.integer({ min: 0, max: 5 }),
        timeInForce: fc.constantFrom("IOC" as const, "FOK" as const),
        gtc: fc.integer({ min: 0, max: 15 }).map((n) => n === 0),
      }),
    },
    {
      weight: 10,
      arbitrary: fc.record({
        kind: fc.constant("leveragedBid" as const),
        account: fc.integer({ min: 0, max: TRADERS.length - 1 }),
        market,
        outcome,
        leverage: fc.constantFrom("1.5", "2", "2", "2.5", "3", "4", "5"),
        quantity: fc.integer({ min: 5, max: 250 }),
        // cents below the mark: 0 at the mark (it may cross an ask), else it rests for a later taker
        below: fc.integer({ min: 0, max: 6 }),
        postOnly: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
      }),
    },
    {
      weight: 18,
      arbitrary: fc.record({
        kind: fc.constant("mark" as const),
        market,
        // hundredths; beyond ±10 the move leaves the default band of 0.1
        move: fc.oneof(
          { weight: 6, arbitrary: fc.integer({ min: -2, max: 2 }) },
          { weight: 2, arbitrary: fc.integer({ min: -8, max: 8 }) },
          { weight: 1, arbitrary: fc.integer({ min: -35, max: 35 }) },
        ),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant("squeeze" as const),
        pick: fc.nat(),
        // where the mark lands: equity = depth/10 × maintenance (0..9: from near zero to just below maintenance)
        depth: fc.integer({ min: 0, max: 9 }),
      }),
    },
    {
      weight: 12,
      arbitrary: fc.record({
        kind: fc.constant("tick" as const),
        seconds: fc.oneof(
          { weight: 3, arbitrary: fc.integer({ min: 1, max: 900 }) },
          fc.integer({ min: 900, max: 14_400 }),
        ),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant("supply" as const),
        lp: fc.integer({ min: 0, max: 1 }),
        market,
        amount: fc.integer({ min: 1, max: 2_000 }),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant("redeem" as const),
        lp: fc.integer({ min: 0, max: 1 }),
        market,
        perMille: fc.integer({ min: 1, max: 1000 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("insurance" as const),
        fund: fc.integer({ min: 0, max: MARKETS.length }),
        amount: fc.integer({ min: 1, max: 50 }),
        ref: fc.integer({ min: 0, max: 3 }),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant("backstop" as const),
        bidder: fc.integer({ min: 0, max: 1 }),
        market,
        outcome,
        below: fc.integer({ min: -2, max: 12 }),
        maxShares: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 50, max: 2000 }) }, fc.constant(0)),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant("addMargin" as const),
        pick: fc.nat(),
        amount: fc.integer({ min: 1, max: 60 }),
        ref: fc.integer({ min: 0, max: 1_000_000 }),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant("reduce" as const),
        pick: fc.nat(),
        perMille: fc.integer({ min: 1, max: 1000 }),
        below: fc.integer({ min: 0, max: 5 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("halt" as const), market }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("resume" as const), market }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant("resolve" as const),
        market,
        outcome: fc.constantFrom<Resolution>("YES", "NO", "INVALID"),
      }),
    },
  ),
);

interface Scenario {
  readonly steps: Step[];
  readonly finalOutcomes: Resolution[];
}
const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  steps: fc.array(stepArbitrary, { minLength: 80, maxLength: 200, size: "max" }),
  finalOutcomes: fc.array(fc.constantFrom<Resolution>("YES", "NO", "INVALID"), {
    minLength: MARKETS.length,
    maxLength: MARKETS.length,
  }),
});

// ---- the harness ----

/** The credit layer as text (canonicalState covers the settlement layer only). */
function creditText(state: State): string {
  const sorted = <V>(map: Map<string, V>) =>
    [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return canonicalJson({
    shared: toAmountString(state.sharedInsurance),
    insuranceDeposits: toAmountString(state.totals.insuranceDeposits),
    markets: sorted(state.markets).map(([id, m]) => ({
      id,
      insurance: toAmountString(m.insurance),
      pool: [m.pool.cash, m.pool.lent, m.pool.shares, m.pool.feesEarned, m.pool.losses].map(toAmountString),
      providers: sorted(m.pool.providers).map(([p, s]) => [p, toAmountString(s)]),
      leveraged: [...m.leveraged.entries()].map(([k, p]) => [
        k,
        p.shares,
        p.sharesReserved,
        toAmountString(p.loan),
        toAmountString(p.feesOwed),
        p.status,
        p.deadline,
        p.paidUntil,
      ]),
      backstops: sorted(m.backstops).map(([k, b]) => [k, b.price, b.maxShares, b.seq]),
      auctionUntil: m.auctionUntil,
      auctionOrders: [...m.auctionOrders],
    })),
  });
}
const snapshot = (state: State): string => canonicalState(state) + creditText(state);

const price = (ticks: number, spec: MarketSpec): string => toAmountString(money(ticks).div(spec.ticks));
const clampTicks = (ticks: number, spec: MarketSpec): number => Math.min(spec.ticks - 1, Math.max(1, ticks));

/** The market's mark in its own ticks (0.5 without one). */
function markTicks(state: State, spec: MarketSpec): number {
  const m = state.markets.get(spec.marketId)!;
  const p = m.markPrice ?? m.lastPrice ?? "0.5";
  return clampTicks(money(p).times(spec.ticks).round().toNumber(), spec);
}

const ownTicks = (outcome: Outcome, yesTicks: number, spec: MarketSpec): number =>
  outcome === "YES" ? yesTicks : spec.ticks - yesTicks;

const free = (state: State, accountId: string): Money => state.accounts.get(accountId)?.cash ?? ZERO;

/** Largest quantity whose cost at `ownPriceTicks` (plus the fee) over `leverage` fits in `budget`. */
function affordable(budget: Money, ownPriceTicks: number, spec: MarketSpec, leverage = "1"): number {
  const perShare = money(ownPriceTicks)
    .div(spec.ticks)
    .times(1 + spec.takerFeeBps / 10_000);
  return budget.times(leverage).div(perShare).floor().toNumber();
}

interface Context {
  readonly state: State;
  now: number;
  counter: number;
  /** Whether the run is in its last steps, where markets may resolve (earlier, a resolution would end the run's interest). */
  late: boolean;
  /** "market|account" of every account that sent a leveraged order to the market. */
  readonly leveragedPlacers: Set<string>;
}

function toCommand(step: Step, ctx: Context): Command | null {
  const { state } = ctx;
  const at = ctx.now;
  const ref = () => `r-${++ctx.counter}`;
  switch (step.kind) {
    case "quote": {
      // a market maker's ladder around the mark: bids on YES (an ask for NO buyers) and on NO (an ask for YES buyers)
      const spec = MARKETS[step.market]!;
      const maker = MAKERS[step.maker]!;
      return quoteCommand(ctx, maker, spec, step.spread, step.size);
    }
    case "order": {
      const spec = MARKETS[step.market]!;
      const accountId = TRADERS[step.account]!;
      const yes = markTicks(state, spec);
      let side = step.side;
      let outcome = step.outcome;
      let quantity = step.quantity;
      const position = state.accounts.get(accountId)?.positions.get(spec.marketId);
      const held = (o: Outcome) => (position ? (o === "YES" ? position.yes : position.no) : 0);
      if (side === "sell") {
        if (held(outcome) === 0) outcome = outcome === "YES" ? "NO" : "YES";
        if (held(outcome) === 0) side = "buy";
        else quantity = Math.min(quantity, held(outcome));
      }
      const cent = spec.ticks / 100;
      // buys priced above their mark cross resting asks; sells priced below it cross resting bids
      const own = clampTicks(
        ownTicks(outcome, yes, spec) + (side === "buy" ? 1 : -1) * step.offset * cent,
        spec,
      );
      if (side === "buy") quantity = Math.min(quantity, affordable(free(state, accountId).div(6), own, spec));
      if (quantity < 1) return null;
      return {
        type: "PlaceOrder",
        at,
        accountId,
        marketId: spec.marketId,
        clientOrderId: ref(),
        side,
        outcome,
        price: price(own, spec),
        quantity: String(quantity),
        timeInForce: step.timeInForce,
        postOnly: step.postOnly && step.timeInForce === "GTC",
        leverage: "1",
      };
    }
    case "leveraged":
      // priced `through` cents above the mark: it crosses resting asks; GTC: what it does not take rests
      return leveragedBuy(ctx, step, step.through, step.gtc ? "GTC" : step.timeInForce, false);
    case "leveragedBid":
      // `below` cents under the mark: it rests for a later taker (at the mark it may cross an ask)
      return leveragedBuy(ctx, step, -step.below, "GTC", step.postOnly);
    case "mark": {
      const spec = MARKETS[step.market]!;
      // kept within 0.08..0.92, where leverage is available on at least one side
      const yes = Math.min(
        Math.round(spec.ticks * 0.92),
        Math.max(Math.round(spec.ticks * 0.08), markTicks(state, spec) + step.move * (spec.ticks / 100)),
      );
      return { type: "SetMarkPrice", at, marketId: spec.marketId, price: price(yes, spec) };
    }
    case "squeeze": {
      // a mark that puts a leveraged position below maintenance: a margin call, or at once a liquidation near zero
      const positions = leveragedPositions(state);
      if (positions.length === 0) return null;
      const p = positions[step.pick % positions.length]!;
      const spec = MARKETS.find((s) => s.marketId === p.marketId)!;
      const m = state.markets.get(p.marketId)!;
      const lp = m.leveraged.get(`${p.accountId}|${p.outcome}`)!;
      if (lp.shares === 0) return null;
      // shares × q − loan = k × mmf × shares × q  ⇒  q = loan / (shares × (1 − k × mmf))
      const k = money(step.depth).div(10);
      const q = lp.loan.div(
        money(lp.shares).times(money(1).minus(k.times(m.risk.maintenanceMarginFraction))),
      );
      const ownTicksAt = q.times(spec.ticks).ceil().toNumber();
      if (ownTicksAt < 1 || ownTicksAt >= spec.ticks) return null;
      return {
        type: "SetMarkPrice",
        at,
        marketId: spec.marketId,
        price: price(ownTicks(p.outcome, ownTicksAt, spec), spec),
      };
    }
    case "tick":
      ctx.now += step.seconds * 1000;
      return { type: "Tick", at: ctx.now };
    case "supply": {
      const spec = MARKETS[step.market]!;
      return {
        type: "SupplyPool",
        at,
        accountId: LPS[step.lp]!,
        marketId: spec.marketId,
        amount: String(step.amount),
        reference: ref(),
      };
    }
    case "redeem": {
      const spec = MARKETS[step.market]!;
      const accountId = LPS[step.lp]!;
      const held = state.markets.get(spec.marketId)?.pool.providers.get(accountId) ?? money(1);
      const shares = held.times(step.perMille).div(1000).toDecimalPlaces(6, 1);
      return {
        type: "RedeemPool",
        at,
        accountId,
        marketId: spec.marketId,
        shares: toAmountString(shares.isZero() ? money("0.000001") : shares),
        reference: ref(),
      };
    }
    case "insurance":
      return {
        type: "DepositInsurance",
        at,
        fundId: step.fund === MARKETS.length ? "shared" : `market:${MARKETS[step.fund]!.marketId}`,
        amount: String(step.amount),
        reference: `ins-${step.ref}`, // repeats: idempotent retries or conflicts
      };
    case "backstop": {
      const spec = MARKETS[step.market]!;
      const own = clampTicks(
        ownTicks(step.outcome, markTicks(state, spec), spec) - step.below * (spec.ticks / 100),
        spec,
      );
      return {
        type: "SetBackstopBid",
        at,
        accountId: BACKSTOPS[step.bidder]!,
        marketId: spec.marketId,
        outcome: step.outcome,
        price: price(own, spec),
        maxShares: String(step.maxShares),
      };
    }
    case "addMargin": {
      const positions = leveragedPositions(state);
      if (positions.length === 0) return null;
      const p = positions[step.pick % positions.length]!;
      return {
        type: "AddMargin",
        at,
        accountId: p.accountId,
        marketId: p.marketId,
        outcome: p.outcome,
        amount: String(step.amount),
        reference: `am-${step.ref}`,
      };
    }
    case "reduce": {
      const positions = leveragedPositions(state);
      if (positions.length === 0) return null;
      const p = positions[step.pick % positions.length]!;
      const spec = MARKETS.find((s) => s.marketId === p.marketId)!;
      const quantity = Math.max(1, Math.floor((p.shares * step.perMille) / 1000));
      const own = clampTicks(
        ownTicks(p.outcome, markTicks(state, spec), spec) - step.below * (spec.ticks / 100),
        spec,
      );
      return {
        type: "ReducePosition",
        at,
        accountId: p.accountId,
        marketId: p.marketId,
        outcome: p.outcome,
        quantity: String(quantity),
        price: price(own, spec),
      };
    }
    case "halt":
      return { type: "HaltMarket", at, marketId: MARKETS[step.market]!.marketId };
    case "resume": {
      // a market that is halted, when there is one
      const halted = [...state.markets.values()].find((m) => m.status === "halted");
      return { type: "ResumeMarket", at, marketId: halted?.marketId ?? MARKETS[step.market]!.marketId };
    }
    case "cancel": {
      const open = [...state.orders.values()].filter((o) => o.status === "open");
      if (open.length === 0) return null;
      const o = open[step.pick % open.length]!;
      return { type: "CancelOrder", at, accountId: o.accountId, orderId: o.orderId };
    }
    case "resolve":
      if (!ctx.late) return null;
      return { type: "ResolveMarket", at, marketId: MARKETS[step.market]!.marketId, outcome: step.outcome };
    default:
      return step satisfies never;
  }
}

/** A leveraged buy `cents` from the mark (own outcome), sized to a quarter of the account's free cash as margin. */
function leveragedBuy(
  ctx: Context,
  step: { account: number; market: number; outcome: Outcome; leverage: string; quantity: number },
  cents: number,
  timeInForce: "GTC" | "IOC" | "FOK",
  postOnly: boolean,
): Command | null {
  const spec = MARKETS[step.market]!;
  const accountId = TRADERS[step.account]!;
  const yes = markTicks(ctx.state, spec);
  const own = clampTicks(ownTicks(step.outcome, yes, spec) + cents * (spec.ticks / 100), spec);
  const quantity = Math.min(
    step.quantity,
    affordable(free(ctx.state, accountId).div(4), own, spec, step.leverage),
  );
  if (quantity < 1) return null;
  ctx.leveragedPlacers.add(`${spec.marketId}|${accountId}`);
  return {
    type: "PlaceOrder",
    at: ctx.now,
    accountId,
    marketId: spec.marketId,
    clientOrderId: `r-${++ctx.counter}`,
    side: "buy",
    outcome: step.outcome,
    price: price(own, spec),
    quantity: String(quantity),
    timeInForce,
    postOnly,
    leverage: step.leverage,
  };
}

/** Cancels the maker's open orders on the market, then (next command) quotes; here: one bid of the ladder per call. */
function quoteCommand(
  ctx: Context,
  maker: string,
  spec: MarketSpec,
  spread: number,
  size: number,
): Command | null {
  const { state } = ctx;
  const mine = [...state.orders.values()].find(
    (o) => o.status === "open" && o.accountId === maker && o.marketId === spec.marketId,
  );
  // an old quote goes first (one cancel per step), so that ladders follow the mark
  if (mine && ctx.counter % 3 === 0) {
    ctx.counter += 1;
    return { type: "CancelOrder", at: ctx.now, accountId: maker, orderId: mine.orderId };
  }
  const yes = markTicks(state, spec);
  const cent = spec.ticks / 100;
  const outcome: Outcome = ctx.counter % 2 === 0 ? "YES" : "NO";
  const own = clampTicks(ownTicks(outcome, yes, spec) - spread * cent, spec);
  const quantity = Math.min(size, affordable(free(state, maker).div(10), own, spec));
  if (quantity < 1) return null;
  return {
    type: "PlaceOrder",
    at: ctx.now,
    accountId: maker,
    marketId: spec.marketId,
    clientOrderId: `q-${++ctx.counter}`,
    side: "buy",
    outcome,
    price: price(own, spec),
    quantity: String(quantity),
    timeInForce: "GTC",
    postOnly: false,
    leverage: "1",
  };
}

function leveragedPositions(state: State) {
  const all: { marketId: string; accountId: string; outcome: Outcome; shares: number }[] = [];
  for (const m of state.markets.values())
    for (const p of m.leveraged.values())
      all.push({ marketId: m.marketId, accountId: p.accountId, outcome: p.outcome, shares: p.shares });
  return all;
}

function setup(): Command[] {
  const commands: Command[] = [];
  const fund = (accountId: string, amount: string) => {
    commands.push({ type: "OpenAccount", at: T0, accountId });
    commands.push({ type: "Deposit", at: T0, accountId, amount, reference: "initial" });
  };
  for (const a of TRADERS) fund(a, "2000");
  for (const a of MAKERS) fund(a, "50000");
  for (const a of LPS) fund(a, "20000");
  for (const a of BACKSTOPS) fund(a, "5000");
  for (const spec of MARKETS) {
    commands.push({
      type: "ListMarket",
      at: T0,
      marketId: spec.marketId,
      question: `Will ${spec.marketId} resolve YES?`,
      tickSize: spec.tickSize,
      resolvesAt: new Date(T0 + spec.resolvesInMs).toISOString(),
      takerFeeBps: spec.takerFeeBps,
      ...spec.risk,
    } as Command);
    commands.push({
      type: "SupplyPool",
      at: T0,
      accountId: "lp0",
      marketId: spec.marketId,
      amount: "3000",
      reference: `s-${spec.marketId}`,
    });
    commands.push({
      type: "SupplyPool",
      at: T0,
      accountId: "lp1",
      marketId: spec.marketId,
      amount: "1000",
      reference: `s-${spec.marketId}`,
    });
    commands.push({
      type: "DepositInsurance",
      at: T0,
      fundId: `market:${spec.marketId}`,
      amount: "20",
      reference: "seed",
    });
    commands.push({ type: "SetMarkPrice", at: T0, marketId: spec.marketId, price: "0.5" });
  }
  commands.push({ type: "DepositInsurance", at: T0, fundId: "shared", amount: "30", reference: "seed" });
  return commands;
}

/** What a run saw, for the coverage assertions. */
interface Stats {
  commands: number;
  events: Record<string, number>;
  rejections: Record<string, number>;
}

/** Event types that name a leveraged position's owner: only accounts that borrowed may appear in them. */
const BORROWER_EVENTS = new Set([
  "LiquidationStarted",
  "MarginCalled",
  "FundingAccrued",
  "BadDebtRecorded",
  "LiquidationPenaltyCharged",
]);

function payoutPerShare(outcome: Resolution, side: Outcome): Money {
  return outcome === "INVALID" ? money("0.5") : outcome === side ? money(1) : ZERO;
}

/** Runs the scenario, asserting after every event and every command. Returns the commands and events. */
function drive(scenario: Scenario, stats: Stats): { commands: Command[]; events: Event[] } {
  const ctx: Context = {
    state: initialState(),
    now: T0,
    counter: 0,
    late: false,
    leveragedPlacers: new Set(),
  };
  const { state } = ctx;
  const commands: Command[] = [];
  const events: Event[] = [];
  const apply = (command: Command) => {
    const before = snapshot(state);
    const decision = decide(command, state);
    const after = snapshot(state);
    if (after !== before) expect(after, `decide(${command.type}) changed the state`).toBe(before);
    commands.push(command);
    stats.commands += 1;
    if (decision._tag === "Left") {
      stats.rejections[decision.left.code] = (stats.rejections[decision.left.code] ?? 0) + 1;
      return;
    }
    const escrowBefore = new Map([...state.markets].map(([id, m]) => [id, m.escrow]));
    const ordersBefore = state.orderCount;
    for (const event of decision.right) {
      checkEvent(event, ctx, command);
      evolve(state, event);
      events.push(event);
      const key = event.type === "LoanRepaid" ? `LoanRepaid:${event.source}` : event.type;
      stats.events[key] = (stats.events[key] ?? 0) + 1;
      // A loan of an order placed by an earlier command: a resting leveraged buy drawing its loan at a fill.
      if (event.type === "LoanOpened" && state.orders.get(event.orderId)!.number <= ordersBefore)
        stats.events["LoanOpened:maker"] = (stats.events["LoanOpened:maker"] ?? 0) + 1;
      if (event.type === "OrderCancelled" && event.reason === "LEVERAGE_NOT_AVAILABLE")
        stats.events["OrderCancelled:LEVERAGE_NOT_AVAILABLE"] =
          (stats.events["OrderCancelled:LEVERAGE_NOT_AVAILABLE"] ?? 0) + 1;
      if (event.type === "AuctionUncrossed" && event.volume > 0)
        stats.events.AuctionTraded = (stats.events.AuctionTraded ?? 0) + 1;
      const problems = invariantViolations(state, { betweenCommands: false });
      if (problems.length > 0) expect(problems, `after ${event.type} of ${command.type}`).toEqual([]);
    }
    const problems = invariantViolations(state);
    if (problems.length > 0) expect(problems, `after ${command.type}`).toEqual([]);
    if (command.type === "ResolveMarket")
      checkResolution(command, decision.right, escrowBefore.get(command.marketId)!, state);
  };
  for (const command of setup()) apply(command);
  scenario.steps.forEach((step, i) => {
    ctx.late = i >= scenario.steps.length * 0.85;
    const command = toCommand(step, ctx);
    if (command) apply(command);
  });
  ctx.now += 1000;
  MARKETS.forEach((spec, i) => {
    if (state.markets.get(spec.marketId)!.status !== "resolved")
      apply({
        type: "ResolveMarket",
        at: ctx.now,
        marketId: spec.marketId,
        outcome: scenario.finalOutcomes[i]!,
      });
  });
  // After resolution nothing is lent, every loan is closed, and the LPs can take their pools' cash out.
  for (const spec of MARKETS) {
    const m = state.markets.get(spec.marketId)!;
    expect([toAmountString(m.pool.lent), m.leveraged.size, toAmountString(m.escrow)]).toEqual(["0", 0, "0"]);
  }
  return { commands, events };
}

/** 1x is safe: events about a borrower name only accounts that sent a leveraged order to that market; haircuts fall on LPs only. */
function checkEvent(event: Event, ctx: Context, command: Command): void {
  const borrowed = (marketId: string, accountId: string) =>
    ctx.leveragedPlacers.has(`${marketId}|${accountId}`);
  if (BORROWER_EVENTS.has(event.type)) {
    const e = event as Extract<Event, { accountId: string; marketId: string }>;
    if (!borrowed(e.marketId, e.accountId))
      expect.fail(
        `${event.type} of ${command.type} names ${e.accountId}, who never borrowed in ${e.marketId}`,
      );
  }
  if (event.type === "PositionTransferred" && !borrowed(event.marketId, event.fromAccountId))
    expect.fail(`a 1x position of ${event.fromAccountId} was transferred`);
  if (event.type === "LossSocialized") {
    const providers = ctx.state.markets.get(event.marketId)!.pool.providers;
    for (const h of event.haircuts)
      if (!providers.has(h.accountId))
        expect.fail(`${h.accountId} was haircut but is not an LP of ${event.marketId}`);
  }
  if (
    event.type === "OrderAccepted" &&
    event.source === "liquidation" &&
    !borrowed(event.marketId, event.accountId)
  )
    expect.fail(`a liquidation sold shares of ${event.accountId}, who never borrowed`);
}

/** Winners are paid in full: each holder exactly its shares × the payout per share, and together exactly the escrow. */
function checkResolution(
  command: Extract<Command, { type: "ResolveMarket" }>,
  events: Event[],
  escrow: Money,
  state: State,
): void {
  let paid: Money = ZERO;
  for (const e of events) {
    if (e.type === "PositionSettled") {
      const expected = payoutPerShare(command.outcome, "YES")
        .times(e.yesShares)
        .plus(payoutPerShare(command.outcome, "NO").times(e.noShares));
      expect(e.payout, `${e.accountId}'s 1x shares`).toBe(toAmountString(expected));
      paid = paid.plus(e.payout);
    }
    if (e.type === "PledgedSharesRedeemed") {
      expect(e.payout).toBe(toAmountString(payoutPerShare(command.outcome, e.outcome).times(e.shares)));
      paid = paid.plus(e.payout);
    }
  }
  expect(toAmountString(paid), "payouts = the escrow").toBe(toAmountString(escrow));
  expect(toAmountString(state.markets.get(command.marketId)!.escrow)).toBe("0");
}

/**
 * The account histories of the read side (GET /v1/fills, GET /v1/account/activity) over the run's events: every
 * account's activity sums to its cash + reserved, each `cashAfter` the running sum (liquidations, transfers to
 * backstops, penalties, settlements, pool moves and haircuts included), and every trade is two fills.
 */
function checkAccountHistories(events: Event[]): void {
  const projection = new ExchangeProjection();
  events.forEach((event, i) => {
    projection.apply(event, { commandId: `c${i}`, seq: i + 1, at: T0, index: 0, count: 1, hash: "" });
  });
  for (const [accountId, account] of projection.state.accounts) {
    let running: Money = ZERO;
    for (const entry of projection.activityOf(accountId)) {
      running = running.plus(entry.amount);
      if (entry.cashAfter !== toAmountString(running))
        expect(entry.cashAfter, `${accountId} ${entry.type} at ${entry.pos}`).toBe(toAmountString(running));
    }
    expect(toAmountString(running), `${accountId}: Σ activity = cash + reserved`).toBe(
      toAmountString(account.cash.plus(account.reserved)),
    );
  }
  const trades = new Map<string, Extract<Event, { type: "TradeExecuted" }>>();
  for (const e of events) if (e.type === "TradeExecuted") trades.set(e.tradeId, e);
  let fills = 0;
  for (const accountId of projection.state.accounts.keys())
    for (const record of projection.fillsOf(accountId)) {
      fills += 1;
      // Each fill, as answered, is its side of the event: order, side, outcome, own price (amount ÷ quantity), fee.
      const fill = projection.fillView(record);
      const e = trades.get(fill.tradeId)!;
      const maker = fill.liquidity === "maker";
      const expected = {
        orderId: maker ? e.makerOrderId : e.takerOrderId,
        side: maker ? e.makerSide : e.takerSide,
        outcome: maker ? e.makerOutcome : e.takerOutcome,
        price: toAmountString(money(maker ? e.makerAmount : e.takerAmount).div(e.quantity)),
        quantity: String(e.quantity),
        fee: maker ? "0" : e.takerFee,
      };
      const got = {
        orderId: fill.orderId,
        side: fill.side,
        outcome: fill.outcome,
        price: fill.price,
        quantity: fill.quantity,
        fee: fill.fee,
      };
      if (canonicalJson(got) !== canonicalJson(expected)) expect(got).toEqual(expected);
      expect(projection.state.orders.get(fill.orderId)!.accountId).toBe(accountId);
    }
  expect(fills).toBe(2 * trades.size);
}

/**
 * The operator's risk record (GET /v1/risk/bad-debts, /metrics' totals) over the run's events: each bad debt's tiers
 * (fees written off, market fund, shared fund, pool haircut) add up to its amount, the tiers of all bad debts equal
 * the waterfall's events, and the counts per market equal the MarginCalled / LiquidationStarted events.
 */
function checkRiskRecord(events: Event[]): void {
  const projection = new ExchangeProjection();
  events.forEach((event, i) => {
    projection.apply(event, { commandId: `c${i}`, seq: i + 1, at: T0, index: 0, count: 1, hash: "" });
  });
  const record = projection.riskRecord;
  const debts = record.badDebtsOf();
  const sum = (values: string[]) => toAmountString(values.reduce((a: Money, v) => a.plus(v), ZERO));
  for (const d of debts)
    expect(
      sum([d.feesWrittenOff, d.marketInsurance, d.sharedInsurance, d.poolHaircut]),
      `${d.accountId}`,
    ).toBe(d.amount);
  const of = (type: Event["type"]) => events.filter((e) => e.type === type) as { amount?: string }[];
  expect(sum(debts.map((d) => d.amount))).toBe(sum(of("BadDebtRecorded").map((e) => e.amount!)));
  expect(sum(debts.flatMap((d) => [d.marketInsurance, d.sharedInsurance]))).toBe(
    sum(of("InsuranceFundDrawn").map((e) => e.amount!)),
  );
  expect(sum(debts.map((d) => d.poolHaircut))).toBe(sum(of("LossSocialized").map((e) => e.amount!)));
  for (const marketId of projection.state.markets.keys()) {
    const counted = (type: Event["type"]) =>
      events.filter((e) => e.type === type && (e as { marketId: string }).marketId === marketId).length;
    expect(record.countsOf(marketId).marginCalls).toBe(counted("MarginCalled"));
    expect(record.countsOf(marketId).liquidations).toBe(counted("LiquidationStarted"));
  }
}

/** 100 runs take about 10 s; the time limit (runs and any shrinking) allows 0.15 s a run, at least a minute. */
const RUNS = Number(process.env.CREDIT_PROPERTY_RUNS ?? 100);
const TIME_LIMIT_MS = Math.max(60_000, RUNS * 150);

describe("the credit layer under random traffic (guarantees 2, 3, 4, 11)", () => {
  it(
    "given random interleavings of orders, leveraged buys (IOC, FOK and resting GTC), marks with jumps, ticks, pools, insurance, backstops, margin, reductions, halts, auctions and resolutions, then every invariant holds after every event, 1x is never touched, winners are paid exactly, and decide is pure and deterministic",
    () => {
      const stats: Stats = { commands: 0, events: {}, rejections: {} };
      fc.assert(
        fc.property(scenarioArbitrary, (scenario) => {
          const run = drive(scenario, stats);
          // Determinism: the recorded commands, decided again on a fresh state, give the same events.
          const fresh = initialState();
          const again: Event[] = [];
          for (const command of run.commands) {
            const decision = decide(command, fresh);
            if (decision._tag === "Right")
              for (const event of decision.right) {
                evolve(fresh, event);
                again.push(event);
              }
          }
          if (canonicalJson(again) !== canonicalJson(run.events)) expect(again).toEqual(run.events);
          checkAccountHistories(run.events);
          checkRiskRecord(run.events);
        }),
        // CREDIT_PROPERTY_RUNS=1000 for a longer search, CREDIT_PROPERTY_SEED to replay one (or `random`); a failure's shrinking is
        // cut off at the time limit
        {
          numRuns: RUNS,
          // A fixed seed by default: the coverage assertions below then see the same traffic on every machine (a
          // random one left LossSocialized unreached now and then); CREDIT_PROPERTY_SEED=random explores afresh.
          ...(process.env.CREDIT_PROPERTY_SEED === "random"
            ? {}
            : { seed: Number(process.env.CREDIT_PROPERTY_SEED ?? 20241106) }),
          interruptAfterTimeLimit: TIME_LIMIT_MS,
          markInterruptAsFailure: true,
        },
      );
      // The traffic reached the credit layer's every path.
      for (const key of [
        "MarkUpdated",
        "DeleverageCalled",
        "DeleverageCleared",
        "LiquidationStopped",
        "LoanRepaid:deleverage",
        "LoanOpened",
        "LoanOpened:maker",
        "OrderCancelled:LEVERAGE_NOT_AVAILABLE",
        "FundingAccrued",
        "MarginCalled",
        "MarginCalled",
        "LiquidationStarted",
        "PositionTransferred",
        "LiquidationPenaltyCharged",
        "BadDebtRecorded",
        "InsuranceFundDrawn",
        "LossSocialized",
        "AuctionStarted",
        "AuctionUncrossed",
        "AuctionTraded",
        "OrderQueued",
        "PledgedSharesRedeemed",
        "PoolSupplied",
        "PoolRedeemed",
        "InsuranceDeposited",
        "LoanRepaid:reduce",
        "LoanRepaid:margin",
        "LoanRepaid:liquidation",
        "LoanRepaid:settlement",
        "MarketHalted",
        "MarketResumed",
        "TradeExecuted",
      ])
        expect(stats.events[key] ?? 0, key).toBeGreaterThan(0);
      for (const code of ["LEVERAGE_TOO_HIGH", "MARKET_IN_AUCTION"])
        expect(stats.rejections[code] ?? 0, code).toBeGreaterThan(0);
      console.log(
        `credit property: ${stats.commands} commands; events ${JSON.stringify(stats.events)}; rejections ${JSON.stringify(stats.rejections)}`,
      );
    },
    TIME_LIMIT_MS + 60_000,
  );
});
