// The exchange's read side: folds the log's events into the domain state plus trades, order fills, chain and hashes.

import { createHash } from "node:crypto";
import {
  type Event,
  evolve,
  initialState,
  money,
  type OrderStatus,
  type Solvency,
  type State,
  type StateSnapshot,
  snapshotOf,
  solvency,
  stateFromSnapshot,
  toAmountString,
  writeCanonicalState,
} from "@pmx/domain";
import { GENESIS_HASH } from "./chain.js";
import { CostBasis, type CostBasisSnapshot, type HoldingView } from "./cost-basis.js";
import {
  type ActivityRecord,
  type FillRecord,
  type FillView,
  History,
  type HistorySnapshot,
  lowerBound,
  type TradeRecord,
  type TradeView,
  tradeView,
} from "./history.js";
import {
  chainProblem,
  decodeStoredEvent,
  eventDataText,
  type LogMetadata,
  type PositionedEvent,
  positionProblem,
  type StoredEvent,
} from "./log-format.js";
import { RiskRecord, type RiskRecordSnapshot } from "./risk-record.js";
import { type OrderFillView, type OrderView, orderView } from "./views.js";

/** How an order stood when the command that placed it was done: the first answer to that request. */
interface Placement {
  status: OrderStatus;
  filledQuantity: number;
  cancelReason: string | null;
  fills: number;
}

/** The metadata a projection needs of each event. */
export type EventMeta = Pick<LogMetadata, "commandId" | "seq" | "at" | "index" | "count" | "hash">;

/** A projection at one position of the log, as a plain-JSON snapshot. */
export interface ProjectionSnapshot {
  /**
   * 3: with the operator's risk record (`risk`: bad debts and their waterfall, pool share values, counts);
   * 2 lacked it, 1 kept only recent trades. An older snapshot is not used: the log is read from genesis.
   */
  version: 3;
  /** Events applied: the snapshot continues with the event of this revision. */
  eventCount: number;
  /** The chain head after the last applied event. */
  head: string;
  lastSeq: number;
  lastAt: number;
  /** SHA-256 of the canonical state, to check the restored state against. */
  stateHash: string;
  state: StateSnapshot;
  history: HistorySnapshot;
  risk: RiskRecordSnapshot;
  fills: [string, OrderFillView[]][];
  placements: [string, Placement][];
  ordersByAccount: [string, string[]][];
  /** Per market, the revision of the last event that changed its book (absent in older snapshots). */
  bookRevisions?: [string, number][];
  /** Cost basis and realized P&L per account, market and outcome (an older snapshot without it is not used). */
  costBasis?: CostBasisSnapshot;
}

/** An account's orders by status (the projection's index for `?status=` queries and the open-order cap). */
interface StatusIndex {
  readonly open: Set<string>;
  /** Order numbers, ascending. */
  readonly filled: number[];
  readonly cancelled: number[];
}

/** Event fields that name an order. */
const ORDER_FIELDS = ["orderId", "makerOrderId", "takerOrderId"];

/**
 * The market whose book the event changes, read before the event is applied (null: none): a listing creates a book,
 * an order resting adds to it, a trade takes from a resting order, a cancellation removes a resting one. These are
 * the only events `evolve` changes a book with.
 */
function bookChangedBy(event: Event, state: State): string | null {
  switch (event.type) {
    case "MarketListed":
    case "OrderRested":
    case "OrderAmended":
      return event.marketId;
    case "TradeExecuted": {
      const book = state.markets.get(event.marketId)?.book;
      const resting = (id: string) => {
        const n = state.orders.get(id)?.number;
        return n !== undefined && book?.get(n) != null;
      };
      return resting(event.makerOrderId) || resting(event.takerOrderId) ? event.marketId : null;
    }
    case "OrderCancelled": {
      const n = state.orders.get(event.orderId)?.number;
      return n !== undefined && state.markets.get(event.marketId)?.book.get(n) != null
        ? event.marketId
        : null;
    }
    default:
      return null;
  }
}

