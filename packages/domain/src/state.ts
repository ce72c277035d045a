// The exchange's in-memory state: accounts, markets with their books, orders, totals. Built by `evolve` only.
import { createOrderBook, type OrderBook } from "@pmx/matching";
import type { Outcome, Resolution, Side, TickSize, TimeInForce } from "./codecs.js";
import type { CancelReason } from "./events.js";
import { type Money, ZERO } from "./money.js";

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

export type MarketStatus = "open" | "halted" | "resolved";

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
  markPrice: string | null;
  /** Shares traded. */
  volume: number;
  trades: number;
}

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
  withdrawals: Money;
  fees: Money;
}

export interface State {
  readonly accounts: Map<string, AccountState>;
  readonly markets: Map<string, MarketState>;
  readonly orders: Map<string, OrderState>;
  /** "deposit|withdrawal:accountId:reference" → the amount, for idempotent money movements. */
  readonly references: Map<string, string>;
  readonly totals: Totals;
  /** Number of orders accepted so far; the next order is number + 1. */
  orderCount: number;
  /** Number of trades so far; the next trade is number + 1. */
  tradeCount: number;
}

export const initialState = (): State => ({
  accounts: new Map(),
  markets: new Map(),
  orders: new Map(),
  references: new Map(),
  totals: { deposits: ZERO, withdrawals: ZERO, fees: ZERO },
  orderCount: 0,
  tradeCount: 0,
});

export const TICKS_PER_UNIT: Record<TickSize, number> = { "0.01": 100, "0.001": 1000, "0.0001": 10000 };

export const newBook = (tickSize: TickSize): OrderBook =>
  createOrderBook({ ticks: TICKS_PER_UNIT[tickSize] });

export const emptyPosition = (): Position => ({ yes: 0, no: 0, yesReserved: 0, noReserved: 0 });

export const orderIdOf = (n: number): string => `o-${n}`;
export const tradeIdOf = (n: number): string => `t-${n}`;

export const referenceKey = (kind: "deposit" | "withdrawal", accountId: string, reference: string): string =>
  `${kind}:${accountId}:${reference}`;
