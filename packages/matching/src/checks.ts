// Input checks shared by both books: invalid input is a programming error (the domain validates first) → RangeError.
import type { OrderBookOptions } from "./book.js";
import type { NewOrder, RestingOrder } from "./types.js";

/** Largest `ticks` a book accepts (the product uses 100, 1000 or 10000; level arrays are sized by it). */
export const MAX_TICKS = 1_000_000;

const isPositiveInteger = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) > 0;

/** Answers `ticks` once it is an integer in 2..MAX_TICKS. */
export function checkOptions(options: OrderBookOptions): number {
  const ticks = options.ticks;
  if (!Number.isSafeInteger(ticks) || ticks < 2 || ticks > MAX_TICKS) {
    throw new RangeError(`ticks must be an integer in 2..${MAX_TICKS}, got ${ticks}`);
  }
  const cap = options.initialCapacity;
  if (cap !== undefined && !(Number.isSafeInteger(cap) && cap >= 0)) {
    throw new RangeError(`initialCapacity must be a non-negative integer, got ${cap}`);
  }
  return ticks;
}

export function checkId(id: number): void {
  if (!isPositiveInteger(id)) throw new RangeError(`order id must be a positive integer, got ${id}`);
}

/** Lots (a quantity or a reduction) are positive integers below 2^53. */
export function checkLots(lots: number, what: string): void {
  if (!isPositiveInteger(lots)) throw new RangeError(`${what} must be a positive integer, got ${lots}`);
}

function checkCommon(id: number, owner: number, intent: number, priceTicks: number, ticks: number): void {
  checkId(id);
  if (!isPositiveInteger(owner)) throw new RangeError(`owner must be a positive integer, got ${owner}`);
  if (!(intent === 0 || intent === 1 || intent === 2 || intent === 3)) {
    throw new RangeError(`intent must be one of Intent (0..3), got ${intent}`);
  }
  if (!Number.isSafeInteger(priceTicks) || priceTicks < 1 || priceTicks > ticks - 1) {
    throw new RangeError(`price must be an integer in 1..${ticks - 1} ticks, got ${priceTicks}`);
  }
}

/** Checks a new order's fields (not the duplicate id: the book does that). */
export function checkNewOrder(o: NewOrder, ticks: number): void {
  checkCommon(o.id, o.owner, o.intent, o.priceTicks, ticks);
  checkLots(o.quantityLots, "quantityLots");
  const tif = o.timeInForce;
  if (!(tif === 0 || tif === 1 || tif === 2)) {
    throw new RangeError(`timeInForce must be one of TimeInForce (0..2), got ${tif}`);
  }
  if (typeof o.postOnly !== "boolean") throw new RangeError(`postOnly must be a boolean, got ${o.postOnly}`);
  if (o.postOnly && tif !== 0)
    throw new RangeError("postOnly orders must be GTC (post-only means: rest or nothing)");
}

/** Checks a resting order's fields (not the duplicate id nor crossing: the book does that). */
export function checkRestingOrder(o: RestingOrder, ticks: number): void {
  checkCommon(o.id, o.owner, o.intent, o.priceTicks, ticks);
  checkLots(o.remainingLots, "remainingLots");
}

/** `depth(levels)`: a non-negative integer, or Infinity for every level. */
export function checkLevels(levels: number): void {
  if (!(levels === Number.POSITIVE_INFINITY || (Number.isSafeInteger(levels) && levels >= 0))) {
    throw new RangeError(`levels must be a non-negative integer, got ${levels}`);
  }
}
