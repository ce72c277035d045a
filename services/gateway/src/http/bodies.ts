// io-ts codecs of every request body, path and query the API takes; unknown fields are refused.
import { Codecs, exactPartial, exactType, RiskParamsInput } from "@pmx/domain";
import { ACTIVITY_TYPES } from "@pmx/projections";
import * as t from "io-ts";

const {
  DecimalString,
  Identifier,
  IsoTime,
  FeeBps,
  Outcome,
  PriceString,
  Reference,
  Resolution,
  Side,
  TickSize,
  TimeInForce,
} = Codecs;

/** A positive whole number of shares as a string ("100"); zero, negatives and fractions are refused. */
export const PositiveQuantity = new t.Type<string, string, unknown>(
  "PositiveQuantity",
  (u): u is string => typeof u === "string" && /^[1-9][0-9]{0,11}$/.test(u),
  (u, c) =>
    typeof u === "string" && /^[1-9][0-9]{0,11}$/.test(u)
      ? t.success(u)
      : t.failure(u, c, "expected a positive whole number of shares as a string"),
  t.identity,
);

/**
 * An ISO-8601 UTC time that names a real calendar instant: it must survive a round trip through Date
 * (`2031-02-30T00:00:00Z`, which Date.parse rolls over to March 2, is refused).
 */
export const CalendarTime = new t.Type<string, string, unknown>(
  "CalendarTime",
  (u): u is string => IsoTime.is(u),
  (u, c) => {
    if (!IsoTime.is(u)) return t.failure(u, c, "expected an ISO-8601 UTC time (2030-01-01T00:00:00Z)");
    const ms = Date.parse(u);
    const canonical = new Date(ms).toISOString();
    const given = u.includes(".")
      ? u.replace(/\.(\d{1,3})Z$/, (_m, f: string) => `.${f.padEnd(3, "0")}Z`)
      : u.replace(/Z$/, ".000Z");
    return canonical === given ? t.success(u) : t.failure(u, c, `${u} is not a calendar date and time`);
  },
  t.identity,
);

export const OpenAccountBody = exactPartial({}, { accountId: Identifier }, "OpenAccountBody");
export const MoneyMovementBody = exactType(
  { amount: DecimalString, reference: Reference },
  "MoneyMovementBody",
);
export const ListMarketBody = exactPartial(
  { marketId: Identifier, question: t.string, tickSize: TickSize, resolvesAt: CalendarTime },
  { takerFeeBps: FeeBps, ...RiskParamsInput },
  "ListMarketBody",
);
/** `POST /v1/events`: 2–100 outcomes, each a binary market; the terms and risk parameters apply to every one. */
export const ListEventBody = exactPartial(
  {
    eventId: Identifier,
    title: t.string,
    resolvesAt: CalendarTime,
    outcomes: t.array(exactType({ marketId: Identifier, question: t.string }, "EventOutcomeBody")),
  },
  { tickSize: TickSize, takerFeeBps: FeeBps, ...RiskParamsInput },
  "ListEventBody",
);
export const EventIdParam = exactType({ eventId: Identifier }, "EventIdParam");
export const ConvertBody = exactType(
  { marketIds: t.array(Identifier), quantity: PositiveQuantity, reference: Reference },
  "ConvertBody",
);
/** The winner, or outcome INVALID; `challengeSeconds`: the window of this proposal, else its markets' challengeWindowSeconds. */
export const ResolveEventBody = exactPartial(
  {},
  { winner: Identifier, outcome: t.literal("INVALID"), challengeSeconds: Codecs.Seconds },
  "ResolveEventBody",
);
/** The operator's ruling on a challenged event proposal: the final winner, or outcome INVALID. */
export const RuleEventBody = exactPartial(
  {},
  { winner: Identifier, outcome: t.literal("INVALID") },
  "RuleEventBody",
);
export const PoolSupplyBody = exactType({ amount: DecimalString, reference: Reference }, "PoolSupplyBody");
export const PoolRedeemBody = exactType({ shares: DecimalString, reference: Reference }, "PoolRedeemBody");
export const BackstopBidBody = exactType(
  { outcome: Outcome, price: PriceString, maxShares: Codecs.QuantityString },
  "BackstopBidBody",
);
export const ReduceBody = exactPartial(
  { outcome: Outcome, quantity: PositiveQuantity, price: PriceString },
  { clientRequestId: Reference },
  "ReduceBody",
);
export const AddMarginBody = exactType(
  { outcome: Outcome, amount: DecimalString, reference: Reference },
  "AddMarginBody",
);
export const FundIdParam = exactType({ fundId: t.string }, "FundIdParam");
export const EmptyBody = exactType({}, "EmptyBody");
export const MarkBody = exactType({ price: PriceString }, "MarkBody");
/** `challengeSeconds` (whole seconds): the challenge window of this resolution; else the market's challengeWindowSeconds. */
export const ResolveBody = exactPartial(
  { outcome: Resolution },
  { challengeSeconds: Codecs.Seconds },
  "ResolveBody",
);
/** A challenge of a proposed resolution: a bond (≥ the market's challengeBond) reserved from the caller's cash. */
export const ChallengeBody = exactType({ bond: DecimalString, reference: Reference }, "ChallengeBody");
/** The operator's ruling on a challenged proposal: the final outcome. */
export const RuleBody = exactType({ outcome: Resolution }, "RuleBody");
export const ClockBody = exactType({ at: Codecs.EpochMs }, "ClockBody");
export const OrderBody = exactPartial(
  {
    clientOrderId: Reference,
    marketId: Identifier,
    side: Side,
    outcome: Outcome,
    price: PriceString,
    quantity: PositiveQuantity,
  },
  { timeInForce: TimeInForce, postOnly: t.boolean, leverage: DecimalString },
  "OrderBody",
);

