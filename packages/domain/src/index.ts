// @pmx/domain: the exchange decider — commands and events (io-ts), state, decide, evolve, invariants.
export * as Codecs from "./codecs.js";
export { exactType, exactPartial } from "./codecs.js";
export type { Outcome, Resolution, Side, TickSize, TimeInForce } from "./codecs.js";
export { Command } from "./commands.js";
export type { CommandOf, CommandType } from "./commands.js";
export { Event, EVENT_TYPES, CancelReason, FillKind } from "./events.js";
export type { EventOf, EventType } from "./events.js";
export type { Rejection, RejectionCode } from "./rejection.js";
export { decide, MAX_QUANTITY, type Decision } from "./decide.js";
export { evolve, evolveAll } from "./evolve.js";
export {
  initialState,
  orderIdOf,
  tradeIdOf,
  TICKS_PER_UNIT,
  type State,
  type AccountState,
  type MarketState,
  type OrderState,
  type Position,
  type MarketStatus,
  type OrderStatus,
} from "./state.js";
export { solvency, invariantViolations, type Solvency, type SolvencyTotals } from "./invariants.js";
export { canonicalState } from "./canonical-state.js";
export { canonicalJson, type Json } from "./canonical-json.js";
export { Money, money, toAmountString, ceil6, floor6, ZERO, ONE, AMOUNT_DECIMALS } from "./money.js";
export { costOf, takerFeeOf, ticksToPrice, priceTicksOf } from "./prices.js";
