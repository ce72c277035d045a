// @pmx/projections: read models folded from the log — views, trades, solvency, hash chain and state hash.

export { chainHash, GENESIS_HASH, sha256Hex } from "./chain.js";
export type { CostBasisSnapshot, HoldingView } from "./cost-basis.js";
export {
  type EventMeta,
  ExchangeProjection,
  type ProjectionSnapshot,
} from "./exchange-projection.js";
export {
  ACTIVITY_TYPES,
  type ActivityRecord,
  type ActivityType,
  type ActivityView,
  activityView,
  type Candle,
  candlesOf,
  type FillRecord,
  type FillView,
  type HistorySnapshot,
  lowerBound,
  PARTS,
  type Page,
  pageBackward,
  type TradeRecord,
  type TradeView,
  tradeView,
} from "./history.js";
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
  type EventView,
  eventView,
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
