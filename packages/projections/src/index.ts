// @pmx/projections: read models folded from the log — views, trades, solvency, hash chain and state hash.
export { chainHash, GENESIS_HASH, sha256Hex } from "./chain.js";
export {
  type EventMeta,
  ExchangeProjection,
  type ProjectionSnapshot,
  RECENT_TRADES_PER_MARKET,
  type TradeView,
} from "./exchange-projection.js";
export {
  chainProblem,
  type DecodedEvent,
  decodeStoredEvent,
  encodeCommandEvents,
  eventDataText,
  eventIdOf,
  isLogMetadata,
  LogMetadata,
  type PositionedEvent,
  positionProblem,
  type RecordedCommand,
  recordedCommandOf,
  type StoredEvent,
  uuidV5,
} from "./log-format.js";
export {
  type AccountView,
  accountView,
  type BookView,
  bookView,
  type InsuranceFundView,
  insuranceView,
  type MarketView,
  marketView,
  type OrderFillView,
  type OrderView,
  orderView,
  type PoolView,
  type PositionView,
  poolView,
} from "./views.js";
