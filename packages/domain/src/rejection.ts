// Rejections: commands that should never have been sent; each a specific code, never an event.

export type RejectionCode =
  | "UNKNOWN_ACCOUNT"
  | "ACCOUNT_EXISTS"
  | "UNKNOWN_MARKET"
  | "MARKET_EXISTS"
  | "MARKET_NOT_OPEN"
  | "MARKET_NOT_HALTED"
  | "MARKET_RESOLVED"
  | "INVALID_QUESTION"
  | "INVALID_AMOUNT"
  | "PRICE_NOT_ON_TICK"
  | "PRICE_OUT_OF_RANGE"
  | "INVALID_QUANTITY"
  | "INSUFFICIENT_FUNDS"
  | "INSUFFICIENT_SHARES"
  | "LEVERAGE_TOO_HIGH"
  | "INVALID_LEVERAGE"
  | "INVALID_ORDER_TERMS"
  | "UNKNOWN_ORDER"
  | "NOT_ORDER_OWNER"
  | "ORDER_NOT_OPEN"
  | "IDEMPOTENCY_CONFLICT"
  | "INVALID_RISK_PARAMS"
  | "UNKNOWN_FUND"
  | "INSUFFICIENT_POOL_SHARES"
  | "POOL_CASH_LENT_OUT"
  | "POOL_UTILIZATION_LIMIT"
  | "POOL_REDEMPTION_LOCKED"
  | "POOL_INSOLVENT"
  | "INSUFFICIENT_POOL_LIQUIDITY"
  | "ACCOUNT_EXPOSURE_LIMIT"
  | "MARKET_EXPOSURE_LIMIT"
  | "NO_POSITION"
  | "MARKET_IN_AUCTION"
  | "LOAN_NOT_COVERED"
  | "INSUFFICIENT_MARGIN"
  | "INVALID_RESOLVES_AT"
  | "RESOLUTION_PENDING"
  | "NO_PENDING_RESOLUTION"
  | "NOT_CHALLENGED"
  | "ALREADY_RULED"
  | "CHALLENGE_WINDOW_CLOSED"
  | "BOND_TOO_SMALL"
  | "UNKNOWN_EVENT"
  | "EVENT_EXISTS"
  | "INVALID_EVENT"
  | "EVENT_RESOLVED"
  | "EVENT_CONVERTED"
  | "EVENT_MARKET"
  | "NOTHING_TO_SETTLE";

export interface Rejection {
  readonly code: RejectionCode;
  readonly message: string;
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

export const reject = (
  code: RejectionCode,
  message: string,
  details?: Record<string, string | number | boolean>,
): Rejection => (details ? { code, message, details } : { code, message });
