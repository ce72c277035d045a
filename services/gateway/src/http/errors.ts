// The API's error shape and the HTTP status of every error code.
import type { Rejection, RejectionCode } from "@pmx/domain";

export interface ApiErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** An error answered to the client as `{error: {code, message, details}}` with `status`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
  body(): ApiErrorBody {
    return {
      error: this.details
        ? { code: this.code, message: this.message, details: this.details }
        : { code: this.code, message: this.message },
    };
  }
}

/** HTTP status of each exchange rejection: unknown things 404, other owners' things 403, conflicts 409, rules 422. */
export const REJECTION_STATUS: Record<RejectionCode, number> = {
  UNKNOWN_ACCOUNT: 404,
  UNKNOWN_MARKET: 404,
  UNKNOWN_ORDER: 404,
  NOT_ORDER_OWNER: 403,
  ACCOUNT_EXISTS: 409,
  MARKET_EXISTS: 409,
  IDEMPOTENCY_CONFLICT: 409,
  MARKET_NOT_OPEN: 422,
  MARKET_NOT_HALTED: 422,
  MARKET_RESOLVED: 422,
  INVALID_QUESTION: 422,
  INVALID_AMOUNT: 422,
  PRICE_NOT_ON_TICK: 422,
  PRICE_OUT_OF_RANGE: 422,
  INVALID_QUANTITY: 422,
  INSUFFICIENT_FUNDS: 422,
  INSUFFICIENT_SHARES: 422,
  LEVERAGE_TOO_HIGH: 422,
  INVALID_LEVERAGE: 422,
  INVALID_ORDER_TERMS: 422,
  INVALID_RISK_PARAMS: 422,
  UNKNOWN_FUND: 404,
  INSUFFICIENT_POOL_SHARES: 422,
  POOL_CASH_LENT_OUT: 422,
  POOL_UTILIZATION_LIMIT: 422,
  POOL_REDEMPTION_LOCKED: 422,
  POOL_INSOLVENT: 422,
  INSUFFICIENT_POOL_LIQUIDITY: 422,
  ACCOUNT_EXPOSURE_LIMIT: 422,
  MARKET_EXPOSURE_LIMIT: 422,
  NO_POSITION: 404,
  MARKET_IN_AUCTION: 422,
  LOAN_NOT_COVERED: 422,
  INSUFFICIENT_MARGIN: 422,
  ORDER_NOT_OPEN: 422,
  INVALID_RESOLVES_AT: 422,
  RESOLUTION_PENDING: 409,
  NO_PENDING_RESOLUTION: 409,
  NOT_CHALLENGED: 409,
  ALREADY_RULED: 409,
  CHALLENGE_WINDOW_CLOSED: 422,
  BOND_TOO_SMALL: 422,
  UNKNOWN_EVENT: 404,
  EVENT_EXISTS: 409,
  INVALID_EVENT: 422,
  EVENT_RESOLVED: 422,
  EVENT_CONVERTED: 422,
  EVENT_MARKET: 422,
  NOTHING_TO_SETTLE: 409,
  AMEND_WOULD_CROSS: 422,
};

export const fromRejection = (r: Rejection): ApiError =>
  new ApiError(REJECTION_STATUS[r.code], r.code, r.message, r.details as Record<string, unknown> | undefined);

/** Every code the gateway itself answers, with its status, for the OpenAPI document and the docs. */
export const GATEWAY_ERRORS = {
  MALFORMED_JSON: { status: 400, meaning: "the body is not valid JSON" },
  INVALID_REQUEST: {
    status: 400,
    meaning: "a field is missing, unknown, or of the wrong type or form (decimals must be strings)",
  },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: "bodies are application/json" },
  UNAUTHENTICATED: { status: 401, meaning: "missing or bad credentials" },
  BAD_SIGNATURE: { status: 401, meaning: "the signature does not match the request" },
  STALE_TIMESTAMP: { status: 401, meaning: "PMX-TIMESTAMP is more than 30 s from the gateway's clock" },
  REPLAYED_SIGNATURE: { status: 401, meaning: "this exact signed request was already received" },
  FORBIDDEN: { status: 403, meaning: "authenticated, but this credential may not do this" },
  KEY_SCOPE: { status: 403, meaning: "a read key signs only GET requests: writes need a trade key" },
  ED25519_REQUIRED: {
    status: 403,
    meaning:
      "the account registered an Ed25519 trade key: its writes must be signed with an Ed25519 key (kept in the log)",
  },
  NOT_FOUND: { status: 404, meaning: "no such resource" },
  UNKNOWN_KEY: { status: 404, meaning: "the account holds no such API key" },
  KEY_EXISTS: { status: 409, meaning: "this Ed25519 public key is already registered as a key" },
  UPGRADE_REQUIRED: { status: 426, meaning: "GET /v1/stream is a WebSocket: send an Upgrade request" },
  BODY_TOO_LARGE: { status: 413, meaning: "the body is larger than the limit" },
  RATE_LIMITED: { status: 429, meaning: "too many requests; retry after Retry-After seconds" },
  CLOCK_NOT_MANUAL: { status: 422, meaning: "the clock is the system clock; only a manual clock can be set" },
  CLOCK_BACKWARDS: { status: 422, meaning: "the manual clock never moves backwards" },
  SEQUENCER_SATURATED: { status: 503, meaning: "too many commands are waiting; retry shortly" },
  WRITES_STOPPED: {
    status: 503,
    meaning: "this gateway stopped accepting writes (another writer, or the log failed)",
  },
  SHUTTING_DOWN: { status: 503, meaning: "the gateway is shutting down" },
  NOT_LEADER: {
    status: 503,
    meaning: "this gateway follows the log read-only; writes go to the leader it names",
  },
  UNEXPECTED_QUERY: {
    status: 400,
    meaning: "a write (any method but GET) takes no query string: it is named by its path and body alone",
  },
  INVALID_CURSOR: {
    status: 400,
    meaning:
      "the cursor is not one this list gave: pass `nextCursor` back unchanged, with the same path (market, account, interval)",
  },
  INVALID_TIME_RANGE: { status: 400, meaning: "`from` must be before `to`" },
  TOO_MANY_OPEN_ORDERS: {
    status: 422,
    meaning:
      "the account holds the most open orders one may (PMX_MAX_OPEN_ORDERS, default 1000): cancel some first",
  },
  COMMAND_TOO_LARGE: {
    status: 413,
    meaning:
      "the command's events would take more bytes than one append may (PMX_MAX_APPEND_BYTES, default 900 KiB); nothing was appended",
  },
  CREDENTIALS_NOT_STORED: {
    status: 503,
    meaning: "the new account's key could not be written to the data folder; no account was opened: retry",
  },
  INTERNAL: { status: 500, meaning: "an unexpected error; nothing was appended for this request" },
} satisfies Record<string, { status: number; meaning: string }>;
export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

/** Codes only the WebSocket stream answers (as `{channel: "error", data: {code, message}}`), with their meaning. */
export const STREAM_ERRORS: Record<string, { meaning: string }> = {
  TOO_MANY_SUBSCRIPTIONS: { meaning: "this connection holds as many market subscriptions as one may (200)" },
};

export const gatewayError = (
  code: GatewayErrorCode,
  message: string,
  details?: Record<string, unknown>,
  headers?: Record<string, string>,
): ApiError => new ApiError(GATEWAY_ERRORS[code].status, code, message, details, headers);