/** `POST /v1/orders/batch`: 1–100 orders, each decoded and decided on its own (a bad one fails alone). */
export const MAX_BATCH_ORDERS = 100;
export const BatchOrdersBody = exactType({ orders: t.array(OrderBody) }, "BatchOrdersBody");
/** The batch's envelope as first read: its items are decoded one by one with OrderBody. */
export const BatchEnvelope = exactType({ orders: t.array(t.unknown) }, "BatchEnvelope");

export const AccountIdParam = exactType({ accountId: Identifier }, "AccountIdParam");
export const MarketIdParam = exactType({ marketId: Identifier }, "MarketIdParam");
export const OrderIdParam = exactType({ orderId: t.string }, "OrderIdParam");
/** A resting order's new price and/or whole quantity; `clientRequestId` makes a retry of the same amend harmless. */
export const AmendBody = exactPartial(
  { clientRequestId: Reference },
  { price: PriceString, quantity: PositiveQuantity },
  "AmendBody",
);
export const NoQuery = exactType({}, "NoQuery");

const IntegerString = (name: string, min: number, max: number) =>
  new t.Type<number, string, unknown>(
    name,
    (u): u is number => typeof u === "number",
    (u, c) => {
      if (typeof u !== "string" || !/^[0-9]{1,6}$/.test(u))
        return t.failure(u, c, `expected an integer from ${min} to ${max}`);
      const n = Number(u);
      return n >= min && n <= max
        ? t.success(n)
        : t.failure(u, c, `expected an integer from ${min} to ${max}`);
    },
    String,
  );

/** An opaque page cursor, as a list's `nextCursor` gave it (base64url). */
export const Cursor = new t.Type<string, string, unknown>(
  "Cursor",
  (u): u is string => typeof u === "string" && /^[A-Za-z0-9_-]{1,512}$/.test(u),
  (u, c) =>
    typeof u === "string" && /^[A-Za-z0-9_-]{1,512}$/.test(u)
      ? t.success(u)
      : t.failure(u, c, "expected a cursor as a list's nextCursor gave it"),
  t.identity,
);

const Limit = IntegerString("limit", 1, 1000);