export class ExchangeProjection {
  readonly state: State;
  /** Hash-chain head after the last applied event. */
  head: string = GENESIS_HASH;
  /** Number of events applied (= the next event's revision). */
  eventCount = 0;
  /** Sequence number of the last command applied. */
  lastSeq = 0;
  /** Time of the last command applied (ms). */
  lastAt = 0;
  private history = new History();
  private risk = new RiskRecord();
  private readonly fills = new Map<string, OrderFillView[]>();
  private readonly placements = new Map<string, Placement>();
  private readonly placedInCommand: string[] = [];
  private readonly ordersByAccount = new Map<string, string[]>();
  /** Cost basis and P&L per account, market and outcome. */
  private costBasis = new CostBasis();
  /** Per account: its open orders, and its filled / cancelled ones by number (final statuses never change). */
  private readonly byStatus = new Map<string, StatusIndex>();
  /** Orders an event of the current command names (their status is re-read when the command ends). */
  private readonly touchedInCommand = new Set<string>();
  /** False: only the state, chain and counters are kept (trades, fills, placements and order lists are not). */
  private readonly views: boolean;
  /** Per market: the log revision of the last event that changed its book (its listing's, before any order rests). */
  private readonly bookRevisions = new Map<string, number>();

  /**
   * `views: false` is for tools that read only the state, chain head and counters (`pmx replay`, `pmx audit`):
   * the trade, fill, placement and order-list views are then neither built nor held (their queries answer empty).
   */
  constructor(state: State = initialState(), options: { views?: boolean } = {}) {
    this.state = state;
    this.views = options.views ?? true;
  }

  /** Everything the projection holds, as plain JSON (taken between commands). */
  toSnapshot(): ProjectionSnapshot {
    return {
      version: 3,
      eventCount: this.eventCount,
      head: this.head,
      lastSeq: this.lastSeq,
      lastAt: this.lastAt,
      stateHash: this.stateHash(),
      state: snapshotOf(this.state),
      history: this.history.toSnapshot(),
      risk: this.risk.toSnapshot(),
      fills: [...this.fills.entries()],
      placements: [...this.placements.entries()],
      ordersByAccount: [...this.ordersByAccount.entries()],
      bookRevisions: [...this.bookRevisions.entries()],
      costBasis: this.costBasis.toSnapshot(),
    };
  }

  /** The account's holdings per market and outcome: quantity, average price, realized and unrealized P&L. */
  holdings(accountId: string): HoldingView[] {
    return this.costBasis.view(accountId, this.state);
  }

  /**
   * The book's sequence: the log revision of the last event that changed the market's book (null: no such market).
   * It rises strictly with every change, and comes from the log alone, so a follower answers the same number.
   */
  bookSequence(marketId: string): number | null {
    return this.bookRevisions.get(marketId) ?? null;
  }

  /** The projection a snapshot was taken of; throws when its state does not hash to the recorded state hash. */
  static fromSnapshot(s: ProjectionSnapshot): ExchangeProjection {
    // A version 1 snapshot lacks the histories, a version 2 the risk record: the log is read from genesis instead.
    if (s.version !== 3) throw new Error(`projection snapshot version ${String(s.version)} is not supported`);
    const p = new ExchangeProjection(stateFromSnapshot(s.state));
    p.eventCount = s.eventCount;
    p.head = s.head;
    p.lastSeq = s.lastSeq;
    p.lastAt = s.lastAt;
    p.history = History.fromSnapshot(s.history);
    p.risk = RiskRecord.fromSnapshot(s.risk);
    for (const [k, v] of s.fills) p.fills.set(k, v);
    for (const [k, v] of s.placements) p.placements.set(k, v);
    for (const [k, v] of s.ordersByAccount) p.ordersByAccount.set(k, v);
    // An older snapshot has no book revisions: each book then reflects everything up to the snapshot.
    for (const marketId of p.state.markets.keys()) p.bookRevisions.set(marketId, s.eventCount - 1);
    for (const [k, v] of s.bookRevisions ?? []) p.bookRevisions.set(k, v);
    // Without it the holdings would miss everything before the snapshot: such a snapshot is not used (genesis is).
    if (!s.costBasis)
      throw new Error("the snapshot predates the cost basis read model: the log is read from genesis");
    p.costBasis = CostBasis.fromSnapshot(s.costBasis);
    for (const order of p.state.orders.values()) p.indexStatus(order.orderId, true);
    const hash = p.stateHash();
    if (hash !== s.stateHash) throw new Error(`snapshot state hashes to ${hash}, recorded ${s.stateHash}`);
    return p;
  }

