// @pmx/domain: the exchange decider — commands and events (io-ts), state, decide, evolve, invariants.

export {
  AccountKeyCommand,
  Ed25519PublicKey,
  KeyScope,
  RegisterAccountKey,
  RevokeAccountKey,
} from "./account-keys.js";
export { canonicalJson, type Json, writeCanonicalJson } from "./canonical-json.js";
export { canonicalState, writeCanonicalState } from "./canonical-state.js";
export type { Outcome, Resolution, Side, TickSize, TimeInForce } from "./codecs.js";
export * as Codecs from "./codecs.js";
export { exactPartial, exactType } from "./codecs.js";
export type { CommandOf, CommandType } from "./commands.js";
export { Command, LogCommand, RiskParamsInput } from "./commands.js";
export { type Decision, decide, decideLogCommand } from "./decide.js";
export type { EventOf, EventType } from "./events.js";
export { CancelReason, EVENT_TYPES, Event, FillKind } from "./events.js";
export { evolve, evolveAll } from "./evolve.js";
export { invariantViolations, type Solvency, type SolvencyTotals, solvency } from "./invariants.js";
export { AMOUNT_DECIMALS, ceil6, floor6, Money, money, ONE, toAmountString, ZERO } from "./money.js";
export { OrderTable } from "./order-table.js";
export { poolValueAt, shareValueAt } from "./pool-value.js";
export { costOf, MAX_QUANTITY, priceStringOf, priceTicksOf, takerFeeOf, ticksToPrice } from "./prices.js";
export type { Rejection, RejectionCode } from "./rejection.js";
export { challengeBondOfMarket } from "./resolution.js";
export { currentFundingRate, currentMaxLeverage, markOf, positionRisk } from "./risk.js";
export { invalidEventPayouts, payoutsOf, payoutsOfMarket, type SharePayouts } from "./settlement.js";
export { type StateSnapshot, snapshotOf, stateFromSnapshot } from "./snapshot.js";
export {
  type AccountState,
  type BackstopBid,
  type EventGroupState,
  type EventOutcome,
  initialState,
  type LeveragedPosition,
  type LeveragedStatus,
  leveragedKey,
  type MarketState,
  type MarketStatus,
  type OrderState,
  type OrderStatus,
  orderIdOf,
  type PendingResolution,
  type PoolState,
  type Position,
  type State,
  TICKS_PER_UNIT,
  tradeIdOf,
} from "./state.js";
