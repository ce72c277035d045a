// The commands an account's signed write requests give: one builder per route, used by the routes (app.ts) and by
// `pmx audit`, which re-reads each stored signed request and requires the recorded command to be one it gives.
import { createHash } from "node:crypto";
import type * as t from "io-ts";
import type { CommandInput } from "../sequencer.js";
import * as B from "./bodies.js";

type OrderBody = t.TypeOf<typeof B.OrderBody>;

/** The PlaceOrder command of an order body, with the documented defaults (GTC, not post-only, 1x). */
export const placeOrderCommand = (accountId: string, b: OrderBody): CommandInput => ({
  type: "PlaceOrder",
  accountId,
  marketId: b.marketId,
  clientOrderId: b.clientOrderId,
  side: b.side,
  outcome: b.outcome,
  price: b.price,
  quantity: b.quantity,
  timeInForce: b.timeInForce ?? "GTC",
  postOnly: b.postOnly ?? false,
  leverage: b.leverage ?? "1",
});

/** The id of an Ed25519 key: `ek_` and 24 hex digits of SHA-256 of its 32 raw bytes (so the log fixes it). */
export const ed25519KeyId = (publicKey: string): string =>
  `ek_${createHash("sha256").update(Buffer.from(publicKey, "base64")).digest("hex").slice(0, 24)}`;

/** The cancel-all command of an account, for the whole account or one market. */
export const cancelAllCommand = (accountId: string, marketId: string | undefined): CommandInput => ({
  type: "CancelAllOrders",
  accountId,
  ...(marketId === undefined ? {} : { marketId }),
});

const decoded = <A>(codec: t.Decoder<unknown, A>, value: unknown): A | null => {
  const r = codec.decode(value);
  return r._tag === "Right" ? r.right : null;
};

interface AccountWrite {
  method: string;
  /** The path (without its query); its groups are the path parameters, in order. */
  path: RegExp;
  /** The commands: the request's body (parsed JSON, undefined when empty), path groups and query. */
  build: (accountId: string, body: unknown, groups: string[], query: URLSearchParams) => CommandInput[];
}

const one =
  <A>(codec: t.Decoder<unknown, A>, make: (b: A) => CommandInput) =>
  (body: unknown) => {
    const b = decoded(codec, body);
    return b === null ? [] : [make(b)];
  };