  /** Verifies one stored event against the chain and applies it; answers the problem when it does not verify. */
  applyStored(
    stored: StoredEvent,
  ): { ok: true; event: Event; metadata: LogMetadata } | { ok: false; problem: string } {
    const decoded = decodeStoredEvent(stored, this.head);
    if (!decoded.ok) return decoded;
    const problem = this.sequenceProblem(decoded.metadata);
    if (problem !== null) return { ok: false, problem };
    this.apply(decoded.event, decoded.metadata);
    return decoded;
  }

  /**
   * `applyStored` for an event as the store read it back: it must also be stored where the chain puts it — in
   * `stream`, at revision `eventCount` (`positionProblem`) — before its bytes are checked against the chain.
   */
  applyRecorded(
    stored: PositionedEvent,
    stream: string,
  ): { ok: true; event: Event; metadata: LogMetadata } | { ok: false; problem: string } {
    const problem = positionProblem(stored, stream, this.eventCount);
    if (problem !== null) return { ok: false, problem };
    return this.applyStored(stored);
  }

  /**
   * For `pmx audit`: applies `expected` (the event re-deciding the command gives) in place of the stored event when
   * the stored event verifies against the chain, continues its command in order, and its type and data are exactly
   * the bytes the writer stores for `expected` (`encodeCommandEvents`) — equal bytes, equal event, so the stored
   * text need not be parsed or decoded. `meta` is the stored event's parsed metadata. Answers false, changing
   * nothing, otherwise: the caller then reads the stored event with `applyStored` to say what differs.
   */
  applyIfRecorded(stored: StoredEvent, meta: LogMetadata, expected: Event): boolean {
    if (stored.type !== expected.type || this.sequenceProblem(meta) !== null) return false;
    if (chainProblem(stored, this.head) !== null) return false;
    if (stored.data !== eventDataText(expected)) return false;
    this.apply(expected, meta);
    return true;
  }

  /** A command's events are contiguous, numbered 0..count−1, and a new command starts only after the last one ended. */
  private sequenceProblem(meta: LogMetadata): string | null {
    const open = this.commandOpen;
    if (open === null) {
      if (meta.index === 0) return null;
      return `event ${meta.index} of command ${meta.commandId} without the events before it`;
    }
    if (meta.index === open.next && meta.commandId === open.commandId) return null;
    return `command ${open.commandId} is cut short: its event ${open.next} of ${open.count} was expected, found event ${meta.index} of ${meta.commandId}`;
  }

  /** Applies an event whose chain hash has already been computed (by the writer or by `applyStored`). */
  apply(event: Event, meta: EventMeta): void {
    const cashBefore = this.views ? this.history.cashBefore(event, this.state) : null;
    const book = bookChangedBy(event, this.state);
    if (this.views) this.costBasis.apply(event, this.state);
    if (book !== null) this.bookRevisions.set(book, this.eventCount);
    evolve(this.state, event);
    if (this.views) {
      this.history.apply(event, this.eventCount, meta.at, this.state, cashBefore);
      this.risk.apply(event, this.eventCount, meta.at);
    }
    this.head = meta.hash;
    this.eventCount += 1;
    this.lastSeq = meta.seq;
    this.lastAt = meta.at;
    if (this.views) this.applyToViews(event, meta);
    if (meta.index === meta.count - 1) {
      this.commandOpen = null;
      if (this.views) {
        this.closeCommand();
        this.risk.closeCommand(this.state, this.eventCount - 1, meta.at);
      }
    } else this.commandOpen = { commandId: meta.commandId, next: meta.index + 1, count: meta.count };
  }

