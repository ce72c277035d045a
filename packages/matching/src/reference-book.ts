// The reference OrderBook: the matching rules stated as plainly as possible (one array of order objects), for testing.
//
// `preview` computes the outcome without touching anything, and `place` is literally preview + the primitives
// (cancel each removed maker, reduce each filled maker, rest the remainder). Slow on big books; that is fine.
import type { OrderBook, OrderBookOptions } from "./book.js";
import { checkId, checkLevels, checkLots, checkNewOrder, checkOptions, checkRestingOrder } from "./checks.js";
import { bookSideOf, fillKindOf, yesPriceOf } from "./intents.js";
import {
  BookSide,
  CancelReason,
  type Depth,
  type DepthLevel,
  type Fill,
  type NewOrder,
  type PlaceResult,
  type Removed,
  type RestingOrder,
  TimeInForce,
} from "./types.js";

/** The plainly readable order book: same interface and rules as the fast one. */
export function createReferenceBook(options: OrderBookOptions): OrderBook {
  return new ReferenceOrderBook(options);
}

interface Entry {
  readonly id: number;
  readonly owner: number;
  readonly intent: RestingOrder["intent"];
  /** In the order's own outcome's ticks. */
  readonly priceTicks: number;
  remainingLots: number;
  readonly side: BookSide;
  readonly yesPriceTicks: number;
  /** Arrival number: lower is earlier (time priority). */
  readonly seq: number;
}

class ReferenceOrderBook implements OrderBook {
  readonly ticks: number;
  /** Every resting order, in no particular order (queries sort). */
  private entries: Entry[] = [];
  private nextSeq = 0;

  constructor(options: OrderBookOptions) {
    this.ticks = checkOptions(options);
  }

  preview(order: NewOrder): PlaceResult {
    checkNewOrder(order, this.ticks);
    if (this.find(order.id)) throw new RangeError(`order ${order.id} is already resting`);
    const side = bookSideOf(order.intent);
    const limit = yesPriceOf(order.intent, order.priceTicks, this.ticks);
    const quantity = order.quantityLots;

    // The makers this order could meet, in the order it would meet them.
    const opposite = side === BookSide.BID ? BookSide.ASK : BookSide.BID;
    const crosses = (e: Entry) =>
      side === BookSide.BID ? e.yesPriceTicks <= limit : e.yesPriceTicks >= limit;
    const makers = this.sideInPriority(opposite).filter(crosses);

    // Post-only: rest whole, or cancel whole if anything (anyone's) would match.
    if (order.postOnly) {
      if (makers.length > 0) return outcome([], [], 0, quantity, CancelReason.POST_ONLY_WOULD_CROSS);
      return outcome([], [], quantity, 0, null);
    }

    // Fill-or-kill: only other owners' lots can fill it (own makers would be removed, not matched).
    if (order.timeInForce === TimeInForce.FOK) {
      const available = makers
        .filter((m) => m.owner !== order.owner)
        .reduce((n, m) => n + m.remainingLots, 0);
      if (available < quantity) return outcome([], [], 0, quantity, CancelReason.FOK_NOT_FILLABLE);
    }

    const fills: Fill[] = [];
    const removed: Removed[] = [];
    let remaining = quantity;
    for (const maker of makers) {
      if (remaining === 0) break;
      if (maker.owner === order.owner) {
        // Self-trade prevention, "cancel resting": the own maker goes, matching goes on with the next one.
        removed.push({
          id: maker.id,
          owner: maker.owner,
          intent: maker.intent,
          remainingLots: maker.remainingLots,
          reason: CancelReason.SELF_TRADE,
        });
        continue;
      }
      const lots = Math.min(remaining, maker.remainingLots);
      remaining -= lots;
      fills.push({
        kind: fillKindOf(order.intent, maker.intent),
        makerId: maker.id,
        makerOwner: maker.owner,
        makerIntent: maker.intent,
        takerId: order.id,
        takerIntent: order.intent,
        yesPriceTicks: maker.yesPriceTicks, // the maker's price
        quantityLots: lots,
        makerDone: lots === maker.remainingLots,
      });
    }

    if (remaining === 0) return outcome(fills, removed, 0, 0, null);
    if (order.timeInForce === TimeInForce.GTC) return outcome(fills, removed, remaining, 0, null);
    return outcome(fills, removed, 0, remaining, CancelReason.IOC_REMAINDER);
  }

  place(order: NewOrder): PlaceResult {
    const result = this.preview(order);
    for (const r of result.removed) this.cancel(r.id);
    for (const f of result.fills) this.reduce(f.makerId, f.quantityLots);
    if (result.restingLots > 0) {
      this.rest({
        id: order.id,
        owner: order.owner,
        intent: order.intent,
        priceTicks: order.priceTicks,
        remainingLots: result.restingLots,
      });
    }
    return result;
  }

