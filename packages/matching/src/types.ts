// The order book's plain vocabulary: integer ticks, integer lots, numeric ids; no decimals, no events.

/** The four order intents of a binary market. */
export const Intent = { BUY_YES: 0, SELL_YES: 1, BUY_NO: 2, SELL_NO: 3 } as const;
export type Intent = (typeof Intent)[keyof typeof Intent];

/** Which side of the single YES-price book an intent sits on: buy YES and sell NO bid, sell YES and buy NO ask. */
export const BookSide = { BID: 0, ASK: 1 } as const;
export type BookSide = (typeof BookSide)[keyof typeof BookSide];

export const TimeInForce = { GTC: 0, IOC: 1, FOK: 2 } as const;
export type TimeInForce = (typeof TimeInForce)[keyof typeof TimeInForce];

/** MINT: buy YES meets buy NO. TRANSFER: a buyer meets a seller of the same outcome. MERGE: sell YES meets sell NO. */
export const FillKind = { MINT: 0, TRANSFER: 1, MERGE: 2 } as const;
export type FillKind = (typeof FillKind)[keyof typeof FillKind];

/** Why an order (or its remainder) left the book without filling. */
export const CancelReason = {
  USER: 0,
  POST_ONLY_WOULD_CROSS: 1,
  IOC_REMAINDER: 2,
  FOK_NOT_FILLABLE: 3,
  SELF_TRADE: 4,
} as const;
export type CancelReason = (typeof CancelReason)[keyof typeof CancelReason];

export interface NewOrder {
  /** Caller-chosen positive integer, unique among the orders this book has seen. */
  readonly id: number;
  /** Owner (account) as a positive integer; self-trade prevention compares owners. */
  readonly owner: number;
  readonly intent: Intent;
  /** Limit price in ticks of the order's own outcome (a NO order's price is the NO price), 1..ticks-1. */
  readonly priceTicks: number;
  /** Positive integer quantity in lots. */
  readonly quantityLots: number;
  readonly timeInForce: TimeInForce;
  readonly postOnly: boolean;
}

export interface Fill {
  readonly kind: FillKind;
  readonly makerId: number;
  readonly makerOwner: number;
  readonly makerIntent: Intent;
  readonly takerId: number;
  readonly takerIntent: Intent;
  /** Execution price in YES ticks (the maker's price); the NO side pays ticks - yesPriceTicks. */
  readonly yesPriceTicks: number;
  readonly quantityLots: number;
  /** True when this fill leaves the maker with nothing resting. */
  readonly makerDone: boolean;
}

/** A resting order removed as a consequence of placing another (self-trade prevention). */
export interface Removed {
  readonly id: number;
  readonly owner: number;
  readonly intent: Intent;
  readonly remainingLots: number;
  readonly reason: CancelReason;
}

export interface PlaceResult {
  readonly fills: readonly Fill[];
  /** Resting makers cancelled by self-trade prevention while this order matched. */
  readonly removed: readonly Removed[];
  /** Lots of the new order left resting on the book (0 when none). */
  readonly restingLots: number;
  /** Lots of the new order cancelled (IOC remainder, FOK not fillable, post-only cross); 0 when none. */
  readonly cancelledLots: number;
  readonly cancelReason: CancelReason | null;
}

export interface RestingOrder {
  readonly id: number;
  readonly owner: number;
  readonly intent: Intent;
  readonly priceTicks: number;
  readonly remainingLots: number;
}

export interface DepthLevel {
  /** YES ticks. */
  readonly priceTicks: number;
  readonly quantityLots: number;
}

export interface Depth {
  /** Best (highest) first. */
  readonly bids: readonly DepthLevel[];
  /** Best (lowest) first. */
  readonly asks: readonly DepthLevel[];
}
