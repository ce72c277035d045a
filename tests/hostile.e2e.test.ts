// Hostile and malformed requests against the real gateway process: each case is refused with the status and
// code of the contract (services/gateway/src/http/errors.ts is the documented table), in the error shape
// `{error: {code, message, details?}}`, and appends nothing to the log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ApiResponse,
  Client,
  type Credential,
  expectApiError,
  type RawRequest,
  raw,
} from "./support/client.js";
import { type Gateway, startGateway, stopAllGateways, T0 } from "./support/gateway.js";

const M = "m"; // open, tick 0.01, 20 bps
const HALTED = "m-halted";
const RESOLVED = "m-resolved";
const BODY_LIMIT = 2048;

interface Ctx {
  main: Client;
  limited: Client;
  alice: Credential;
  bob: Credential;
  /** An account of the rate-limited gateway. */
  erin: Credential;
  /** alice's resting order on M (buy YES 10 @ 0.40) and her cancelled one. */
  aliceOrderId: string;
  aliceCancelledOrderId: string;
}

interface HostileCase {
  name: string;
  /** Which gateway answers: the main one, or the one with a tiny per-key rate limit and the system clock. */
  on?: "main" | "limited";
  /** Builds the request; may send preparatory requests first (they happen before the log is measured). */
  request: (c: Ctx) => RawRequest | Promise<RawRequest>;
  expectStatus: number;
  expectCode: string;
  expectHeaders?: Record<string, RegExp>;
}

let orderNumber = 0;
/** A valid order body on M (a new clientOrderId each time) that cases change one field at a time. */
const order = (over: Record<string, unknown> = {}) => ({
  clientOrderId: `h-${++orderNumber}`,
  marketId: M,
  side: "buy",
  outcome: "YES",
  price: "0.30",
  quantity: "10",
  ...over,
});

const signedOrder = (c: Ctx, over: Record<string, unknown> = {}) =>
  c.main.signedRequest(c.alice, "POST", "/v1/orders", order(over));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Spends the account's rate-limit tokens with reads until one is refused 429. */
async function drain(client: Client, who: Credential): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const res = await client.send(client.signedRequest(who, "GET", "/v1/account"));
    if (res.status === 429) return;
    expect(res.status, res.text).toBe(200);
  }
  throw new Error("the per-key rate limit never answered 429");
}