/** Every route through which an account writes, and what it asks for. */
const ACCOUNT_WRITES: AccountWrite[] = [
  {
    method: "POST",
    path: /^\/v1\/orders$/,
    build: (a, body) => one(B.OrderBody, (b) => placeOrderCommand(a, b))(body),
  },
  {
    method: "POST",
    path: /^\/v1\/orders\/batch$/,
    build: (a, body) =>
      (decoded(B.BatchEnvelope, body)?.orders ?? []).flatMap((item) =>
        one(B.OrderBody, (b) => placeOrderCommand(a, b))(item),
      ),
  },
  {
    method: "DELETE",
    path: /^\/v1\/orders\/([^/]+)$/,
    build: (a, _b, [orderId]) => [{ type: "CancelOrder", accountId: a, orderId: orderId! }],
  },
  {
    method: "DELETE",
    path: /^\/v1\/orders$/,
    build: (a, _b, _g, q) => [cancelAllCommand(a, q.get("marketId") ?? undefined)],
  },
  {
    method: "POST",
    path: /^\/v1\/withdrawals$/,
    build: (a, body) =>
      one(B.MoneyMovementBody, (b) => ({
        type: "Withdraw",
        accountId: a,
        amount: b.amount,
        reference: b.reference,
      }))(body),
  },
  {
    method: "POST",
    path: /^\/v1\/account\/keys$/,
    build: (a, body) =>
      one(B.NewKeyBody, (b) => ({
        type: "RegisterAccountKey",
        accountId: a,
        keyId: ed25519KeyId(b.publicKey ?? ""),
        algorithm: "ed25519",
        publicKey: b.publicKey ?? "",
        scope: b.scope,
      }))(body),
  },
  {
    method: "DELETE",
    path: /^\/v1\/account\/keys\/([^/]+)$/,
    build: (a, _b, [keyId]) => [{ type: "RevokeAccountKey", accountId: a, keyId: keyId! }],
  },
  {
    method: "POST",
    path: /^\/v1\/events\/([^/]+)\/convert$/,
    build: (a, body, [eventId]) =>
      one(B.ConvertBody, (b) => ({
        type: "ConvertPositions",
        accountId: a,
        eventId: eventId!,
        marketIds: b.marketIds,
        quantity: b.quantity,
        reference: b.reference,
      }))(body),
  },
  {
    method: "POST",
    path: /^\/v1\/markets\/([^/]+)\/pool\/supply$/,
    build: (a, body, [marketId]) =>
      one(B.PoolSupplyBody, (b) => ({
        type: "SupplyPool",
        accountId: a,
        marketId: marketId!,
        amount: b.amount,
        reference: b.reference,
      }))(body),
  },
  {
    method: "POST",
    path: /^\/v1\/markets\/([^/]+)\/pool\/redeem$/,
    build: (a, body, [marketId]) =>
      one(B.PoolRedeemBody, (b) => ({
        type: "RedeemPool",
        accountId: a,
        marketId: marketId!,
        shares: b.shares,
        reference: b.reference,
      }))(body),
  },
  {
    method: "POST",
    path: /^\/v1\/markets\/([^/]+)\/challenge$/,
    build: (a, body, [marketId]) =>
      one(B.ChallengeBody, (b) => ({
        type: "ChallengeResolution",
        accountId: a,
        marketId: marketId!,
        bond: b.bond,
        reference: b.reference,
      }))(body),
  },
  {
    method: "POST",
    path: /^\/v1\/markets\/([^/]+)\/backstop$/,
    build: (a, body, [marketId]) =>
      one(B.BackstopBidBody, (b) => ({
        type: "SetBackstopBid",
        accountId: a,
        marketId: marketId!,
        outcome: b.outcome,
        price: b.price,
        maxShares: b.maxShares,
      }))(body),
  },
  {
    method: "POST",
    path: /^\/v1\/positions\/([^/]+)\/reduce$/,
    build: (a, body, [marketId]) =>
      one(B.ReduceBody, (b) => ({
        type: "ReducePosition",
        accountId: a,
        marketId: marketId!,
        outcome: b.outcome,
        quantity: b.quantity,
        price: b.price,
        ...(b.clientRequestId === undefined ? {} : { clientRequestId: b.clientRequestId }),
      }))(body),
  },
  {
    method: "POST",
    path: /^\/v1\/positions\/([^/]+)\/margin$/,
    build: (a, body, [marketId]) =>
      one(B.AddMarginBody, (b) => ({
        type: "AddMargin",
        accountId: a,
        marketId: marketId!,
        outcome: b.outcome,
        amount: b.amount,
        reference: b.reference,
      }))(body),
  },
];

/**
 * The commands a signed request of `accountId` gives, built as the route builds them; an empty list when the
 * request is not an account write the gateway knows or its body does not decode (it then gave no command).
 */
export function commandsOfSignedRequest(
  accountId: string,
  method: string,
  pathWithQuery: string,
  rawBody: string,
): CommandInput[] {
  const [path, query = ""] = pathWithQuery.split("?", 2) as [string, string?];
  let body: unknown;
  try {
    body = rawBody === "" ? undefined : JSON.parse(rawBody);
  } catch {
    return [];
  }
  for (const route of ACCOUNT_WRITES) {
    if (route.method !== method.toUpperCase()) continue;
    const m = route.path.exec(path);
    if (!m) continue;
    const groups = m.slice(1).map((g) => decodeURIComponent(g));
    return route.build(accountId, body, groups, new URLSearchParams(query));
  }
  return [];
}