export const BookQuery = exactPartial({}, { depth: IntegerString("depth", 1, 1000) }, "BookQuery");
export const TradesQuery = exactPartial({}, { limit: Limit, cursor: Cursor }, "TradesQuery");
export type MarketStatusFilter = t.TypeOf<typeof MarketStatusFilter>;
export const MarketStatusFilter = t.keyof(
  { open: null, halted: null, closed: null, resolved: null },
  "MarketStatusFilter",
);
export const MarketsQuery = exactPartial(
  {},
  { status: MarketStatusFilter, eventId: Identifier, limit: Limit, cursor: Cursor },
  "MarketsQuery",
);
/** A checkpoints page's cursor: the revision the next page stays below (a whole number as text). */
const RevisionCursor = new t.Type<number, string, unknown>(
  "RevisionCursor",
  (u): u is number => typeof u === "number",
  (u, c) =>
    typeof u === "string" && /^[0-9]{1,15}$/.test(u)
      ? t.success(Number(u))
      : t.failure(u, c, "expected the nextCursor of an earlier page"),
  String,
);
export const CheckpointsQuery = exactPartial(
  {},
  { limit: IntegerString("limit", 1, 1000), cursor: RevisionCursor },
  "CheckpointsQuery",
);
export const OrdersQuery = exactPartial(
  {},
  {
    accountId: Identifier,
    marketId: Identifier,
    status: t.keyof({ open: null, filled: null, cancelled: null }),
    limit: Limit,
    cursor: Cursor,
  },
  "OrdersQuery",
);
export const FillsQuery = exactPartial(
  {},
  { accountId: Identifier, marketId: Identifier, limit: Limit, cursor: Cursor },
  "FillsQuery",
);
export const ActivityType = t.keyof(
  Object.fromEntries(ACTIVITY_TYPES.map((k) => [k, null])) as Record<(typeof ACTIVITY_TYPES)[number], null>,
  "ActivityType",
);
export const ActivityQuery = exactPartial(
  {},
  { accountId: Identifier, type: ActivityType, limit: Limit, cursor: Cursor },
  "ActivityQuery",
);
export const CandleInterval = t.keyof({ "1m": null, "5m": null, "1h": null, "1d": null }, "CandleInterval");
export const CandlesQuery = exactPartial(
  { interval: CandleInterval },
  { from: CalendarTime, to: CalendarTime, limit: Limit, cursor: Cursor },
  "CandlesQuery",
);
export const CancelAllQuery = exactPartial({}, { marketId: Identifier }, "CancelAllQuery");

/** Subscription messages on the WebSocket stream. */
export const StreamMessage = t.union([
  exactType({
    op: t.keyof({ subscribe: null, unsubscribe: null }),
    channel: t.keyof({ trades: null, book: null }),
    marketId: Identifier,
  }),
  exactType({
    op: t.keyof({ subscribe: null, unsubscribe: null }),
    channel: t.literal("account"),
    apiKey: t.string,
    timestamp: t.string,
    signature: t.string,
  }),
]);
export type StreamMessage = t.TypeOf<typeof StreamMessage>;

export { DecimalString, Reference };

/** `POST /v1/account/keys` and `POST /v1/accounts/{accountId}/keys`: an HMAC key (secret returned once) or an Ed25519 one (public key given). */
export const KeyLabel = new t.Type<string, string, unknown>(
  "KeyLabel",
  (u): u is string => typeof u === "string" && /^[\x20-\x7e]{1,64}$/.test(u),
  (u, c) =>
    typeof u === "string" && /^[\x20-\x7e]{1,64}$/.test(u)
      ? t.success(u)
      : t.failure(u, c, "1-64 printable ASCII characters"),
  t.identity,
);
export const NewKeyBody = exactPartial(
  { scope: t.keyof({ trade: null, read: null }, "KeyScope") },
  {
    label: KeyLabel,
    algorithm: t.keyof({ "hmac-sha256": null, ed25519: null }, "KeyAlgorithm"),
    publicKey: t.string,
  },
  "NewKeyBody",
);
export const ApiKeyParam = exactType({ apiKey: Identifier }, "ApiKeyParam");
/** `GET /v1/risk/positions`: one market, one status of leveraged position, how many (nearest to liquidation first). */
export const RiskPositionsQuery = exactPartial(
  {},
  {
    marketId: Identifier,
    status: t.keyof({ healthy: null, margin_call: null, liquidating: null }, "LeveragedStatus"),
    limit: Limit,
  },
  "RiskPositionsQuery",
);
/** `GET /v1/risk/bad-debts`: one market, how many (newest first). */
export const BadDebtsQuery = exactPartial({}, { marketId: Identifier, limit: Limit }, "BadDebtsQuery");
/** `GET /v1/markets/{id}/pool/history`: how many share-value changes (the newest). */
export const PoolHistoryQuery = exactPartial({}, { limit: Limit }, "PoolHistoryQuery");
/** `GET /console/{file}`: a file name of the console's build (letters, digits, `.`, `_`, `-`). */
export const ConsoleFileParam = exactType(
  { file: t.refinement(t.string, (s) => /^[\w.-]{1,100}$/.test(s), "ConsoleFileName") },
  "ConsoleFileParam",
);
