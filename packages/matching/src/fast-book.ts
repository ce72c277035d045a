// The fast OrderBook: orders in a typed-array slot pool, per-tick FIFO levels, a bitset of non-empty levels.
//
// Layout (no per-order JS objects: a million resting orders over 100 books take about 105 MiB, see bench/memory.mjs):
//   * slot pool: parallel typed arrays indexed by slot (id, owner, lots, intent, YES tick, next, prev),
//     grown by doubling; freed slots are chained through `next` into a free list;
//   * `slotOf`: Map from order id to slot;
//   * levels: head / tail / total lots per (side, YES tick) in flat typed arrays, index side * (ticks + 1) + tick;
//     each level is a doubly linked FIFO of slots (O(1) append, O(1) cancel anywhere in the queue);
//   * a bitset per side marks non-empty levels, so finding the next price is a word scan with Math.clz32,
//     not a tick-by-tick walk (it matters at 10000 ticks);
//   * best bid / best ask are kept current after every change.
// The matching rules are listed on `execute` below and in README.md; the reference book states them plainly.
import type { OrderBook, OrderBookOptions } from "./book.js";
import { checkLevels, checkLots, checkNewOrder, checkOptions, checkRestingOrder } from "./checks.js";
import { bookSideOf, yesPriceOf } from "./intents.js";
import {
  BookSide,
  CancelReason,
  type Depth,
  type DepthLevel,
  type Fill,
  type FillKind,
  type Intent,
  type NewOrder,
  type PlaceResult,
  type Removed,
  type RestingOrder,
  TimeInForce,
} from "./types.js";

/** The fast, typed-array order book (see the module header for its layout). */
export function createOrderBook(options: OrderBookOptions): OrderBook {
  return new FastOrderBook(options);
}

const NONE = -1;
const BID = BookSide.BID;
const ASK = BookSide.ASK;
const DEFAULT_CAPACITY = 64;
const NO_FILLS: readonly Fill[] = Object.freeze([]);
const NO_REMOVALS: readonly Removed[] = Object.freeze([]);

class FastOrderBook implements OrderBook {
  readonly ticks: number;

  // slot pool
  private capacity: number;
  private used = 0; // slots ever handed out (high-water mark); slots below it are live or on the free list
  private freeHead = NONE;
  private sId: Float64Array;
  private sOwner: Float64Array;
  private sLots: Float64Array;
  private sIntent: Uint8Array;
  private sTick: Int32Array; // YES tick
  private sNext: Int32Array;
  private sPrev: Int32Array;
  private readonly slotOf = new Map<number, number>();

  // levels, index side * stride + YES tick
  private readonly stride: number;
  private readonly head: Int32Array;
  private readonly tail: Int32Array;
  private readonly levelLots: Float64Array;
  // bit (side * words * 32 + tick) is set iff that level holds an order
  private readonly words: number;
  private readonly bits: Int32Array;

  private bid = 0; // best bid, 0 when none
  private ask: number; // best ask, `ticks` when none

  constructor(options: OrderBookOptions) {
    const ticks = checkOptions(options);
    this.ticks = ticks;
    this.ask = ticks;
    const cap = Math.max(1, options.initialCapacity ?? DEFAULT_CAPACITY);
    this.capacity = cap;
    this.sId = new Float64Array(cap);
    this.sOwner = new Float64Array(cap);
    this.sLots = new Float64Array(cap);
    this.sIntent = new Uint8Array(cap);
    this.sTick = new Int32Array(cap);
    this.sNext = new Int32Array(cap);
    this.sPrev = new Int32Array(cap);
    this.stride = ticks + 1;
    this.head = new Int32Array(2 * this.stride).fill(NONE);
    this.tail = new Int32Array(2 * this.stride).fill(NONE);
    this.levelLots = new Float64Array(2 * this.stride);
    this.words = (ticks + 32) >>> 5; // covers ticks 0..ticks
    this.bits = new Int32Array(2 * this.words);
  }

  preview(order: NewOrder): PlaceResult {
    return this.execute(order, false);
  }