  rest(order: RestingOrder): void {
    checkRestingOrder(order, this.ticks);
    if (this.find(order.id)) throw new RangeError(`order ${order.id} is already resting`);
    const side = bookSideOf(order.intent);
    const yes = yesPriceOf(order.intent, order.priceTicks, this.ticks);
    if (side === BookSide.BID ? yes >= this.bestAsk() : yes <= this.bestBid()) {
      throw new RangeError(`order ${order.id} at YES ${yes} would cross the book`);
    }
    this.entries.push({ ...order, side, yesPriceTicks: yes, seq: this.nextSeq++ });
  }

  reduce(id: number, lots: number): void {
    checkLots(lots, "reduced lots");
    const e = this.find(id);
    if (!e) throw new RangeError(`order ${id} is not resting`);
    if (lots > e.remainingLots) {
      throw new RangeError(`cannot reduce order ${id} by ${lots}: only ${e.remainingLots} remaining`);
    }
    e.remainingLots -= lots;
    if (e.remainingLots === 0) this.entries = this.entries.filter((x) => x !== e);
  }

  cancel(id: number): RestingOrder | null {
    const e = this.find(id);
    if (!e) return null;
    this.entries = this.entries.filter((x) => x !== e);
    return toResting(e);
  }

  get(id: number): RestingOrder | null {
    const e = this.find(id);
    return e ? toResting(e) : null;
  }

  bestBid(): number {
    return this.prices(BookSide.BID).reduce((best, p) => Math.max(best, p), 0);
  }

  bestAsk(): number {
    return this.prices(BookSide.ASK).reduce((best, p) => Math.min(best, p), this.ticks);
  }

  depth(levels = Number.POSITIVE_INFINITY): Depth {
    checkLevels(levels);
    return {
      bids: this.levels(BookSide.BID).slice(0, levels),
      asks: this.levels(BookSide.ASK).slice(0, levels),
    };
  }

  restingCount(): number {
    return this.entries.length;
  }

  restingOrders(): RestingOrder[] {
    return [...this.sideInPriority(BookSide.BID), ...this.sideInPriority(BookSide.ASK)].map(toResting);
  }

  validate(): void {
    const ids = new Set<number>();
    for (const e of this.entries) {
      checkId(e.id);
      if (ids.has(e.id)) throw new Error(`reference book: id ${e.id} rests twice`);
      ids.add(e.id);
      if (!(Number.isSafeInteger(e.remainingLots) && e.remainingLots > 0)) {
        throw new Error(`reference book: order ${e.id} has ${e.remainingLots} lots`);
      }
    }
    if (this.bestBid() >= this.bestAsk()) throw new Error("reference book: crossed");
  }

  private find(id: number): Entry | undefined {
    return this.entries.find((e) => e.id === id);
  }

  private prices(side: BookSide): number[] {
    return this.entries.filter((e) => e.side === side).map((e) => e.yesPriceTicks);
  }

  /** One side's orders, best price first (highest bid, lowest ask), then earliest first. */
  private sideInPriority(side: BookSide): Entry[] {
    const better =
      side === BookSide.BID
        ? (a: Entry, b: Entry) => b.yesPriceTicks - a.yesPriceTicks
        : (a: Entry, b: Entry) => a.yesPriceTicks - b.yesPriceTicks;
    return this.entries.filter((e) => e.side === side).sort((a, b) => better(a, b) || a.seq - b.seq);
  }

  /** One side's levels, best first: the lots resting at each YES price. */
  private levels(side: BookSide): DepthLevel[] {
    const levels: DepthLevel[] = [];
    for (const e of this.sideInPriority(side)) {
      const last = levels[levels.length - 1];
      if (last && last.priceTicks === e.yesPriceTicks) {
        levels[levels.length - 1] = {
          priceTicks: last.priceTicks,
          quantityLots: last.quantityLots + e.remainingLots,
        };
      } else levels.push({ priceTicks: e.yesPriceTicks, quantityLots: e.remainingLots });
    }
    return levels;
  }
}

function toResting(e: Entry): RestingOrder {
  return {
    id: e.id,
    owner: e.owner,
    intent: e.intent,
    priceTicks: e.priceTicks,
    remainingLots: e.remainingLots,
  };
}

function outcome(
  fills: Fill[],
  removed: Removed[],
  restingLots: number,
  cancelledLots: number,
  cancelReason: CancelReason | null,
): PlaceResult {
  return { fills, removed, restingLots, cancelledLots, cancelReason };
}
