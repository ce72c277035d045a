// The OpenAPI 3.1 document served at GET /v1/openapi.json: request schemas generated from the io-ts codecs of
// `bodies.ts`, answers written as JSON Schema by hand, every error code by HTTP status, auth and stream protocol.
import type { Codecs, RejectionCode } from "@pmx/domain";
import { ACTIVITY_TYPES } from "@pmx/projections";
import type * as t from "io-ts";
import * as B from "./bodies.js";
import { GATEWAY_ERRORS, REJECTION_STATUS } from "./errors.js";

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1) as plain data. */
export type JsonSchema = { [keyword: string]: unknown };

// ---------------------------------------------------------------------------------------------------------------
// io-ts → JSON Schema
// ---------------------------------------------------------------------------------------------------------------

const decimalPattern = (places: number) => `^(0|[1-9][0-9]{0,17})(\\.[0-9]{1,${places}})?$`;

/**
 * Codecs built with `new t.Type` (refined strings and numbers) carry no structure to inspect, so they are described
 * by name. A codec with neither a known structure nor an entry here makes `toJsonSchema` throw: a new codec cannot
 * slip into the document undescribed.
 */
export const NAMED_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  KeyLabel: {
    type: "string",
    pattern: "^[\\x20-\\x7e]{1,64}$",
    description: "A label for the key: 1-64 printable ASCII characters.",
  },
  Ed25519PublicKey: {
    type: "string",
    pattern: "^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$",
    description: "base64 of the 32 raw bytes of an Ed25519 public key.",
  },
  DecimalString: {
    type: "string",
    pattern: decimalPattern(6),
    description:
      "A non-negative decimal as a string, at most 6 decimal places, no exponent. A JSON number is refused (400).",
    examples: ["1000.50", "0", "25"],
  },
  PriceString: {
    type: "string",
    pattern: decimalPattern(4),
    description:
      "A price of the named outcome as a decimal string (at most 4 places). It must be strictly between 0 and 1 " +
      "and a multiple of the market's tick size (checked by the exchange: 422 PRICE_OUT_OF_RANGE / PRICE_NOT_ON_TICK).",
    examples: ["0.61", "0.5"],
  },
  QuantityString: {
    type: "string",
    pattern: "^(0|[1-9][0-9]{0,11})$",
    description: "A whole number of shares as a string.",
    examples: ["0", "100"],
  },
  PositiveQuantity: {
    type: "string",
    pattern: "^[1-9][0-9]{0,11}$",
    description: "A positive whole number of shares as a string; zero, negatives and fractions are refused.",
    examples: ["100", "1"],
  },
  ConsoleFileName: {
    type: "string",
    pattern: "^[\\w.-]{1,100}$",
    description: "A file name of the console's build: 1-100 of A-Z a-z 0-9 _ . -",
    examples: ["console.js"],
  },
  Identifier: {
    type: "string",
    pattern: "^[A-Za-z0-9._-]{1,64}$",
    description: "An identifier chosen by people: 1-64 of A-Z a-z 0-9 . _ -",
    examples: ["alice", "trump-2024"],
  },
  Reference: {
    type: "string",
    pattern: "^[\\x21-\\x7e]{1,128}$",
    description:
      "A free-text reference (deposit, withdrawal, client order id): 1-128 printable ASCII characters, no spaces.",
    examples: ["c-1", "wire:2024-11-06/42"],
  },
  IsoTime: {
    type: "string",
    format: "date-time",
    pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z$",
    description: "An ISO-8601 UTC time, seconds or milliseconds, ending in Z.",
    examples: ["2024-11-06T05:00:00Z", "2024-11-06T05:00:00.000Z"],
  },
  CalendarTime: {
    type: "string",
    format: "date-time",
    pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z$",
    description:
      "An ISO-8601 UTC time naming a real calendar instant (2031-02-30 and 25:00 are refused), ending in Z. " +
      "A market's resolvesAt must also be after the time of its listing (422 INVALID_RESOLVES_AT).",
    examples: ["2030-01-01T00:00:00Z"],
  },
  EpochMs: {
    type: "integer",
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    description: "Milliseconds since 1970-01-01T00:00:00Z (a JSON number).",
    examples: [1730869200000],
  },
  FeeBps: {
    type: "integer",
    minimum: 0,
    maximum: 1000,
    description: "A fee in basis points (1 bp = 0.01 %), an integer from 0 to 1000. Only takers pay it.",
    examples: [0, 25],
  },
  Seconds: {
    type: "integer",
    minimum: 0,
    maximum: 315_360_000,
    description: "A whole number of seconds, 0 to 10 years.",
    examples: [3600],
  },
  WholeShares: {
    type: "integer",
    minimum: 0,
    maximum: 1e12,
    description:
      "A whole number of shares (a risk parameter: e.g. the depth and volume a mark source needs).",
    examples: [10],
  },
  Shares: {
    type: "integer",
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    description: "A whole number of shares.",
    examples: [100],
  },
  // Query parameters (always strings on the wire) decoded to integers by `bodies.ts`.
  depth: {
    type: "string",
    pattern: "^[0-9]{1,6}$",
    description: "An integer from 1 to 1000: price levels per side.",
    examples: ["10"],
  },
  limit: {
    type: "string",
    pattern: "^[0-9]{1,6}$",
    description: "An integer from 1 to 1000: most items answered (default 100).",
    examples: ["100"],
  },
  Cursor: {
    type: "string",
    pattern: "^[A-Za-z0-9_-]{1,512}$",
    description:
      "Opaque: the `nextCursor` of the previous page of the same list, passed back unchanged. It names a position " +
      "in the log, so it stays valid across restarts and on followers; a cursor of another list is a 400 " +
      "INVALID_CURSOR.",
    examples: ["WyJ0cmFkZXMiLCJtMSIsNDJd"],
  },
  RevisionCursor: {
    type: "string",
    pattern: "^[0-9]{1,15}$",
    description:
      "The `nextCursor` of an earlier page: the next page holds older checkpoints (lower revisions).",
    examples: ["99999"],
  },
};

type Tagged = t.Mixed & {
  _tag?: string;
  exactProps?: Codecs.ExactProps;
  props?: t.Props;
  types?: t.Mixed[];
  keys?: Record<string, unknown>;
  value?: string | number | boolean;
  type?: t.Mixed;
};

