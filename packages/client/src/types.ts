// The answers of the pmx HTTP API as a client reads them: amounts and quantities are decimal strings, times ISO-8601.
// The gateway's OpenAPI document (GET /v1/openapi.json) is the full contract; these types name what it answers.

export type Side = "buy" | "sell";
export type Outcome = "YES" | "NO";
export type TimeInForce = "GTC" | "IOC" | "FOK";

/** An error answer: `{error: {code, message, details?}}` with the HTTP status. */
export interface ApiErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface Level {
  price: string;
  quantity: string;
}

export interface Book {
  marketId: string;
  bids: Level[];
  asks: Level[];
  /** The log revision of the last event that changed this book. */
  sequence: number;
}

export interface Market {
  marketId: string;
  question: string;
  status: "open" | "halted" | "closed" | "resolved";
  phase: "continuous" | "auction" | "halted" | "closed" | "resolved";
  tickSize: string;
  resolvesAt: string;
  bestBid: string | null;
  bestAsk: string | null;
  lastPrice: string | null;
  markPrice: string | null;
  maxLeverage: string;
  fundingRate: string;
  outcome?: "YES" | "NO" | "INVALID";
  eventId?: string;
  [field: string]: unknown;
}

export interface Trade {
  tradeId: string;
  marketId: string;
  price: string;
  quantity: string;
  kind: "MINT" | "TRANSFER" | "MERGE";
  takerSide: Side;
  takerOutcome: Outcome;
  at: string;
  sequence: number;
}

export interface OrderRequest {
  marketId: string;
  side: Side;
  outcome: Outcome;
  price: string;
  quantity: string;
  /** Generated when left out (a retry must send the same one: keep what `placeOrder` answers). */
  clientOrderId?: string;
  timeInForce?: TimeInForce;
  postOnly?: boolean;
  leverage?: string;
}

export interface Order {
  orderId: string;
  clientOrderId: string;
  marketId: string;
  side: Side;
  outcome: Outcome;
  price: string;
  quantity: string;
  filledQuantity: string;
  status: "open" | "filled" | "cancelled";
  cancelReason?: string;
  trades: { tradeId: string; price: string; quantity: string; liquidity: "maker" | "taker"; fee: string }[];
  [field: string]: unknown;
}

export interface Holding {
  marketId: string;
  outcome: Outcome;
  quantity: string;
  averagePrice: string | null;
  cost: string;
  realizedPnl: string;
  unrealizedPnl: string | null;
}

export interface Account {
  accountId: string;
  cash: string;
  reserved: string;
  total: string;
  positions: Record<string, unknown>[];
  holdings?: Holding[];
}

export interface Fill {
  tradeId: string;
  orderId: string;
  clientOrderId: string;
  marketId: string;
  side: Side;
  outcome: Outcome;
  price: string;
  quantity: string;
  liquidity: "maker" | "taker";
  fee: string;
  at: string;
}

export interface ActivityEntry {
  sequence: number;
  at: string;
  type: string;
  marketId?: string;
  amount: string;
  cashAfter: string;
  reference?: string;
}

export interface Candle {
  start: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}

export interface Health {
  status: "ok" | "degraded";
  sequence: number;
  head: string;
  events: number;
  time: string;
  [field: string]: unknown;
}

export interface NewAccount {
  accountId: string;
  apiKey: string;
  apiSecret: string;
}

export interface ApiKey {
  apiKey: string;
  scope: "trade" | "read";
  apiSecret?: string;
  label?: string;
  algorithm?: string;
}
