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

type Body<C extends t.Mixed> = t.TypeOf<C>;

// One builder per account write: the route (app.ts) and the audit's re-reading of a signed request both call it.
export const withdrawCommand = (accountId: string, b: Body<typeof B.MoneyMovementBody>): CommandInput => ({
  type: "Withdraw",
  accountId,
  amount: b.amount,
  reference: b.reference,
});
export const cancelOrderCommand = (accountId: string, orderId: string): CommandInput => ({
  type: "CancelOrder",
  accountId,
  orderId,
});
export const convertCommand = (
  accountId: string,
  eventId: string,
  b: Body<typeof B.ConvertBody>,
): CommandInput => ({
  type: "ConvertPositions",
  accountId,
  eventId,
  marketIds: b.marketIds,
  quantity: b.quantity,
  reference: b.reference,
});
export const supplyPoolCommand = (
  accountId: string,
  marketId: string,
  b: Body<typeof B.PoolSupplyBody>,
): CommandInput => ({ type: "SupplyPool", accountId, marketId, amount: b.amount, reference: b.reference });
export const redeemPoolCommand = (
  accountId: string,
  marketId: string,
  b: Body<typeof B.PoolRedeemBody>,
): CommandInput => ({ type: "RedeemPool", accountId, marketId, shares: b.shares, reference: b.reference });
export const challengeCommand = (
  accountId: string,
  marketId: string,
  b: Body<typeof B.ChallengeBody>,
): CommandInput => ({
  type: "ChallengeResolution",
  accountId,
  marketId,
  bond: b.bond,
  reference: b.reference,
});
export const backstopCommand = (
  accountId: string,
  marketId: string,
  b: Body<typeof B.BackstopBidBody>,
): CommandInput => ({
  type: "SetBackstopBid",
  accountId,
  marketId,
  outcome: b.outcome,
  price: b.price,
  maxShares: b.maxShares,
});
export const reduceCommand = (
  accountId: string,
  marketId: string,
  b: Body<typeof B.ReduceBody>,
): CommandInput => ({
  type: "ReducePosition",
  accountId,
  marketId,
  outcome: b.outcome,
  quantity: b.quantity,
  price: b.price,
  ...(b.clientRequestId === undefined ? {} : { clientRequestId: b.clientRequestId }),
});
export const addMarginCommand = (
  accountId: string,
  marketId: string,
  b: Body<typeof B.AddMarginBody>,
): CommandInput => ({
  type: "AddMargin",
  accountId,
  marketId,
  outcome: b.outcome,
  amount: b.amount,
  reference: b.reference,
});
/** The registration of an Ed25519 key (its id derived from the key). */
export const registerKeyCommand = (
  accountId: string,
  publicKey: string,
  scope: "trade" | "read",
): CommandInput => ({
  type: "RegisterAccountKey",
  accountId,
  keyId: ed25519KeyId(publicKey),
  algorithm: "ed25519",
  publicKey,
  scope,
});
export const revokeKeyCommand = (accountId: string, keyId: string): CommandInput => ({
  type: "RevokeAccountKey",
  accountId,
  keyId,
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

const one = <A>(
  codec: t.Decoder<unknown, A>,
  body: unknown,
  make: (b: A) => CommandInput,
): CommandInput[] => {
  const b = decoded(codec, body);
  return b === null ? [] : [make(b)];
};

/** Every route through which an account writes, and what it asks for. */
const ACCOUNT_WRITES: AccountWrite[] = [
  {
    method: "POST",
    path: /^\/v1\/orders$/,
    build: (a, body) => one(B.OrderBody, body, (b) => placeOrderCommand(a, b)),
  },
  {
    method: "POST",
    path: /^\/v1\/orders\/batch$/,
    build: (a, body) =>
      (decoded(B.BatchEnvelope, body)?.orders ?? []).flatMap((item) =>
        one(B.OrderBody, item, (b) => placeOrderCommand(a, b)),
      ),
  },
  {
    method: "DELETE",
    path: /^\/v1\/orders\/([^/]+)$/,
    build: (a, _b, [orderId]) => [cancelOrderCommand(a, orderId!)],
  },
  {
    method: "DELETE",
    path: /^\/v1\/orders$/,
    build: (a, _b, _g, q) => [cancelAllCommand(a, q.get("marketId") ?? undefined)],
  },
  {
    method: "POST",
    path: /^\/v1\/withdrawals$/,
    build: (a, body) => one(B.MoneyMovementBody, body, (b) => withdrawCommand(a, b)),
  },
  {
    method: "POST",
    path: /^\/v1\/account\/keys$/,
    build: (a, body) => one(B.NewKeyBody, body, (b) => registerKeyCommand(a, b.publicKey ?? "", b.scope)),
  },
  {
    method: "DELETE",
    path: /^\/v1\/account\/keys\/([^/]+)$/,
    build: (a, _b, [keyId]) => [revokeKeyCommand(a, keyId!)],
  },
  {
    method: "POST",
    path: /^\/v1\/events\/([^/]+)\/convert$/,
    build: (a, body, [eventId]) => one(B.ConvertBody, body, (b) => convertCommand(a, eventId!, b)),
  },
  {
    method: "POST",
    path: /^\/v1\/markets\/([^/]+)\/pool\/supply$/,
    build: (a, body, [marketId]) => one(B.PoolSupplyBody, body, (b) => supplyPoolCommand(a, marketId!, b)),
  },
  {
    method: "POST",
    path: /^\/v1\/markets\/([^/]+)\/pool\/redeem$/,
    build: (a, body, [marketId]) => one(B.PoolRedeemBody, body, (b) => redeemPoolCommand(a, marketId!, b)),
  },
  {
    method: "POST",
    path: /^\/v1\/markets\/([^/]+)\/challenge$/,
    build: (a, body, [marketId]) => one(B.ChallengeBody, body, (b) => challengeCommand(a, marketId!, b)),
  },
  {
    method: "POST",
    path: /^\/v1\/markets\/([^/]+)\/backstop$/,
    build: (a, body, [marketId]) => one(B.BackstopBidBody, body, (b) => backstopCommand(a, marketId!, b)),
  },
  {
    method: "POST",
    path: /^\/v1\/positions\/([^/]+)\/reduce$/,
    build: (a, body, [marketId]) => one(B.ReduceBody, body, (b) => reduceCommand(a, marketId!, b)),
  },
  {
    method: "POST",
    path: /^\/v1\/positions\/([^/]+)\/margin$/,
    build: (a, body, [marketId]) => one(B.AddMarginBody, body, (b) => addMarginCommand(a, marketId!, b)),
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