const isDefaultName = (name: string) => /^[{"(]|[|&]/.test(name);

/** JSON Schema of what `codec` accepts: objects made with `exactType`/`exactPartial` refuse unknown keys. */
export function toJsonSchema(codec: t.Mixed): JsonSchema {
  const c = codec as Tagged;
  if (c.exactProps) {
    const { required, optional } = c.exactProps;
    const properties: Record<string, JsonSchema> = {};
    for (const [k, v] of Object.entries(required)) properties[k] = toJsonSchema(v);
    for (const [k, v] of Object.entries(optional)) properties[k] = toJsonSchema(v);
    const schema: JsonSchema = { type: "object" };
    if (!isDefaultName(c.name)) schema.title = c.name;
    schema.properties = properties;
    if (Object.keys(required).length > 0) schema.required = Object.keys(required);
    schema.additionalProperties = false;
    return schema;
  }
  const named = NAMED_SCHEMAS[c.name];
  if (named) return { title: c.name, ...named };
  const titled = (schema: JsonSchema): JsonSchema =>
    isDefaultName(c.name) ? schema : { title: c.name, ...schema };
  switch (c._tag) {
    case "StringType":
      return { type: "string" };
    case "NumberType":
      return { type: "number" };
    case "BooleanType":
      return { type: "boolean" };
    case "NullType":
      return { type: "null" };
    case "LiteralType":
      return { const: c.value };
    case "KeyofType":
      return titled({ type: "string", enum: Object.keys(c.keys!) });
    case "UnionType":
      return titled({ anyOf: c.types!.map(toJsonSchema) });
    case "IntersectionType":
      return titled({ allOf: c.types!.map(toJsonSchema) });
    case "ArrayType":
    case "ReadonlyArrayType":
      return titled({ type: "array", items: toJsonSchema(c.type!) });
    case "InterfaceType":
    case "PartialType": {
      const properties: Record<string, JsonSchema> = {};
      for (const [k, v] of Object.entries(c.props!)) properties[k] = toJsonSchema(v);
      const schema: JsonSchema = { type: "object", properties };
      if (c._tag === "InterfaceType" && Object.keys(properties).length > 0)
        schema.required = Object.keys(properties);
      return titled(schema);
    }
    default:
      throw new Error(
        `openapi: no JSON Schema for codec "${c.name}" (${c._tag ?? "custom t.Type"}); add it to NAMED_SCHEMAS`,
      );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Answers (hand-written: the read models have no codecs)
// ---------------------------------------------------------------------------------------------------------------

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const str = (description: string): JsonSchema => ({ type: "string", description });
const decimal = (description: string): JsonSchema => ({
  type: "string",
  pattern: decimalPattern(6),
  description,
});
const nullableDecimal = (description: string): JsonSchema => ({
  type: ["string", "null"],
  pattern: decimalPattern(6),
  description,
});
/** A decimal that may be negative (an equity, a P&L), or null. */
const signedNullableDecimal = (description: string): JsonSchema => ({
  type: ["string", "null"],
  pattern: `^-?${decimalPattern(6).slice(1)}`,
  description,
});
const whole = (description: string): JsonSchema => ({
  type: "string",
  pattern: "^(0|[1-9][0-9]*)$",
  description,
});
const object = (properties: Record<string, unknown>, optional: string[] = []): JsonSchema => ({
  type: "object",
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
});
const listOf = (key: string, item: string): JsonSchema =>
  object({ [key]: { type: "array", items: ref(item) } });
const nextCursor: JsonSchema = {
  type: ["string", "null"],
  description:
    "Pass as `?cursor=` (with the same path and filters) for the next page; null on the last page.",
};
/** A paginated list: the items and the cursor of the next page. */
const pageOf = (key: string, item: string, description: string): JsonSchema => ({
  ...object({ [key]: { type: "array", items: ref(item) }, nextCursor }),
  description,
});
const time = (description: string): JsonSchema => ({ type: "string", format: "date-time", description });

/** The challenges of a pending resolution (a market's or an event's). */
const CHALLENGES = {
  type: "array",
  items: {
    type: "object",
    properties: {
      accountId: str("The challenger."),
      bond: decimal("The bond reserved from its cash."),
      reference: str("The challenge's reference."),
      at: { type: "string", format: "date-time" },
    },
    required: ["accountId", "bond", "reference", "at"],
  },
};

const ANSWER_SCHEMAS: Record<string, JsonSchema> = {
  Error: {
    type: "object",
    description:
      "Every error answer. `details` carries the facts of the refusal (e.g. the field, the gateway time).",
    properties: {
      error: object(
        {
          code: str("A stable code, listed by HTTP status in `info.description` and each error answer."),
          message: str("Human readable; may change."),
          details: { type: "object" },
        },
        ["details"],
      ),
    },
    required: ["error"],
  },
  Health: object(
    {
      status: {
        type: "string",
        enum: ["ok", "degraded"],
        description:
          "degraded: a leader that cannot write now (writes stopped after a failed append, or its files cannot be written), or a follower that is not following the log (its subscription ended; it subscribes again from its position, backing off from 100 ms to 30 s) or is still catching up after that; `reason` says why. Writes resume by themselves once the store is writable again (probed every 1 s, backing off to 30 s), except after another writer appended (fencing: restart). A follower is ok again once it has applied the log's end as read when it subscribed again.",
      },
      reason: str("Why the gateway is degraded (only then)."),
      follow: object(
        {
          state: {
            type: "string",
            enum: ["following", "catching_up", "reconnecting", "stopped"],
            description:
              "following: subscribed and caught up; catching_up: subscribed again after a drop, applying what it missed; reconnecting: the subscription ended, the next attempt is on its way (back-off); stopped: an event does not verify (not retried).",
          },
          since: {
            type: "string",
            format: "date-time",
            description: "When it stopped following (absent while following).",
          },
          behind: {
            type: "integer",
            minimum: 0,
            description:
              "Events between the last one applied and the log's end as last read (absent when not known, e.g. while the store cannot be read).",
          },
          attempts: {
            type: "integer",
            minimum: 0,
            description: "Attempts to subscribe again since it stopped following.",
          },
          lastError: str("Why the subscription ended (absent while following)."),
        },
        ["since", "behind", "attempts", "lastError"],
      ),
      sequence: { type: "integer", description: "Sequence number of the last command in the log." },
      head: { type: "string", pattern: "^[0-9a-f]{64}$", description: "The hash-chain head (SHA-256, hex)." },
      events: { type: "integer", description: "Events in the log." },
      writable: {
        type: "boolean",
        description: "False once this gateway stopped accepting writes (or while it follows).",
      },
      role: {
        type: "string",
        enum: ["leader", "follower"],
        description: "A follower serves reads and refuses writes (503 NOT_LEADER).",
      },
      writesStopped: str("Why writes stopped (only when they did)."),
      clock: { type: "string", enum: ["system", "manual"] },
      time: { type: "string", format: "date-time", description: "The gateway's clock now." },
    },
    ["writesStopped", "reason", "follow"],
  ),
  AccountCreated: object({
    accountId: str("The account."),
    apiKey: str("Sent as PMX-KEY."),
    apiSecret: str("The HMAC-SHA256 key of PMX-SIGNATURE; shown only in this answer."),
  }),
  KeyCreated: object(
    {
      apiKey: str("Sent as PMX-KEY. An Ed25519 key's id is `ek_` + 24 hex of SHA-256 of its 32 raw bytes."),
      apiSecret: str("An HMAC key's secret: shown only in this answer (absent for an Ed25519 key)."),
      publicKey: str("An Ed25519 key's public key, as given (base64 of 32 bytes)."),
      scope: { type: "string", enum: ["trade", "read"], description: "`read` keys sign only GET requests." },
      algorithm: { type: "string", enum: ["hmac-sha256", "ed25519"] },
      label: { type: ["string", "null"], description: "The label given, if any." },
    },
    ["apiSecret", "publicKey"],
  ),
  KeyListing: object(
    {
      apiKey: str("The key id (PMX-KEY)."),
      scope: { type: "string", enum: ["trade", "read"] },
      algorithm: { type: "string", enum: ["hmac-sha256", "ed25519"] },
      label: { type: ["string", "null"] },
      createdAt: {
        type: ["string", "null"],
        format: "date-time",
        description: "When it was issued; null for a key issued before keys were listed.",
      },
      publicKey: str("An Ed25519 key's public key (base64 of 32 bytes)."),
    },
    ["publicKey"],
  ),
  KeyList: object({
    keys: { type: "array", items: ref("KeyListing"), description: "Oldest first; never a secret." },
  }),
  KeyRevoked: object({ apiKey: str("The key revoked."), revoked: { const: true } }),
  Position: object(
    {
      marketId: str("The market."),
      yes: whole(
        "All YES shares held, including those reserved by open sell orders (pledged, for a leveraged entry).",
      ),
      no: whole(
        "All NO shares held, including those reserved by open sell orders (pledged, for a leveraged entry).",
      ),
      yesReserved: whole("YES shares reserved by open sell orders."),
      noReserved: whole("NO shares reserved by open sell orders."),
      outcome: {
        type: "string",
        enum: ["YES", "NO"],
        description: "Leveraged entries: the outcome bought with the loan.",
      },
      leveraged: {
        type: "boolean",
        description: "True for a position bought with a loan (its shares are pledged).",
      },
      loan: decimal("Owed to the market's pool (principal and accrued fees); 0 at 1x."),
      equity: signedNullableDecimal(
        "Value at the mark − loan (may be negative); null before any mark or trade.",
      ),
      maintenanceRequirement: decimal("Maintenance fraction × value at the mark; 0 at 1x."),
      liquidationPrice: nullableDecimal("The outcome price at which equity reaches maintenance; null at 1x."),
      status: { type: "string", enum: ["healthy", "margin_call", "liquidating", "closed"] },
      marginCallDeadline: { type: "string", format: "date-time", description: "While a margin call runs." },
      deleverageDeadline: {
        type: "string",
        format: "date-time",
        description:
          "While a deleverage call runs: by then the position must be under the cap of the moment (1x from deleverageGraceSeconds before the hazard window), else just enough pledged shares are sold.",
      },
    },
    ["outcome", "marginCallDeadline", "deleverageDeadline"],
  ),
  AccountSummary: object(
    {
      accountId: str("The account."),
      cash: decimal("Free cash."),
      reserved: decimal("Cash reserved by open buy orders."),
      total: decimal("cash + reserved."),
      positions: { type: "array", items: ref("Position"), description: "Non-empty positions, by marketId." },
      holdings: {
        type: "array",
        description:
          'Per market and outcome the account has held: quantity (free, reserved and pledged shares), averagePrice (cost basis per share, fees included), cost, realizedPnl and unrealizedPnl at the mark. See docs/http-api.md, "Holdings and P&L".',
        items: object({
          marketId: str("The market."),
          outcome: { type: "string", enum: ["YES", "NO"] },
          quantity: whole("Shares held."),
          averagePrice: nullableDecimal("Cost basis per share, fees included; null when none is held."),
          cost: decimal("Cost basis of the shares held."),
          realizedPnl: {
            type: "string",
            pattern: "^-?(0|[1-9][0-9]{0,17})(\\.[0-9]{1,6})?$",
            description:
              "What selling, settling and converting realized, less cost basis, fees, jump-risk fees and penalties.",
          },
          unrealizedPnl: {
            type: ["string", "null"],
            pattern: "^-?(0|[1-9][0-9]{0,17})(\\.[0-9]{1,6})?$",
            description: "quantity × this outcome's mark − cost; null without a mark.",
          },
        }),
      },
    },
    ["holdings"],
  ),
  Market: object(
    {
      marketId: str("The market."),
      question: str("The question the market resolves."),
      status: { type: "string", enum: ["open", "halted", "closed", "resolved"] },
      tickSize: { type: "string", enum: ["0.01", "0.001", "0.0001"] },
      resolvesAt: { type: "string", format: "date-time" },
      takerFeeBps: { type: "integer", minimum: 0, maximum: 1000 },
      bestBid: nullableDecimal("Best bid, YES terms; null when no bids."),
      bestAsk: nullableDecimal("Best ask, YES terms; null when no asks."),
      lastPrice: nullableDecimal("Last trade price, YES terms."),
      markPrice: nullableDecimal("Oracle mark price of YES."),
      riskMark: nullableDecimal(
        "The risk mark of YES that margin, fees and liquidation use: a fresh oracle mark, else the median of the last risk mark, the book's mid and the interval's trades, moving at most the price band per mark interval (docs/risk-model.md).",
      ),
      volume: whole("Shares traded."),
      openInterest: whole("YES/NO pairs outstanding."),
      escrow: decimal("Collateral held in escrow for the market."),
      outcome: { type: "string", enum: ["YES", "NO", "INVALID"], description: "Once resolved." },
      maxLeverage: decimal(
        "The largest leverage a new leveraged buy may take now (time, extremity and utilization).",
      ),
      fundingRate: {
        type: "string",
        pattern: decimalPattern(12),
        description:
          "The jump-risk fee rate now: per hour, as a fraction of the loan (see fundingRateUnit); a rate, so up to 12 decimal places (rounded down), not an amount's 6.",
      },
      fundingRateUnit: { const: "per_hour_fraction_of_loan" },
      phase: { type: "string", enum: ["continuous", "auction", "halted", "closed", "resolved"] },
      auctionUntil: { type: "string", format: "date-time", description: "End of the running call auction." },
      insurance: decimal("The market's insurance fund."),
      resolution: {
        type: "object",
        description:
          "Present while a proposed resolution is pending (halted market, nothing paid yet): the proposed outcome (after a ruling, the ruled one), when it was proposed, when it becomes final unless challenged, the challenges and the ruling once made.",
        properties: {
          proposed: { type: "string", enum: ["YES", "NO", "INVALID"] },
          proposedAt: { type: "string", format: "date-time" },
          finalAt: { type: "string", format: "date-time" },
          challenges: CHALLENGES,
          ruling: {
            type: ["object", "null"],
            description: "The operator's ruling once made: the final outcome and where the bonds went.",
            properties: {
              outcome: { type: "string", enum: ["YES", "NO", "INVALID"] },
              bondsTo: { type: "string", enum: ["challengers", "insurance"] },
              at: { type: "string", format: "date-time" },
            },
          },
        },
        required: ["proposed", "proposedAt", "finalAt", "challenges", "ruling"],
      },
      risk: {
        type: "object",
        description: "The risk parameters the market was listed with (see docs/risk-model.md).",
      },
      eventId: str("The event this market is an outcome of (absent for a market of its own)."),
      settling: {
        const: true,
        description:
          "Present while a resolved market's settlement goes on in pieces: at most 1,000 order cancellations and payouts a command, the gateway sending the next piece at once (holders not yet paid still hold their shares).",
      },
    },
    ["outcome", "auctionUntil", "eventId", "resolution", "settling"],
  ),
  Event: object(
    {
      eventId: str("The event."),
      title: str("What the event decides."),
      resolvesAt: { type: "string", format: "date-time" },
      status: { type: "string", enum: ["open", "resolved"] },
      winner: str("The market that resolved YES (absent while open, and when INVALID)."),
      convertedYes: whole(
        "YES shares of every market of the event not paired with a NO of the same market: made by conversions.",
      ),
      escrow: decimal(
        "Collateral the event holds for them: whichever market wins pays them 1 each (INVALID: 1/n a share in each of the n markets).",
      ),
      resolution: {
        type: "object",
        description:
          "Present while a proposed resolution of the event is pending (its markets halted, nothing paid yet): the proposed winner or INVALID (after a ruling, the ruled one), when it becomes final unless challenged, the challenges and the ruling once made.",
        properties: {
          proposed: { type: "string", enum: ["WINNER", "INVALID"] },
          winner: str("The proposed winning market (when `proposed` is WINNER)."),
          proposedAt: { type: "string", format: "date-time" },
          finalAt: { type: "string", format: "date-time" },
          challengeBond: decimal("The smallest bond a challenge takes (its markets' challengeBond)."),
          challenges: CHALLENGES,
          ruling: {
            type: ["object", "null"],
            description:
              "The operator's ruling once made: the final outcome and where the bonds went (insurance: the shared fund).",
            properties: {
              outcome: { type: "string", enum: ["WINNER", "INVALID"] },
              winner: str("The ruled winning market (when `outcome` is WINNER)."),
              bondsTo: { type: "string", enum: ["challengers", "insurance"] },
              at: { type: "string", format: "date-time" },
            },
            required: ["outcome", "bondsTo", "at"],
          },
        },
        required: ["proposed", "proposedAt", "finalAt", "challengeBond", "challenges", "ruling"],
      },
      markets: { type: "array", items: ref("Market"), description: "One binary market per outcome." },
    },
    ["winner", "resolution"],
  ),
  EventList: listOf("events", "Event"),
  BatchResults: object({
    results: {
      type: "array",
      description: "In request order.",
      items: object(
        {
          status: {
            type: "integer",
            description: "What POST /v1/orders would have answered for this order.",
          },
          order: ref("Order"),
          error: object(
            {
              code: str("The code POST /v1/orders would have answered."),
              message: str("Human readable; may change."),
              details: { type: "object" },
            },
            ["details"],
          ),
        },
        ["order", "error"],
      ),
    },
  }),
  Conversion: object({
    eventId: str("The event."),
    accountId: str("Who converted."),
    marketIds: {
      type: "array",
      items: { type: "string" },
      description: "The k markets whose NO were burned.",
    },
    quantity: whole("NO shares burned in each."),
    released: decimal("(k − 1) × quantity: collateral paid to the account."),
    account: ref("AccountSummary"),
  }),
  MarketList: pageOf(
    "markets",
    "Market",
    "Markets in listing order (oldest first, as before pagination), filtered by `status` when given.",
  ),
  BookLevel: object({ price: decimal("YES price."), quantity: whole("Shares at this price.") }),
  Book: object({
    marketId: str("The market."),
    bids: { type: "array", items: ref("BookLevel"), description: "Best (highest) first, YES terms." },
    asks: { type: "array", items: ref("BookLevel"), description: "Best (lowest) first, YES terms." },
    sequence: {
      type: "integer",
      minimum: 0,
      description:
        "The log revision of the last event that changed this book (its listing, an order resting, a fill of a resting order, a cancellation): the same number the WebSocket book channel's snapshot and deltas carry, on a leader and its followers alike.",
    },
  }),
  Trade: object({
    tradeId: str("The trade."),
    marketId: str("The market."),
    kind: {
      type: "string",
      enum: ["MINT", "TRANSFER", "MERGE"],
      description: "MINT creates a YES/NO pair, MERGE redeems one, TRANSFER moves shares.",
    },
    price: decimal("YES price."),
    quantity: whole("Shares."),
    takerSide: { type: "string", enum: ["buy", "sell"] },
    takerOutcome: { type: "string", enum: ["YES", "NO"] },
    at: { type: "string", format: "date-time" },
    sequence: { type: "integer", description: "The log position (event revision) of the trade." },
  }),
  TradeList: pageOf("trades", "Trade", "Newest first, every trade since the market's listing, page by page."),
  Candle: object({
    start: time("Start of the interval (UTC, aligned on the interval: minutes, hours, days)."),
    open: decimal("YES price of the interval's first trade."),
    high: decimal("Highest YES price traded."),
    low: decimal("Lowest YES price traded."),
    close: decimal("YES price of the interval's last trade."),
    volume: whole("Shares traded in the interval."),
  }),
  CandleList: object({
    marketId: str("The market."),
    interval: { type: "string", enum: ["1m", "5m", "1h", "1d"] },
    candles: {
      type: "array",
      items: ref("Candle"),
      description: "Oldest first; intervals without a trade are left out.",
    },
    nextCursor,
  }),
  Fill: object({
    tradeId: str("The trade."),
    orderId: str("The account's order that filled."),
    clientOrderId: str("That order's clientOrderId."),
    marketId: str("The market."),
    side: { type: "string", enum: ["buy", "sell"] },
    outcome: { type: "string", enum: ["YES", "NO"] },
    price: decimal("Price of the order's own outcome."),
    quantity: whole("Shares."),
    liquidity: { type: "string", enum: ["maker", "taker"] },
    fee: decimal("Fee paid for this fill (takers only)."),
    at: time("When the trade happened."),
    sequence: { type: "integer", description: "The log position (event revision) of the trade." },
  }),
  FillList: pageOf("fills", "Fill", "The account's fills, newest first."),
  ActivityEntry: object(
    {
      sequence: {
        type: "integer",
        description:
          "The log position (event revision) of the change; a trade's fill and its fee (a repayment and its fee part) share one.",
      },
      at: time("When the change happened."),
      type: {
        type: "string",
        enum: [...ACTIVITY_TYPES],
        description:
          "deposit, withdrawal; fill (cash paid or received for shares, fee apart) and fee (the taker fee); loan (the " +
          "pool's loan into a leveraged buy) and its repayments: funding (the jump-risk fees paid), loan_repayment (from " +
          "a reduce), margin (added margin), deleverage, settlement, liquidation; settlement (payouts at resolution); " +
          "liquidation (also proceeds of a position taken over by a backstop bid), liquidation_penalty, backstop (cash " +
          "paid by the backstop bidder); pool_supply, pool_redeem; conversion (NO of several outcomes of an event converted); adjustment (anything else).",
      },
      marketId: str("The market, when the change concerns one."),
      amount: {
        type: "string",
        pattern: "^-?(0|[1-9][0-9]{0,17})(\\.[0-9]{1,6})?$",
        description: "Signed: a credit is positive, a debit negative.",
      },
      cashAfter: decimal(
        "The account's cash (free + reserved, `total` of the summary) right after this entry.",
      ),
      reference: str("The reference of a deposit, withdrawal, pool supply or redemption, or added margin."),
    },
    ["marketId", "reference"],
  ),
  ActivityList: pageOf(
    "entries",
    "ActivityEntry",
    "Every change of the account's cash (free + reserved), newest first: the amounts sum to the cash, each `cashAfter` is the running sum. Orders reserving and releasing cash move it between free and reserved, and are not entries.",
  ),
  CancelledOrders: object({
    cancelled: {
      type: "array",
      items: { type: "string" },
      description:
        "Ids of the orders cancelled (reason USER), in order-number order; empty when none was open.",
    },
  }),
  OrderFill: object({
    tradeId: str("The trade."),
    price: decimal("Price of the order's own outcome."),
    quantity: whole("Shares."),
    liquidity: { type: "string", enum: ["maker", "taker"] },
    fee: decimal("Fee paid by this order for this fill (takers only)."),
  }),
  Order: object(
    {
      orderId: str("Assigned by the exchange."),
      clientOrderId: str("As sent."),
      accountId: str("The owner."),
      marketId: str("The market."),
      side: { type: "string", enum: ["buy", "sell"] },
      outcome: { type: "string", enum: ["YES", "NO"] },
      price: decimal("Limit price of the order's own outcome."),
      quantity: whole("Shares ordered."),
      filledQuantity: whole("Shares filled."),
      status: { type: "string", enum: ["open", "filled", "cancelled"] },
      cancelReason: {
        type: "string",
        enum: [
          "USER",
          "POST_ONLY_WOULD_CROSS",
          "IOC_REMAINDER",
          "FOK_NOT_FILLABLE",
          "SELF_TRADE",
          "MARKET_RESOLVED",
          "MARKET_CLOSED",
          "AUCTION_REMAINDER",
          "LEVERAGE_NOT_AVAILABLE",
        ],
        description:
          "Present once cancelled. MARKET_CLOSED: the market's resolvesAt passed and it stopped matching by itself. LEVERAGE_NOT_AVAILABLE: a resting leveraged buy reached a fill its loan could no longer be drawn for (the market's leverage cap of that moment below the order's, the pool's room, the exposure limits, the maintenance requirement at the mark, or its position being liquidated or called to deleverage); its whole remainder was cancelled and its reservation released.",
      },
      leverage: decimal(
        "A leveraged buy's leverage (absent at 1x). Resting, it reserves only its own part of its limit cost, cost − floor6(cost × (L − 1) / L), and draws the loan at each fill.",
      ),
      timeInForce: { type: "string", enum: ["GTC", "IOC", "FOK"] },
      postOnly: { type: "boolean" },
      createdAt: { type: "string", format: "date-time" },
      trades: {
        type: "array",
        items: ref("OrderFill"),
        description: "On placement: the fills this request caused. Elsewhere: all the order's fills.",
      },
    },
    ["cancelReason", "leverage"],
  ),
  OrderList: pageOf("orders", "Order", "Newest first."),
  Solvency: object({
    balanced: { type: "boolean", description: "True only when netDeposits = heldTotal exactly, in decimal." },
    totals: object({
      deposits: decimal("Σ deposits."),
      withdrawals: decimal("Σ withdrawals."),
      netDeposits: decimal("deposits − withdrawals: what the exchange owes in total."),
      accountCash: decimal("Σ free cash of accounts."),
      accountReserved: decimal("Σ cash reserved by open buy orders."),
      marketEscrow: decimal("Σ collateral in market escrow."),
      feeRevenue: decimal("Σ taker fees collected."),
      insuranceDeposits: decimal(
        "Collateral the operator put into insurance funds (counted in netDeposits).",
      ),
      insuranceFunds: decimal("Σ insurance fund balances (market funds and the shared fund)."),
      poolCash: decimal("Σ pools' cash not lent out."),
      heldTotal: decimal(
        "accountCash + accountReserved + marketEscrow + feeRevenue + insuranceFunds + poolCash.",
      ),
    }),
    sequence: { type: "integer", description: "The command sequence number the totals are as of." },
    head: { type: "string", description: "The hash-chain head the totals are as of." },
  }),
  ClockAnswer: object({
    at: { type: "integer", description: "The manual clock now, ms since epoch." },
    events: {
      type: "integer",
      description: "Events the tick run at the new time appended (fees, deadlines, auctions).",
    },
  }),
  RoleAnswer: object({
    role: { type: "string", enum: ["leader", "follower"] },
    events: { type: "integer" },
    head: str("The hash-chain head."),
  }),
  OperatorKey: object({
    algorithm: { const: "ed25519" },
    publicKey: str("base64 of the operator's 32-byte Ed25519 public key: what signs every checkpoint."),
  }),
  Checkpoint: object({
    revision: { type: "integer", description: "The log revision of the last event the checkpoint covers." },
    head: { type: "string", pattern: "^[0-9a-f]{64}$", description: "The hash-chain head after that event." },
    stateHash: {
      type: "string",
      pattern: "^[0-9a-f]{64}$",
      description: "SHA-256 of the canonical state there.",
    },
    at: { type: "string", format: "date-time", description: "When it was signed." },
    signature: str(
      "base64 of the Ed25519 signature, by the operator key, of the UTF-8 text `pmx-checkpoint:{revision}:{head}:{stateHash}`.",
    ),
  }),
  Liabilities: object({
    revision: { type: "integer", description: "The checkpoint's revision the tree was built at." },
    root: { type: "string", pattern: "^[0-9a-f]{64}$", description: "The Merkle-sum tree's root hash." },
    total: decimal("The root's sum: Σ every account's claim (free cash + reserved cash)."),
    accounts: { type: "integer", description: "Leaves in the tree: one per account." },
    signature: str(
      "base64 of the Ed25519 signature, by the operator key, of the UTF-8 text `pmx-liabilities:{revision}:{root}:{total}`.",
    ),
  }),
  LiabilityProofStep: object({
    side: {
      type: "string",
      enum: ["left", "right"],
      description: "Which side of the pair the sibling is on.",
    },
    hash: { type: "string", pattern: "^[0-9a-f]{64}$" },
    sum: decimal("The sum of the claims under the sibling."),
  }),
  LiabilityProof: object({
    revision: { type: "integer" },
    root: { type: "string", pattern: "^[0-9a-f]{64}$" },
    total: decimal("The root's sum."),
    leaf: object({
      accountId: str("The signing account."),
      amount: decimal("Its claim: free cash + reserved cash at the checkpoint."),
      salt: {
        type: "string",
        pattern: "^[0-9a-f]{64}$",
        description: "The leaf's salt (secret to everyone else).",
      },
      hash: {
        type: "string",
        pattern: "^[0-9a-f]{64}$",
        description: "SHA-256 of `pmx-liability-leaf:{salt}:{accountId}:{amount}`.",
      },
    }),
    path: {
      type: "array",
      items: ref("LiabilityProofStep"),
      description:
        "Siblings from the leaf up. Each parent: hash SHA-256 of `pmx-liability-node:{leftHash}:{leftSum}:{rightHash}:{rightSum}`, sum leftSum + rightSum.",
    },
  }),
  CheckpointList: object(
    {
      checkpoints: { type: "array", items: ref("Checkpoint"), description: "Newest first." },
      nextCursor: {
        type: ["string", "null"],
        description: "Pass as `cursor` for older checkpoints; null on the last page.",
      },
    },
    [],
  ),
  SnapshotAnswer: object({ events: { type: "integer" }, head: str("The hash-chain head at the snapshot.") }),
  StateAnswer: object({
    role: { type: "string", enum: ["leader", "follower"] },
    events: { type: "integer" },
    sequence: { type: "integer" },
    head: str("The hash-chain head."),
    stateHash: { type: "string", pattern: "^[0-9a-f]{64}$", description: "SHA-256 of the canonical state." },
  }),
  Pool: object(
    {
      marketId: str("The market."),
      assets: decimal("cash + lent (principal and fees charged, collected or not)."),
      cash: decimal("Collateral not lent out (what redemptions are paid from)."),
      lent: decimal("Owed by borrowers: principal and accrued jump-risk fees."),
      utilization: decimal("lent / assets."),
      shares: decimal("Pool shares outstanding."),
      shareValue: decimal("value / shares, rounded down: what one share redeems for now."),
      value: decimal(
        "What all pool shares are worth together: assets − feesUncollected − feesVesting (a fee counts only once collected, and then vests).",
      ),
      feesUncollected: decimal("Fees charged to loans and not yet paid: not part of value."),
      feesVesting: decimal(
        "The pool's share of collected fees still vesting over feeVestingSeconds: not yet part of value.",
      ),
      feesEarned: decimal("Jump-risk fees received in cash by the pool, after the insurance cut."),
      losses: decimal("Bad debt written off against the providers (socialized losses)."),
      yourShares: decimal("The caller's shares (answers to supply and redeem)."),
    },
    ["yourShares"],
  ),
  InsuranceFund: object(
    {
      fundId: str("`shared` or `market:{marketId}`."),
      balance: decimal("The fund's collateral."),
      marketId: str("For market funds."),
    },
    ["marketId"],
  ),
  InsuranceFunds: listOf("funds", "InsuranceFund"),
  // ---- the operator console's risk views ----
  RiskPosition: object(
    {
      accountId: str("The owner."),
      marketId: str("The market."),
      outcome: { type: "string", enum: ["YES", "NO"], description: "The outcome bought with the loan." },
      shares: whole("Pledged shares (including those held by the position's own sell orders)."),
      loan: decimal("Owed to the market's pool (principal and accrued fees)."),
      equity: { type: ["string", "null"], description: "Value at the risk mark − loan (may be negative)." },
      maintenanceRequirement: decimal("Maintenance fraction × value at the risk mark."),
      markPrice: nullableDecimal("The outcome's price at the risk mark; null before the market has one."),
      liquidationPrice: nullableDecimal("The outcome price at which equity reaches maintenance."),
      distanceToLiquidation: {
        type: ["string", "null"],
        pattern: "^-?(0|[1-9][0-9]{0,17})(\\.[0-9]{1,6})?$",
        description:
          "markPrice − liquidationPrice (0 or negative: at or past it); null when either is unknown.",
      },
      status: { type: "string", enum: ["healthy", "margin_call", "liquidating"] },
      marginCallDeadline: time("While a margin call runs: when the grace window ends."),
      deleverageDeadline: time("While a deleverage call runs: when the exchange reduces the position."),
    },
    ["marginCallDeadline", "deleverageDeadline"],
  ),
  RiskPositions: {
    ...object({
      positions: { type: "array", items: ref("RiskPosition") },
      total: { type: "integer", description: "Positions matching the filters (before `limit`)." },
    }),
    description: "Open leveraged positions across accounts, nearest to liquidation first.",
  },
  BadDebt: object({
    sequence: { type: "integer", description: "Log position (event revision) of its BadDebtRecorded." },
    at: time("When it was recorded."),
    marketId: str("The market."),
    accountId: str("The defaulted account."),
    outcome: { type: "string", enum: ["YES", "NO"] },
    amount: decimal("The loan left after the position's own value was applied."),
    feesWrittenOff: decimal("Fees never collected, written off the loan: paid by no one."),
    marketInsurance: decimal("Paid by the market's insurance fund (first tier)."),
    sharedInsurance: decimal("Paid by the shared insurance fund (second tier)."),
    poolHaircut: decimal("Written off against the pool's providers, pro rata to their shares (last tier)."),
    haircuts: {
      type: "array",
      items: object({ accountId: str("A pool provider."), amount: decimal("What it lost.") }),
    },
  }),
  BadDebts: {
    ...object({
      badDebts: { type: "array", items: ref("BadDebt") },
      total: { type: "integer", description: "Bad debts matching the filter (before `limit`)." },
    }),
    description: "Each bad debt recorded and what each tier of the default waterfall paid, newest first.",
  },
  PoolHistory: object({
    marketId: str("The market."),
    points: {
      type: "array",
      description: "Each change of the share value, oldest first (the newest `limit`).",
      items: object({
        at: time("Time of the command that changed it."),
        sequence: { type: "integer", description: "Log position of that command's last event." },
        shareValue: decimal("What one pool share redeemed for after it."),
      }),
    },
  }),
  Auction: object({
    marketId: str("The market."),
    running: { type: "boolean", description: "Whether a call auction runs now." },
    until: { type: ["string", "null"], format: "date-time", description: "End of the running auction." },
    collectedOrders: { type: "integer", description: "Orders collected by the running auction." },
    indicativePrice: nullableDecimal(
      "The YES price the collected and resting 1x orders would uncross at if the auction ended now; null when none cross.",
    ),
    indicativeVolume: whole("Shares that would trade at it."),
    imbalance: {
      type: "string",
      pattern: "^-?(0|[1-9][0-9]*)$",
      description: "Demand − supply at it, in shares (positive: buyers left over).",
    },
  }),
  BackstopBid: object({
    marketId: str("The market."),
    accountId: str("The bidder."),
    outcome: { type: "string", enum: ["YES", "NO"] },
    price: decimal("Price per share the bidder pays for a whole liquidated position."),
    maxShares: whole("The largest position the bid takes over."),
  }),
  StreamMessage: toJsonSchema(B.StreamMessage),
  StreamOut: {
    type: "object",
    description:
      "A message from the gateway on /v1/stream. `channel` is challenge | trades | book | account | subscribed | unsubscribed | error.",
    properties: {
      channel: { type: "string", enum: ["trades", "book", "account", "subscribed", "unsubscribed", "error"] },
      marketId: str("trades and book messages."),
      accountId: str("account messages."),
      data: { type: "object" },
    },
    required: ["channel", "data"],
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Errors by status
// ---------------------------------------------------------------------------------------------------------------

/** What each exchange rejection means; a code missing here is still listed (the test asks for every meaning). */
export const REJECTION_MEANING: Partial<Record<RejectionCode, string>> = {
  UNKNOWN_ACCOUNT: "no such account",
  UNKNOWN_MARKET: "no such market",
  UNKNOWN_ORDER: "no such order",
  NOT_ORDER_OWNER: "the order belongs to another account",
  ACCOUNT_EXISTS: "an account with this id already exists",
  MARKET_EXISTS: "a market with this id already exists",
  IDEMPOTENCY_CONFLICT: "the same reference / clientOrderId was used before with a different request",
  MARKET_NOT_OPEN: "the market is halted or resolved",
  MARKET_NOT_HALTED: "only a halted market can be resumed",
  MARKET_RESOLVED: "the market is already resolved",
  INVALID_QUESTION: "the question must have 1 to 500 characters",
  INVALID_AMOUNT: "the amount must be greater than 0",
  PRICE_NOT_ON_TICK: "the price is not a multiple of the market's tick size",
  PRICE_OUT_OF_RANGE: "the price is not strictly between 0 and 1",
  INVALID_QUANTITY: "the quantity is not a whole number of shares in range",
  INSUFFICIENT_FUNDS: "not enough free cash",
  INSUFFICIENT_SHARES: "not enough free shares to sell",
  LEVERAGE_TOO_HIGH: "the leverage is above the market's current maximum",
  INVALID_LEVERAGE: "the leverage is below 1, or not 1 on a sell",
  INVALID_ORDER_TERMS: "the order's terms do not go together (a post-only order must be GTC)",
  ORDER_NOT_OPEN: "the order is already filled or cancelled",
  INVALID_RESOLVES_AT: "resolvesAt is not after the time of the listing",
  UNKNOWN_EVENT: "no event with this id",
  EVENT_EXISTS: "an event with this id already exists",
  INVALID_EVENT:
    "the event's terms are wrong: 2 to 100 distinct outcomes, a market of the event, a winner or INVALID",
  EVENT_RESOLVED: "the event is already resolved",
  EVENT_CONVERTED:
    "no longer returned: an event may resolve INVALID after conversions (1/n a YES share); kept so older clients still parse it",
  EVENT_MARKET: "the market is an outcome of an event: resolve, challenge and rule the event",
  AMEND_WOULD_CROSS:
    "at the new price the order would trade: an amend never does (cancel it and place a new order to take liquidity)",
  NOTHING_TO_SETTLE:
    "the market's settlement is complete (or it is not resolved): there is no piece left for ContinueSettlement",
  INVALID_RISK_PARAMS: "a market risk parameter is out of its allowed range",
  UNKNOWN_FUND: "no such insurance fund",
  INSUFFICIENT_POOL_SHARES: "not enough pool shares to redeem",
  POOL_CASH_LENT_OUT: "the pool's cash is lent out; redeem later",
  POOL_UTILIZATION_LIMIT:
    "the redemption would take the pool's utilization past its lending limit (1 − utilizationBuffer); details.maxRedeemable says what can be taken now",
  POOL_REDEMPTION_LOCKED:
    "inside the market's hazard window (hazardWindowSeconds before resolvesAt) lenders cannot redeem while loans are open",
  POOL_INSOLVENT: "the pool cannot cover this",
  INSUFFICIENT_POOL_LIQUIDITY: "the market's pool cannot lend this much",
  ACCOUNT_EXPOSURE_LIMIT:
    "after the leveraged buy the account would owe the market's pool more than maxAccountLoanFraction of its assets; details: limit, current, requested",
  MARKET_EXPOSURE_LIMIT:
    "after the leveraged buy the market's borrowers together would owe more than maxMarketLoan; details: limit, current, requested",
  NO_POSITION: "no such position",
  MARKET_IN_AUCTION: "the market is in a call auction",
  LOAN_NOT_COVERED: "selling every pledged share must repay the loan (add margin first, or sell fewer)",
  INSUFFICIENT_MARGIN:
    "after a leveraged buy the position would be below its maintenance requirement at the mark",
  RESOLUTION_PENDING:
    "the market has a proposed resolution in its challenge window (or waiting for the ruling): no second proposal, no resume",
  NO_PENDING_RESOLUTION: "the market (or event) has no proposed resolution to challenge or rule on",
  NOT_CHALLENGED:
    "nobody challenged the proposed resolution: it becomes final at finalAt, there is nothing to rule",
  ALREADY_RULED: "the operator has already ruled on this proposal",
  CHALLENGE_WINDOW_CLOSED: "the challenge window has passed (at or after finalAt), or the operator has ruled",
  BOND_TOO_SMALL: "the bond is below the market's challengeBond",
};

/** Every error code the API answers, by HTTP status. */
export function errorCodesByStatus(): Map<number, { code: string; meaning: string }[]> {
  const byStatus = new Map<number, { code: string; meaning: string }[]>();
  const add = (status: number, code: string, meaning: string) => {
    const list = byStatus.get(status) ?? [];
    list.push({ code, meaning });
    byStatus.set(status, list);
  };
  for (const [code, { status, meaning }] of Object.entries(GATEWAY_ERRORS)) add(status, code, meaning);
  for (const [code, status] of Object.entries(REJECTION_STATUS))
    add(status, code, REJECTION_MEANING[code as RejectionCode] ?? "refused by the exchange's rules");
  return new Map([...byStatus.entries()].sort((a, b) => a[0] - b[0]));
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad request",
  401: "Unauthenticated",
  403: "Forbidden",
  404: "Not found",
  409: "Conflict",
  413: "Body too large",
  415: "Unsupported media type",
  426: "Upgrade required",
  422: "Refused by the exchange's rules; nothing was appended",
  429: "Rate limited; see Retry-After",
  500: "Internal error; nothing was appended",
  503: "Not ready or not accepting writes; see Retry-After",
};

function errorResponses(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, codes] of errorCodesByStatus()) {
    const list = codes.map((c) => `\`${c.code}\` — ${c.meaning}`).join("; ");
    const response: Record<string, unknown> = {
      description: `${STATUS_TEXT[status] ?? "Error"}. Codes: ${list}.`,
      content: {
        "application/json": {
          schema: {
            allOf: [
              ref("Error"),
              {
                type: "object",
                properties: {
                  error: { type: "object", properties: { code: { enum: codes.map((c) => c.code) } } },
                },
              },
            ],
          },
        },
      },
    };
    if (status === 429 || status === 503)
      response.headers = {
        "Retry-After": { description: "Seconds to wait before retrying.", schema: { type: "integer" } },
      };
    out[`Error${status}`] = response;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------------------------

type Auth = "public" | "operator" | "account" | "accountOrOperator";

interface Operation {
  method: "get" | "post" | "delete";
  /** Fastify form: `/v1/markets/:marketId`. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  auth: Auth;
  params?: t.Mixed;
  query?: t.Mixed;
  body?: { codec: t.Mixed; required: boolean; examples: Record<string, { summary: string; value: unknown }> };
  ok: { status: number; description: string; schema?: string; contentType?: string; raw?: JsonSchema };
  /** Another success status with the same answer (an idempotent repeat: 200 beside 201). */
  alsoOk?: { status: number; description: string };
  errors: number[];
}

const READ = [400, 429, 500];
const SIGNED_READ = [400, 401, 429, 500];
const OPERATOR_COMMAND = [400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503];
const ACCOUNT_COMMAND = [400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503];

const ORDER_EXAMPLE = {
  clientOrderId: "c-1",
  marketId: "trump-2024",
  side: "buy",
  outcome: "YES",
  price: "0.61",
  quantity: "100",
  timeInForce: "GTC",
  postOnly: false,
  leverage: "1",
};

const OPERATIONS: Operation[] = [
  // ---- public ----
  {
    method: "get",
    path: "/v1/health",
    operationId: "getHealth",
    tag: "public",
    summary: "Liveness, log position and hash-chain head",
    auth: "public",
    query: B.NoQuery,
    ok: { status: 200, description: "The gateway is up.", schema: "Health" },
    errors: [400, 500],
  },
  {
    method: "get",
    path: "/v1/openapi.json",
    operationId: "getOpenApi",
    tag: "public",
    summary: "This document",
    auth: "public",
    ok: { status: 200, description: "The OpenAPI 3.1 document.", raw: { type: "object" } },
    errors: [429, 500],
  },
  {
    method: "get",
    path: "/metrics",
    operationId: "getMetrics",
    tag: "public",
    summary: "Prometheus metrics",
    description:
      "Text exposition format 0.0.4: `pmx_http_requests_total`, `pmx_http_request_duration_seconds`, " +
      "`pmx_sequencer_queue_depth`, `pmx_events_appended_total`, `pmx_commands_committed_total`, " +
      "`pmx_group_commits_total`, `pmx_log_events`, `pmx_writes_stopped`, `pmx_append_duration_seconds`; " +
      "business gauges read from the read models: `pmx_pool_utilization`, `pmx_pool_assets`, `pmx_pool_lent` " +
      "(by market), `pmx_insurance_balance` (by fund), `pmx_margin_calls_open`, `pmx_liquidations_in_progress`, " +
      "`pmx_margin_calls_total`, `pmx_liquidations_total`, `pmx_bad_debt_total` (by market); and prom-client's " +
      "process and Node.js defaults (`process_*`, `nodejs_eventloop_lag_*`, `nodejs_heap_*`, …).",
    auth: "public",
    ok: {
      status: 200,
      description: "The metrics.",
      contentType: "text/plain; version=0.0.4",
      raw: { type: "string" },
    },
    errors: [500],
  },
  {
    method: "get",
    path: "/v1/stream",
    operationId: "openStream",
    tag: "public",
    summary: "WebSocket stream of trades, books and (signed) account updates",
    description:
      "Upgrade to a WebSocket, then send JSON messages (schema `StreamMessage`); every message from the gateway " +
      "is a `StreamOut`. See **WebSocket stream** in the API description.",
    auth: "public",
    ok: { status: 101, description: "Switching protocols: the WebSocket is open." },
    errors: [426, 429],
  },
  {
    method: "get",
    path: "/v1/markets",
    operationId: "listMarkets",
    tag: "public",
    summary: "Markets in listing order, page by page, optionally by status",
    description:
      "`status`: open (trading: continuous or auction), halted, closed (past resolvesAt, not resolved), resolved.",
    auth: "public",
    query: B.MarketsQuery,
    ok: { status: 200, description: "Up to `limit` (default 100) markets.", schema: "MarketList" },
    errors: READ,
  },
  {
    method: "get",
    path: "/v1/markets/:marketId",
    operationId: "getMarket",
    tag: "public",
    summary: "One market",
    auth: "public",
    params: B.MarketIdParam,
    query: B.NoQuery,
    ok: { status: 200, description: "The market (prices in YES terms).", schema: "Market" },
    errors: [400, 404, 429, 500],
  },
  {
    method: "get",
    path: "/v1/markets/:marketId/book",
    operationId: "getBook",
    tag: "public",
    summary: "Order book depth, YES terms",
    auth: "public",
    params: B.MarketIdParam,
    query: B.BookQuery,
    ok: { status: 200, description: "Aggregated price levels (default depth 10).", schema: "Book" },
    errors: [400, 404, 429, 500],
  },
  {
    method: "get",
    path: "/v1/markets/:marketId/trades",
    operationId: "getTrades",
    tag: "public",
    summary: "Trades, newest first, page by page back to the market's first",
    auth: "public",
    params: B.MarketIdParam,
    query: B.TradesQuery,
    ok: { status: 200, description: "Up to `limit` (default 100) trades.", schema: "TradeList" },
    errors: [400, 404, 429, 500],
  },
  {
    method: "get",
    path: "/v1/markets/:marketId/candles",
    operationId: "getCandles",
    tag: "public",
    summary: "OHLCV candles of the market's trades, YES terms, oldest first",
    description:
      "`from` (inclusive) and `to` (exclusive) are ISO times (default: from the first trade, to now); candles " +
      "start on UTC multiples of the interval; intervals without a trade are left out. Up to `limit` (default 100) " +
      "candles; `nextCursor` continues with the next ones. 400 INVALID_TIME_RANGE when from is not before to.",
    auth: "public",
    params: B.MarketIdParam,
    query: B.CandlesQuery,
    ok: { status: 200, description: "The candles.", schema: "CandleList" },
    errors: [400, 404, 429, 500],
  },
  // ---- operator ----
  {
    method: "post",
    path: "/v1/accounts",
    operationId: "openAccount",
    tag: "operator",
    summary: "Open an account and issue its API key and secret",
    description: "Without `accountId` the gateway picks one. The body may be absent.",
    auth: "operator",
    body: {
      codec: B.OpenAccountBody,
      required: false,
      examples: {
        named: { summary: "a chosen id", value: { accountId: "alice" } },
        generated: { summary: "a generated id", value: {} },
      },
    },
    ok: { status: 201, description: "The account and its credentials.", schema: "AccountCreated" },
    errors: OPERATOR_COMMAND,
  },
  {
    method: "get",
    path: "/v1/accounts/:accountId",
    operationId: "getAccountById",
    tag: "operator",
    summary: "An account's summary (the operator, or the account itself signed)",
    auth: "accountOrOperator",
    params: B.AccountIdParam,
    ok: { status: 200, description: "The account summary.", schema: "AccountSummary" },
    errors: [400, 401, 403, 404, 429, 500],
  },
  {
    method: "post",
    path: "/v1/accounts/:accountId/deposits",
    operationId: "deposit",
    tag: "operator",
    summary: "Credit cash to an account",
    description: "The same `reference` twice credits once (the second answers the summary as it is).",
    auth: "operator",
    params: B.AccountIdParam,
    body: {
      codec: B.MoneyMovementBody,
      required: true,
      examples: { wire: { summary: "a deposit", value: { amount: "1000.50", reference: "wire-42" } } },
    },
    ok: { status: 200, description: "The account summary after the deposit.", schema: "AccountSummary" },
    errors: OPERATOR_COMMAND,
  },
  {
    method: "post",
    path: "/v1/markets",
    operationId: "listMarket",
    tag: "operator",
    summary: "List a market",
    auth: "operator",
    body: {
      codec: B.ListMarketBody,
      required: true,
      examples: {
        election: {
          summary: "a market with a 0.01 tick and a 0.25 % taker fee",
          value: {
            marketId: "trump-2024",
            question: "Will Trump win the 2024 US presidential election?",
            tickSize: "0.01",
            resolvesAt: "2024-11-06T05:00:00Z",
            takerFeeBps: 25,
          },
        },
        minimal: {
          summary: "defaults for the optional parameters (takerFeeBps 0)",
          value: {
            marketId: "rain-tomorrow",
            question: "Will it rain in London tomorrow?",
            tickSize: "0.001",
            resolvesAt: "2030-01-02T00:00:00.000Z",
          },
        },
      },
    },
    ok: { status: 201, description: "The market.", schema: "Market" },
    errors: OPERATOR_COMMAND,
  },
  ...(["halt", "resume"] as const).map(
    (action): Operation => ({
      method: "post",
      path: `/v1/markets/:marketId/${action}`,
      operationId: `${action}Market`,
      tag: "operator",
      summary: action === "halt" ? "Halt trading in a market" : "Resume trading in a halted market",
      auth: "operator",
      params: B.MarketIdParam,
      body: { codec: B.EmptyBody, required: false, examples: { empty: { summary: "no fields", value: {} } } },
      ok: { status: 200, description: "The market.", schema: "Market" },
      errors: OPERATOR_COMMAND,
    }),
  ),
  {
    method: "post",
    path: "/v1/markets/:marketId/mark",
    operationId: "setMarkPrice",
    tag: "operator",
    summary: "Set the oracle mark price of YES",
    auth: "operator",
    params: B.MarketIdParam,
    body: {
      codec: B.MarkBody,
      required: true,
      examples: { mark: { summary: "mark YES at 0.62", value: { price: "0.62" } } },
    },
    ok: { status: 200, description: "The market.", schema: "Market" },
    errors: OPERATOR_COMMAND,
  },
  {
    method: "post",
    path: "/v1/markets/:marketId/resolve",
    operationId: "resolveMarket",
    tag: "operator",
    summary: "Resolve a market; INVALID pays 0.5 per YES and per NO share",
    auth: "operator",
    params: B.MarketIdParam,
    description:
      "Without a challenge window (`challengeSeconds` absent and the market's challengeWindowSeconds 0, the default) the outcome is final at once. With one, it is a proposal: the market halts, `resolution` shows it, nothing is paid; unchallenged it is final on the first tick at or after `finalAt`, challenged it waits for the operator's ruling (POST /v1/markets/{marketId}/rule). A second proposal while one is pending is refused (409 RESOLUTION_PENDING).",
    body: {
      codec: B.ResolveBody,
      required: true,
      examples: {
        yes: { summary: "YES won", value: { outcome: "YES" } },
        proposal: {
          summary: "propose YES, challengeable for an hour",
          value: { outcome: "YES", challengeSeconds: 3600 },
        },
      },
    },
    ok: {
      status: 200,
      description: "The market: resolved, or halted with its pending `resolution`.",
      schema: "Market",
    },
    errors: OPERATOR_COMMAND,
  },
  {
    method: "post",
    path: "/v1/markets/:marketId/challenge",
    operationId: "challengeResolution",
    tag: "account",
    summary: "Challenge a proposed resolution during its window, with a bond reserved from the caller's cash",
    description:
      "The bond (at least the market's `challengeBond`) moves from cash to reserved. Refused at or after `finalAt` (422 CHALLENGE_WINDOW_CLOSED), below the minimum (422 BOND_TOO_SMALL), without a proposal (409 NO_PENDING_RESOLUTION). The same reference with the same bond is a harmless retry (nothing appended); with another bond 409 IDEMPOTENCY_CONFLICT. The operator's ruling returns the bonds when it changes the outcome and pays them to the market's insurance fund when it confirms it.",
    auth: "account",
    params: B.MarketIdParam,
    body: {
      codec: B.ChallengeBody,
      required: true,
      examples: { challenge: { summary: "bond 100", value: { bond: "100", reference: "ch-1" } } },
    },
    ok: {
      status: 200,
      description: "The market, with the challenge in `resolution.challenges`.",
      schema: "Market",
    },
    errors: ACCOUNT_COMMAND,
  },
  {
    method: "post",
    path: "/v1/markets/:marketId/rule",
    operationId: "ruleResolution",
    tag: "operator",
    summary: "Rule on a challenged proposal: the final outcome",
    description:
      "Only once challenged (409 NOT_CHALLENGED otherwise), once (409 ALREADY_RULED), at any time during or after the window. A ruling that changes the proposed outcome returns the bonds to the challengers; one that confirms it pays them to the market's insurance fund. At or after `finalAt` the ruled outcome is final at once; before it, it becomes final on the first tick at or after `finalAt` (nothing is paid before `finalAt`).",
    auth: "operator",
    params: B.MarketIdParam,
    body: {
      codec: B.RuleBody,
      required: true,
      examples: { overturn: { summary: "the outcome is NO", value: { outcome: "NO" } } },
    },
    ok: { status: 200, description: "The market.", schema: "Market" },
    errors: OPERATOR_COMMAND,
  },
  {
    method: "post",
    path: "/v1/events",
    operationId: "listEvent",
    tag: "operator",
    summary:
      "List an event of 2–100 mutually exclusive outcomes: one binary market each, exactly one resolves YES",
    description:
      "Every market takes the event's resolvesAt, tick size (default 0.01), taker fee and risk parameters. A market " +
      "of an event resolves only with the event (POST /v1/events/{eventId}/resolve).",
    auth: "operator",
    body: {
      codec: B.ListEventBody,
      required: true,
      examples: {
        election: {
          summary: "four candidates",
          value: {
            eventId: "pres-2024",
            title: "Who will win the 2024 US presidential election?",
            resolvesAt: "2024-11-06T05:00:00Z",
            outcomes: [
              { marketId: "trump", question: "Will Trump win?" },
              { marketId: "harris", question: "Will Harris win?" },
              { marketId: "kennedy", question: "Will Kennedy win?" },
              { marketId: "other", question: "Will anyone else win?" },
            ],
          },
        },
      },
    },
    ok: { status: 201, description: "The event with its markets.", schema: "Event" },
    errors: OPERATOR_COMMAND,
  },
  {
    method: "get",
    path: "/v1/events",
    operationId: "listEvents",
    tag: "public",
    summary: "Events of several outcomes, in listing order",
    auth: "public",
    query: B.NoQuery,
    ok: { status: 200, description: "Every event.", schema: "EventList" },
    errors: READ,
  },
  {
    method: "get",
    path: "/v1/events/:eventId",
    operationId: "getEvent",
    tag: "public",
    summary: "One event with its markets",
    auth: "public",
    params: B.EventIdParam,
    query: B.NoQuery,
    ok: { status: 200, description: "The event.", schema: "Event" },
    errors: [400, 404, 429, 500],
  },
  {
    method: "post",
    path: "/v1/events/:eventId/convert",
    operationId: "convertPositions",
    tag: "account",
    summary:
      "Burn `quantity` free NO of each of k named markets of the event for (k − 1) × quantity collateral and `quantity` YES of every other market",
    description:
      "Exactly one outcome wins, so k NO are worth k − 1 for sure. Shares reserved by sell orders or pledged to a loan " +
      "do not convert (422 INSUFFICIENT_SHARES). Idempotent by `reference`.",
    auth: "account",
    params: B.EventIdParam,
    body: {
      codec: B.ConvertBody,
      required: true,
      examples: {
        three: {
          summary: "10 NO of three candidates",
          value: { marketIds: ["harris", "kennedy", "other"], quantity: "10", reference: "conv-1" },
        },
      },
    },
    ok: { status: 200, description: "What was converted and the account after it.", schema: "Conversion" },
    errors: ACCOUNT_COMMAND,
  },
  {
    method: "post",
    path: "/v1/events/:eventId/resolve",
    operationId: "resolveEvent",
    tag: "operator",
    summary:
      "Resolve every market of the event at once: the winner YES, every other NO; or INVALID everywhere (at once, or proposed with a challenge window)",
    description:
      "INVALID pays 1/n a YES share (rounded down to 6 places) and the rest of 1 a NO share in each of the event's n " +
      "markets (n = 2: 0.5 each), whether or not NO shares were converted; what the rounding leaves of the event's escrow " +
      "goes to the shared insurance fund. Without a challenge window (`challengeSeconds` absent and the markets' " +
      "challengeWindowSeconds 0, the default) it is final at once. With one it is a proposal: every open market halts, " +
      "`resolution` shows it, nothing is paid; unchallenged it is final on the first tick at or after `finalAt`, " +
      "challenged it waits for the operator's ruling (POST /v1/events/{eventId}/rule). A second proposal while one is " +
      "pending is 409 RESOLUTION_PENDING.",
    auth: "operator",
    params: B.EventIdParam,
    body: {
      codec: B.ResolveEventBody,
      required: true,
      examples: {
        winner: { summary: "a winner", value: { winner: "trump" } },
        proposal: {
          summary: "a proposal with a one-hour window",
          value: { winner: "trump", challengeSeconds: 3600 },
        },
      },
    },
    ok: {
      status: 200,
      description: "The event: resolved, or with its pending `resolution`.",
      schema: "Event",
    },
    errors: OPERATOR_COMMAND,
  },
  {
    method: "post",
    path: "/v1/events/:eventId/challenge",
    operationId: "challengeEventResolution",
    tag: "account",
    summary:
      "Challenge an event's proposed resolution during its window, with a bond reserved from the caller's cash",
    description:
      "As for a market (POST /v1/markets/{marketId}/challenge): the bond (at least the markets' `challengeBond`) moves from cash to reserved; refused at or after `finalAt` (422 CHALLENGE_WINDOW_CLOSED), below the minimum (422 BOND_TOO_SMALL), without a proposal (409 NO_PENDING_RESOLUTION). A ruling that confirms the proposal pays the bonds to the shared insurance fund (the event spans several markets). A market of an event is challenged only through its event (422 EVENT_MARKET).",
    auth: "account",
    params: B.EventIdParam,
    body: {
      codec: B.ChallengeBody,
      required: true,
      examples: { challenge: { summary: "bond 100", value: { bond: "100", reference: "ch-1" } } },
    },
    ok: {
      status: 200,
      description: "The event, with the challenge in `resolution.challenges`.",
      schema: "Event",
    },
    errors: ACCOUNT_COMMAND,
  },
  {
    method: "post",
    path: "/v1/events/:eventId/rule",
    operationId: "ruleEventResolution",
    tag: "operator",
    summary: "Rule on an event's challenged proposal: the final winner, or INVALID",
    description:
      "Only once challenged (409 NOT_CHALLENGED), once (409 ALREADY_RULED). Another outcome than the proposed one returns the bonds to the challengers; the same pays them to the shared insurance fund. At or after `finalAt` the ruled outcome is final at once; before it, on the first tick at or after `finalAt`.",
    auth: "operator",
    params: B.EventIdParam,
    body: {
      codec: B.RuleEventBody,
      required: true,
      examples: {
        winner: { summary: "another winner", value: { winner: "trump" } },
        invalid: { summary: "INVALID", value: { outcome: "INVALID" } },
      },
    },
    ok: { status: 200, description: "The event.", schema: "Event" },
    errors: OPERATOR_COMMAND,
  },

  {
    method: "post",
    path: "/v1/admin/clock",
    operationId: "setClock",
    tag: "operator",
    summary: "Move the manual clock (PMX_CLOCK=manual only; never backwards)",
    auth: "operator",
    body: {
      codec: B.ClockBody,
      required: true,
      examples: { later: { summary: "set the clock", value: { at: 1730869200000 } } },
    },
    ok: { status: 200, description: "The clock now.", schema: "ClockAnswer" },
    errors: [400, 401, 403, 409, 413, 415, 422, 429, 500],
  },
  {
    method: "get",
    path: "/v1/audit/solvency",
    operationId: "getSolvency",
    tag: "operator",
    summary: "Whether every unit of collateral is accounted for",
    description:
      "The identity: deposits + insurance deposits − withdrawals = Σ account cash + Σ reserved + Σ market escrow " +
      "+ fee revenue + Σ insurance funds + Σ pool cash (loans are claims between accounts and pools, not collateral). " +
      "`balanced` is true only when it holds exactly, in decimal.",
    auth: "operator",
    query: B.NoQuery,
    ok: { status: 200, description: "The totals and whether they balance.", schema: "Solvency" },
    errors: [400, 401, 403, 429, 500],
  },
  {
    method: "get",
    path: "/v1/audit/operator-key",
    operationId: "getOperatorKey",
    tag: "public",
    summary: "The operator's Ed25519 public key, which signs every checkpoint",
    description:
      "Generated at the gateway's first start and kept in its data folder (mode 600). An auditor saves it once and " +
      "pins it: `pmx audit --checkpoints FILE --operator-key KEY`.",
    auth: "public",
    query: B.NoQuery,
    ok: { status: 200, description: "The key.", schema: "OperatorKey" },
    errors: [400, 404, 429, 500],
  },
  {
    method: "get",
    path: "/v1/audit/checkpoints",
    operationId: "listCheckpoints",
    tag: "public",
    summary: "Signed checkpoints of the log, newest first",
    description:
      "Every PMX_CHECKPOINT_EVERY events (default 100 000) and on POST /v1/admin/checkpoint, the leader signs the log " +
      "position it has made durable. Saved by an outsider, a page pins the log: `pmx replay --expect-head " +
      "REVISION:HEAD` and `pmx audit --checkpoints FILE` refuse any log that differs at a signed revision.",
    auth: "public",
    query: B.CheckpointsQuery,
    ok: { status: 200, description: "A page of checkpoints.", schema: "CheckpointList" },
    errors: [400, 404, 429, 500],
  },
  // ---- API keys ----
  {
    method: "post",
    path: "/v1/account/keys",
    operationId: "createKey",
    tag: "account",
    summary:
      "Issue another key of the signing account: HMAC (secret shown once) or Ed25519 (public key given)",
    description:
      "`scope: read` keys sign only GET requests (403 KEY_SCOPE on writes). With `algorithm: ed25519` and " +
      "`publicKey` (base64 of 32 raw bytes) no secret is returned: the key is registered in the log " +
      "(RegisterAccountKey), requests signed with it are stored with their commands, and `pmx audit` verifies them. " +
      "Once an account holds an Ed25519 trade key, its writes must be signed with one (403 ED25519_REQUIRED).",
    auth: "account",
    body: {
      codec: B.NewKeyBody,
      required: true,
      examples: {
        read: { summary: "a read-only HMAC key", value: { scope: "read", label: "dashboard" } },
        ed25519: {
          summary: "an Ed25519 trade key",
          value: {
            scope: "trade",
            algorithm: "ed25519",
            publicKey: "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
          },
        },
      },
    },
    ok: { status: 201, description: "The key.", schema: "KeyCreated" },
    errors: ACCOUNT_COMMAND,
  },
  {
    method: "get",
    path: "/v1/account/keys",
    operationId: "listKeys",
    tag: "account",
    summary: "The signing account's keys, without secrets",
    auth: "account",
    query: B.NoQuery,
    ok: { status: 200, description: "The keys.", schema: "KeyList" },
    errors: SIGNED_READ,
  },
  {
    method: "delete",
    path: "/v1/account/keys/:apiKey",
    operationId: "revokeKey",
    tag: "account",
    summary: "Revoke one of the account's keys: it stops working at once, and across restarts",
    description:
      "The key is removed from the key file before the answer; an Ed25519 key's revocation is also recorded in the " +
      "log (RevokeAccountKey), so an auditor refuses anything it signs afterwards.",
    auth: "account",
    params: B.ApiKeyParam,
    ok: { status: 200, description: "The key is revoked.", schema: "KeyRevoked" },
    errors: ACCOUNT_COMMAND,
  },
  {
    method: "post",
    path: "/v1/accounts/:accountId/keys",
    operationId: "createKeyForAccount",
    tag: "operator",
    summary: "Issue a key of any account (the operator): the same body and answer as POST /v1/account/keys",
    auth: "operator",
    params: B.AccountIdParam,
    body: {
      codec: B.NewKeyBody,
      required: true,
      examples: { trade: { summary: "a trade HMAC key", value: { scope: "trade" } } },
    },
    ok: { status: 201, description: "The key.", schema: "KeyCreated" },
    errors: OPERATOR_COMMAND,
  },
  {
    method: "get",
    path: "/v1/audit/liabilities",
    operationId: "getLiabilities",
    tag: "public",
    summary: "The proof-of-liabilities root at the latest checkpoint",
    description:
      "At each checkpoint the gateway builds a Merkle-sum tree over every account's claim (free cash + reserved " +
      "cash) and signs its root. Each account checks its own leaf with GET /v1/account/liabilities-proof and " +
      "`pmx verify-liabilities --root ROOT --proof FILE`. 404 until a checkpoint is signed.",
    auth: "public",
    query: B.NoQuery,
    ok: { status: 200, description: "The root.", schema: "Liabilities" },
    errors: [400, 404, 429, 500],
  },
  {
    method: "get",
    path: "/v1/account/liabilities-proof",
    operationId: "getLiabilityProof",
    tag: "account",
    summary: "The signing account's leaf in the latest liabilities tree, and the path to the root",
    description:
      "Save the answer as a file and run `pmx verify-liabilities --root ROOT --proof FILE` with the root the " +
      "operator published. 404 when no checkpoint is signed yet, or the account was opened after the latest one.",
    auth: "account",
    query: B.NoQuery,
    ok: { status: 200, description: "The proof.", schema: "LiabilityProof" },
    errors: [...SIGNED_READ, 404],
  },
  // ---- account (signed) ----
  {
    method: "get",
    path: "/v1/account",
    operationId: "getAccount",
    tag: "account",
    summary: "The signing account's summary",
    auth: "account",
    query: B.NoQuery,
    ok: { status: 200, description: "The account summary.", schema: "AccountSummary" },
    errors: [...SIGNED_READ, 404],
  },
  {
    method: "post",
    path: "/v1/withdrawals",
    operationId: "withdraw",
    tag: "account",
    summary: "Pay cash out of the account's free cash",
    description: "The same `reference` twice pays once.",
    auth: "account",
    body: {
      codec: B.MoneyMovementBody,
      required: true,
      examples: { out: { summary: "a withdrawal", value: { amount: "250", reference: "payout-7" } } },
    },
    ok: { status: 200, description: "The account summary after the withdrawal.", schema: "AccountSummary" },
    errors: ACCOUNT_COMMAND,
  },
  {
    method: "post",
    path: "/v1/orders",
    operationId: "placeOrder",
    tag: "account",
    summary: "Place a limit order",
    description:
      "201 with the order as the request left it, including the fills it caused. Sending the same " +
      "`clientOrderId` with the same content again answers the first answer with 200; different content is 409 " +
      "`IDEMPOTENCY_CONFLICT`. Buying NO at p is selling YES at 1 − p on the market's single book. " +
      '`timeInForce` defaults to GTC, `postOnly` to false, `leverage` (buys only) to "1". A leveraged GTC buy ' +
      "borrows for what it takes at once; its resting remainder reserves only its own part and draws its loan at each " +
      "fill, under the limits of that moment (else it is cancelled with cancelReason LEVERAGE_NOT_AVAILABLE).",
    auth: "account",
    body: {
      codec: B.OrderBody,
      required: true,
      examples: {
        buyYes: { summary: "buy 100 YES at 0.61", value: ORDER_EXAMPLE },
        sellNo: {
          summary: "sell 50 NO at 0.40, immediate-or-cancel",
          value: {
            clientOrderId: "c-2",
            marketId: "trump-2024",
            side: "sell",
            outcome: "NO",
            price: "0.40",
            quantity: "50",
            timeInForce: "IOC",
          },
        },
      },
    },
    ok: { status: 201, description: "The order (200 on an identical repeat).", schema: "Order" },
    alsoOk: { status: 200, description: "An identical repeat of an order placed before: its first answer." },
    errors: ACCOUNT_COMMAND,
  },
  {
    method: "post",
    path: "/v1/orders/batch",
    operationId: "placeOrders",
    tag: "account",
    summary: "Place 1–100 orders, each decided on its own, all made durable in one group commit",
    description:
      "200 with `results` in request order: each `{status, order}` as POST /v1/orders would answer it (201, or 200 " +
      "on an identical repeat), or `{status, error}` with its own 4xx. A malformed item fails alone (400); the rest " +
      "are queued together and decided one by one. A batch counts as many requests as it holds orders against the " +
      "key's rate limit.",
    auth: "account",
    body: {
      codec: B.BatchOrdersBody,
      required: true,
      examples: {
        two: {
          summary: "two orders",
          value: { orders: [ORDER_EXAMPLE, { ...ORDER_EXAMPLE, clientOrderId: "c-3", price: "0.60" }] },
        },
      },
    },
    ok: { status: 200, description: "One result per order, in request order.", schema: "BatchResults" },
    errors: [400, 401, 413, 415, 429, 500, 503],
  },
  {
    method: "get",
    path: "/v1/orders",
    operationId: "listOrders",
    tag: "account",
    summary: "The signing account's orders, newest first (the operator names the account with ?accountId=)",
    auth: "accountOrOperator",
    query: B.OrdersQuery,
    ok: { status: 200, description: "Up to `limit` (default 100) orders.", schema: "OrderList" },
    errors: [...SIGNED_READ, 403],
  },
  {
    method: "delete",
    path: "/v1/orders",
    operationId: "cancelAllOrders",
    tag: "account",
    summary:
      "Cancel all of the signing account's open orders (in one market with ?marketId=), in one command",
    description:
      "Each open order is cancelled with reason USER, all in one command (one group commit). No open order: 200 " +
      "`{cancelled: []}`. Orders the exchange placed to liquidate a position are not cancelled.",
    auth: "account",
    query: B.CancelAllQuery,
    ok: { status: 200, description: "The ids of the orders cancelled.", schema: "CancelledOrders" },
    errors: [400, 401, 403, 404, 429, 500, 503],
  },
  {
    method: "delete",
    path: "/v1/accounts/:accountId/orders",
    operationId: "cancelAccountOrders",
    tag: "operator",
    summary: "The operator cancels all of an account's open orders (in one market with ?marketId=)",
    description: "As `DELETE /v1/orders`, for any account.",
    auth: "operator",
    params: B.AccountIdParam,
    query: B.CancelAllQuery,
    ok: { status: 200, description: "The ids of the orders cancelled.", schema: "CancelledOrders" },
    errors: [400, 401, 403, 404, 429, 500, 503],
  },
  {
    method: "get",
    path: "/v1/fills",
    operationId: "listFills",
    tag: "account",
    summary: "The signing account's fills, newest first (the operator names the account with ?accountId=)",
    auth: "accountOrOperator",
    query: B.FillsQuery,
    ok: { status: 200, description: "Up to `limit` (default 100) fills.", schema: "FillList" },
    errors: [...SIGNED_READ, 403, 404],
  },
  {
    method: "get",
    path: "/v1/account/activity",
    operationId: "listActivity",
    tag: "account",
    summary:
      "Every change of the signing account's cash, newest first, with the cash after each (the operator names the account with ?accountId=)",
    auth: "accountOrOperator",
    query: B.ActivityQuery,
    ok: { status: 200, description: "Up to `limit` (default 100) entries.", schema: "ActivityList" },
    errors: [...SIGNED_READ, 403, 404],
  },
  {
    method: "get",
    path: "/v1/orders/:orderId",
    operationId: "getOrder",
    tag: "account",
    summary: "One of the signing account's orders, with all its fills (the operator may read any order)",
    auth: "accountOrOperator",
    params: B.OrderIdParam,
    query: B.NoQuery,
    ok: { status: 200, description: "The order.", schema: "Order" },
    errors: [...SIGNED_READ, 403, 404],
  },
  {
    method: "delete",
    path: "/v1/orders/:orderId",
    operationId: "cancelOrder",
    tag: "account",
    summary: "Cancel an open order",
    auth: "account",
    params: B.OrderIdParam,
    ok: { status: 200, description: 'The order with `status: "cancelled"`.', schema: "Order" },
    errors: [400, 401, 403, 404, 422, 429, 500, 503],
  },
  {
    method: "post",
    path: "/v1/orders/:orderId/amend",
    operationId: "amendOrder",
    tag: "account",
    summary: "Amend a resting order: a new price and/or whole quantity",
    description:
      "`quantity` is the order's new whole quantity (more than what has filled). A smaller quantity at the same price keeps the order's time priority; a new price or a larger quantity moves it to the back of its (new) level. The reservation follows (cash for a buy, shares for a sell: 422 INSUFFICIENT_FUNDS / INSUFFICIENT_SHARES when more is needed than is free). An amend never trades: a price that would cross the book is 422 AMEND_WOULD_CROSS. Only an order resting in an open market (422 ORDER_NOT_OPEN, MARKET_NOT_OPEN). The same `clientRequestId` with the same terms is a harmless retry (nothing appended); with other terms 409 IDEMPOTENCY_CONFLICT.",
    auth: "account",
    params: B.OrderIdParam,
    body: {
      codec: B.AmendBody,
      required: true,
      examples: {
        smaller: {
          summary: "fewer shares, same price: keeps priority",
          value: { quantity: "5", clientRequestId: "am-1" },
        },
        reprice: {
          summary: "a new price: to the back of its level",
          value: { price: "0.58", clientRequestId: "am-2" },
        },
      },
    },
    ok: { status: 200, description: "The order as amended.", schema: "Order" },
    errors: [400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503],
  },
  {
    method: "post",
    path: "/v1/admin/promote",
    operationId: "promote",
    tag: "operator",
    summary:
      "Make a follower (pmx serve --follow) the leader: it catches up with the log and starts taking writes",
    auth: "operator",
    body: { codec: B.EmptyBody, required: false, examples: { empty: { summary: "no fields", value: {} } } },
    ok: { status: 200, description: "The new role and log position.", schema: "RoleAnswer" },
    errors: [400, 401, 403, 429, 500],
  },
  {
    method: "post",
    path: "/v1/admin/snapshot",
    operationId: "writeSnapshot",
    tag: "operator",
    summary:
      "Write a snapshot of the state now, on the event loop: nothing else is answered until it is written (start-up then replays only the events after it)",
    auth: "operator",
    body: { codec: B.EmptyBody, required: false, examples: { empty: { summary: "no fields", value: {} } } },
    ok: { status: 200, description: "The log position the snapshot was taken at.", schema: "SnapshotAnswer" },
    errors: [400, 401, 403, 404, 429, 500],
  },
  {
    method: "post",
    path: "/v1/admin/checkpoint",
    operationId: "signCheckpoint",
    tag: "operator",
    summary: "Sign a checkpoint of the log now, once every command decided so far is durable",
    auth: "operator",
    body: { codec: B.EmptyBody, required: false, examples: { empty: { summary: "no fields", value: {} } } },
    ok: {
      status: 200,
      description: "The checkpoint signed (the last one, if nothing was written since).",
      schema: "Checkpoint",
    },
    errors: [400, 401, 403, 404, 429, 500],
  },
  {
    method: "get",
    path: "/v1/audit/state",
    operationId: "getStateHash",
    tag: "operator",
    summary: "The log position, hash-chain head and state hash (SHA-256 of the canonical state)",
    auth: "operator",
    query: B.NoQuery,
    ok: { status: 200, description: "Where this gateway's state stands.", schema: "StateAnswer" },
    errors: [400, 401, 403, 429, 500],
  },
  // ---- credit layer ----
  {
    method: "get",
    path: "/v1/markets/:marketId/pool",
    operationId: "getPool",
    tag: "public",
    summary: "The market's lending pool: assets, cash, lent, utilization, shares, share value, fees, losses",
    auth: "public",
    params: B.MarketIdParam,
    query: B.NoQuery,
    ok: { status: 200, description: "The pool.", schema: "Pool" },
    errors: [400, 404, 429, 500],
  },
  {
    method: "get",
    path: "/v1/markets/:marketId/pool/history",
    operationId: "getPoolHistory",
    tag: "public",
    summary: "The pool's share value over time: each change, with the time and log position that made it",
    auth: "public",
    params: B.MarketIdParam,
    query: B.PoolHistoryQuery,
    ok: { status: 200, description: "Up to `limit` (default 1000) newest changes.", schema: "PoolHistory" },
    errors: [400, 404, 429, 500],
  },
  {
    method: "get",
    path: "/v1/markets/:marketId/auction",
    operationId: "getAuction",
    tag: "public",
    summary: "The market's call auction now and its indicative uncross price",
    description:
      "The auction's own clearing rule (most volume, then least imbalance, then nearest the risk mark) over the " +
      "resting and collected orders; leveraged buys are left out (nothing is lent in an auction) and the sales of " +
      "positions being liquidated join only at the uncross.",
    auth: "public",
    params: B.MarketIdParam,
    query: B.NoQuery,
    ok: { status: 200, description: "The auction.", schema: "Auction" },
    errors: [400, 404, 429, 500],
  },
  {
    method: "get",
    path: "/v1/risk/positions",
    operationId: "listRiskPositions",
    tag: "operator",
    summary: "Leveraged positions across accounts, nearest to liquidation first",
    description:
      "Sorted by distanceToLiquidation ascending (positions without one last), then market and account. " +
      "`status=margin_call` lists the running margin calls with their deadlines.",
    auth: "operator",
    query: B.RiskPositionsQuery,
    ok: { status: 200, description: "Up to `limit` (default 100) positions.", schema: "RiskPositions" },
    errors: [400, 401, 403, 404, 429, 500],
  },
  {
    method: "get",
    path: "/v1/risk/bad-debts",
    operationId: "listBadDebts",
    tag: "operator",
    summary: "Every bad debt recorded and what each tier of the default waterfall paid",
    description:
      "amount = feesWrittenOff + marketInsurance + sharedInsurance + poolHaircut for every bad debt (the waterfall " +
      "of docs/risk-model.md).",
    auth: "operator",
    query: B.BadDebtsQuery,
    ok: { status: 200, description: "Up to `limit` (default 100), newest first.", schema: "BadDebts" },
    errors: [400, 401, 403, 404, 429, 500],
  },
  {
    method: "get",
    path: "/console",
    operationId: "getConsole",
    tag: "public",
    summary: "The operator console (a single-page app; the operator token is entered in the page)",
    description:
      "Served with `Content-Security-Policy: " +
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
      "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`. The page reads only the " +
      "routes of this document.",
    auth: "public",
    ok: { status: 200, description: "The page.", contentType: "text/html", raw: { type: "string" } },
    errors: [404, 429, 500],
  },
  {
    method: "get",
    path: "/console/:file",
    operationId: "getConsoleFile",
    tag: "public",
    summary:
      "A file of the operator console's build (console.js, console.css, their source maps and licences)",
    auth: "public",
    params: B.ConsoleFileParam,
    ok: { status: 200, description: "The file.", contentType: "text/javascript", raw: { type: "string" } },
    errors: [404, 429, 500],
  },
  {
    method: "post",
    path: "/v1/markets/:marketId/pool/supply",
    operationId: "supplyPool",
    tag: "account",
    summary:
      "Lend collateral to the market's pool for pool shares (at the current share value, rounded down)",
    auth: "account",
    params: B.MarketIdParam,
    body: {
      codec: B.PoolSupplyBody,
      required: true,
      examples: { supply: { summary: "supply 1000", value: { amount: "1000", reference: "lp-1" } } },
    },
    ok: { status: 200, description: "The pool, with the caller's shares.", schema: "Pool" },
    errors: ACCOUNT_COMMAND,
  },
  {
    method: "post",
    path: "/v1/markets/:marketId/pool/redeem",
    operationId: "redeemPool",
    tag: "account",
    summary: "Redeem pool shares for cash; 422 POOL_CASH_LENT_OUT when the pool's cash is lent",
    auth: "account",
    params: B.MarketIdParam,
    body: {
      codec: B.PoolRedeemBody,
      required: true,
      examples: { redeem: { summary: "redeem 100 shares", value: { shares: "100", reference: "lp-r-1" } } },
    },
    ok: { status: 200, description: "The pool, with the caller's shares.", schema: "Pool" },
    errors: ACCOUNT_COMMAND,
  },
  {
    method: "post",
    path: "/v1/markets/:marketId/backstop",
    operationId: "setBackstopBid",
    tag: "account",
    summary:
      "A standing offer to take over whole liquidated positions at a price per share (maxShares 0 withdraws it)",
    auth: "account",
    params: B.MarketIdParam,
    body: {
      codec: B.BackstopBidBody,
      required: true,
      examples: {
        bid: { summary: "take YES at 0.40", value: { outcome: "YES", price: "0.4", maxShares: "1000" } },
      },
    },
    ok: { status: 200, description: "The bid as stored.", schema: "BackstopBid" },
    errors: ACCOUNT_COMMAND,
  },
  {
    method: "post",
    path: "/v1/positions/:marketId/reduce",
    operationId: "reducePosition",
    tag: "account",
    summary:
      "Sell pledged shares of a leveraged position (IOC at price or better); the proceeds repay the loan first",
    auth: "account",
    params: B.MarketIdParam,
    body: {
      codec: B.ReduceBody,
      required: true,
      examples: {
        reduce: {
          summary: "sell 50 YES at 0.55 or better",
          value: { outcome: "YES", quantity: "50", price: "0.55" },
        },
      },
    },
    ok: { status: 200, description: "The account summary.", schema: "AccountSummary" },
    errors: ACCOUNT_COMMAND,
  },
  {
    method: "post",
    path: "/v1/positions/:marketId/margin",
    operationId: "addMargin",
    tag: "account",
    summary: "Pay cash into a leveraged position: it repays the loan and can lift a margin call",
    auth: "account",
    params: B.MarketIdParam,
    body: {
      codec: B.AddMarginBody,
      required: true,
      examples: { margin: { summary: "add 25", value: { outcome: "YES", amount: "25", reference: "m-1" } } },
    },
    ok: { status: 200, description: "The account summary.", schema: "AccountSummary" },
    errors: ACCOUNT_COMMAND,
  },
  {
    method: "get",
    path: "/v1/insurance",
    operationId: "getInsurance",
    tag: "public",
    summary: "The insurance funds: `shared` and one `market:{marketId}` per market",
    auth: "public",
    query: B.NoQuery,
    ok: { status: 200, description: "The funds.", schema: "InsuranceFunds" },
    errors: [400, 429, 500],
  },
  {
    method: "post",
    path: "/v1/insurance/:fundId/deposits",
    operationId: "depositInsurance",
    tag: "operator",
    summary: "Seed an insurance fund; the same reference twice credits once",
    auth: "operator",
    params: B.FundIdParam,
    body: {
      codec: B.MoneyMovementBody,
      required: true,
      examples: { seed: { summary: "seed 10000", value: { amount: "10000", reference: "seed-1" } } },
    },
    ok: { status: 200, description: "The fund.", schema: "InsuranceFund" },
    errors: OPERATOR_COMMAND,
  },
];

const SECURITY: Record<Auth, Record<string, string[]>[]> = {
  public: [],
  operator: [{ operatorBearer: [] }],
  account: [{ pmxKey: [], pmxTimestamp: [], pmxSignature: [] }],
  accountOrOperator: [{ operatorBearer: [] }, { pmxKey: [], pmxTimestamp: [], pmxSignature: [] }],
};

/** `/v1/markets/:marketId` → `/v1/markets/{marketId}`. */
export const openApiPath = (fastifyPath: string): string => fastifyPath.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

function parameters(where: "path" | "query", codec: t.Mixed | undefined): unknown[] {
  const props = (codec as Tagged | undefined)?.exactProps;
  if (!props) return [];
  const out: unknown[] = [];
  for (const [name, c] of Object.entries(props.required))
    out.push({ name, in: where, required: true, schema: toJsonSchema(c) });
  for (const [name, c] of Object.entries(props.optional))
    out.push({ name, in: where, required: false, schema: toJsonSchema(c) });
  return out;
}

function operationObject(op: Operation): Record<string, unknown> {
  const o: Record<string, unknown> = {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
  };
  const notes = [op.description, op.query ? "Unknown query parameters are refused (400)." : undefined];
  const description = notes.filter(Boolean).join(" ");
  if (description) o.description = description;
  o.security = SECURITY[op.auth];
  const params = [...parameters("path", op.params), ...parameters("query", op.query)];
  if (params.length > 0) o.parameters = params;
  if (op.body) {
    const name = op.body.codec.name;
    o.requestBody = {
      required: op.body.required,
      content: { "application/json": { schema: ref(name), examples: op.body.examples } },
    };
  }
  const responses: Record<string, unknown> = {};
  const okSchema = op.ok.schema ? ref(op.ok.schema) : op.ok.raw;
  responses[String(op.ok.status)] = okSchema
    ? {
        description: op.ok.description,
        content: { [op.ok.contentType ?? "application/json"]: { schema: okSchema } },
      }
    : { description: op.ok.description };
  if (op.alsoOk)
    responses[String(op.alsoOk.status)] = {
      description: op.alsoOk.description,
      ...(okSchema ? { content: { [op.ok.contentType ?? "application/json"]: { schema: okSchema } } } : {}),
    };
  for (const status of op.errors)
    responses[String(status)] = { $ref: `#/components/responses/Error${status}` };
  o.responses = responses;
  return o;
}

function apiDescription(): string {
  const errors = [...errorCodesByStatus()]
    .map(
      ([status, codes]) => `- **${status}**: ${codes.map((c) => `\`${c.code}\` (${c.meaning})`).join(", ")}`,
    )
    .join("\n");
  return `The pmx exchange gateway: binary prediction markets (YES/NO shares paying 1 or 0, or 0.5 each when INVALID).

## Conventions
- JSON bodies (\`content-type: application/json\`). Decimals are **strings**: prices ("0.61"), amounts ("1000.50", at
  most 6 places), quantities ("100", whole shares). A JSON number where a decimal string is expected is a 400.
  Unknown fields (and unknown query parameters) are a 400.
- Prices are of the named outcome, strictly between 0 and 1, a multiple of the market's tick size. Book, trade and
  market prices are in YES terms.
- Times in bodies are ISO-8601 UTC strings; the manual clock is set in milliseconds since epoch.
- A refused request appends nothing to the log.

## Authentication
- **Operator**: \`Authorization: Bearer <operator token>\`.
- **Account** requests are signed with the account's API key and secret (issued by \`POST /v1/accounts\`):
  - \`PMX-KEY: <apiKey>\`
  - \`PMX-TIMESTAMP: <milliseconds since epoch>\`, within ±30 s of the gateway's clock (else 401 \`STALE_TIMESTAMP\`)
  - \`PMX-SIGNATURE: hex(HMAC-SHA256(apiSecret, timestamp + METHOD + pathWithQuery + rawBody))\` — METHOD upper
    case, pathWithQuery exactly as sent (e.g. \`/v1/orders?status=open\`), rawBody the exact body bytes or the empty
    string. A state-changing request signed identically twice within the window is refused (401
    \`REPLAYED_SIGNATURE\`): sign each retry with a new timestamp.
  - With an **Ed25519 key** (\`POST /v1/account/keys\` with \`algorithm: ed25519\`): \`PMX-SIGNATURE:
    base64(Ed25519(privateKey, timestamp + METHOD + pathWithQuery + rawBody))\`, same timestamp and replay rules; the
    request is stored with the commands it gives, and \`pmx audit\` verifies it against the key the log registers.
  - A \`read\` key signs only GET requests (403 \`KEY_SCOPE\` on writes). Keys are issued, listed and revoked under
    \`/v1/account/keys\`.
- An operator may also read any account (\`GET /v1/accounts/{accountId}\`); an account acts only on its own orders
  and funds.

## Errors
Every error is \`{"error": {"code", "message", "details"}}\` (\`details\` when there are facts to give). Codes by status:
${errors}

## WebSocket stream (\`GET /v1/stream\`)
On connecting, the gateway first sends \`{"channel": "challenge", "data": {"nonce"}}\`: a random nonce (32 hex digits)
of this connection. Send \`{"op": "subscribe" | "unsubscribe", "channel": "trades" | "book", "marketId": "..."}\`; for
your account, \`{"op": "subscribe", "channel": "account", "apiKey", "timestamp", "signature"}\` with
\`signature = hex(HMAC-SHA256(apiSecret, timestamp + "GET" + "/v1/stream" + nonce))\` (±30 s), so that a subscription
seen on one connection opens no other. The earlier form without the nonce is refused (\`BAD_SIGNATURE\`).
Limits: 20 messages a second a connection (bursts of 40; beyond, each is answered \`RATE_LIMITED\`, and after 100
refused in a row the socket is closed with code 1008), 200 market subscriptions a connection, 32 open connections
from one address (beyond: the upgrade is answered 429 \`RATE_LIMITED\`). Messages from the gateway are
\`{channel, marketId?, accountId?, data}\`:
- \`challenge\`: \`data: {nonce}\`, once, first.
- \`subscribed\` / \`unsubscribed\`: \`data: {channel, marketId}\` or \`data: {channel: "account", accountId}\`
  acknowledges a (un)subscription.
- \`trades\`: first \`data: {type: "snapshot", trades: [...]}\` (up to 100, newest first), then one
  \`data: {type: "trade", trade: {tradeId, price, quantity, kind, takerSide, takerOutcome, at}}\` per trade.
- \`book\`: first \`data: {type: "snapshot", bids, asks}\` (top 50 levels a side, YES terms), then after each committed
  batch that changed the book one \`data: {type: "update", bids, asks}\` with the new top 50 levels.
- \`account\`: first \`data: {type: "balance", account}\` (the account summary); then, after each committed batch
  that concerns the account: one \`{type: "fill", fill: {tradeId, orderId, marketId, side, outcome, price, quantity,
  liquidity, fee, at}}\` per fill (price of the order's own outcome), one \`{type: "order", order}\` per order it
  touched (as the order stands after the batch), and one \`{type: "balance", account}\` when cash or shares moved.
  \`unsubscribe\` on the account channel uses only \`apiKey\` (the other fields must be present; they are not checked).
- \`error\`: \`data: {code, message}\` for a message that is not JSON (\`MALFORMED_JSON\`), not a valid message
  (\`INVALID_REQUEST\`), an unknown market (\`UNKNOWN_MARKET\`), more than 200 market subscriptions
  (\`TOO_MANY_SUBSCRIPTIONS\`), too many messages (\`RATE_LIMITED\`) or a refused account signature (\`UNAUTHENTICATED\`, \`STALE_TIMESTAMP\`,
  \`BAD_SIGNATURE\`). The socket stays open. Subscribing again to the same channel answers a fresh snapshot.
A client that does not read fast enough (more than 4 MiB waiting) is disconnected with close code 1013.`;
}

let built: Record<string, unknown> | null = null;

/** The OpenAPI 3.1 document of the HTTP API (built once: it depends only on code). */
export function openApiDocument(): Record<string, unknown> {
  built ??= buildDocument();
  return built;
}

function buildDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const path = openApiPath(op.path);
    paths[path] ??= {};
    paths[path][op.method] = operationObject(op);
  }
  const bodySchemas: Record<string, JsonSchema> = {};
  for (const op of OPERATIONS) if (op.body) bodySchemas[op.body.codec.name] = toJsonSchema(op.body.codec);
  return {
    openapi: "3.1.0",
    info: { title: "pmx gateway", version: "1", description: apiDescription() },
    servers: [{ url: "/" }],
    tags: [
      { name: "public", description: "No credentials." },
      { name: "operator", description: "Authorization: Bearer <operator token>." },
      { name: "account", description: "Signed with PMX-KEY, PMX-TIMESTAMP, PMX-SIGNATURE." },
    ],
    paths,
    components: {
      schemas: { ...bodySchemas, ...ANSWER_SCHEMAS },
      responses: errorResponses(),
      securitySchemes: {
        operatorBearer: {
          type: "http",
          scheme: "bearer",
          description: "The operator token (PMX_OPERATOR_TOKEN, or generated at first start and kept).",
        },
        pmxKey: { type: "apiKey", in: "header", name: "PMX-KEY", description: "The account's API key." },
        pmxTimestamp: {
          type: "apiKey",
          in: "header",
          name: "PMX-TIMESTAMP",
          description: "Milliseconds since epoch, within ±30 s of the gateway's clock.",
        },
        pmxSignature: {
          type: "apiKey",
          in: "header",
          name: "PMX-SIGNATURE",
          description:
            "hex(HMAC-SHA256(apiSecret, timestamp + METHOD + pathWithQuery + rawBody)); with an Ed25519 key, base64(Ed25519(privateKey, the same text)). rawBody is empty when there is none.",
        },
      },
    },
  };
}
