// The exchange's events: every change of state, with its amounts written out, as stored in the log.
import * as t from "io-ts";
import {
  DecimalString,
  EpochMs,
  exactType,
  FeeBps,
  Identifier,
  IsoTime,
  Outcome,
  Resolution,
  Side,
  TickSize,
  TimeInForce,
} from "./codecs.js";

const event = <T extends string, P extends t.Props>(type: T, props: P) =>
  exactType({ type: t.literal(type), ...props }, type);

/** Why an order or its remainder left the book without filling. */
export const CancelReason = t.keyof(
  {
    USER: null,
    POST_ONLY_WOULD_CROSS: null,
    IOC_REMAINDER: null,
    FOK_NOT_FILLABLE: null,
    SELF_TRADE: null,
    MARKET_RESOLVED: null,
  },
  "CancelReason",
);
export type CancelReason = t.TypeOf<typeof CancelReason>;

export const FillKind = t.keyof({ MINT: null, TRANSFER: null, MERGE: null }, "FillKind");
export type FillKind = t.TypeOf<typeof FillKind>;

/** A whole number of shares (an integer, exact below 2^53). */
const Shares = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, "Shares");

export const AccountOpened = event("AccountOpened", { accountId: Identifier });
/** Cash credited to the account from outside the exchange. */
export const Deposited = event("Deposited", {
  accountId: Identifier,
  amount: DecimalString,
  reference: t.string,
});
/** Cash paid out of the exchange from the account's free cash. */
export const Withdrawn = event("Withdrawn", {
  accountId: Identifier,
  amount: DecimalString,
  reference: t.string,
});
export const MarketListed = event("MarketListed", {
  marketId: Identifier,
  question: t.string,
  tickSize: TickSize,
  resolvesAt: IsoTime,
  takerFeeBps: FeeBps,
});
export const MarketHalted = event("MarketHalted", { marketId: Identifier });
export const MarketResumed = event("MarketResumed", { marketId: Identifier });
/** The oracle's mark price of YES. */
export const MarkPriceSet = event("MarkPriceSet", { marketId: Identifier, price: DecimalString });
export const MarketResolved = event("MarketResolved", { marketId: Identifier, outcome: Resolution });
/**
 * An order passed validation. `reservedCash` (buys) moves from free cash to reserved: exactly what the
 * order's own taker fills (with fees) and its resting remainder at the limit price will use.
 * `reservedShares` (sells) moves shares of `outcome` from free to reserved the same way.
 */
export const OrderAccepted = event("OrderAccepted", {
  orderId: t.string,
  accountId: Identifier,
  marketId: Identifier,
  clientOrderId: t.string,
  side: Side,
  outcome: Outcome,
  price: DecimalString,
  quantity: Shares,
  timeInForce: TimeInForce,
  postOnly: t.boolean,
  reservedCash: DecimalString,
  reservedShares: Shares,
  at: EpochMs,
});
/**
 * A match. Prices: `yesPrice` in YES terms; each party's `amount` is its own outcome's price × quantity
 * (positive = what a buyer pays, or what a seller receives before fee). Only the taker pays `takerFee`.
 * MINT puts `quantity` × 1 into the market's escrow; MERGE releases it; TRANSFER leaves escrow alone.
 */
export const TradeExecuted = event("TradeExecuted", {
  tradeId: t.string,
  marketId: Identifier,
  kind: FillKind,
  yesPrice: DecimalString,
  quantity: Shares,
  makerOrderId: t.string,
  makerAccountId: Identifier,
  makerSide: Side,
  makerOutcome: Outcome,
  makerAmount: DecimalString,
  takerOrderId: t.string,
  takerAccountId: Identifier,
  takerSide: Side,
  takerOutcome: Outcome,
  takerAmount: DecimalString,
  takerFee: DecimalString,
});
/** The order's remainder rests on the book. */
export const OrderRested = event("OrderRested", {
  orderId: t.string,
  marketId: Identifier,
  quantity: Shares,
});
/** The order (or its remainder of `quantity`) left without filling; its reservation goes back to free. */
export const OrderCancelled = event("OrderCancelled", {
  orderId: t.string,
  accountId: Identifier,
  marketId: Identifier,
  reason: CancelReason,
  quantity: Shares,
  releasedCash: DecimalString,
  releasedShares: Shares,
});
/** At resolution: the account's shares in the market are redeemed from escrow for `payout`. */
export const PositionSettled = event("PositionSettled", {
  accountId: Identifier,
  marketId: Identifier,
  outcome: Resolution,
  yesShares: Shares,
  noShares: Shares,
  payout: DecimalString,
});

export const Event = t.union([
  AccountOpened,
  Deposited,
  Withdrawn,
  MarketListed,
  MarketHalted,
  MarketResumed,
  MarkPriceSet,
  MarketResolved,
  OrderAccepted,
  TradeExecuted,
  OrderRested,
  OrderCancelled,
  PositionSettled,
]);
export type Event = t.TypeOf<typeof Event>;
export type EventType = Event["type"];
export type EventOf<T extends EventType> = Extract<Event, { type: T }>;

/** Every event type name, for stores and docs. */
export const EVENT_TYPES: readonly EventType[] = Event.types.map((c) => c.name as EventType);
