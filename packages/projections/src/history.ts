// Histories folded from the log: every trade of a market, every fill and every cash change of an account. Each
// record carries its place in the log (`pos` = event revision × 4 + part), so that a page of any list can be
// continued from a cursor that names a log position: the same after a restart, a snapshot or on a follower.
import {
  type AccountState,
  type Event,
  type Money,
  money,
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

/** A trade as kept: its view plus its time in ms (candles, time ranges). */
export interface TradeRecord extends TradeView {
  atMs: number;
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

export interface FillRecord extends FillView {
  pos: number;
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

export interface ActivityRecord extends ActivityView {
  pos: number;
}

/** The histories as plain JSON (part of the projection's snapshot). */
export interface HistorySnapshot {
  trades: [string, TradeRecord[]][];
  fills: [string, FillRecord[]][];
  activity: [string, ActivityRecord[]][];
}

/** Events that only move cash between free and reserved (the most frequent ones): no change of cash + reserved. */
const RESERVATION_ONLY = new Set(["OrderAccepted", "OrderRested", "OrderCancelled", "OrderQueued"]);

/** Event fields that name an account whose cash the event may change. */
const ACCOUNT_FIELDS = ["accountId", "makerAccountId", "takerAccountId", "fromAccountId", "toAccountId"];

const totalOf = (account: AccountState | undefined): Money =>
  account ? account.cash.plus(account.reserved) : ZERO;

/** Own-outcome price of a fill from its amount and quantity (exact: the amount is price × quantity). */
const priceOf = (amount: string, quantity: number): string => toAmountString(money(amount).div(quantity));

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
    case "TradeExecuted":
      if (event.takerAccountId === accountId && event.takerFee !== "0")
        return [
          { type: "fill", amount: null },
          { type: "fee", amount: money(event.takerFee).negated() },
        ];
      return [{ type: "fill", amount: null }];
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
    if (RESERVATION_ONLY.has(event.type)) return null;
    const named = event as unknown as Record<string, unknown>;
    const before = new Map<string, Money>();
    for (const field of ACCOUNT_FIELDS) {
      const id = named[field];
      if (typeof id === "string" && !before.has(id)) before.set(id, totalOf(state.accounts.get(id)));
    }
    return before;
  }

  /** Records the event (applied to `state` already) at log position `revision`. */
  apply(event: Event, revision: number, atMs: number, state: State, before: Map<string, Money> | null): void {
    if (event.type === "TradeExecuted") this.recordTrade(event, revision, atMs, state);
    if (before === null) return;
    let at: string | null = null;
    for (const [accountId, was] of before) {
      const account = state.accounts.get(accountId);
      if (!account) continue;
      const now = totalOf(account);
      const change = now.minus(was);
      if (change.isZero()) continue;
      const parts = partsOf(event, accountId);
      const marketId = (event as { marketId?: unknown }).marketId;
      let list = this.activity.get(accountId);
      if (!list) this.activity.set(accountId, (list = []));
      // The part without a fixed amount (there is one) takes the change less the fixed parts.
      const fixed = parts.reduce((sum, p) => (p.amount === null ? sum : sum.plus(p.amount)), ZERO);
      let running = was;
      parts.forEach((part, i) => {
        const amount = part.amount ?? change.minus(fixed);
        if (amount.isZero()) return;
        running = running.plus(amount);
        const entry: ActivityRecord = {
          sequence: revision,
          at: (at ??= new Date(atMs).toISOString()),
          type: part.type,
          amount: toAmountString(amount),
          cashAfter: toAmountString(running),
          pos: revision * PARTS + i,
        };
        if (typeof marketId === "string") entry.marketId = marketId;
        if (part.reference !== undefined) entry.reference = part.reference;
        list.push(entry);
      });
    }
  }

  private recordTrade(
    e: Extract<Event, { type: "TradeExecuted" }>,
    revision: number,
    atMs: number,
    state: State,
  ): void {
    const at = new Date(atMs).toISOString();
    let list = this.trades.get(e.marketId);
    if (!list) this.trades.set(e.marketId, (list = []));
    list.push({
      tradeId: e.tradeId,
      marketId: e.marketId,
      kind: e.kind,
      price: e.yesPrice,
      quantity: String(e.quantity),
      takerSide: e.takerSide,
      takerOutcome: e.takerOutcome,
      at,
      sequence: revision,
      atMs,
    });
    const fill = (part: 0 | 1): FillRecord => {
      const maker = part === 0;
      const orderId = maker ? e.makerOrderId : e.takerOrderId;
      return {
        tradeId: e.tradeId,
        orderId,
        clientOrderId: state.orders.get(orderId)?.clientOrderId ?? "",
        marketId: e.marketId,
        side: maker ? e.makerSide : e.takerSide,
        outcome: maker ? e.makerOutcome : e.takerOutcome,
        price: priceOf(maker ? e.makerAmount : e.takerAmount, e.quantity),
        quantity: String(e.quantity),
        liquidity: maker ? "maker" : "taker",
        fee: maker ? "0" : e.takerFee,
        at,
        sequence: revision,
        pos: revision * PARTS + part,
      };
    };
    this.fillOf(e.makerAccountId).push(fill(0));
    this.fillOf(e.takerAccountId).push(fill(1));
  }

  private fillOf(accountId: string): FillRecord[] {
    let list = this.fills.get(accountId);
    if (!list) this.fills.set(accountId, (list = []));
    return list;
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

/** The answer form of a kept trade (without its time in ms). */
export function tradeView(r: TradeRecord): TradeView {
  const { atMs: _, ...view } = r;
  return view;
}

export function fillView(r: FillRecord): FillView {
  const { pos: _, ...view } = r;
  return view;
}

export function activityView(r: ActivityRecord): ActivityView {
  const { pos: _, ...view } = r;
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
    current.volume += Number(t.quantity);
  }
  close();
  return { candles, next: null };
}
