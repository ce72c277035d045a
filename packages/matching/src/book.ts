// The OrderBook interface every implementation (fast and reference) satisfies.
import type { Depth, NewOrder, PlaceResult, RestingOrder } from "./types.js";

export interface OrderBookOptions {
  /** Ticks per unit of collateral (1 / tick size): 100, 1000 or 10000. Valid prices are 1..ticks-1. */
  readonly ticks: number;
  /** Resting orders the fast book makes room for up front (it grows by doubling past this); a hint only. */
  readonly initialCapacity?: number;
}

export interface OrderBook {
  readonly ticks: number;
  /** What `place` would do, without changing the book. */
  preview(order: NewOrder): PlaceResult;
  /** Matches, rests or cancels the order as its terms say; changes the book. */
  place(order: NewOrder): PlaceResult;

  // Primitives that re-apply recorded outcomes (event sourcing): place(o) ≡ preview(o) then, in order,
  // cancel(r.id) for each removed r / reduce(f.makerId, f.quantityLots) for each fill, then rest(...).
  // Removals and fills always concern distinct resting orders, so those two kinds may be applied in any order;
  // rest(...) of the remainder (when restingLots > 0) comes last.
  // Invalid input (bad price or lots, duplicate resting id, post-only IOC/FOK) throws RangeError and changes nothing.
  /** Adds an order at the back of its price level's queue (its price is in its own outcome's ticks); throws if it would cross. */
  rest(order: RestingOrder): void;
  /** Takes `lots` from a resting order (a maker fill); the order leaves the book when it reaches 0. Throws beyond what remains. */
  reduce(id: number, lots: number): void;
  /** Removes a resting order; answers what was removed, or null when the id is not resting. */
  cancel(id: number): RestingOrder | null;

  get(id: number): RestingOrder | null;
  /** Highest bid in YES ticks, 0 when there is none. */
  bestBid(): number;
  /** Lowest ask in YES ticks, `ticks` when there is none. */
  bestAsk(): number;
  /** Aggregated levels in YES ticks, at most `levels` per side. */
  depth(levels?: number): Depth;
  restingCount(): number;
  /** Every resting order, bids then asks, each side best price first, then time priority. */
  restingOrders(): RestingOrder[];
  /** Throws when an internal invariant does not hold (levels' totals, best prices, index). */
  validate(): void;
}
