// The exchange's in-memory state: accounts, markets with their books, orders, totals. Built by `evolve` only.
import type { RiskParams as Risk } from "@pmx/liquidation";
import { createOrderBook, type OrderBook } from "@pmx/matching";
import type { Outcome, Resolution, Side, TickSize, TimeInForce } from "./codecs.js";
import type { CancelReason } from "./events.js";
import { type Money, ZERO } from "./money.js";
import { OrderTable } from "./order-table.js";

/** Shares of one market held by one account; `*Reserved` are pledged to open sell orders. */
export interface Position {
  yes: number;
  no: number;
  yesReserved: number;
  noReserved: number;
}

export interface AccountState {
  readonly accountId: string;
  /** Owner number used by the order book's self-trade prevention (1-based opening order). */
  readonly ordinal: number;
  /** Free cash. */
  cash: Money;
  /** Cash reserved by open buy orders. */
  reserved: Money;
  readonly positions: Map<string, Position>;
  /** clientOrderId → orderId, for idempotent order placement. */
  readonly clientOrders: Map<string, string>;
}

/** `closed`: `resolvesAt` has passed without a resolution; nothing matches until the market resolves. */
export type MarketStatus = "open" | "halted" | "closed" | "resolved";

/** The market's lending pool: providers' collateral, part of it lent to leveraged buyers. */
export interface PoolState {
  /** Collateral in the pool not lent out. */
  cash: Money;
  /** What borrowers owe the pool (principal and accrued jump-risk fees): Σ loans of the market. */
  lent: Money;
  /** Pool shares outstanding. */
  shares: Money;
  /** Fees received in cash by the pool (after the insurance cut). */
  feesEarned: Money;
  /** Loans written off against the providers (socialized losses). */
  losses: Money;
  /** The part of `lent` that is fees charged but not collected: worth nothing to lenders until paid (Σ feesOwed). */
  feesUncollected: Money;
  /** The pool's share of collected fees, vesting linearly from `vestingStart` over the market's feeVestingSeconds. */
  vestingAmount: Money;
  vestingStart: number | null;
  readonly providers: Map<string, Money>;
}

export type LeveragedStatus = "healthy" | "margin_call" | "liquidating";

/** A long position in one outcome bought with a loan from the market's pool; its shares are pledged to the loan. */
export interface LeveragedPosition {
  readonly accountId: string;
  readonly outcome: Outcome;
  /** Pledged shares, free to be sold only to repay (reduce, liquidation). */
  shares: number;
  /** Pledged shares held by an open sell order of the position. */
  sharesReserved: number;
  /** Owed to the pool: principal plus accrued fees. */
  loan: Money;
  /** The part of `loan` that is accrued jump-risk fees. */
  feesOwed: Money;
  /** Collateral the owner has paid in (margin of purchases and added margin), for views. */
  marginPaid: Money;
  status: LeveragedStatus;
  /** Deadline of a running margin call (ms). */
  deadline: number | null;
  /** Jump-risk fees are paid (in advance) up to this time (ms). */
  paidUntil: number | null;
  /** Deadline of a running deleverage call (ms): the position is above the cap of the moment (time, extremity, resolution). */
  deleverageDeadline: number | null;
}

/** A standing offer to take over whole liquidated positions. */
export interface BackstopBid {
  readonly accountId: string;
  readonly outcome: Outcome;
  readonly price: string;
  readonly maxShares: number;
  readonly seq: number;
}

/** A challenge of a proposed outcome: its bond sits in the account's reserved cash until the ruling. */
export interface ResolutionChallenge {
  readonly accountId: string;
  readonly bond: Money;
  readonly reference: string;
  readonly at: number;
}

/**
 * A resolution proposed with a challenge window, not final yet (MarketResolved, or EventResolved for an event, makes it
 * final). `O` is a market's outcome (YES, NO, INVALID) or an event's (its winner, or INVALID).
 */