  private applyToViews(event: Event, _meta: EventMeta): void {
    const named = event as unknown as Record<string, unknown>;
    for (const field of ORDER_FIELDS) {
      const id = named[field];
      if (typeof id === "string") this.touchedInCommand.add(id);
    }
    switch (event.type) {
      case "OrderAccepted":
        this.fills.set(event.orderId, []);
        this.placedInCommand.push(event.orderId);
        {
          const list = this.ordersByAccount.get(event.accountId);
          if (list) list.push(event.orderId);
          else this.ordersByAccount.set(event.accountId, [event.orderId]);
        }
        break;
      case "TradeExecuted": {
        this.fills.get(event.makerOrderId)?.push({
          tradeId: event.tradeId,
          price: priceOf(event.makerAmount, event.quantity),
          quantity: String(event.quantity),
          liquidity: "maker",
          fee: "0",
        });
        this.fills.get(event.takerOrderId)?.push({
          tradeId: event.tradeId,
          price: priceOf(event.takerAmount, event.quantity),
          quantity: String(event.quantity),
          liquidity: "taker",
          fee: event.takerFee,
        });
        break;
      }
      default:
        break;
    }
  }

  /** The command whose events are still coming (the log read so far ends inside it), or null. */
  commandOpen: { commandId: string; next: number; count: number } | null = null;

  private closeCommand(): void {
    for (const orderId of this.placedInCommand) {
      const order = this.state.orders.get(orderId)!;
      this.placements.set(orderId, {
        status: order.status,
        filledQuantity: order.filledQuantity,
        cancelReason: order.cancelReason,
        fills: this.fills.get(orderId)?.length ?? 0,
      });
    }
    this.placedInCommand.length = 0;
    for (const orderId of this.touchedInCommand) this.indexStatus(orderId, false);
    this.touchedInCommand.clear();
  }

  /** Files the order under its status now: open ones in a set, final ones once, in order-number order. */
  private indexStatus(orderId: string, restoring: boolean): void {
    const order = this.state.orders.get(orderId);
    if (!order) return;
    let index = this.byStatus.get(order.accountId);
    if (!index) this.byStatus.set(order.accountId, (index = { open: new Set(), filled: [], cancelled: [] }));
    if (order.status === "open") {
      index.open.add(orderId);
      return;
    }
    const wasOpen = index.open.delete(orderId);
    const list = order.status === "filled" ? index.filled : index.cancelled;
    if (!restoring && !wasOpen && list.includes(order.number)) return;
    // Usually the newest: insert from the end.
    let i = list.length;
    while (i > 0 && list[i - 1]! > order.number) i -= 1;
    if (list[i - 1] !== order.number) list.splice(i, 0, order.number);
  }

  /** Number of open orders of the account (an index, not a scan). */
  openOrderCount(accountId: string): number {
    return this.byStatus.get(accountId)?.open.size ?? 0;
  }

  /**
   * Ids of the account's orders with this status, newest (highest number) first, lazily: the open ones from a set
   * (at most the open-order cap), the filled / cancelled ones from their own list, so that a query reads only
   * orders of the status it asks for.
   */
  *orderIdsWithStatus(accountId: string, status: "open" | "filled" | "cancelled"): IterableIterator<string> {
    const index = this.byStatus.get(accountId);
    if (!index) return;
    if (status === "open") {
      const numbers = [...index.open].map((id) => this.state.orders.get(id)!.number).sort((a, b) => b - a);
      for (const n of numbers) yield this.state.orders.byNumber(n)!.orderId;
      return;
    }
    const list = status === "filled" ? index.filled : index.cancelled;
    for (let i = list.length - 1; i >= 0; i--) yield this.state.orders.byNumber(list[i]!)!.orderId;
  }

