// Every accepted order by its id, held in an array indexed by its number (ids come from the sequence: o-1, o-2, …).
import type { OrderState } from "./state.js";

const PREFIX = "o-";

/** The number of a well-formed order id ("o-17" → 17), or null. */
function numberOf(orderId: string): number | null {
  if (!orderId.startsWith(PREFIX)) return null;
  const n = Number(orderId.slice(PREFIX.length));
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/**
 * The read side of a Map<string, OrderState> (get, has, size, values) over a dense array. Order numbers are
 * consecutive, so a slot per number costs one pointer where a Map entry costs a hash-table entry and a key; and
 * the decider, which knows numbers, looks orders up without building an id string.
 */
export class OrderTable {
  private readonly slots: (OrderState | undefined)[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The order with exactly this id ("o-017" is not "o-17"). */
  get(orderId: string): OrderState | undefined {
    const n = numberOf(orderId);
    const order = n === null ? undefined : this.slots[n];
    return order !== undefined && order.orderId === orderId ? order : undefined;
  }

  has(orderId: string): boolean {
    return this.get(orderId) !== undefined;
  }

  /** The order numbered `n`. */
  byNumber(n: number): OrderState | undefined {
    return this.slots[n];
  }

  /** Stores an order under its own number (its id must be the id of that number). */
  add(order: OrderState): void {
    if (numberOf(order.orderId) !== order.number)
      throw new Error(`order ${order.orderId} does not carry the number ${order.number}`);
    if (this.slots[order.number] === undefined) this.count += 1;
    this.slots[order.number] = order;
  }

  /** Orders in number order. */
  *values(): IterableIterator<OrderState> {
    for (const order of this.slots) if (order !== undefined) yield order;
  }
}
