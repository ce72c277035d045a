// Histories folded from the log: every trade of a market, every fill and every cash change of an account. Each
// record carries its place in the log (`pos` = event revision × 4 + part), so that a page of any list can be
// continued from a cursor that names a log position: the same after a restart, a snapshot or on a follower.
import {
  type AccountState,
  type Event,
  type Money,
  money,
  ONE,
  type State,
  toAmountString,
  ZERO,
} from "@pmx/domain";

/** Records one event can add for one account or market (fill + fee, funding + repayment): `pos` = revision × PARTS + part. */
export const PARTS = 4;

export interface TradeView {
  tradeId: string;
  marketId: string;
  kind: string;
  /** YES price. */
  price: string;
  quantity: string;
  /** Side and outcome of the taker (the aggressor). */
  takerSide: string;
  takerOutcome: string;
  at: string;
  /** The log position (event revision) of the trade. */
  sequence: number;
}

/** A trade as kept (views are made when answered): the event's own strings, its time in ms, its orders and fee. */
export interface TradeRecord {
  sequence: number;
  atMs: number;
  tradeId: string;
  marketId: string;
  kind: string;
  /** YES price. */
  price: string;
  quantity: number;
  takerSide: string;
  takerOutcome: string;
  makerOrderId: string;
  takerOrderId: string;
  takerFee: string;
}

/** One fill of one of the account's orders. `price` is of the order's own outcome; only takers pay `fee`. */
export interface FillView {
  tradeId: string;
  orderId: string;
  clientOrderId: string;
  marketId: string;
  side: string;
  outcome: string;
  price: string;
  quantity: string;
  liquidity: "maker" | "taker";
  fee: string;
  at: string;
  /** The log position (event revision) of the trade. */
  sequence: number;
}

/** A fill as kept: where its trade is (the rest is read from the trade and the order when answered). */
export interface FillRecord {
  /** The trade's revision × PARTS + 0 (maker) or 1 (taker). */
  pos: number;
  marketId: string;
}