export interface PendingResolution<O = Resolution> {
  /** The proposed outcome; after a ruling, the ruled one. */
  proposed: O;
  readonly proposedAt: number;
  readonly finalAt: number;
  readonly challenges: ResolutionChallenge[];
  /** Set by the operator's ruling: where the bonds went (they are no longer reserved). */
  ruling: {
    readonly outcome: O;
    readonly bondsTo: "challengers" | "insurance";
    readonly at: number;
  } | null;
}

export interface MarketState {
  readonly marketId: string;
  readonly question: string;
  readonly tickSize: TickSize;
  /** Ticks per unit of collateral: 1 / tickSize. */
  readonly ticks: number;
  readonly resolvesAt: string;
  readonly takerFeeBps: number;
  status: MarketStatus;
  outcome: Resolution | null;
  readonly book: OrderBook;
  /** Collateral held for the market's outstanding pairs (and, once resolved, its unpaid claims). */
  escrow: Money;
  /** YES/NO pairs in existence (= YES shares = NO shares held by all accounts). */
  pairs: number;
  lastPrice: string | null;
  /** The operator/oracle mark (MarkPriceSet) and when it was set (ms; null in logs that did not record it). */
  markPrice: string | null;
  markPriceAt: number | null;
  /** The risk mark: the YES price margin, fees and liquidation use (MarkUpdated), combined from the sources. */
  riskMark: string | null;
  /** The running mark interval: its start (ms), the mark it began with, and the trades in it (shares, Σ YES price × shares). */
  markIntervalStart: number | null;
  markAnchor: string | null;
  windowShares: number;
  windowNotional: Money;
  /** Shares traded. */
  volume: number;
  trades: number;
  /** The credit layer's parameters, as listed. */
  readonly risk: Risk.RiskParams;
  readonly pool: PoolState;
  /** The market's insurance fund (`market:{marketId}`). */
  insurance: Money;
  /** Leveraged positions by `accountId|outcome`, in opening order. */
  readonly leveraged: Map<string, LeveragedPosition>;
  /** End of the running call auction (ms), or null in continuous trading. */
  auctionUntil: number | null;
  /** Numbers of the orders collected by the running auction, in arrival order. */
  readonly auctionOrders: number[];
  /** Backstop bids by `accountId|outcome`. */
  readonly backstops: Map<string, BackstopBid>;
  /** A proposed resolution in its challenge window (or challenged and waiting for the ruling); null otherwise. */
  resolution: PendingResolution | null;
  /** Resolved, with orders to cancel or holders to pay in the commands to come (SettlementContinues). */
  settlementPending: boolean;
  /** The event this market is an outcome of (null: a market of its own). */
  readonly eventId: string | null;
}

/**
 * An event of mutually exclusive outcomes (one market each, exactly one resolves YES). Conversions leave every market
 * of the event `unpairedYes` more YES than NO shares; whichever wins pays them, so the event holds that much in escrow.
 */
export interface EventGroupState {
  readonly eventId: string;
  readonly title: string;
  readonly resolvesAt: string;
  readonly marketIds: readonly string[];
  /** YES shares of every market of the event not paired with a NO of the same market (each market the same). */
  unpairedYes: number;
  /** Collateral held for them: exactly `unpairedYes` × 1 until the event resolves. */
  escrow: Money;
  status: "open" | "resolved";
  /** The winning market, null when INVALID or not resolved. */
  winner: string | null;
  /** A proposed resolution of the whole event in its challenge window (null: none pending). */
  resolution: PendingResolution<EventOutcome> | null;
}

/** What an event resolves to: one market wins (YES there, NO everywhere else), or INVALID everywhere. */
export type EventOutcome =
  | { readonly outcome: "WINNER"; readonly winner: string }
  | { readonly outcome: "INVALID" };

export type OrderStatus = "open" | "filled" | "cancelled";

export interface OrderState {
  readonly orderId: string;
  /** The order's number: its id in the book. */
  readonly number: number;
  readonly accountId: string;
  readonly marketId: string;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly outcome: Outcome;
  /** Limit price of the order's own outcome. */
  readonly price: string;
  readonly priceTicks: number;
  readonly quantity: number;
  readonly timeInForce: TimeInForce;
  readonly postOnly: boolean;
  readonly at: number;
  /** Leverage of a buy (null for 1x). */
  readonly leverage: string | null;
  /** Sells of pledged shares: by the owner ("position") or by a liquidation. */
  readonly source: "position" | "liquidation" | null;
  filledQuantity: number;
  status: OrderStatus;
  cancelReason: CancelReason | null;
  /** Cash still reserved by this order (buys). */
  reservedCash: Money;
  /** Shares still reserved by this order (sells). */
  reservedShares: number;
}