const cases: HostileCase[] = [
  // ---- bodies ----
  {
    name: "malformed JSON in a signed order",
    request: (c) => c.main.signedRequest(c.alice, "POST", "/v1/orders", raw('{"clientOrderId": "x",')),
    expectStatus: 400,
    expectCode: "MALFORMED_JSON",
  },
  {
    name: "malformed JSON in an operator deposit",
    request: (c) => c.main.operatorRequest("POST", "/v1/accounts/alice/deposits", raw("{amount: 1}")),
    expectStatus: 400,
    expectCode: "MALFORMED_JSON",
  },
  {
    name: "deposit amount as a JSON number (100)",
    request: (c) =>
      c.main.operatorRequest("POST", "/v1/accounts/alice/deposits", { amount: 100, reference: "n1" }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "order price as a JSON number (0.5)",
    request: (c) => signedOrder(c, { price: 0.5 }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "order quantity as a JSON number (10)",
    request: (c) => signedOrder(c, { quantity: 10 }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "withdrawal amount as a JSON number (5)",
    request: (c) => c.main.signedRequest(c.alice, "POST", "/v1/withdrawals", { amount: 5, reference: "w-n" }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "postOnly as the string 'true'",
    request: (c) => signedOrder(c, { postOnly: "true" }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "amount with 7 decimal places",
    request: (c) =>
      c.main.operatorRequest("POST", "/v1/accounts/alice/deposits", { amount: "1.0000001", reference: "d7" }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "amount in exponent notation ('1e3')",
    request: (c) =>
      c.main.operatorRequest("POST", "/v1/accounts/alice/deposits", { amount: "1e3", reference: "de" }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "deposit of zero",
    request: (c) =>
      c.main.operatorRequest("POST", "/v1/accounts/alice/deposits", { amount: "0", reference: "d0" }),
    expectStatus: 422,
    expectCode: "INVALID_AMOUNT",
  },
  {
    name: "unknown field in an order",
    request: (c) => signedOrder(c, { stopPrice: "0.2" }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "unknown field in a deposit",
    request: (c) =>
      c.main.operatorRequest("POST", "/v1/accounts/alice/deposits", {
        amount: "1",
        reference: "u1",
        memo: "x",
      }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "a __proto__ key in an order body",
    request: (c) =>
      c.main.signedRequest(
        c.alice,
        "POST",
        "/v1/orders",
        raw(`${JSON.stringify(order()).slice(0, -1)},"__proto__":{"admin":true}}`),
      ),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "a JSON array as the body",
    request: (c) => c.main.signedRequest(c.alice, "POST", "/v1/orders", [order()]),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "an order without a body",
    request: (c) => c.main.signedRequest(c.alice, "POST", "/v1/orders", raw("")),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "timeInForce 'GTD'",
    request: (c) => signedOrder(c, { timeInForce: "GTD" }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "side 'short'",
    request: (c) => signedOrder(c, { side: "short" }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "a 129-character clientOrderId",
    request: (c) => signedOrder(c, { clientOrderId: "x".repeat(129) }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "a market listed with tick 0.05",
    request: (c) =>
      c.main.operatorRequest("POST", "/v1/markets", {
        marketId: "m-bad-tick",
        question: "?",
        tickSize: "0.05",
        resolvesAt: "2030-01-01T00:00:00Z",
      }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "the manual clock set with a string",
    request: (c) => c.main.operatorRequest("POST", "/v1/admin/clock", { at: String(T0 + 1) }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  // ---- prices and quantities ----
  {
    name: "off-tick price 0.605 on a 0.01 market",
    request: (c) => signedOrder(c, { price: "0.605" }),
    expectStatus: 422,
    expectCode: "PRICE_NOT_ON_TICK",
  },
  {
    name: "price 0",
    request: (c) => signedOrder(c, { price: "0" }),
    expectStatus: 422,
    expectCode: "PRICE_OUT_OF_RANGE",
  },
  {
    name: "price 1",
    request: (c) => signedOrder(c, { price: "1" }),
    expectStatus: 422,
    expectCode: "PRICE_OUT_OF_RANGE",
  },
  {
    name: "price 1.5",
    request: (c) => signedOrder(c, { price: "1.5" }),
    expectStatus: 422,
    expectCode: "PRICE_OUT_OF_RANGE",
  },
  {
    name: "price -0.5",
    request: (c) => signedOrder(c, { price: "-0.5" }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "price '5e-1'",
    request: (c) => signedOrder(c, { price: "5e-1" }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "quantity 0",
    request: (c) => signedOrder(c, { quantity: "0" }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "quantity -1",
    request: (c) => signedOrder(c, { quantity: "-1" }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "quantity 1.5",
    request: (c) => signedOrder(c, { quantity: "1.5" }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "quantity above the 1e9 share maximum",
    request: (c) => signedOrder(c, { quantity: "2000000000" }),
    expectStatus: 422,
    expectCode: "INVALID_QUANTITY",
  },
  // ---- unknown things ----
  {
    name: "an order on an unknown market",
    request: (c) => signedOrder(c, { marketId: "no-such-market" }),
    expectStatus: 404,
    expectCode: "UNKNOWN_MARKET",
  },
  {
    name: "GET an unknown market",
    request: () => ({ method: "GET", path: "/v1/markets/no-such-market", headers: {} }),
    expectStatus: 404,
    expectCode: "UNKNOWN_MARKET",
  },
  {
    name: "GET an unknown order",
    request: (c) => c.main.signedRequest(c.alice, "GET", "/v1/orders/o-999999"),
    expectStatus: 404,
    expectCode: "UNKNOWN_ORDER",
  },
  {
    name: "DELETE an unknown order",
    request: (c) => c.main.signedRequest(c.alice, "DELETE", "/v1/orders/o-999999"),
    expectStatus: 404,
    expectCode: "UNKNOWN_ORDER",
  },
  {
    name: "a deposit to an unknown account",
    request: (c) =>
      c.main.operatorRequest("POST", "/v1/accounts/nobody/deposits", { amount: "1", reference: "r" }),
    expectStatus: 404,
    expectCode: "UNKNOWN_ACCOUNT",
  },
  {
    name: "an unknown path",
    request: () => ({ method: "GET", path: "/v1/nothing-here", headers: {} }),
    expectStatus: 404,
    expectCode: "NOT_FOUND",
  },
  {
    name: "a known path with a trailing slash",
    request: () => ({ method: "GET", path: "/v1/health/", headers: {} }),
    expectStatus: 404,
    expectCode: "NOT_FOUND",
  },
  {
    name: "an unrouted method (PUT /v1/orders)",
    request: (c) => c.main.signedRequest(c.alice, "PUT", "/v1/orders", order()),
    expectStatus: 404,
    expectCode: "NOT_FOUND",
  },
  // ---- signatures ----
  {
    name: "a signed path without any signature header",
    request: () => ({
      method: "POST",
      path: "/v1/orders",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(order()),
    }),
    expectStatus: 401,
    expectCode: "UNAUTHENTICATED",
  },
  {
    name: "PMX-SIGNATURE missing",
    request: (c) => {
      const req = signedOrder(c);
      delete req.headers["pmx-signature"];
      return req;
    },
    expectStatus: 401,
    expectCode: "UNAUTHENTICATED",
  },
  {
    name: "PMX-TIMESTAMP not a number",
    request: (c) => c.main.signedRequest(c.alice, "POST", "/v1/orders", order(), { timestamp: "yesterday" }),
    expectStatus: 401,
    expectCode: "UNAUTHENTICATED",
  },
  {
    name: "a tampered signature (one hex digit changed)",
    request: (c) => {
      const req = signedOrder(c);
      const s = req.headers["pmx-signature"]!;
      req.headers["pmx-signature"] = (s[0] === "0" ? "1" : "0") + s.slice(1);
      return req;
    },
    expectStatus: 401,
    expectCode: "BAD_SIGNATURE",
  },
  {
    name: "the body changed after signing (quantity 10 → 99)",
    request: (c) => {
      const req = signedOrder(c, { quantity: "10" });
      req.body = req.body!.replace('"quantity":"10"', '"quantity":"99"');
      return req;
    },
    expectStatus: 401,
    expectCode: "BAD_SIGNATURE",
  },
  {
    name: "a query added after signing",
    request: (c) => {
      const req = c.main.signedRequest(c.alice, "GET", "/v1/orders");
      return { ...req, path: "/v1/orders?status=open" };
    },
    expectStatus: 401,
    expectCode: "BAD_SIGNATURE",
  },
  {
    name: "bob's key signed with alice's secret",
    request: (c) =>
      c.main.signedRequest(
        { apiKey: c.bob.apiKey, apiSecret: c.alice.apiSecret },
        "POST",
        "/v1/orders",
        order(),
      ),
    expectStatus: 401,
    expectCode: "BAD_SIGNATURE",
  },
  {
    name: "a timestamp 31 s behind the gateway's clock",
    request: (c) =>
      c.main.signedRequest(c.alice, "POST", "/v1/orders", order(), {
        timestamp: String(c.main.clockMs - 31_000),
      }),
    expectStatus: 401,
    expectCode: "STALE_TIMESTAMP",
  },
  {
    name: "a timestamp 31 s ahead of the gateway's clock",
    request: (c) =>
      c.main.signedRequest(c.alice, "POST", "/v1/orders", order(), {
        timestamp: String(c.main.clockMs + 31_000),
      }),
    expectStatus: 401,
    expectCode: "STALE_TIMESTAMP",
  },
  {
    name: "an unknown API key",
    request: (c) =>
      c.main.signedRequest(
        { apiKey: "pk_000000000000000000000000", apiSecret: "00" },
        "POST",
        "/v1/orders",
        order(),
      ),
    expectStatus: 401,
    expectCode: "UNAUTHENTICATED",
  },
  {
    name: "a signed POST replayed byte for byte",
    request: async (c) => {
      const req = signedOrder(c, { price: "0.20", quantity: "1" });
      const first = await c.main.send(req);
      expect(first.status, first.text).toBe(201);
      return req;
    },
    expectStatus: 401,
    expectCode: "REPLAYED_SIGNATURE",
  },
  // ---- ownership and roles ----
  {
    name: "GET another account's order",
    request: (c) => c.main.signedRequest(c.bob, "GET", `/v1/orders/${c.aliceOrderId}`),
    expectStatus: 403,
    expectCode: "NOT_ORDER_OWNER",
  },
  {
    name: "DELETE another account's order",
    request: (c) => c.main.signedRequest(c.bob, "DELETE", `/v1/orders/${c.aliceOrderId}`),
    expectStatus: 403,
    expectCode: "NOT_ORDER_OWNER",
  },
  {
    name: "another account's summary with an account key",
    request: (c) => c.main.signedRequest(c.bob, "GET", "/v1/accounts/alice"),
    expectStatus: 403,
    expectCode: "FORBIDDEN",
  },
  {
    name: "an operator path (list a market) with an account key",
    request: (c) =>
      c.main.signedRequest(c.alice, "POST", "/v1/markets", {
        marketId: "m-by-alice",
        question: "Mine?",
        tickSize: "0.01",
        resolvesAt: "2030-01-01T00:00:00Z",
      }),
    expectStatus: 403,
    expectCode: "FORBIDDEN",
  },
  {
    name: "an operator path (solvency audit) with an account key",
    request: (c) => c.main.signedRequest(c.alice, "GET", "/v1/audit/solvency"),
    expectStatus: 403,
    expectCode: "FORBIDDEN",
  },
  {
    name: "an operator path with a wrong bearer token",
    request: (c) => ({
      ...c.main.operatorRequest("POST", "/v1/accounts/alice/deposits", { amount: "1", reference: "wb" }),
      headers: { authorization: "Bearer not-the-token", "content-type": "application/json" },
    }),
    expectStatus: 401,
    expectCode: "UNAUTHENTICATED",
  },
  {
    name: "an operator path with a Basic authorization",
    request: () => ({
      method: "GET",
      path: "/v1/audit/solvency",
      headers: { authorization: "Basic b3A6b3A=" },
    }),
    expectStatus: 401,
    expectCode: "UNAUTHENTICATED",
  },
  {
    name: "an operator path with no authentication",
    request: () => ({
      method: "POST",
      path: "/v1/markets/m/resolve",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ outcome: "YES" }),
    }),
    expectStatus: 401,
    expectCode: "UNAUTHENTICATED",
  },
  // ---- limits and media ----
  {
    name: `a body larger than PMX_BODY_LIMIT (${BODY_LIMIT} bytes)`,
    request: (c) => signedOrder(c, { clientOrderId: "big", padding: "x".repeat(BODY_LIMIT * 2) }),
    expectStatus: 413,
    expectCode: "BODY_TOO_LARGE",
  },
  {
    name: "a text/plain body",
    request: (c) => {
      const req = signedOrder(c);
      req.headers["content-type"] = "text/plain";
      return req;
    },
    expectStatus: 415,
    expectCode: "UNSUPPORTED_MEDIA_TYPE",
  },
  {
    name: "a form-encoded operator body",
    request: (c) => ({
      method: "POST",
      path: "/v1/accounts",
      headers: {
        authorization: `Bearer ${c.main.token}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "accountId=mallory",
    }),
    expectStatus: 415,
    expectCode: "UNSUPPORTED_MEDIA_TYPE",
  },
  {
    name: "book depth=abc",
    request: () => ({ method: "GET", path: `/v1/markets/${M}/book?depth=abc`, headers: {} }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "book depth=0",
    request: () => ({ method: "GET", path: `/v1/markets/${M}/book?depth=0`, headers: {} }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "trades limit=1001",
    request: () => ({ method: "GET", path: `/v1/markets/${M}/trades?limit=1001`, headers: {} }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "an unknown query parameter",
    request: () => ({ method: "GET", path: "/v1/markets?sort=volume", headers: {} }),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  {
    name: "orders filtered by status=pending",
    request: (c) => c.main.signedRequest(c.alice, "GET", "/v1/orders?status=pending"),
    expectStatus: 400,
    expectCode: "INVALID_REQUEST",
  },
  // ---- exchange rules ----
  {
    name: "leverage 2 on a 1x market",
    request: (c) => signedOrder(c, { leverage: "2" }),
    expectStatus: 422,
    expectCode: "LEVERAGE_TOO_HIGH",
  },
  {
    name: "leverage 0.5",
    request: (c) => signedOrder(c, { leverage: "0.5" }),
    expectStatus: 422,
    expectCode: "INVALID_LEVERAGE",
  },
  {
    name: "leverage on a sell",
    request: (c) => signedOrder(c, { side: "sell", leverage: "2" }),
    expectStatus: 422,
    expectCode: "INVALID_LEVERAGE",
  },
  {
    name: "a buy costing more than the free cash (bob: 100; 0.50 × 1000 + fee)",
    request: (c) =>
      c.main.signedRequest(c.bob, "POST", "/v1/orders", order({ price: "0.50", quantity: "1000" })),
    expectStatus: 422,
    expectCode: "INSUFFICIENT_FUNDS",
  },
  {
    name: "a withdrawal above the free cash",
    request: (c) =>
      c.main.signedRequest(c.bob, "POST", "/v1/withdrawals", { amount: "100.000001", reference: "w1" }),
    expectStatus: 422,
    expectCode: "INSUFFICIENT_FUNDS",
  },
  {
    name: "selling YES shares not held",
    request: (c) => c.main.signedRequest(c.bob, "POST", "/v1/orders", order({ side: "sell", price: "0.70" })),
    expectStatus: 422,
    expectCode: "INSUFFICIENT_SHARES",
  },
  {
    name: "postOnly with IOC",
    request: (c) => signedOrder(c, { postOnly: true, timeInForce: "IOC" }),
    expectStatus: 422,
    expectCode: "INVALID_ORDER_TERMS",
  },
  {
    name: "an order on a halted market",
    request: (c) => signedOrder(c, { marketId: HALTED }),
    expectStatus: 422,
    expectCode: "MARKET_NOT_OPEN",
  },
  {
    name: "an order on a resolved market",
    request: (c) => signedOrder(c, { marketId: RESOLVED }),
    expectStatus: 422,
    expectCode: "MARKET_NOT_OPEN",
  },
  {
    name: "resolving a resolved market",
    request: (c) => c.main.operatorRequest("POST", `/v1/markets/${RESOLVED}/resolve`, { outcome: "NO" }),
    expectStatus: 422,
    expectCode: "MARKET_RESOLVED",
  },
  {
    name: "resuming an open market",
    request: (c) => c.main.operatorRequest("POST", `/v1/markets/${M}/resume`, {}),
    expectStatus: 422,
    expectCode: "MARKET_NOT_HALTED",
  },
  {
    name: "cancelling an order already cancelled",
    request: (c) => c.main.signedRequest(c.alice, "DELETE", `/v1/orders/${c.aliceCancelledOrderId}`),
    expectStatus: 422,
    expectCode: "ORDER_NOT_OPEN",
  },
  {
    name: "the manual clock set backwards",
    request: (c) => c.main.operatorRequest("POST", "/v1/admin/clock", { at: c.main.clockMs - 1 }),
    expectStatus: 422,
    expectCode: "CLOCK_BACKWARDS",
  },
  // ---- conflicts ----
  {
    name: "opening an account that exists",
    request: (c) => c.main.operatorRequest("POST", "/v1/accounts", { accountId: "alice" }),
    expectStatus: 409,
    expectCode: "ACCOUNT_EXISTS",
  },
  {
    name: "listing a market that exists",
    request: (c) =>
      c.main.operatorRequest("POST", "/v1/markets", {
        marketId: M,
        question: "Again?",
        tickSize: "0.01",
        resolvesAt: "2030-01-01T00:00:00Z",
      }),
    expectStatus: 409,
    expectCode: "MARKET_EXISTS",
  },
  {
    name: "a deposit reference reused with another amount",
    request: (c) =>
      c.main.operatorRequest("POST", "/v1/accounts/alice/deposits", {
        amount: "999",
        reference: "wire-alice-1",
      }),
    expectStatus: 409,
    expectCode: "IDEMPOTENCY_CONFLICT",
  },
  {
    name: "a clientOrderId reused for another order",
    request: (c) => signedOrder(c, { clientOrderId: "a-rest", price: "0.41" }),
    expectStatus: 409,
    expectCode: "IDEMPOTENCY_CONFLICT",
  },
  // ---- the second gateway: PMX_RATE_LIMIT_PER_KEY=2 (burst 4), system clock ----
  {
    name: "setting the clock of a system-clock gateway",
    on: "limited",
    request: (c) => c.limited.operatorRequest("POST", "/v1/admin/clock", { at: Date.now() + 60_000 }),
    expectStatus: 422,
    expectCode: "CLOCK_NOT_MANUAL",
  },
  {
    name: "a burst past the per-key rate limit",
    on: "limited",
    request: async (c) => {
      await drain(c.limited, c.erin);
      return c.limited.signedRequest(c.erin, "POST", "/v1/orders", order({ price: "0.10", quantity: "1" }));
    },
    expectStatus: 429,
    expectCode: "RATE_LIMITED",
    expectHeaders: { "retry-after": /^[1-9][0-9]*$/ },
  },
];

describe("hostile requests: each refused with its documented status and code, appending nothing", () => {
  let main: Gateway;
  let limited: Gateway;
  let ctx: Ctx;

  beforeAll(async () => {
    [main, limited] = await Promise.all([
      startGateway({ env: { PMX_BODY_LIMIT: String(BODY_LIMIT) } }),
      startGateway({ env: { PMX_RATE_LIMIT_PER_KEY: "2", PMX_CLOCK: "system" } }),
    ]);
    const api = new Client(main.url, main.token);
    await api.setClock(T0);
    const alice = await api.openAccount("alice");
    const bob = await api.openAccount("bob");
    await api.deposit("alice", "1000", "wire-alice-1");
    await api.deposit("bob", "100", "wire-bob-1");
    for (const marketId of [M, HALTED, RESOLVED]) await api.listMarket({ marketId, takerFeeBps: 20 });
    expect((await api.op("POST", `/v1/markets/${HALTED}/halt`, {})).status).toBe(200);
    expect((await api.op("POST", `/v1/markets/${RESOLVED}/resolve`, { outcome: "NO" })).status).toBe(200);
    const resting = await api.as(
      alice,
      "POST",
      "/v1/orders",
      order({ clientOrderId: "a-rest", price: "0.40" }),
    );
    expect(resting.status, resting.text).toBe(201);
    const gone = await api.as(alice, "POST", "/v1/orders", order({ clientOrderId: "a-gone", price: "0.39" }));
    expect(gone.status, gone.text).toBe(201);
    expect((await api.as(alice, "DELETE", `/v1/orders/${gone.body.orderId}`)).status).toBe(200);

    const second = new Client(limited.url, limited.token);
    second.clockMs = Date.now();
    // The system clock moves: sign with the real time.
    second.timestamp = () => String(Date.now());
    // Three operator requests fit in the burst of 4.
    const erin = await second.openAccount("erin");
    await second.deposit("erin", "100", "wire-erin-1");
    await second.listMarket({ marketId: M });
    ctx = {
      main: api,
      limited: second,
      alice,
      bob,
      erin,
      aliceOrderId: resting.body.orderId,
      aliceCancelledOrderId: gone.body.orderId,
    };
  });

  afterAll(stopAllGateways);

  it("given the table, then it holds at least 40 cases with distinct names", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases)(
    "given a running gateway, when $name, then $expectStatus $expectCode and nothing is appended",
    async (kase) => {
      const gw = kase.on === "limited" ? limited : main;
      const req = await kase.request(ctx);
      const before = await gw.logLength();
      const res: ApiResponse = await (kase.on === "limited" ? ctx.limited : ctx.main).send(req);
      expectApiError(res, kase.expectStatus, kase.expectCode);
      for (const [name, pattern] of Object.entries(kase.expectHeaders ?? {}))
        expect(res.headers.get(name), name).toMatch(pattern);
      expect(await gw.logLength()).toBe(before);
    },
  );

  it("given the gateway's own OpenAPI document, then every case's status and code are documented there together", async () => {
    const res = await ctx.main.send({ method: "GET", path: "/v1/openapi.json", headers: {} });
    expect(res.status).toBe(200);
    const responses = res.body.components?.responses ?? {};
    const undocumented = cases
      .filter(
        (k) => !JSON.stringify(responses[`Error${k.expectStatus}`] ?? null).includes(`"${k.expectCode}"`),
      )
      .map((k) => `${k.expectStatus} ${k.expectCode} (${k.name})`);
    expect(undocumented).toEqual([]);
  });

  it("given PMX_MAX_QUEUE=1, when signed orders arrive 100 at once, then the overflow is answered 503 SEQUENCER_SATURATED with Retry-After and only the accepted orders are in the log", async () => {
    const small = await startGateway({ env: { PMX_MAX_QUEUE: "1" } });
    const api = new Client(small.url, small.token);
    await api.setClock(T0);
    const gil = await api.openAccount("gil");
    await api.deposit("gil", "10000", "wire-gil-1");
    await api.listMarket({ marketId: M });
    const answers: ApiResponse[] = [];
    // Whether two commands wait at once depends on how the requests interleave: up to five volleys.
    for (let volley = 0; volley < 5 && !answers.some((r) => r.status === 503); volley++)
      answers.push(
        ...(await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            api.as(
              gil,
              "POST",
              "/v1/orders",
              order({ outcome: i % 2 === 0 ? "YES" : "NO", price: "0.50", quantity: "1" }),
            ),
          ),
        )),
      );
    const accepted = answers.filter((r) => r.status === 201);
    const saturated = answers.filter((r) => r.status !== 201);
    expect(accepted.length).toBeGreaterThan(0);
    expect(saturated.length, "no volley ever had two commands waiting").toBeGreaterThan(0);
    for (const r of saturated) {
      expectApiError(r, 503, "SEQUENCER_SATURATED");
      expect(r.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
    }
    const orders = await api.as(gil, "GET", "/v1/orders");
    expect(orders.body.orders).toHaveLength(accepted.length);
    await api.expectSolvent();
  });

  it("given an order refused INSUFFICIENT_FUNDS, when the same clientOrderId is placed after a deposit, then it is accepted: a refusal consumes nothing", async () => {
    const body = order({ clientOrderId: "b-refused-first", price: "0.50", quantity: "300" });
    const refused = await ctx.main.as(ctx.bob, "POST", "/v1/orders", body);
    expectApiError(refused, 422, "INSUFFICIENT_FUNDS");
    await ctx.main.deposit("bob", "200", "wire-bob-2");
    const accepted = await ctx.main.as(ctx.bob, "POST", "/v1/orders", body);
    expect(accepted.status, accepted.text).toBe(201);
    expect(accepted.body).toMatchObject({
      clientOrderId: "b-refused-first",
      status: "open",
      quantity: "300",
    });
  });

  it("given a signed order refused 429 before it was executed, when the identical request is sent again after Retry-After, then it is executed, not refused as a replay", async () => {
    const before = await limited.logLength();
    await drain(ctx.limited, ctx.erin);
    const req = ctx.limited.signedRequest(
      ctx.erin,
      "POST",
      "/v1/orders",
      order({ clientOrderId: "e-429", price: "0.20", quantity: "1" }),
    );
    const limitedRes = await ctx.limited.send(req);
    expectApiError(limitedRes, 429, "RATE_LIMITED");
    const wait = Number(limitedRes.headers.get("retry-after"));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(await limited.logLength()).toBe(before);
    await sleep(wait * 1000 + 100);

    // HTTP's meaning of 429 + Retry-After is "send it again later"; nothing of the first attempt was executed.
    const retried = await ctx.limited.send(req);
    expect(retried.status, retried.text).toBe(201);
    expect(retried.body).toMatchObject({ clientOrderId: "e-429", status: "open" });
  });

  it("given every hostile case was answered, then the log on disk holds exactly what the gateway reports and solvency holds", async () => {
    expect(main.logLengthOnDisk()).toBe(await main.logLength());
    expect(limited.logLengthOnDisk()).toBe(await limited.logLength());
    await ctx.main.expectSolvent();
    const health = await ctx.main.health();
    expect(health.status).toBe("ok");
  });
});