/** Kinds of change of an account's cash (cash + reserved), one per entry of `GET /v1/account/activity`. */
export const ACTIVITY_TYPES = [
  "deposit",
  "withdrawal",
  "fill",
  "fee",
  "loan",
  "funding",
  "loan_repayment",
  "margin",
  "deleverage",
  "settlement",
  "liquidation",
  "liquidation_penalty",
  "backstop",
  "pool_supply",
  "pool_redeem",
  "conversion",
  "challenge_bond",
  "adjustment",
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

export interface ActivityView {
  /** The log position (event revision) of the change. */
  sequence: number;
  at: string;
  type: ActivityType;
  marketId?: string;
  /** Signed: positive credits the account, negative debits it. */
  amount: string;
  /** The account's cash (free + reserved) right after this entry. */
  cashAfter: string;
  reference?: string;
}

/** A change of cash as kept: its place in the log, time in ms, and the view's own fields. */
export interface ActivityRecord {
  pos: number;
  atMs: number;
  type: ActivityType;
  marketId?: string;
  amount: string;
  cashAfter: string;
  reference?: string;
}

/** The histories as plain JSON (part of the projection's snapshot). */
export interface HistorySnapshot {
  trades: [string, TradeRecord[]][];
  fills: [string, FillRecord[]][];
  activity: [string, ActivityRecord[]][];
}

/**
 * Events told apart from the generic "cash + reserved before and after" path: those that only move cash between
 * free and reserved (the most frequent ones: no change), and trades, whose amounts the event states exactly.
 */
const NOT_BY_DIFFERENCE = new Set([
  "OrderAccepted",
  "OrderRested",
  "OrderCancelled",
  "OrderQueued",
  "TradeExecuted",
]);

/** Event fields that name an account whose cash the event may change. */
const ACCOUNT_FIELDS = ["accountId", "makerAccountId", "takerAccountId", "fromAccountId", "toAccountId"];

const totalOf = (account: AccountState | undefined): Money =>
  account ? account.cash.plus(account.reserved) : ZERO;

/** "-x" of a positive decimal string. */
const negative = (amount: string): string => `-${amount}`;

const LOAN_REPAYMENT_TYPE: Record<string, ActivityType> = {
  reduce: "loan_repayment",
  margin: "margin",
  liquidation: "liquidation",
  settlement: "settlement",
  deleverage: "deleverage",
};

interface Part {
  type: ActivityType;
  /** The part's amount; null: the change less the other parts' amounts. */
  amount: Money | null;
  reference?: string;
}

/** How an event's change of one account's cash is told: one part, or a fee split from what it was charged on. */
function partsOf(event: Event, accountId: string): Part[] {
  switch (event.type) {
    case "Deposited":
      return [{ type: "deposit", amount: null, reference: event.reference }];
    case "Withdrawn":
      return [{ type: "withdrawal", amount: null, reference: event.reference }];
    case "LoanOpened":
      return [{ type: "loan", amount: null }];
    case "LoanRepaid": {
      const rest: Part = { type: LOAN_REPAYMENT_TYPE[event.source] ?? "loan_repayment", amount: null };
      if (event.reference !== undefined) rest.reference = event.reference;
      return event.feePart === "0"
        ? [rest]
        : [{ type: "funding", amount: money(event.feePart).negated() }, rest];
    }
    case "PositionSettled":
    case "PledgedSharesRedeemed":
      return [{ type: "settlement", amount: null }];
    case "PositionTransferred":
      return [{ type: event.fromAccountId === accountId ? "liquidation" : "backstop", amount: null }];
    case "LiquidationPenaltyCharged":
      return [{ type: "liquidation_penalty", amount: null }];
    case "PoolSupplied":
      return [{ type: "pool_supply", amount: null, reference: event.reference }];
    case "PoolRedeemed":
      return [{ type: "pool_redeem", amount: null, reference: event.reference }];
    case "PositionsConverted":
      return [{ type: "conversion", amount: null, reference: event.reference }];
    case "ResolutionRuled":
    case "EventResolutionRuled":
      // A confirming ruling pays the challengers' bonds to an insurance fund (reserved → insurance).
      return [{ type: "challenge_bond", amount: null }];
    default:
      return [{ type: "adjustment", amount: null }];
  }
}

/** The first index of `list` (ascending by `key`) whose key is ≥ `value`. */
export function lowerBound<T>(list: readonly T[], value: number, key: (item: T) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(list[mid]!) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A page of a list, newest first, and the position to continue before (null: this was the last page). */
export interface Page<T> {
  items: T[];
  next: number | null;
}

/**
 * Newest first from `list` (ascending by `key`), starting strictly before `before` (all when null), keeping the
 * items `keep` accepts, at most `limit`; `next` is the key of the last item answered when another one follows.
 */
export function pageBackward<T>(
  list: readonly T[],
  key: (item: T) => number,
  limit: number,
  before: number | null,
  keep: (item: T) => boolean = () => true,
): Page<T> {
  const items: T[] = [];
  let i = (before === null ? list.length : lowerBound(list, before, key)) - 1;
  for (; i >= 0; i--) {
    const item = list[i]!;
    if (!keep(item)) continue;
    if (items.length === limit) return { items, next: key(items[items.length - 1]!) };
    items.push(item);
  }
  return { items, next: null };
}

export class History {
  private readonly trades = new Map<string, TradeRecord[]>();
  private readonly fills = new Map<string, FillRecord[]>();
  private readonly activity = new Map<string, ActivityRecord[]>();

  toSnapshot(): HistorySnapshot {
    return {
      trades: [...this.trades.entries()],
      fills: [...this.fills.entries()],
      activity: [...this.activity.entries()],
    };
  }

  static fromSnapshot(s: HistorySnapshot): History {
    const h = new History();
    for (const [k, v] of s.trades) h.trades.set(k, v);
    for (const [k, v] of s.fills) h.fills.set(k, v);
    for (const [k, v] of s.activity) h.activity.set(k, v);
    return h;
  }

  /** Cash + reserved of each account the event names, before it is applied. */
  cashBefore(event: Event, state: State): Map<string, Money> | null {
    if (NOT_BY_DIFFERENCE.has(event.type)) return null;
    const named = event as unknown as Record<string, unknown>;
    const before = new Map<string, Money>();
    for (const field of ACCOUNT_FIELDS) {
      const id = named[field];
      if (typeof id === "string" && !before.has(id)) before.set(id, totalOf(state.accounts.get(id)));
    }
    // A ruling names no account: its challengers are those of the pending resolution (of a market or an event).
    const challenges =
      event.type === "ResolutionRuled"
        ? state.markets.get(event.marketId)?.resolution?.challenges
        : event.type === "EventResolutionRuled"
          ? state.eventGroups.get(event.eventId)?.resolution?.challenges
          : undefined;
    for (const c of challenges ?? [])
      if (!before.has(c.accountId)) before.set(c.accountId, totalOf(state.accounts.get(c.accountId)));
    return before;
  }

  /** Records the event (applied to `state` already) at log position `revision`. */
  apply(event: Event, revision: number, atMs: number, state: State, before: Map<string, Money> | null): void {
    if (event.type === "TradeExecuted") {
      this.recordTrade(event, revision, atMs, state);
      return;
    }
    if (before === null) return;
    for (const [accountId, was] of before) {
      const account = state.accounts.get(accountId);
      if (!account) continue;
      const change = totalOf(account).minus(was);
      if (change.isZero()) continue;
      const parts = partsOf(event, accountId);
      const marketId = (event as { marketId?: unknown }).marketId;
      // The part without a fixed amount (there is one) takes the change less the fixed parts.
      const fixed = parts.reduce((sum, p) => (p.amount === null ? sum : sum.plus(p.amount)), ZERO);
      let running = was;
      parts.forEach((part, i) => {
        const amount = part.amount ?? change.minus(fixed);
        if (amount.isZero()) return;
        running = running.plus(amount);
        const entry: ActivityRecord = {
          pos: revision * PARTS + i,
          atMs,
          type: part.type,
          amount: toAmountString(amount),
          cashAfter: toAmountString(running),
        };
        if (typeof marketId === "string") entry.marketId = marketId;
        if (part.reference !== undefined) entry.reference = part.reference;
        this.activityList(accountId).push(entry);
      });
    }
  }

  /**
   * A trade: its record, a fill for the maker and the taker, and their cash changes, told from the event's amounts
   * (a buyer pays amount + fee out of its reservation, a seller receives amount − fee; what the reservation
   * returns to free cash is no change of cash + reserved), each `cashAfter` counted back from the state after it.
   */
  private recordTrade(
    e: Extract<Event, { type: "TradeExecuted" }>,
    revision: number,
    atMs: number,
    state: State,
  ): void {
    const list = this.trades.get(e.marketId);
    const record: TradeRecord = {
      sequence: revision,
      atMs,
      tradeId: e.tradeId,
      marketId: e.marketId,
      kind: e.kind,
      price: e.yesPrice,
      quantity: e.quantity,
      takerSide: e.takerSide,
      takerOutcome: e.takerOutcome,
      makerOrderId: e.makerOrderId,
      takerOrderId: e.takerOrderId,
      takerFee: e.takerFee,
    };
    if (list) list.push(record);
    else this.trades.set(e.marketId, [record]);
    const base = revision * PARTS;
    this.fillList(e.makerAccountId).push({ pos: base, marketId: e.marketId });
    this.fillList(e.takerAccountId).push({ pos: base + 1, marketId: e.marketId });
    const maker = [
      { type: "fill" as const, amount: e.makerSide === "buy" ? negative(e.makerAmount) : e.makerAmount },
    ];
    const taker: { type: ActivityType; amount: string }[] = [
      { type: "fill", amount: e.takerSide === "buy" ? negative(e.takerAmount) : e.takerAmount },
    ];
    if (e.takerFee !== "0") taker.push({ type: "fee", amount: negative(e.takerFee) });
    const changes =
      e.makerAccountId === e.takerAccountId
        ? [{ accountId: e.makerAccountId, parts: [...maker, ...taker] }]
        : [
            { accountId: e.makerAccountId, parts: maker },
            { accountId: e.takerAccountId, parts: taker },
          ];
    for (const { accountId, parts } of changes) {
      let after = totalOf(state.accounts.get(accountId));
      const entries: ActivityRecord[] = new Array(parts.length);
      for (let i = parts.length - 1; i >= 0; i--) {
        const part = parts[i]!;
        entries[i] = {
          pos: base + i,
          atMs,
          type: part.type,
          marketId: e.marketId,
          amount: part.amount,
          cashAfter: toAmountString(after),
        };
        if (i > 0) after = after.minus(part.amount);
      }
      this.activityList(accountId).push(...entries);
    }
  }

  private fillList(accountId: string): FillRecord[] {
    let list = this.fills.get(accountId);
    if (!list) this.fills.set(accountId, (list = []));
    return list;
  }

  private activityList(accountId: string): ActivityRecord[] {
    let list = this.activity.get(accountId);
    if (!list) this.activity.set(accountId, (list = []));
    return list;
  }

  /** The trade at log position `sequence` of the market (null when there is none). */
  tradeAt(marketId: string, sequence: number): TradeRecord | null {
    const list = this.trades.get(marketId) ?? [];
    const t = list[lowerBound(list, sequence, (r) => r.sequence)];
    return t !== undefined && t.sequence === sequence ? t : null;
  }

  /** The answer form of a kept fill: its trade's and order's fields. */
  fillView(r: FillRecord, state: State): FillView {
    const sequence = Math.floor(r.pos / PARTS);
    const t = this.tradeAt(r.marketId, sequence);
    if (!t) throw new Error(`history: no trade at ${sequence} in ${r.marketId}`);
    const maker = r.pos % PARTS === 0;
    const orderId = maker ? t.makerOrderId : t.takerOrderId;
    const order = state.orders.get(orderId);
    if (!order) throw new Error(`history: no order ${orderId}`);
    return {
      tradeId: t.tradeId,
      orderId,
      clientOrderId: order.clientOrderId,
      marketId: t.marketId,
      side: order.side,
      outcome: order.outcome,
      // The own outcome's price: the YES price, or 1 − it for NO (what the event's amount ÷ quantity is).
      price: order.outcome === "NO" ? toAmountString(ONE.minus(t.price)) : t.price,
      quantity: String(t.quantity),
      liquidity: maker ? "maker" : "taker",
      fee: maker ? "0" : t.takerFee,
      at: new Date(t.atMs).toISOString(),
      sequence,
    };
  }

  /** Every trade of the market, oldest first. */
  tradesOf(marketId: string): readonly TradeRecord[] {
    return this.trades.get(marketId) ?? [];
  }

  /** Every fill of the account, oldest first. */
  fillsOf(accountId: string): readonly FillRecord[] {
    return this.fills.get(accountId) ?? [];
  }

  /** Every change of the account's cash, oldest first. */
  activityOf(accountId: string): readonly ActivityRecord[] {
    return this.activity.get(accountId) ?? [];
  }
}

/** The answer form of a kept trade. */
export function tradeView(r: TradeRecord): TradeView {
  return {
    tradeId: r.tradeId,
    marketId: r.marketId,
    kind: r.kind,
    price: r.price,
    quantity: String(r.quantity),
    takerSide: r.takerSide,
    takerOutcome: r.takerOutcome,
    at: new Date(r.atMs).toISOString(),
    sequence: r.sequence,
  };
}

export function activityView(r: ActivityRecord): ActivityView {
  const view: ActivityView = {
    sequence: Math.floor(r.pos / PARTS),
    at: new Date(r.atMs).toISOString(),
    type: r.type,
  } as ActivityView;
  if (r.marketId !== undefined) view.marketId = r.marketId;
  view.amount = r.amount;
  view.cashAfter = r.cashAfter;
  if (r.reference !== undefined) view.reference = r.reference;
  return view;
}

export interface Candle {
  start: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}

/**
 * OHLCV candles of `trades` (oldest first, times non-decreasing) in [fromMs, toMs), by intervals of `intervalMs`
 * aligned on the epoch (UTC), oldest first; intervals without a trade are left out. At most `limit`; `next` is the
 * start (ms) of the next candle when there is one.
 */
export function candlesOf(
  trades: readonly TradeRecord[],
  intervalMs: number,
  fromMs: number,
  toMs: number,
  limit: number,
): { candles: Candle[]; next: number | null } {
  const candles: Candle[] = [];
  let i = lowerBound(trades, fromMs, (t) => t.atMs);
  let current: {
    start: number;
    open: string;
    high: string;
    low: string;
    close: string;
    volume: number;
  } | null = null;
  const close = () => {
    if (!current) return;
    candles.push({
      start: new Date(current.start).toISOString(),
      open: current.open,
      high: current.high,
      low: current.low,
      close: current.close,
      volume: String(current.volume),
    });
    current = null;
  };
  for (; i < trades.length; i++) {
    const t = trades[i]!;
    if (t.atMs >= toMs) break;
    const start = t.atMs - (t.atMs % intervalMs);
    if (current === null || current.start !== start) {
      close();
      if (candles.length === limit) return { candles, next: start };
      current = { start, open: t.price, high: t.price, low: t.price, close: t.price, volume: 0 };
    }
    const p = money(t.price);
    if (p.gt(current.high)) current.high = t.price;
    if (p.lt(current.low)) current.low = t.price;
    current.close = t.price;
    current.volume += t.quantity;
  }
  close();
  return { candles, next: null };
}
