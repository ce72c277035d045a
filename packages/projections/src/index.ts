// @pmx/projections: read models folded from the log — views, trades, solvency, hash chain and state hash.
export { GENESIS_HASH, chainHash, sha256Hex } from "./chain.js";
export {
  LogMetadata,
  encodeCommandEvents,
  decodeStoredEvent,
  recordedCommandOf,
  eventIdOf,
  uuidV5,
  type StoredEvent,
  type RecordedCommand,
  type DecodedEvent,
} from "./log-format.js";
export { ExchangeProjection, RECENT_TRADES_PER_MARKET, type TradeView, type EventMeta } from "./exchange-projection.js";
export {
  accountView,
  marketView,
  bookView,
  orderView,
  type AccountView,
  type PositionView,
  type MarketView,
  type BookView,
  type OrderView,
  type OrderFillView,
} from "./views.js";