  place(order: NewOrder): PlaceResult {
    return this.execute(order, true);
  }

  rest(order: RestingOrder): void {
    checkRestingOrder(order, this.ticks);
    if (this.slotOf.has(order.id)) throw new RangeError(`order ${order.id} is already resting`);
    const side = bookSideOf(order.intent);
    const yes = yesPriceOf(order.intent, order.priceTicks, this.ticks);
    if (side === BID ? yes >= this.ask : yes <= this.bid) {
      throw new RangeError(
        `order ${order.id} at YES ${yes} would cross the book (${this.bid} / ${this.ask})`,
      );
    }
    this.insert(order.id, order.owner, order.intent, side, yes, order.remainingLots);
  }

  reduce(id: number, lots: number): void {
    checkLots(lots, "reduced lots");
    const s = this.slotOf.get(id);
    if (s === undefined) throw new RangeError(`order ${id} is not resting`);
    const left = this.sLots[s];
    if (lots > left) throw new RangeError(`cannot reduce order ${id} by ${lots}: only ${left} remaining`);
    if (lots === left) {
      this.removeSlot(s);
    } else {
      this.sLots[s] = left - lots;
      this.levelLots[this.levelOf(s)] -= lots;
    }
  }

  cancel(id: number): RestingOrder | null {
    const s = this.slotOf.get(id);
    if (s === undefined) return null;
    const o = this.orderAt(s);
    this.removeSlot(s);
    return o;
  }

  get(id: number): RestingOrder | null {
    const s = this.slotOf.get(id);
    return s === undefined ? null : this.orderAt(s);
  }

  bestBid(): number {
    return this.bid;
  }

  bestAsk(): number {
    return this.ask;
  }

  depth(levels = Number.POSITIVE_INFINITY): Depth {
    checkLevels(levels);
    const bids: DepthLevel[] = [];
    const asks: DepthLevel[] = [];
    for (let p = this.bid; p > 0 && bids.length < levels; p = this.bidAtOrBelow(p - 1)) {
      bids.push({ priceTicks: p, quantityLots: this.levelLots[p] });
    }
    for (let p = this.ask; p < this.ticks && asks.length < levels; p = this.askAtOrAbove(p + 1)) {
      asks.push({ priceTicks: p, quantityLots: this.levelLots[this.stride + p] });
    }
    return { bids, asks };
  }

  restingCount(): number {
    return this.slotOf.size;
  }

  restingOrders(): RestingOrder[] {
    const out: RestingOrder[] = [];
    for (let p = this.bid; p > 0; p = this.bidAtOrBelow(p - 1)) {
      for (let s = this.head[p]; s !== NONE; s = this.sNext[s]) out.push(this.orderAt(s));
    }
    for (let p = this.ask; p < this.ticks; p = this.askAtOrAbove(p + 1)) {
      for (let s = this.head[this.stride + p]; s !== NONE; s = this.sNext[s]) out.push(this.orderAt(s));
    }
    return out;
  }

