// The exchange's events: every change of state, with its amounts written out, as stored in the log.
import * as t from "io-ts";
import { AccountKeyRegistered, AccountKeyRevoked } from "./account-keys.js";
import {
  DecimalString,
  EpochMs,
  exactPartial,
  exactType,
  FeeBps,
  Identifier,
  IsoTime,
  Outcome,
  RateString,
  Resolution,
  RiskParamsProps,
  RiskParamsV2Props,
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
    MARKET_CLOSED: null,
    AUCTION_REMAINDER: null,
    /** A resting leveraged buy reached a fill its loan may no longer be drawn for (the limits of that moment). */
    LEVERAGE_NOT_AVAILABLE: null,
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
/** A market's risk parameters, all of them, as listed: stated in the log before any leverage is taken. */
export const RiskParamsCodec = exactPartial(RiskParamsProps, RiskParamsV2Props, "RiskParams");

/** `risk` is absent only in logs written before the credit layer: such markets take the default parameters. */
export const MarketListed = exactPartial(
  {
    type: t.literal("MarketListed"),
    marketId: Identifier,
    question: t.string,
    tickSize: TickSize,
    resolvesAt: IsoTime,
    takerFeeBps: FeeBps,
  },
  { risk: RiskParamsCodec, at: EpochMs, eventId: Identifier },
  "MarketListed",
);
/** An event of mutually exclusive outcomes was listed; its markets' MarketListed (each naming it) follow. */
export const EventListed = event("EventListed", {
  eventId: Identifier,
  title: t.string,
  resolvesAt: IsoTime,
  marketIds: t.array(Identifier),
});
/**
 * `quantity` NO of each of `marketIds` (k markets) were burned for `released` = (k − 1) × quantity collateral from
 * escrow and `quantity` YES of every other market of the event, backed by the event's own escrow.
 */
export const PositionsConverted = event("PositionsConverted", {
  eventId: Identifier,
  accountId: Identifier,
  marketIds: t.array(Identifier),
  quantity: Shares,
  released: DecimalString,
  reference: t.string,
});
/** The event resolved (`winner`, or INVALID): its escrow moves to the markets that pay; each market's MarketResolved follows. */
export const EventResolved = exactPartial(
  {
    type: t.literal("EventResolved"),
    eventId: Identifier,
    outcome: t.keyof({ WINNER: null, INVALID: null }),
  },
  { winner: Identifier },
  "EventResolved",
);
/** The event's resolution proposed with a challenge window: its markets halt, nothing is paid before `finalAt`. */
export const EventResolutionProposed = exactPartial(
  {
    type: t.literal("EventResolutionProposed"),
    eventId: Identifier,
    outcome: t.keyof({ WINNER: null, INVALID: null }),
    proposedAt: EpochMs,
    finalAt: EpochMs,
  },
  { winner: Identifier },
  "EventResolutionProposed",
);
/** A challenge of the event's proposed resolution: `bond` moves from the account's cash to its reserved cash. */
export const EventResolutionChallenged = event("EventResolutionChallenged", {
  eventId: Identifier,
  accountId: Identifier,
  bond: DecimalString,
  reference: t.string,
  at: EpochMs,
});
/**
 * The operator's ruling on a challenged event: the final outcome. Bonds go back to the challengers when it changes the
 * proposal, to the shared insurance fund (the event spans several markets) when it confirms it.
 */
export const EventResolutionRuled = exactPartial(
  {
    type: t.literal("EventResolutionRuled"),
    eventId: Identifier,
    outcome: t.keyof({ WINNER: null, INVALID: null }),
    bondsTo: t.keyof({ challengers: null, insurance: null }),
    at: EpochMs,
  },
  { winner: Identifier },
  "EventResolutionRuled",
);
/**
 * The market resolved but its settlement (orders cancelled, holders paid) did not fit in one command's bounded work:
 * ContinueSettlement commands go on with it until SettlementCompleted. (A settlement that fits says neither.)
 */
export const SettlementContinues = event("SettlementContinues", { marketId: Identifier });
/** The last piece of a settlement that took several commands: every order cancelled, every holder paid. */
export const SettlementCompleted = event("SettlementCompleted", { marketId: Identifier });
export const MarketHalted = event("MarketHalted", { marketId: Identifier });
export const MarketResumed = event("MarketResumed", { marketId: Identifier });
/** `resolvesAt` passed: the market stops matching by itself (its resting and queued orders are cancelled, MARKET_CLOSED). */
export const MarketClosed = event("MarketClosed", { marketId: Identifier, at: EpochMs });
/** The oracle's mark price of YES; `at` (when it was set) lets the risk mark tell a fresh oracle from a stale one. */
export const MarkPriceSet = exactPartial(
  { type: t.literal("MarkPriceSet"), marketId: Identifier, price: DecimalString },
  { at: EpochMs },
  "MarkPriceSet",
);
/** A mark interval begins at `start`: the risk mark may move at most the price band from `anchor` until the next; the trades window restarts. */
export const MarkIntervalStarted = event("MarkIntervalStarted", {
  marketId: Identifier,
  start: EpochMs,
  anchor: DecimalString,
});
/** The risk mark (the YES price margin, fees and liquidation use) changed; the sources that counted are shown. */
export const MarkUpdated = exactPartial(
  { type: t.literal("MarkUpdated"), marketId: Identifier, price: DecimalString },
  { oracle: DecimalString, mid: DecimalString, trades: DecimalString },
  "MarkUpdated",
);
export const MarketResolved = event("MarketResolved", { marketId: Identifier, outcome: Resolution });
/**
 * A resolution with a challenge window: the market is halted (MarketHalted before it when it was open), nothing is
 * paid; the outcome is final (MarketResolved) at `finalAt` unless challenged, else on the operator's ruling.
 */
export const ResolutionProposed = event("ResolutionProposed", {
  marketId: Identifier,
  outcome: Resolution,
  proposedAt: EpochMs,
  finalAt: EpochMs,
});
/** A challenge of the proposed outcome: `bond` moves from the account's cash to its reserved cash. */
export const ResolutionChallenged = event("ResolutionChallenged", {
  marketId: Identifier,
  accountId: Identifier,
  bond: DecimalString,
  reference: t.string,
  at: EpochMs,
});
/**
 * The operator's ruling: the final outcome. Bonds go back to the challengers (reserved → cash) when it changes the
 * proposed outcome, to the market's insurance fund when it confirms it.
 */
export const ResolutionRuled = event("ResolutionRuled", {
  marketId: Identifier,
  outcome: Resolution,
  bondsTo: t.keyof({ challengers: null, insurance: null }),
  at: EpochMs,
});
/**
 * An order passed validation. `reservedCash` (buys) moves from free cash to reserved: exactly what the
 * order's own taker fills (with fees) and its resting remainder at the limit price will use.
 * `reservedShares` (sells) moves shares of `outcome` from free to reserved the same way.
 */
export const OrderAccepted = exactPartial(
  {
    type: t.literal("OrderAccepted"),
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
  },
  {
    /** Buys with leverage above 1 borrow from the market's pool (see LoanOpened). */
    leverage: DecimalString,
    /** Sells of pledged shares: "position" (the owner reduces) or "liquidation". Absent for ordinary orders. */
    source: t.keyof({ position: null, liquidation: null }),
    /** Accepted during a call auction: collected, not matched, until the auction uncrosses. */
    queued: t.boolean,
  },
  "OrderAccepted",
);
/**
 * A match. Prices: `yesPrice` in YES terms; each party's `amount` is its own outcome's price × quantity
 * (positive = what a buyer pays, or what a seller receives before fee). Only the taker pays `takerFee`.
 * MINT puts `quantity` × 1 into the market's escrow; MERGE releases it; TRANSFER leaves escrow alone.
 */
export const TradeExecuted = exactPartial(
  {
    type: t.literal("TradeExecuted"),
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
  },
  {
    /** Cash a buyer's reservation returns to free cash because it traded below its limit (call auctions only). */
    makerReleased: DecimalString,
    takerReleased: DecimalString,
    /** Set on fills of a call auction's uncrossing: one price for all, no taker fee. */
    auction: t.boolean,
  },
  "TradeExecuted",
);
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
/**
 * A resting order amended in place: its new price and whole quantity, and what it now reserves (cash for a buy, shares
 * for a sell). `keptPriority`: a smaller quantity at the same price stays where it was in its level's queue; anything
 * else goes to the back of its (new) level.
 */
export const OrderAmended = event("OrderAmended", {
  orderId: t.string,
  accountId: Identifier,
  marketId: Identifier,
  price: DecimalString,
  quantity: Shares,
  keptPriority: t.boolean,
  reservedCash: DecimalString,
  reservedShares: Shares,
  clientRequestId: t.string,
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

// ---- the credit layer ----

/** A liquidity provider's collateral moves from free cash into the pool for `shares` pool shares. */
export const PoolSupplied = event("PoolSupplied", {
  marketId: Identifier,
  accountId: Identifier,
  amount: DecimalString,
  shares: DecimalString,
  reference: t.string,
});
/** Pool shares are burnt for `amount` of the pool's cash. */
export const PoolRedeemed = event("PoolRedeemed", {
  marketId: Identifier,
  accountId: Identifier,
  shares: DecimalString,
  amount: DecimalString,
  reference: t.string,
});
/** The operator's collateral, from outside the exchange, into an insurance fund. */
export const InsuranceDeposited = event("InsuranceDeposited", {
  fundId: t.string,
  amount: DecimalString,
  reference: t.string,
});
/** The pool lends `amount` into the buyer's order reservation; the shares the order buys are pledged to the loan. */
export const LoanOpened = event("LoanOpened", {
  marketId: Identifier,
  accountId: Identifier,
  outcome: Outcome,
  orderId: t.string,
  amount: DecimalString,
  leverage: DecimalString,
  at: EpochMs,
});
/** One accrual interval's jump-risk fee, added to the loan (owed to the pool; its insurance cut is paid on repayment). */
export const FundingAccrued = event("FundingAccrued", {
  marketId: Identifier,
  accountId: Identifier,
  outcome: Outcome,
  amount: DecimalString,
  /** The fee as a fraction of the loan it was charged on, for the interval (12 decimal places, rounded down). */
  rate: RateString,
  loan: DecimalString,
  /** The position's fees are paid up to this time (ms): the interval charged ends here. */
  until: EpochMs,
});
/**
 * Cash from the owner's free cash to the pool, repaying the loan: accrued fees first (`feePart`, of which
 * `toInsurance` goes to the market's insurance fund), then principal.
 */
export const LoanRepaid = exactPartial(
  {
    type: t.literal("LoanRepaid"),
    marketId: Identifier,
    accountId: Identifier,
    outcome: Outcome,
    amount: DecimalString,
    feePart: DecimalString,
    toInsurance: DecimalString,
    source: t.keyof({ reduce: null, margin: null, liquidation: null, settlement: null, deleverage: null }),
  },
  {
    /** Added margin: the owner's reference, which pays once. */
    reference: t.string,
    /** Added margin: the amount asked for (the repayment is at most the loan). */
    requested: DecimalString,
    /** When the cash came in (ms): the pool's share of the fees collected vests from then (absent in older logs: no vesting). */
    at: EpochMs,
  },
  "LoanRepaid",
);
export const MarginCalled = event("MarginCalled", {
  marketId: Identifier,
  accountId: Identifier,
  outcome: Outcome,
  equity: t.string,
  maintenance: DecimalString,
  deadline: EpochMs,
});
export const MarginCallCleared = event("MarginCallCleared", {
  marketId: Identifier,
  accountId: Identifier,
  outcome: Outcome,
  equity: t.string,
});
/**
 * The position is above the leverage cap of the moment (the time and extremity caps as they move; 1x from
 * deleverageGraceSeconds before the hazard window): by `deadline` it must be back under `cap` (add margin or reduce),
 * else the exchange sells just enough pledged shares to get it there. No penalty.
 */
export const DeleverageCalled = event("DeleverageCalled", {
  marketId: Identifier,
  accountId: Identifier,
  outcome: Outcome,
  leverage: DecimalString,
  cap: DecimalString,
  deadline: EpochMs,
});
/** The position is back under the cap of the moment: its deleverage call ends. */
export const DeleverageCleared = event("DeleverageCleared", {
  marketId: Identifier,
  accountId: Identifier,
  outcome: Outcome,
});
export const LiquidationStarted = event("LiquidationStarted", {
  marketId: Identifier,
  accountId: Identifier,
  outcome: Outcome,
  reason: t.keyof({ GRACE_EXPIRED: null, EQUITY_NEAR_ZERO: null }),
  equity: t.string,
  maintenance: DecimalString,
  shares: Shares,
  loan: DecimalString,
});
/** A backstop bidder takes over the whole pledged position: its cash pays `amount` to the owner, the shares become its own. */
export const PositionTransferred = event("PositionTransferred", {
  marketId: Identifier,
  fromAccountId: Identifier,
  toAccountId: Identifier,
  outcome: Outcome,
  shares: Shares,
  price: DecimalString,
  amount: DecimalString,
});
/** From the liquidated owner's proceeds to the market's insurance fund. */
export const LiquidationPenaltyCharged = event("LiquidationPenaltyCharged", {
  marketId: Identifier,
  accountId: Identifier,
  amount: DecimalString,
});
/** A liquidation not yet done stops: the position's equity at the risk mark is back at or above maintenance. */
export const LiquidationStopped = event("LiquidationStopped", {
  marketId: Identifier,
  accountId: Identifier,
  outcome: Outcome,
  equity: DecimalString,
  maintenance: DecimalString,
});
/** The loan left after the position's own value was applied: it goes down the waterfall, step by step. */
export const BadDebtRecorded = exactPartial(
  {
    type: t.literal("BadDebtRecorded"),
    marketId: Identifier,
    accountId: Identifier,
    outcome: Outcome,
    amount: DecimalString,
  },
  {
    /**
     * The part of `amount` that is fees never collected: written off the loan and the pool's books, paid by no one
     * (lenders never counted it). Only the rest goes down the waterfall. Absent in older logs: nothing written off.
     */
    feesWrittenOff: DecimalString,
  },
  "BadDebtRecorded",
);
/** An insurance fund pays part of a bad debt into the pool: `market:{id}` first, then `shared`. */
export const InsuranceFundDrawn = event("InsuranceFundDrawn", {
  fundId: t.string,
  marketId: Identifier,
  accountId: Identifier,
  outcome: Outcome,
  amount: DecimalString,
});
/** What insurance did not cover is written off the pool's loans: its providers bear it pro rata to their shares. */
export const LossSocialized = event("LossSocialized", {
  marketId: Identifier,
  accountId: Identifier,
  outcome: Outcome,
  amount: DecimalString,
  haircuts: t.array(t.type({ accountId: t.string, amount: DecimalString })),
});
/** The position is done: its loan is 0; shares still pledged (if any) become the owner's ordinary shares. */
export const PositionClosed = event("PositionClosed", {
  marketId: Identifier,
  accountId: Identifier,
  outcome: Outcome,
  reason: t.keyof({ REPAID: null, LIQUIDATED: null, SETTLED: null, TRANSFERRED: null }),
});
/** At resolution: pledged shares are redeemed from escrow to the owner's cash; the loan is repaid from it next. */
export const PledgedSharesRedeemed = event("PledgedSharesRedeemed", {
  marketId: Identifier,
  accountId: Identifier,
  outcome: Outcome,
  shares: Shares,
  payout: DecimalString,
});
export const BackstopBidSet = event("BackstopBidSet", {
  marketId: Identifier,
  accountId: Identifier,
  outcome: Outcome,
  price: DecimalString,
  maxShares: Shares,
});
/** Continuous matching stops; orders are collected until `until`, then uncross at one price. */
export const AuctionStarted = event("AuctionStarted", {
  marketId: Identifier,
  until: EpochMs,
  reason: t.keyof({ PRICE_BAND: null, REOPENING: null }),
});
export const AuctionUncrossed = event("AuctionUncrossed", {
  marketId: Identifier,
  price: t.union([DecimalString, t.null]),
  volume: Shares,
});
/** The manual clock was moved to `at` (ms). Changes no balance; it makes the time of the log durable. */
export const ClockAdvanced = event("ClockAdvanced", { at: EpochMs });
/** An order accepted during an auction joins the auction's collection (not the book). */
export const OrderQueued = event("OrderQueued", {
  orderId: t.string,
  marketId: Identifier,
  quantity: Shares,
});

export const Event = t.union([
  AccountOpened,
  Deposited,
  Withdrawn,
  MarketListed,
  EventListed,
  PositionsConverted,
  EventResolved,
  EventResolutionProposed,
  EventResolutionChallenged,
  EventResolutionRuled,
  SettlementContinues,
  SettlementCompleted,
  MarketHalted,
  MarketResumed,
  MarketClosed,
  MarkPriceSet,
  MarkIntervalStarted,
  MarkUpdated,
  MarketResolved,
  ResolutionProposed,
  ResolutionChallenged,
  ResolutionRuled,
  OrderAccepted,
  TradeExecuted,
  OrderRested,
  OrderCancelled,
  OrderAmended,
  PositionSettled,
  PoolSupplied,
  PoolRedeemed,
  InsuranceDeposited,
  LoanOpened,
  FundingAccrued,
  LoanRepaid,
  MarginCalled,
  MarginCallCleared,
  DeleverageCalled,
  DeleverageCleared,
  LiquidationStarted,
  LiquidationStopped,
  PositionTransferred,
  LiquidationPenaltyCharged,
  BadDebtRecorded,
  InsuranceFundDrawn,
  LossSocialized,
  PositionClosed,
  PledgedSharesRedeemed,
  BackstopBidSet,
  AuctionStarted,
  AuctionUncrossed,
  OrderQueued,
  ClockAdvanced,
  AccountKeyRegistered,
  AccountKeyRevoked,
]);
export type Event = t.TypeOf<typeof Event>;
export type EventType = Event["type"];
export type EventOf<T extends EventType> = Extract<Event, { type: T }>;

/** Every event type name, for stores and docs. */
export const EVENT_TYPES: readonly EventType[] = Event.types.map((c) => c.name as EventType);
