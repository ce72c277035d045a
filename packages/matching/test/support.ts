// Test helpers shared by the contract and property suites: order builders and "apply a preview with primitives".
import {
  type Intent,
  type NewOrder,
  type OrderBook,
  type PlaceResult,
  type RestingOrder,
  TimeInForce,
} from "../src/index.js";

/** A GTC, not post-only order; `extra` overrides what a case needs. */
export function order(
  id: number,
  owner: number,
  intent: Intent,
  priceTicks: number,
  quantityLots: number,
  extra: Partial<NewOrder> = {},
): NewOrder {
  return {
    id,
    owner,
    intent,
    priceTicks,
    quantityLots,
    timeInForce: TimeInForce.GTC,
    postOnly: false,
    ...extra,
  };
}

/** Places each order in turn on the book (a "given" step). */
export function given(book: OrderBook, ...orders: NewOrder[]): OrderBook {
  for (const o of orders) book.place(o);
  return book;
}

/**
 * Re-applies a recorded outcome with the primitives, as an event-sourced replay would:
 * cancel every removed maker, reduce every filled maker, then rest the remainder.
 * Removals and fills touch distinct makers, so their relative order does not matter.
 */
export function applyOutcome(book: OrderBook, o: NewOrder, r: PlaceResult): void {
  for (const x of r.removed) book.cancel(x.id);
  for (const f of r.fills) book.reduce(f.makerId, f.quantityLots);
  if (r.restingLots > 0) {
    book.rest({
      id: o.id,
      owner: o.owner,
      intent: o.intent,
      priceTicks: o.priceTicks,
      remainingLots: r.restingLots,
    });
  }
}

/** Everything observable about a book, for before/after and book/book comparisons. */
export function snapshot(book: OrderBook): {
  orders: RestingOrder[];
  depth: ReturnType<OrderBook["depth"]>;
  bestBid: number;
  bestAsk: number;
  count: number;
} {
  return {
    orders: book.restingOrders(),
    depth: book.depth(),
    bestBid: book.bestBid(),
    bestAsk: book.bestAsk(),
    count: book.restingCount(),
  };
}

export const sumLots = (xs: readonly { readonly quantityLots: number }[]): number =>
  xs.reduce((n, x) => n + x.quantityLots, 0);