  validate(): void {
    const fail = (msg: string): never => {
      throw new Error(`fast order book invariant broken: ${msg}`);
    };
    const { ticks, stride } = this;
    let seen = 0;
    let bestBid = 0;
    let bestAsk = ticks;
    for (let side = 0; side < 2; side++) {
      for (let p = 0; p <= ticks; p++) {
        const L = side * stride + p;
        let sum = 0;
        let prev = NONE;
        for (let s = this.head[L]; s !== NONE; s = this.sNext[s]) {
          if (s < 0 || s >= this.used) fail(`level ${side}/${p} links to slot ${s} outside the pool`);
          if (this.sPrev[s] !== prev) fail(`slot ${s} has a wrong prev link`);
          if (this.sTick[s] !== p) fail(`slot ${s} sits at ${p} but records ${this.sTick[s]}`);
          if (bookSideOf(this.sIntent[s] as Intent) !== side) fail(`slot ${s} is on the wrong side`);
          const lots = this.sLots[s];
          if (!(Number.isSafeInteger(lots) && lots > 0)) fail(`slot ${s} has ${lots} lots`);
          if (this.slotOf.get(this.sId[s]) !== s) fail(`id ${this.sId[s]} does not map to slot ${s}`);
          sum += lots;
          seen++;
          if (seen > this.slotOf.size) fail("more orders in levels than in the index (a cycle?)");
          prev = s;
        }
        if (this.tail[L] !== prev) fail(`level ${side}/${p} has a wrong tail`);
        if (this.levelLots[L] !== sum) fail(`level ${side}/${p} total ${this.levelLots[L]} ≠ ${sum}`);
        const bit = (this.bits[side * this.words + (p >>> 5)] >>> (p & 31)) & 1;
        if (bit !== (sum > 0 ? 1 : 0)) fail(`level ${side}/${p} bit ${bit} disagrees with its total ${sum}`);
        if (sum > 0) {
          if (p < 1 || p > ticks - 1) fail(`orders at invalid tick ${p}`);
          if (side === BID && p > bestBid) bestBid = p;
          if (side === ASK && p < bestAsk) bestAsk = p;
        }
      }
    }
    if (seen !== this.slotOf.size) fail(`index holds ${this.slotOf.size} ids, levels hold ${seen} orders`);
    if (this.bid !== bestBid) fail(`best bid ${this.bid}, levels say ${bestBid}`);
    if (this.ask !== bestAsk) fail(`best ask ${this.ask}, levels say ${bestAsk}`);
    if (bestBid >= bestAsk) fail(`crossed book ${bestBid} / ${bestAsk}`);
    let free = 0;
    for (let s = this.freeHead; s !== NONE; s = this.sNext[s]) {
      if (++free > this.used) fail("free list has a cycle");
    }
    if (free + seen !== this.used) fail(`${free} free + ${seen} live slots ≠ ${this.used} used`);
  }