export interface Totals {
  deposits: Money;
  /** Collateral the operator put into insurance funds from outside. */
  insuranceDeposits: Money;
  withdrawals: Money;
  fees: Money;
}

/** Running totals of every kind of collateral held (kept by evolve, so solvency is checked in O(1)). */
export interface Held {
  cash: Money;
  reserved: Money;
  escrow: Money;
  /** Market insurance funds and the shared fund. */
  insurance: Money;
  poolCash: Money;
}

export interface State {
  readonly accounts: Map<string, AccountState>;
  readonly markets: Map<string, MarketState>;
  /** Events of several outcomes, by id. */
  readonly eventGroups: Map<string, EventGroupState>;
  readonly orders: OrderTable;
  /** "deposit|withdrawal:accountId:reference" → the amount, for idempotent money movements. */
  readonly references: Map<string, string>;
  readonly totals: Totals;
  /** The shared insurance fund (`shared`). */
  sharedInsurance: Money;
  readonly held: Held;
  /** Number of orders accepted so far; the next order is number + 1. */
  orderCount: number;
  /** Number of trades so far; the next trade is number + 1. */
  tradeCount: number;
}

export const initialState = (): State => ({
  accounts: new Map(),
  markets: new Map(),
  eventGroups: new Map(),
  orders: new OrderTable(),
  references: new Map(),
  totals: { deposits: ZERO, insuranceDeposits: ZERO, withdrawals: ZERO, fees: ZERO },
  sharedInsurance: ZERO,
  held: { cash: ZERO, reserved: ZERO, escrow: ZERO, insurance: ZERO, poolCash: ZERO },
  orderCount: 0,
  tradeCount: 0,
});

export const TICKS_PER_UNIT: Record<TickSize, number> = { "0.01": 100, "0.001": 1000, "0.0001": 10000 };

export const newBook = (tickSize: TickSize): OrderBook =>
  createOrderBook({ ticks: TICKS_PER_UNIT[tickSize] });

export const emptyPosition = (): Position => ({ yes: 0, no: 0, yesReserved: 0, noReserved: 0 });

/** A leveraged position before its first loan: no shares, nothing owed, healthy, paid up to nothing yet. */
export const emptyLeveragedPosition = (accountId: string, outcome: Outcome): LeveragedPosition => ({
  accountId,
  outcome,
  shares: 0,
  sharesReserved: 0,
  loan: ZERO,
  feesOwed: ZERO,
  marginPaid: ZERO,
  status: "healthy",
  deadline: null,
  paidUntil: null,
  deleverageDeadline: null,
});

export const orderIdOf = (n: number): string => `o-${n}`;
export const tradeIdOf = (n: number): string => `t-${n}`;

export const leveragedKey = (accountId: string, outcome: Outcome): string => `${accountId}|${outcome}`;

export const emptyPool = (): PoolState => ({
  cash: ZERO,
  lent: ZERO,
  shares: ZERO,
  feesEarned: ZERO,
  losses: ZERO,
  feesUncollected: ZERO,
  vestingAmount: ZERO,
  vestingStart: null,
  providers: new Map(),
});

export type ReferenceKind =
  | "deposit"
  | "withdrawal"
  | "supply"
  | "redeem"
  | "insurance"
  | "margin"
  | "challenge"
  | "convert";

export const referenceKey = (kind: ReferenceKind, accountId: string, reference: string): string =>
  `${kind}:${accountId}:${reference}`;

/** What a conversion's reference stands for (its retry must ask for the same): the markets, sorted, and the quantity. */
export const conversionTerms = (marketIds: readonly string[], quantity: number): string =>
  `${[...marketIds].sort().join(",")}×${quantity}`;
