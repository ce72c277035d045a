// @pmx/matching: one binary market's price-time order book on integer ticks and lots (fast and reference builds).
//
// Use it as a namespace: `import * as matching from "@pmx/matching"`, then `matching.createOrderBook({ ticks: 1000 })`,
// `matching.Intent.BUY_YES`, `matching.FillKind.MINT`, `matching.OrderBook` (type) ... every name stands on its own.
export type { OrderBook, OrderBookOptions } from "./book.js";
export { MAX_TICKS } from "./checks.js";
export { createOrderBook } from "./fast-book.js";
export { bookSideOf, fillKindOf, isBuy, isNo, ownPriceOf, yesPriceOf } from "./intents.js";
export { createReferenceBook } from "./reference-book.js";
export {
  BookSide,
  CancelReason,
  type Depth,
  type DepthLevel,
  type Fill,
  FillKind,
  Intent,
  type NewOrder,
  type PlaceResult,
  type Removed,
  type RestingOrder,
  TimeInForce,
} from "./types.js";