  /**
   * One pass over the order, shared by `preview` (apply = false: reads only) and `place` (apply = true).
   * The walk visits each maker once, best price first then time priority, and only ever reads what lies ahead
   * of it, so mutating behind the cursor (apply) cannot change what it reports: preview ≡ place.
   *
   * Rules:
   *  - post-only: cancelled whole (POST_ONLY_WOULD_CROSS) if the best opposite price crosses, whoever owns it;
   *    otherwise it rests whole. Post-only must be GTC.
   *  - FOK: if other owners' lots at crossing prices are fewer than its quantity, nothing happens at all
   *    (FOK_NOT_FILLABLE, nothing filled, nothing removed); otherwise it matches like IOC and fills completely.
   *  - matching: price then time priority at the maker's price; a maker of the same owner is removed
   *    (self-trade prevention "cancel resting", reason SELF_TRADE) and matching continues with the next maker.
   *  - the remainder: GTC rests it, IOC cancels it (IOC_REMAINDER).
   */
  private execute(o: NewOrder, apply: boolean): PlaceResult {
    const ticks = this.ticks;
    checkNewOrder(o, ticks);
    const id = o.id;
    if (this.slotOf.has(id)) throw new RangeError(`order ${id} is already resting`);
    const owner = o.owner;
    const intent = o.intent;
    const qty = o.quantityLots;
    // Intent bits: bit 0 = sell, bit 1 = NO. Bids are BUY_YES (0) and SELL_NO (3): side = sell XOR no.
    const takerSell = intent & 1;
    const side = takerSell ^ (intent >>> 1);
    const isBid = side === BID;
    const yes = intent >= 2 ? ticks - o.priceTicks : o.priceTicks;
    let px = isBid ? this.ask : this.bid; // best opposite price; an empty side never crosses
    const crosses = isBid ? px <= yes : px >= yes;

    if (o.postOnly) {
      if (crosses) return result(NO_FILLS, NO_REMOVALS, 0, qty, CancelReason.POST_ONLY_WOULD_CROSS);
      if (apply) this.insert(id, owner, intent, side, yes, qty);
      return result(NO_FILLS, NO_REMOVALS, qty, 0, null);
    }
    const tif = o.timeInForce;
    if (tif === TimeInForce.FOK && !(crosses && this.othersCanFill(owner, isBid, yes, qty))) {
      return result(NO_FILLS, NO_REMOVALS, 0, qty, CancelReason.FOK_NOT_FILLABLE);
    }

    let remaining = qty;
    let fills: Fill[] | null = null;
    let removed: Removed[] | null = null;
    if (crosses) {
      const { sId, sOwner, sLots, sIntent, sNext, levelLots } = this;
      const base = isBid ? this.stride : 0; // the opposite side's levels
      const startBest = px;
      while (remaining > 0 && (isBid ? px <= yes : px >= yes)) {
        const L = base + px;
        let s = this.head[L];
        while (s !== NONE && remaining > 0) {
          const next = sNext[s];
          const makerLots = sLots[s];
          if (sOwner[s] === owner) {
            (removed ??= []).push({
              id: sId[s],
              owner,
              intent: sIntent[s] as Intent,
              remainingLots: makerLots,
              reason: CancelReason.SELF_TRADE,
            });
            if (apply) this.unlink(s, L);
          } else {
            const makerIntent = sIntent[s] as Intent;
            const take = Math.min(makerLots, remaining);
            const makerDone = take === makerLots;
            remaining -= take;
            (fills ??= []).push({
              // two buys (0 + 0) MINT, a buy and a sell TRANSFER, two sells (1 + 1) MERGE
              kind: (takerSell + (makerIntent & 1)) as FillKind,
              makerId: sId[s],
              makerOwner: sOwner[s],
              makerIntent,
              takerId: id,
              takerIntent: intent,
              yesPriceTicks: px,
              quantityLots: take,
              makerDone,
            });
            if (apply) {
              if (makerDone) this.unlink(s, L);
              else {
                sLots[s] = makerLots - take;
                levelLots[L] -= take;
              }
            }
          }
          s = next;
        }
        px = isBid ? this.askAtOrAbove(px + 1) : this.bidAtOrBelow(px - 1);
      }
      // levels below the old best were empty; levels the walk emptied had their bits cleared
      if (apply) {
        if (isBid) this.ask = this.askAtOrAbove(startBest);
        else this.bid = this.bidAtOrBelow(startBest);
      }
    }

    const f = fills ?? NO_FILLS;
    const r = removed ?? NO_REMOVALS;
    if (remaining === 0) return result(f, r, 0, 0, null);
    if (tif === TimeInForce.GTC) {
      if (apply) this.insert(id, owner, intent, side, yes, remaining);
      return result(f, r, remaining, 0, null);
    }
    // IOC (a FOK that got here was fillable, so it never has a remainder)
    return result(f, r, 0, remaining, CancelReason.IOC_REMAINDER);
  }

  /** True when other owners' lots at prices the taker crosses add up to `qty`. */
  private othersCanFill(owner: number, isBid: boolean, yes: number, qty: number): boolean {
    const base = isBid ? this.stride : 0;
    let sum = 0;
    for (let px = isBid ? this.ask : this.bid; isBid ? px <= yes : px >= yes; ) {
      for (let s = this.head[base + px]; s !== NONE; s = this.sNext[s]) {
        if (this.sOwner[s] !== owner && (sum += this.sLots[s]) >= qty) return true;
      }
      px = isBid ? this.askAtOrAbove(px + 1) : this.bidAtOrBelow(px - 1);
    }
    return false;
  }

  /** Appends a new order at the back of its level and updates the best price. */
  private insert(id: number, owner: number, intent: Intent, side: number, yes: number, lots: number): void {
    let s = this.freeHead;
    if (s !== NONE) this.freeHead = this.sNext[s];
    else {
      if (this.used === this.capacity) this.grow();
      s = this.used++;
    }
    const L = side * this.stride + yes;
    const tail = this.tail[L];
    this.sId[s] = id;
    this.sOwner[s] = owner;
    this.sLots[s] = lots;
    this.sIntent[s] = intent;
    this.sTick[s] = yes;
    this.sNext[s] = NONE;
    this.sPrev[s] = tail;
    if (tail === NONE) {
      this.head[L] = s;
      this.bits[side * this.words + (yes >>> 5)] |= 1 << (yes & 31);
    } else this.sNext[tail] = s;
    this.tail[L] = s;
    this.levelLots[L] += lots;
    this.slotOf.set(id, s);
    if (side === BID) {
      if (yes > this.bid) this.bid = yes;
    } else if (yes < this.ask) this.ask = yes;
  }