  /**
   * Ids of the account's orders, newest (highest number) first, with the status when one is given, numbered below
   * `beforeNumber` when it is not null (a page's cursor): lazily, each list entered by binary search.
   */
  *orderIdsNewestFirst(
    accountId: string,
    status: "open" | "filled" | "cancelled" | undefined,
    beforeNumber: number | null,
  ): IterableIterator<string> {
    const below = beforeNumber ?? Number.POSITIVE_INFINITY;
    if (status === "open") {
      for (const id of this.orderIdsWithStatus(accountId, "open"))
        if (this.state.orders.get(id)!.number < below) yield id;
      return;
    }
    if (status !== undefined) {
      const list =
        status === "filled" ? this.byStatus.get(accountId)?.filled : this.byStatus.get(accountId)?.cancelled;
      if (!list) return;
      for (let i = lowerBound(list, below, (n) => n) - 1; i >= 0; i--)
        yield this.state.orders.byNumber(list[i]!)!.orderId;
      return;
    }
    const ids = this.orderIdsOf(accountId);
    const numberOf = (id: string) => this.state.orders.get(id)!.number;
    for (let i = lowerBound(ids, below, numberOf) - 1; i >= 0; i--) yield ids[i]!;
  }

  /** SHA-256 of the canonical state: equal states, equal hashes. */
  stateHash(): string {
    const hash = createHash("sha256");
    writeCanonicalState(this.state, (piece) => hash.update(piece));
    return hash.digest("hex");
  }

  solvency(): Solvency {
    return solvency(this.state);
  }

  /** Newest first, as the stream's snapshot gives them (without their log position). */
  recentTrades(marketId: string, limit: number): Omit<TradeView, "sequence">[] {
    const list = this.history.tradesOf(marketId);
    return list
      .slice(Math.max(0, list.length - limit))
      .reverse()
      .map((r) => {
        const { sequence: _, ...view } = tradeView(r);
        return view;
      });
  }

  /** Every trade of the market since genesis, oldest first (each with its log position). */
  /** The operator's risk record: bad debts and their waterfall, share values over time, counts per market. */
  get riskRecord(): RiskRecord {
    return this.risk;
  }

  tradesOf(marketId: string): readonly TradeRecord[] {
    return this.history.tradesOf(marketId);
  }

  /** Every fill of the account's orders since genesis, oldest first (`fillView` answers one). */
  fillsOf(accountId: string): readonly FillRecord[] {
    return this.history.fillsOf(accountId);
  }

  /** A kept fill as answered: the fields of its trade and its order. */
  fillView(fill: FillRecord): FillView {
    return this.history.fillView(fill, this.state);
  }

  /** Every change of the account's cash (free + reserved) since genesis, oldest first, with the cash after it. */
  activityOf(accountId: string): readonly ActivityRecord[] {
    return this.history.activityOf(accountId);
  }

  /** Ids of the account's orders, oldest first. */
  orderIdsOf(accountId: string): readonly string[] {
    return this.ordersByAccount.get(accountId) ?? [];
  }

  /** The order now, with all its fills. */
  order(orderId: string): OrderView | null {
    const order = this.state.orders.get(orderId);
    return order ? orderView(order, this.fills.get(orderId) ?? []) : null;
  }

  /** The answer the order's placement gave: its state when the placing command was done, with the fills it caused. */
  placementAnswer(orderId: string): OrderView | null {
    const order = this.state.orders.get(orderId);
    const placement = this.placements.get(orderId);
    if (!order || !placement) return null;
    const view = orderView(order, (this.fills.get(orderId) ?? []).slice(0, placement.fills));
    view.status = placement.status;
    view.filledQuantity = String(placement.filledQuantity);
    if (placement.cancelReason) view.cancelReason = placement.cancelReason;
    else delete view.cancelReason;
    return view;
  }
}

/** Own-outcome price of a fill from its amount and quantity (exact: the amount is price × quantity). */
const priceOf = (amount: string, quantity: number): string => toAmountString(money(amount).div(quantity));