  /** Removes a slot from the book and updates the best price. */
  private removeSlot(s: number): void {
    const yes = this.sTick[s];
    const side = bookSideOf(this.sIntent[s] as Intent);
    const L = side * this.stride + yes;
    this.unlink(s, L);
    if (this.head[L] === NONE) {
      if (side === BID) {
        if (yes === this.bid) this.bid = this.bidAtOrBelow(yes - 1);
      } else if (yes === this.ask) this.ask = this.askAtOrAbove(yes + 1);
    }
  }

  /** Takes a slot out of level L, the id index and the pool; clears the level's bit when it empties. Best prices untouched. */
  private unlink(s: number, L: number): void {
    const prev = this.sPrev[s];
    const next = this.sNext[s];
    if (prev === NONE) this.head[L] = next;
    else this.sNext[prev] = next;
    if (next === NONE) this.tail[L] = prev;
    else this.sPrev[next] = prev;
    if (prev === NONE && next === NONE) {
      this.levelLots[L] = 0;
      const side = L >= this.stride ? 1 : 0;
      const yes = L - side * this.stride;
      this.bits[side * this.words + (yes >>> 5)] &= ~(1 << (yes & 31));
    } else this.levelLots[L] -= this.sLots[s];
    this.slotOf.delete(this.sId[s]);
    this.sNext[s] = this.freeHead;
    this.freeHead = s;
  }

  /** Lowest non-empty ask level at or above tick t, or `ticks` when there is none. */
  private askAtOrAbove(t: number): number {
    if (t >= this.ticks) return this.ticks;
    const bits = this.bits;
    const base = this.words;
    let w = t >>> 5;
    let word = bits[base + w] & (-1 << (t & 31));
    while (word === 0) {
      if (++w >= base) return this.ticks;
      word = bits[base + w];
    }
    return (w << 5) + 31 - Math.clz32(word & -word);
  }

  /** Highest non-empty bid level at or below tick t, or 0 when there is none. */
  private bidAtOrBelow(t: number): number {
    if (t <= 0) return 0;
    const bits = this.bits;
    let w = t >>> 5;
    let word = bits[w] & (-1 >>> (31 - (t & 31)));
    while (word === 0) {
      if (--w < 0) return 0;
      word = bits[w];
    }
    return (w << 5) + 31 - Math.clz32(word);
  }

  private levelOf(s: number): number {
    return bookSideOf(this.sIntent[s] as Intent) * this.stride + this.sTick[s];
  }

  private orderAt(s: number): RestingOrder {
    const intent = this.sIntent[s] as Intent;
    const yes = this.sTick[s];
    return {
      id: this.sId[s],
      owner: this.sOwner[s],
      intent,
      priceTicks: intent >= 2 ? this.ticks - yes : yes,
      remainingLots: this.sLots[s],
    };
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.sId = f64(this.sId);
    this.sOwner = f64(this.sOwner);
    this.sLots = f64(this.sLots);
    const intents = new Uint8Array(cap);
    intents.set(this.sIntent);
    this.sIntent = intents;
    this.sTick = i32(this.sTick);
    this.sNext = i32(this.sNext);
    this.sPrev = i32(this.sPrev);
    this.capacity = cap;
  }
}

function result(
  fills: readonly Fill[],
  removed: readonly Removed[],
  restingLots: number,
  cancelledLots: number,
  cancelReason: CancelReason | null,
): PlaceResult {
  return { fills, removed, restingLots, cancelledLots, cancelReason };
}
