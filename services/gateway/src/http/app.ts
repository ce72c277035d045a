// The HTTP API of the gateway (docs/http-api.md): routes, validation, auth, limits, errors.

import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { Ed25519PublicKey, RiskParamsInput } from "@pmx/domain";
import {
  accountView,
  activityView,
  bookView,
  candlesOf,
  eventView,
  insuranceView,
  type MarketView,
  marketView,
  pageBackward,
  poolView,
  tradeView,
} from "@pmx/projections";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import type * as t from "io-ts";
import type { Logger } from "pino";
import { ClockError, ManualClock } from "../clock.js";
import type { GatewayConfig } from "../config.js";
import {
  type Credential,
  type CredentialStore,
  CredentialsNotStored,
  type KeyScope,
} from "../credentials.js";
import type { Exchange } from "../exchange.js";
import { type LiabilityTree, proofOf } from "../liabilities.js";
import type { Metrics } from "../metrics.js";
import { ReplayGuard } from "../replay-guard.js";
import {
  AdmissionRefused,
  type CommandInput,
  type Outcome,
  SequencerUnavailable,
  type SubmitAuth,
} from "../sequencer.js";
import * as A from "./account-commands.js";
import { Authenticator, type Principal } from "./auth.js";
import * as B from "./bodies.js";
import { registerConsole } from "./console-route.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { ApiError, fromRejection, gatewayError } from "./errors.js";
import { followProblem, followView } from "./follow-health.js";
import { openApiDocument } from "./openapi.js";
import { RateLimiter } from "./rate-limit.js";
import { registerRiskRoutes } from "./risk-routes.js";

declare module "fastify" {
  interface FastifyRequest {
    rawBody: string;
    startedAt: number;
    /** The log position a write's commands reached (for the PMX-HEAD header), set by `submit`. */
    written?: WrittenAt;
  }
}

/** The log position holding what a request wrote: the last event's revision and the chain head after it. */
interface WrittenAt {
  revision: number;
  head: string | null;
  /** Who authorized the request's commands (stored with them): the operator, or an account's Ed25519 signature. */
  auth?: SubmitAuth;
}

/** The request being answered, as seen from `submit` (which route handlers call without their request). */
const writing = new AsyncLocalStorage<WrittenAt>();

export interface AppDeps {
  config: GatewayConfig;
  exchange: Exchange;
  credentials: CredentialStore;
  operatorToken: string;
  metrics: Metrics;
  logger: Logger;
  /** The data folder (durable stores): the replay guard keeps its file there. */
  dataDir?: string | null;
}

/** Decodes `value` with `codec`; a failure is a 400 INVALID_REQUEST naming the field and what was expected. */
export function decodeOr400<A>(codec: t.Decoder<unknown, A>, value: unknown, where: string): A {
  const result = codec.decode(value);
  if (result._tag === "Right") return result.right;
  const problems = result.left.slice(0, 5).map((e) => {
    const path = e.context
      .map((c) => c.key)
      .filter((k) => k !== "" && !/^\d+$/.test(k))
      .join(".");
    return {
      field: path || where,
      message: e.message ?? `expected ${e.context[e.context.length - 1]?.type.name ?? "a valid value"}`,
    };
  });
  const first = problems[0]!;
  throw new ApiError(400, "INVALID_REQUEST", `${where}: ${first.field}: ${first.message}`, { problems });
}

/** What a too-large body is read and discarded up to, so that its 413 reaches the client (beyond: closed as is). */
export const MAX_DRAIN_BYTES = 64 * 1024 * 1024;
const MAX_DRAIN_MS = 10_000;

/** Reads and discards the rest of a request body until it ends, or `maxBytes` / `maxMs` are spent. */
function drainBody(
  raw: NodeJS.ReadableStream & { readableEnded?: boolean; complete?: boolean },
  maxBytes: number,
  maxMs: number,
): Promise<void> {
  if (raw.readableEnded || raw.complete) return Promise.resolve();
  return new Promise((resolve) => {
    let bytes = 0;
    const done = () => {
      clearTimeout(timer);
      raw.removeListener("data", onData);
      raw.removeListener("end", done);
      raw.removeListener("close", done);
      raw.removeListener("error", done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) done();
    };
    const timer = setTimeout(done, maxMs);
    raw.on("data", onData);
    raw.once("end", done);
    raw.once("close", done);
    raw.once("error", done);
    raw.resume();
  });
}

/** Writes that take a query string (the filter of a cancel-all); every other write takes none. */
const WRITES_WITH_QUERY = /^DELETE (\/v1\/orders|\/v1\/accounts\/[^/?]+\/orders)\?/;

const CANDLE_MS = { "1m": 60_000, "5m": 300_000, "1h": 3_600_000, "1d": 86_400_000 } as const;

/** Which markets `GET /v1/markets?status=` keeps: `closed` is the phase past resolvesAt, not yet resolved. */
const MARKET_FILTER: Record<B.MarketStatusFilter, (m: MarketView) => boolean> = {
  open: (m) => m.status === "open" && m.phase !== "closed",
  halted: (m) => m.status === "halted",
  closed: (m) => m.phase === "closed",
  resolved: (m) => m.status === "resolved",
};

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, exchange, credentials, metrics } = deps;
  let requestCounter = 0;
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as unknown as FastifyBaseLogger,
    // One structured line per request comes from the onResponse hook below, not Fastify's pair of lines.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    // On close: in-flight requests finish, idle keep-alive connections are closed, new requests get our 503.
    forceCloseConnections: "idle",
    return503OnClosing: false,
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && /^[\w.-]{1,64}$/.test(given)
        ? given
        : `r${(++requestCounter).toString(36)}`;
    },
    routerOptions: { ignoreTrailingSlash: false },
  });
  const now = () => exchange.clock.now();
  // The leader writes the guard's file; a follower reads it when promoted (the old leader's signatures included).
  const replays = new ReplayGuard(
    config.signatureWindowMs,
    deps.dataDir ?? null,
    now,
    exchange.role === "leader",
  );
  exchange.on("promoted", () => replays.lead());
  app.addHook("onClose", async () => replays.close());
  const auth = new Authenticator(deps.operatorToken, credentials, now, config.signatureWindowMs, replays);
  const perKey = new RateLimiter(config.rateLimitPerKey);
  const perIp = new RateLimiter(config.rateLimitPerIp);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (req, body, done) => {
    const raw = body as string;
    req.rawBody = raw;
    if (raw.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(raw));
    } catch {
      done(new ApiError(400, "MALFORMED_JSON", "the body is not valid JSON"), undefined);
    }
  });

  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  // While draining, every answer closes its connection, so a client's keep-alive cannot hold the shutdown open.
  app.addHook("onSend", async (req, reply, payload) => {
    if (closing) reply.header("connection", "close");
    // A write's answer names the log position that made it durable: an auditor can later pin that head.
    if (req.written?.head && req.written.revision >= 0 && reply.statusCode < 300)
      reply.header("pmx-head", `${req.written.revision}:${req.written.head}`);
    return payload;
  });
  // Every write runs in its own context, so that `submit` can tell the onSend hook where its commands were written.
  // Reads write nothing and skip it (no async context on the read paths).
  app.addHook("onRequest", (req, _reply, done) => {
    if (req.method === "GET" || req.method === "HEAD") return done();
    req.written = { revision: -1, head: null };
    writing.run(req.written, done);
  });

  app.addHook("onRequest", async (req, reply) => {
    req.startedAt = performance.now();
    req.rawBody = "";
    reply.header("x-request-id", req.id);
    if (closing) {
      reply.header("connection", "close");
      throw gatewayError("SHUTTING_DOWN", "the gateway is shutting down", undefined, { "retry-after": "1" });
    }
    const path = req.url.split("?", 1)[0];
    if (path === "/v1/health" || path === "/metrics") return;
    const wait = perIp.take(req.ip);
    if (wait > 0)
      throw gatewayError(
        "RATE_LIMITED",
        "too many requests from this address",
        { retryAfterSeconds: wait },
        { "retry-after": String(wait) },
      );
    // Writes are named by their path and body alone: a query string on one is a mistake, not something to ignore.
    if (req.method !== "GET" && req.url.includes("?") && !WRITES_WITH_QUERY.test(`${req.method} ${req.url}`))
      throw gatewayError("UNEXPECTED_QUERY", "this request takes no query parameters");
  });

  app.addHook("onResponse", async (req, reply) => {
    const ms = performance.now() - req.startedAt;
    const route = req.routeOptions.url ?? "unmatched";
    metrics.request(req.method, route, reply.statusCode, ms);
    req.log.info(
      {
        reqId: req.id,
        method: req.method,
        route,
        url: req.url,
        status: reply.statusCode,
        ms: Math.round(ms * 100) / 100,
      },
      "request",
    );
  });

  app.setErrorHandler(async (error: unknown, req, reply) => {
    let api: ApiError;
    if (error instanceof ApiError) api = error;
    else {
      const e = error as { code?: string; statusCode?: number; message?: string };
      if (e.code === "FST_ERR_CTP_BODY_TOO_LARGE")
        api = gatewayError("BODY_TOO_LARGE", `the body is larger than ${config.bodyLimitBytes} bytes`);
      else if (e.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" || e.code === "FST_ERR_CTP_INVALID_CONTENT_LENGTH")
        api = gatewayError("UNSUPPORTED_MEDIA_TYPE", "bodies are application/json");
      else if (e.code === "FST_ERR_CTP_EMPTY_JSON_BODY" || e.code === "FST_ERR_CTP_INVALID_JSON_BODY")
        api = new ApiError(400, "MALFORMED_JSON", "the body is not valid JSON");
      else if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500)
        api = new ApiError(e.statusCode, "INVALID_REQUEST", e.message ?? "bad request");
      else {
        req.log.error({ err: error, reqId: req.id }, "unexpected error");
        api = gatewayError("INTERNAL", "an unexpected error; nothing was appended for this request");
      }
    }
    if (api.headers) for (const [k, v] of Object.entries(api.headers)) reply.header(k, v);
    if (api.code === "BODY_TOO_LARGE") {
      // Answering (and closing) while the client still sends makes it fail with EPIPE before it reads the 413:
      // the rest of the body is read and discarded first, up to a bound, then the connection is closed.
      reply.header("connection", "close");
      await drainBody(req.raw, MAX_DRAIN_BYTES, MAX_DRAIN_MS);
    }
    return reply.code(api.status).send(api.body());
  });

  app.setNotFoundHandler((req, reply) => {
    void reply
      .code(404)
      .send(gatewayError("NOT_FOUND", `no route ${req.method} ${req.url.split("?")[0]}`).body());
  });

  // ---- authentication helpers ----
  const header = (req: FastifyRequest, name: string): string | undefined => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const limitKey = (key: string, count = 1) => {
    const wait = perKey.take(key, count);
    if (wait > 0)
      throw gatewayError(
        "RATE_LIMITED",
        "too many requests for this key",
        { retryAfterSeconds: wait },
        { "retry-after": String(wait) },
      );
  };
  const signed = (req: FastifyRequest): Principal => {
    const principal = auth.account(
      {
        key: header(req, "pmx-key"),
        timestamp: header(req, "pmx-timestamp"),
        signature: header(req, "pmx-signature"),
      },
      req.method,
      req.url,
      req.rawBody,
      limitKey,
    );
    // An Ed25519-signed write is stored with its commands, exactly as signed.
    if (req.written && principal.kind === "account" && principal.signed)
      req.written.auth = { by: "account", ...principal.signed };
    return principal;
  };

  const operator = (req: FastifyRequest): void => {
    const principal = auth.operator(header(req, "authorization"));
    if (principal) {
      limitKey("operator");
      // Operator writes are recorded with the operator key's signature (the sequencer signs them).
      if (req.written) req.written.auth = { by: "operator" };
      return;
    }
    if (header(req, "pmx-key")) {
      signed(req);
      throw gatewayError("FORBIDDEN", "this is an operator endpoint; account keys may not use it");
    }
    throw gatewayError("UNAUTHENTICATED", "operator endpoints need Authorization: Bearer <operator token>");
  };
  /** The operator (any account) or the signed account itself. */
  const accountOrOperator = (req: FastifyRequest, accountId: string): void => {
    if (header(req, "authorization")) {
      operator(req);
      return;
    }
    const p = signed(req);
    if (p.kind === "account" && p.accountId !== accountId)
      throw gatewayError("FORBIDDEN", "an account may only see its own data");
  };
  const accountOf = (p: Principal): string => {
    if (p.kind !== "account") throw gatewayError("FORBIDDEN", "this endpoint is for accounts");
    return p.accountId;
  };

  // ---- command submission ----
  /** The API error of a command the sequencer would not take (saturated, stopped, over the open-order cap); else rethrown. */
  const unavailable = (error: unknown): ApiError => {
    if (error instanceof SequencerUnavailable)
      return gatewayError(error.code, error.message, undefined, { "retry-after": "1" });
    if (error instanceof AdmissionRefused) return gatewayError(error.code, error.message, error.details);
    throw error;
  };
  /** Tells the onSend hook the log position a write of this request reached (its PMX-HEAD). */
  const recordWritten = (outcome: Extract<Outcome, { ok: true }>): void => {
    const written = writing.getStore();
    if (written && outcome.revision >= written.revision) {
      written.revision = outcome.revision;
      written.head = outcome.head;
    }
  };
  const submit = async (input: CommandInput): Promise<Extract<Outcome, { ok: true }>> => {
    let outcome: Outcome;
    try {
      outcome = await exchange.submit(input, writing.getStore()?.auth);
    } catch (error) {
      throw unavailable(error);
    }
    if (!outcome.ok) throw fromRejection(outcome.rejection);
    recordWritten(outcome);
    return outcome;
  };
  const body = (req: FastifyRequest): unknown => (req.body === undefined ? {} : req.body);
  const needsBody = (req: FastifyRequest): unknown => {
    if (req.body === undefined) throw new ApiError(400, "INVALID_REQUEST", "a JSON body is required");
    return req.body;
  };
  const state = () => exchange.projection.state;
  const marketOr404 = (marketId: string) => {
    const m = state().markets.get(marketId);
    if (!m) throw new ApiError(404, "UNKNOWN_MARKET", `no market ${marketId}`, { marketId });
    return m;
  };
  const accountSummary = (accountId: string) => {
    const v = accountView(state(), accountId);
    if (!v) throw new ApiError(404, "UNKNOWN_ACCOUNT", `no account ${accountId}`, { accountId });
    return { ...v, holdings: exchange.projection.holdings(accountId) };
  };
  const noQuery = (req: FastifyRequest) => decodeOr400(B.NoQuery, { ...(req.query as object) }, "query");
  const send = (reply: FastifyReply, status: number, payload: unknown) => reply.code(status).send(payload);

  // ---- public ----
  app.get("/v1/health", async (req) => {
    noQuery(req);
    const p = exchange.projection;
    // A leader that cannot write (writes stopped, or its files cannot be written now) is degraded, saying why.
    const stopped = exchange.writesStopped;
    // A follower that is not following the log (or still catching up after a drop) serves stale reads: degraded.
    const follow = exchange.follow;
    const problem =
      exchange.role === "leader" ? (stopped ?? exchange.storeProblem()) : follow && followProblem(follow);
    return {
      status: problem ? "degraded" : "ok",
      ...(problem ? { reason: problem } : {}),
      ...(follow ? { follow: followView(follow) } : {}),
      sequence: p.lastSeq,
      head: p.head,
      events: p.eventCount,
      writable: stopped === null && problem === null,
      role: exchange.role,
      ...(stopped ? { writesStopped: stopped } : {}),
      clock: exchange.clock.kind,
      time: new Date(exchange.clock.now()).toISOString(),
    };
  });
  app.get("/v1/openapi.json", async () => openApiDocument());
  app.get("/metrics", async (_req, reply) => {
    const s = exchange.stats;
    void reply.type(metrics.contentType);
    const p = exchange.projection;
    return metrics.render(
      { ...s, eventCount: p.eventCount, writesStopped: exchange.writesStopped !== null },
      { state: p.state, risk: p.riskRecord },
    );
  });
  app.get("/v1/markets", async (req) => {
    const q = decodeOr400(B.MarketsQuery, { ...(req.query as object) }, "query");
    const now = exchange.clock.now();
    const limit = q.limit ?? 100;
    const byStatus = q.status ? MARKET_FILTER[q.status] : () => true;
    const keep =
      q.eventId === undefined ? byStatus : (v: MarketView) => v.eventId === q.eventId && byStatus(v);
    // The cursor belongs to its filters (status, and event when named).
    const scope = q.eventId === undefined ? (q.status ?? "") : `${q.status ?? ""}|${q.eventId}`;
    // Listing order (oldest first, as before pagination); the cursor is the listing number to continue from.
    let index = decodeCursor(q.cursor, "markets", scope) ?? 0;
    const all = [...state().markets.values()];
    const markets: MarketView[] = [];
    let nextCursor: string | null = null;
    for (; index < all.length; index++) {
      const view = marketView(all[index]!, now);
      if (!keep(view)) continue;
      if (markets.length === limit) {
        nextCursor = encodeCursor("markets", scope, index);
        break;
      }
      markets.push(view);
    }
    return { markets, nextCursor };
  });
  app.get("/v1/markets/:marketId", async (req) => {
    noQuery(req);
    const { marketId } = decodeOr400(B.MarketIdParam, req.params, "path");
    return marketView(marketOr404(marketId), exchange.clock.now());
  });
  app.get("/v1/markets/:marketId/book", async (req) => {
    const { marketId } = decodeOr400(B.MarketIdParam, req.params, "path");
    const q = decodeOr400(B.BookQuery, { ...(req.query as object) }, "query");
    const book = bookView(marketOr404(marketId), q.depth ?? 10);
    return { ...book, sequence: exchange.projection.bookSequence(marketId) };
  });
  app.get("/v1/markets/:marketId/trades", async (req) => {
    const { marketId } = decodeOr400(B.MarketIdParam, req.params, "path");
    const q = decodeOr400(B.TradesQuery, { ...(req.query as object) }, "query");
    marketOr404(marketId);
    const before = decodeCursor(q.cursor, "trades", marketId);
    const page = pageBackward(
      exchange.projection.tradesOf(marketId),
      (t) => t.sequence,
      q.limit ?? 100,
      before,
    );
    return {
      trades: page.items.map(tradeView),
      nextCursor: page.next === null ? null : encodeCursor("trades", marketId, page.next),
    };
  });
  app.get("/v1/markets/:marketId/candles", async (req) => {
    const { marketId } = decodeOr400(B.MarketIdParam, req.params, "path");
    const q = decodeOr400(B.CandlesQuery, { ...(req.query as object) }, "query");
    marketOr404(marketId);
    const fromMs = q.from === undefined ? 0 : Date.parse(q.from);
    const toMs = q.to === undefined ? Number.MAX_SAFE_INTEGER : Date.parse(q.to);
    if (fromMs >= toMs)
      throw gatewayError("INVALID_TIME_RANGE", "query: from must be before to", { from: q.from, to: q.to });
    const scope = `${marketId}/${q.interval}`;
    const resume = decodeCursor(q.cursor, "candles", scope);
    const page = candlesOf(
      exchange.projection.tradesOf(marketId),
      CANDLE_MS[q.interval],
      Math.max(fromMs, resume ?? 0),
      toMs,
      q.limit ?? 100,
    );
    return {
      marketId,
      interval: q.interval,
      candles: page.candles,
      nextCursor: page.next === null ? null : encodeCursor("candles", scope, page.next),
    };
  });

  // ---- operator ----
  app.post("/v1/accounts", async (req, reply) => {
    operator(req);
    const b = decodeOr400(B.OpenAccountBody, body(req), "body");
    const accountId = b.accountId ?? `acct-${randomBytes(6).toString("hex")}`;
    if (state().accounts.has(accountId))
      throw new ApiError(409, "ACCOUNT_EXISTS", `account ${accountId} already exists`, { accountId });
    // The credential is made durable before it is valid: if the append then fails, it is revoked (and opens nothing
    // meanwhile: a key is valid only while its account exists); a retry of the creation replaces it.
    let credential: Credential;
    try {
      credential = credentials.issue(accountId, exchange.clock.now());
    } catch (error) {
      if (error instanceof CredentialsNotStored)
        throw gatewayError("CREDENTIALS_NOT_STORED", `${error.message}; no account was opened`, {
          accountId,
        });
      throw error;
    }
    try {
      await submit({ type: "OpenAccount", accountId });
    } catch (error) {
      credentials.revoke(credential.apiKey);
      throw error;
    }
    return send(reply, 201, { accountId, apiKey: credential.apiKey, apiSecret: credential.apiSecret });
  });
  app.get("/v1/accounts/:accountId", async (req) => {
    const { accountId } = decodeOr400(B.AccountIdParam, req.params, "path");
    accountOrOperator(req, accountId);
    return accountSummary(accountId);
  });
  app.post("/v1/accounts/:accountId/deposits", async (req) => {
    operator(req);
    const { accountId } = decodeOr400(B.AccountIdParam, req.params, "path");
    const b = decodeOr400(B.MoneyMovementBody, needsBody(req), "body");
    await submit({ type: "Deposit", accountId, amount: b.amount, reference: b.reference });
    return accountSummary(accountId);
  });
  app.post("/v1/markets", async (req, reply) => {
    operator(req);
    const b = decodeOr400(B.ListMarketBody, needsBody(req), "body");
    const command: CommandInput = {
      type: "ListMarket",
      marketId: b.marketId,
      question: b.question,
      tickSize: b.tickSize,
      resolvesAt: b.resolvesAt,
    };
    const listing = command as Record<string, unknown>;
    if (b.takerFeeBps !== undefined) listing.takerFeeBps = b.takerFeeBps;
    for (const key of Object.keys(RiskParamsInput)) {
      const value = (b as Record<string, unknown>)[key];
      if (value !== undefined) listing[key] = value;
    }
    await submit(command);
    return send(reply, 201, marketView(marketOr404(b.marketId), exchange.clock.now()));
  });
  // ---- events of several outcomes ----
  const eventOr404 = (eventId: string) => {
    const view = eventView(state(), eventId, exchange.clock.now());
    if (!view) throw new ApiError(404, "UNKNOWN_EVENT", `no event ${eventId}`, { eventId });
    return view;
  };
  app.post("/v1/events", async (req, reply) => {
    operator(req);
    const b = decodeOr400(B.ListEventBody, needsBody(req), "body");
    const command: Record<string, unknown> = {
      type: "ListEvent",
      eventId: b.eventId,
      title: b.title,
      tickSize: b.tickSize ?? "0.01",
      resolvesAt: b.resolvesAt,
      outcomes: b.outcomes.map((o) => ({ marketId: o.marketId, question: o.question })),
    };
    if (b.takerFeeBps !== undefined) command.takerFeeBps = b.takerFeeBps;
    for (const key of Object.keys(RiskParamsInput)) {
      const value = (b as Record<string, unknown>)[key];
      if (value !== undefined) command[key] = value;
    }
    await submit(command as CommandInput);
    return send(reply, 201, eventOr404(b.eventId));
  });
  app.get("/v1/events", async (req) => {
    noQuery(req);
    return { events: [...state().eventGroups.keys()].map(eventOr404) };
  });
  app.get("/v1/events/:eventId", async (req) => {
    noQuery(req);
    const { eventId } = decodeOr400(B.EventIdParam, req.params, "path");
    return eventOr404(eventId);
  });
  app.post("/v1/events/:eventId/convert", async (req) => {
    const accountId = accountOf(signed(req));
    const { eventId } = decodeOr400(B.EventIdParam, req.params, "path");
    const b = decodeOr400(B.ConvertBody, needsBody(req), "body");
    const outcome = await submit(A.convertCommand(accountId, eventId, b));
    // A retry appends nothing: what it released is (k − 1) × quantity whole units, as the first time.
    const converted = outcome.events.find((e) => e.type === "PositionsConverted");
    const released =
      converted?.type === "PositionsConverted"
        ? converted.released
        : (BigInt(b.marketIds.length - 1) * BigInt(b.quantity)).toString();
    return {
      eventId,
      accountId,
      marketIds: b.marketIds,
      quantity: b.quantity,
      released,
      account: accountSummary(accountId),
    };
  });
  app.post("/v1/events/:eventId/resolve", async (req) => {
    operator(req);
    const { eventId } = decodeOr400(B.EventIdParam, req.params, "path");
    const b = decodeOr400(B.ResolveEventBody, needsBody(req), "body");
    await submit({ type: "ResolveEvent", eventId, ...b } as CommandInput);
    return eventOr404(eventId);
  });
  app.post("/v1/events/:eventId/challenge", async (req) => {
    const accountId = accountOf(signed(req));
    const { eventId } = decodeOr400(B.EventIdParam, req.params, "path");
    const b = decodeOr400(B.ChallengeBody, needsBody(req), "body");
    await submit({
      type: "ChallengeEventResolution",
      accountId,
      eventId,
      bond: b.bond,
      reference: b.reference,
    });
    return eventOr404(eventId);
  });
  app.post("/v1/events/:eventId/rule", async (req) => {
    operator(req);
    const { eventId } = decodeOr400(B.EventIdParam, req.params, "path");
    const b = decodeOr400(B.RuleEventBody, needsBody(req), "body");
    await submit({ type: "RuleEventResolution", eventId, ...b } as CommandInput);
    return eventOr404(eventId);
  });
  const marketAction = (
    path: string,
    make: (marketId: string, b: unknown) => CommandInput,
    codec: t.Decoder<unknown, unknown>,
  ) =>
    app.post(`/v1/markets/:marketId/${path}`, async (req) => {
      operator(req);
      const { marketId } = decodeOr400(B.MarketIdParam, req.params, "path");
      const b = decodeOr400(codec, path === "halt" || path === "resume" ? body(req) : needsBody(req), "body");
      await submit(make(marketId, b));
      return marketView(marketOr404(marketId), exchange.clock.now());
    });
  marketAction("halt", (marketId) => ({ type: "HaltMarket", marketId }), B.EmptyBody);
  marketAction("resume", (marketId) => ({ type: "ResumeMarket", marketId }), B.EmptyBody);
  marketAction(
    "mark",
    (marketId, b) => ({ type: "SetMarkPrice", marketId, price: (b as { price: string }).price }),
    B.MarkBody,
  );
  marketAction(
    "resolve",
    (marketId, b) => {
      const { outcome, challengeSeconds } = b as {
        outcome: "YES" | "NO" | "INVALID";
        challengeSeconds?: number;
      };
      return {
        type: "ResolveMarket",
        marketId,
        outcome,
        ...(challengeSeconds === undefined ? {} : { challengeSeconds }),
      };
    },
    B.ResolveBody,
  );
  marketAction(
    "rule",
    (marketId, b) => ({
      type: "RuleResolution",
      marketId,
      outcome: (b as { outcome: "YES" | "NO" | "INVALID" }).outcome,
    }),
    B.RuleBody,
  );
  app.post("/v1/admin/clock", async (req) => {
    operator(req);
    const b = decodeOr400(B.ClockBody, needsBody(req), "body");
    const clock = exchange.clock;
    if (!(clock instanceof ManualClock))
      throw gatewayError("CLOCK_NOT_MANUAL", "the gateway runs on the system clock (PMX_CLOCK=system)");
    try {
      clock.set(b.at);
    } catch (error) {
      if (error instanceof ClockError)
        throw gatewayError("CLOCK_BACKWARDS", error.message, { at: clock.now() });
      throw error;
    }
    // Time moved: scheduled work (fee accrual, margin-call deadlines, auction ends) happens now, before answering.
    const tick = await submit({ type: "AdvanceClock" });
    return { at: clock.now(), events: tick.events.length };
  });
  app.post("/v1/admin/promote", async (req) => {
    operator(req);
    decodeOr400(B.EmptyBody, body(req), "body");
    await exchange.promote();
    return { role: exchange.role, events: exchange.projection.eventCount, head: exchange.projection.head };
  });
  app.post("/v1/admin/snapshot", async (req) => {
    operator(req);
    decodeOr400(B.EmptyBody, body(req), "body");
    const file = exchange.snapshotNow();
    if (file === null) throw gatewayError("NOT_FOUND", "this gateway keeps no snapshots (in-memory store)");
    return { events: exchange.projection.eventCount, head: exchange.projection.head };
  });
  app.get("/v1/audit/state", async (req) => {
    operator(req);
    noQuery(req);
    const p = exchange.projection;
    return {
      role: exchange.role,
      events: p.eventCount,
      sequence: p.lastSeq,
      head: p.head,
      stateHash: p.stateHash(),
    };
  });
  // Evidence for outside auditors: public, so that anyone can pin what the operator signed.
  const checkpointsOr404 = () => {
    const store = exchange.checkpoints;
    if (!store) throw new ApiError(404, "NOT_FOUND", "this gateway keeps no checkpoints");
    return store;
  };
  app.get("/v1/audit/operator-key", async (req) => {
    noQuery(req);
    return checkpointsOr404().operatorKey;
  });
  app.get("/v1/audit/checkpoints", async (req) => {
    const q = decodeOr400(B.CheckpointsQuery, req.query, "query");
    return checkpointsOr404().page(q.limit ?? 100, q.cursor ?? null);
  });
  app.post("/v1/admin/checkpoint", async (req) => {
    operator(req);
    decodeOr400(B.EmptyBody, body(req), "body");
    checkpointsOr404();
    const checkpoint = await exchange.checkpointNow();
    if (checkpoint === null) throw gatewayError("NOT_FOUND", "the log is empty: there is nothing to sign");
    return checkpoint;
  });
  /** The Merkle-sum tree of the accounts' claims at the latest checkpoint; 404 until one is signed. */
  const liabilityTree = () => {
    const tree = checkpointsOr404().liabilities.latest;
    if (!tree)
      throw gatewayError("NOT_FOUND", "no checkpoint has been signed yet: there is no liabilities tree");
    return tree as LiabilityTree & { signature: string };
  };
  app.get("/v1/audit/liabilities", async (req) => {
    noQuery(req);
    const tree = liabilityTree();
    return {
      revision: tree.revision,
      root: tree.root,
      total: tree.total,
      accounts: tree.leaves.length,
      signature: tree.signature,
    };
  });
  app.get("/v1/account/liabilities-proof", async (req) => {
    const accountId = accountOf(signed(req));
    noQuery(req);
    const proof = proofOf(liabilityTree(), accountId);
    if (!proof)
      throw gatewayError(
        "NOT_FOUND",
        "the account was opened after the latest checkpoint: it has no leaf yet",
        {
          accountId,
        },
      );
    return proof;
  });
  app.get("/v1/audit/solvency", async (req) => {
    operator(req);
    noQuery(req);
    return {
      ...exchange.projection.solvency(),
      sequence: exchange.projection.lastSeq,
      head: exchange.projection.head,
    };
  });

  // ---- credit layer ----
  app.get("/v1/markets/:marketId/pool", async (req) => {
    const { marketId } = decodeOr400(B.MarketIdParam, req.params, "path");
    noQuery(req);
    return poolView(marketOr404(marketId), exchange.clock.now());
  });
  app.post("/v1/markets/:marketId/pool/supply", async (req) => {
    const accountId = accountOf(signed(req));
    const { marketId } = decodeOr400(B.MarketIdParam, req.params, "path");
    const b = decodeOr400(B.PoolSupplyBody, needsBody(req), "body");
    await submit(A.supplyPoolCommand(accountId, marketId, b));
    return poolView(marketOr404(marketId), exchange.clock.now(), accountId);
  });
  app.post("/v1/markets/:marketId/pool/redeem", async (req) => {
    const accountId = accountOf(signed(req));
    const { marketId } = decodeOr400(B.MarketIdParam, req.params, "path");
    const b = decodeOr400(B.PoolRedeemBody, needsBody(req), "body");
    await submit(A.redeemPoolCommand(accountId, marketId, b));
    return poolView(marketOr404(marketId), exchange.clock.now(), accountId);
  });
  app.post("/v1/markets/:marketId/challenge", async (req) => {
    const accountId = accountOf(signed(req));
    const { marketId } = decodeOr400(B.MarketIdParam, req.params, "path");
    const b = decodeOr400(B.ChallengeBody, needsBody(req), "body");
    await submit(A.challengeCommand(accountId, marketId, b));
    return marketView(marketOr404(marketId), exchange.clock.now());
  });
  app.post("/v1/markets/:marketId/backstop", async (req) => {
    const accountId = accountOf(signed(req));
    const { marketId } = decodeOr400(B.MarketIdParam, req.params, "path");
    const b = decodeOr400(B.BackstopBidBody, needsBody(req), "body");
    await submit(A.backstopCommand(accountId, marketId, b));
    return { marketId, accountId, outcome: b.outcome, price: b.price, maxShares: b.maxShares };
  });
  app.post("/v1/positions/:marketId/reduce", async (req) => {
    const accountId = accountOf(signed(req));
    const { marketId } = decodeOr400(B.MarketIdParam, req.params, "path");
    const b = decodeOr400(B.ReduceBody, needsBody(req), "body");
    await submit(A.reduceCommand(accountId, marketId, b));
    return accountSummary(accountId);
  });
  app.post("/v1/positions/:marketId/margin", async (req) => {
    const accountId = accountOf(signed(req));
    const { marketId } = decodeOr400(B.MarketIdParam, req.params, "path");
    const b = decodeOr400(B.AddMarginBody, needsBody(req), "body");
    await submit(A.addMarginCommand(accountId, marketId, b));
    return accountSummary(accountId);
  });
  app.get("/v1/insurance", async (req) => {
    noQuery(req);
    return insuranceView(state());
  });
  app.post("/v1/insurance/:fundId/deposits", async (req) => {
    operator(req);
    const { fundId } = decodeOr400(B.FundIdParam, req.params, "path");
    const b = decodeOr400(B.MoneyMovementBody, needsBody(req), "body");
    await submit({ type: "DepositInsurance", fundId, amount: b.amount, reference: b.reference });
    return insuranceView(state()).funds.find((f) => f.fundId === fundId);
  });

  // ---- account (signed) ----
  app.get("/v1/account", async (req) => {
    const accountId = accountOf(signed(req));
    noQuery(req);
    return accountSummary(accountId);
  });
  app.post("/v1/withdrawals", async (req) => {
    const accountId = accountOf(signed(req));
    const b = decodeOr400(B.MoneyMovementBody, needsBody(req), "body");
    await submit(A.withdrawCommand(accountId, b));
    return accountSummary(accountId);
  });
  app.post("/v1/orders", async (req, reply) => {
    const accountId = accountOf(signed(req));
    const b = decodeOr400(B.OrderBody, needsBody(req), "body");
    const outcome = await submit(A.placeOrderCommand(accountId, b));
    const orderId = state().accounts.get(accountId)?.clientOrders.get(b.clientOrderId);
    const answer = orderId ? exchange.projection.placementAnswer(orderId) : null;
    if (!answer) throw new Error(`order for clientOrderId ${b.clientOrderId} not found after placement`);
    // A repeat (no new events) answers the first answer with 200.
    return send(reply, outcome.events.length > 0 ? 201 : 200, answer);
  });
  app.post("/v1/orders/batch", async (req) => {
    const accountId = accountOf(signed(req));
    const envelope = decodeOr400(B.BatchEnvelope, needsBody(req), "body");
    const n = envelope.orders.length;
    if (n < 1 || n > B.MAX_BATCH_ORDERS)
      throw new ApiError(
        400,
        "INVALID_REQUEST",
        `a batch holds 1 to ${B.MAX_BATCH_ORDERS} orders, not ${n}`,
        {
          orders: n,
        },
      );
    // A batch counts as many requests as it holds orders against the key's rate limit (the signature took one).
    if (n > 1) limitKey(header(req, "pmx-key")!, n - 1);
    // Each order is decoded on its own; the valid ones are queued together, in request order, so the sequencer
    // decides them one by one and makes them durable in the same group commit.
    const decoded = envelope.orders.map((item, i) => {
      try {
        return decodeOr400(B.OrderBody, item, `orders[${i}]`);
      } catch (error) {
        return error as ApiError;
      }
    });
    const pending = decoded.map((b) =>
      b instanceof ApiError ? null : exchange.submit(A.placeOrderCommand(accountId, b), req.written?.auth),
    );
    const settled = await Promise.allSettled(pending.map((p) => p ?? Promise.resolve(null)));
    const results = settled.map((s, i) => {
      const item = decoded[i]!;
      if (item instanceof ApiError) return { status: item.status, error: item.body().error };
      if (s.status === "rejected") {
        const error = unavailable(s.reason);
        return { status: error.status, error: error.body().error };
      }
      const outcome = s.value!;
      if (!outcome.ok) {
        const error = fromRejection(outcome.rejection);
        return { status: error.status, error: error.body().error };
      }
      recordWritten(outcome);
      const orderId = state().accounts.get(accountId)?.clientOrders.get(item.clientOrderId);
      const order = orderId ? exchange.projection.placementAnswer(orderId) : null;
      return { status: outcome.events.length > 0 ? 201 : 200, order };
    });
    return { results };
  });
  /** The account a history read is about: the signed account itself, or the one the operator names. */
  const readerAccount = (req: FastifyRequest, named: string | undefined, what: string): string => {
    if (header(req, "authorization")) {
      operator(req);
      if (!named) throw new ApiError(400, "INVALID_REQUEST", "query: accountId is required for the operator");
      return named;
    }
    const accountId = accountOf(signed(req));
    if (named !== undefined && named !== accountId)
      throw gatewayError("FORBIDDEN", `an account may only see its own ${what}`);
    return accountId;
  };
  const knownAccount = (accountId: string) => {
    if (!state().accounts.has(accountId))
      throw new ApiError(404, "UNKNOWN_ACCOUNT", `no account ${accountId}`, { accountId });
  };
  app.get("/v1/orders", async (req) => {
    const q = decodeOr400(B.OrdersQuery, { ...(req.query as object) }, "query");
    const accountId = readerAccount(req, q.accountId, "orders");
    const orders = [];
    const limit = q.limit ?? 100;
    // Newest (highest order number) first; the cursor is the number of the last order answered.
    const before = decodeCursor(q.cursor, "orders", accountId);
    // With a status, only the orders of that status are read (the projection's index), newest first.
    const p = exchange.projection;
    let nextCursor: string | null = null;
    let last = 0;
    for (const id of p.orderIdsNewestFirst(accountId, q.status, before)) {
      const o = state().orders.get(id)!;
      if (q.marketId && o.marketId !== q.marketId) continue;
      if (orders.length >= limit) {
        nextCursor = encodeCursor("orders", accountId, last);
        break;
      }
      orders.push(p.order(o.orderId)!);
      last = o.number;
    }
    return { orders, nextCursor };
  });
  /** A page of one account's history (`kind`), newest first, strictly before the cursor, with the list's filter. */
  const historyPage = <T extends { pos: number }, V>(
    req: FastifyRequest,
    kind: "fills" | "activity",
    q: { accountId?: string; cursor?: string; limit?: number },
    listOf: (accountId: string) => readonly T[],
    keep: ((item: T) => boolean) | undefined,
    view: (item: T) => V,
  ) => {
    const accountId = readerAccount(req, q.accountId, kind);
    knownAccount(accountId);
    const page = pageBackward(
      listOf(accountId),
      (x) => x.pos,
      q.limit ?? 100,
      decodeCursor(q.cursor, kind, accountId),
      keep,
    );
    return {
      items: page.items.map(view),
      nextCursor: page.next === null ? null : encodeCursor(kind, accountId, page.next),
    };
  };
  app.get("/v1/fills", async (req) => {
    const q = decodeOr400(B.FillsQuery, { ...(req.query as object) }, "query");
    const p = exchange.projection;
    const page = historyPage(
      req,
      "fills",
      q,
      (id) => p.fillsOf(id),
      q.marketId === undefined ? undefined : (f) => f.marketId === q.marketId,
      (f) => p.fillView(f),
    );
    return { fills: page.items, nextCursor: page.nextCursor };
  });
  app.get("/v1/account/activity", async (req) => {
    const q = decodeOr400(B.ActivityQuery, { ...(req.query as object) }, "query");
    const page = historyPage(
      req,
      "activity",
      q,
      (id) => exchange.projection.activityOf(id),
      q.type === undefined ? undefined : (e) => e.type === q.type,
      activityView,
    );
    return { entries: page.items, nextCursor: page.nextCursor };
  });
  /** Cancels the account's open orders (in one market when the query names it) by one command. */
  const cancelAll = async (req: FastifyRequest, accountId: string) => {
    const q = decodeOr400(B.CancelAllQuery, { ...(req.query as object) }, "query");
    const outcome = await submit(A.cancelAllCommand(accountId, q.marketId));
    const cancelled: string[] = [];
    for (const e of outcome.events) if (e.type === "OrderCancelled") cancelled.push(e.orderId);
    return { cancelled };
  };
  app.delete("/v1/orders", async (req) => cancelAll(req, accountOf(signed(req))));
  app.delete("/v1/accounts/:accountId/orders", async (req) => {
    operator(req);
    const { accountId } = decodeOr400(B.AccountIdParam, req.params, "path");
    return cancelAll(req, accountId);
  });
  /** The order, for its owner (signed) or the operator (who may read any account's data). */
  const readableOrder = (req: FastifyRequest) => {
    const { orderId } = decodeOr400(B.OrderIdParam, req.params, "path");
    if (header(req, "authorization")) {
      operator(req);
      if (!state().orders.has(orderId))
        throw new ApiError(404, "UNKNOWN_ORDER", `no order ${orderId}`, { orderId });
      return orderId;
    }
    return ownOrder(req).orderId;
  };
  const ownOrder = (req: FastifyRequest) => {
    const accountId = accountOf(signed(req));
    const { orderId } = decodeOr400(B.OrderIdParam, req.params, "path");
    const order = state().orders.get(orderId);
    if (!order) throw new ApiError(404, "UNKNOWN_ORDER", `no order ${orderId}`, { orderId });
    if (order.accountId !== accountId)
      throw new ApiError(403, "NOT_ORDER_OWNER", `order ${orderId} belongs to another account`, { orderId });
    return { accountId, orderId };
  };
  app.get("/v1/orders/:orderId", async (req) => {
    const orderId = readableOrder(req);
    noQuery(req);
    return exchange.projection.order(orderId);
  });
  app.delete("/v1/orders/:orderId", async (req) => {
    const { accountId, orderId } = ownOrder(req);
    await submit(A.cancelOrderCommand(accountId, orderId));
    return exchange.projection.order(orderId);
  });
  app.post("/v1/orders/:orderId/amend", async (req) => {
    const { accountId, orderId } = ownOrder(req);
    const b = decodeOr400(B.AmendBody, needsBody(req), "body");
    await submit({ type: "AmendOrder", accountId, orderId, ...b });
    return exchange.projection.order(orderId);
  });

  // ---- API keys ----
  const notStored = (error: unknown, what: string): never => {
    if (error instanceof CredentialsNotStored)
      throw gatewayError("CREDENTIALS_NOT_STORED", `${error.message}; ${what}`);
    throw error;
  };
  /**
   * A new key of the account: HMAC (the secret, answered once) or Ed25519 (the account's public key; registered in
   * the log first, by a command stored with the request that asked for it, then kept in the key file).
   */
  const createKey = async (accountId: string, b: t.TypeOf<typeof B.NewKeyBody>) => {
    const label = b.label ?? null;
    const scope: KeyScope = b.scope;
    const nowMs = exchange.clock.now();
    if (b.algorithm !== "ed25519") {
      if (b.publicKey !== undefined)
        throw new ApiError(400, "INVALID_REQUEST", 'body: publicKey: only with algorithm "ed25519"');
      let credential: Credential;
      try {
        credential = credentials.addHmac(accountId, scope, label, nowMs);
      } catch (error) {
        return notStored(error, "no key was issued");
      }
      return {
        apiKey: credential.apiKey,
        apiSecret: credential.apiSecret,
        scope,
        algorithm: "hmac-sha256",
        label,
      };
    }
    const publicKey = decodeOr400(Ed25519PublicKey, b.publicKey, "body.publicKey");
    const keyId = A.ed25519KeyId(publicKey);
    if (credentials.lookup(keyId))
      throw gatewayError("KEY_EXISTS", `this public key is already key ${keyId}`, { apiKey: keyId });
    await submit(A.registerKeyCommand(accountId, publicKey, scope));
    try {
      credentials.addEd25519(keyId, accountId, scope, publicKey, label, nowMs);
    } catch (error) {
      return notStored(error, "the key is registered in the log but not usable yet: send the request again");
    }
    return { apiKey: keyId, scope, algorithm: "ed25519", publicKey, label };
  };
  app.post("/v1/account/keys", async (req, reply) => {
    const accountId = accountOf(signed(req));
    const b = decodeOr400(B.NewKeyBody, needsBody(req), "body");
    return send(reply, 201, await createKey(accountId, b));
  });
  app.post("/v1/accounts/:accountId/keys", async (req, reply) => {
    operator(req);
    const { accountId } = decodeOr400(B.AccountIdParam, req.params, "path");
    const b = decodeOr400(B.NewKeyBody, needsBody(req), "body");
    accountSummary(accountId);
    return send(reply, 201, await createKey(accountId, b));
  });
  app.get("/v1/account/keys", async (req) => {
    const accountId = accountOf(signed(req));
    noQuery(req);
    return { keys: credentials.listOf(accountId) };
  });
  app.delete("/v1/account/keys/:apiKey", async (req) => {
    const accountId = accountOf(signed(req));
    const { apiKey } = decodeOr400(B.ApiKeyParam, req.params, "path");
    const key = credentials.lookup(apiKey);
    if (!key || key.accountId !== accountId)
      throw gatewayError("UNKNOWN_KEY", `the account holds no key ${apiKey}`, { apiKey });
    // An Ed25519 key's revocation goes in the log too: an auditor then refuses anything it signs afterwards.
    if (key.algorithm === "ed25519") await submit(A.revokeKeyCommand(accountId, apiKey));
    try {
      credentials.revokeDurably(apiKey);
    } catch (error) {
      return notStored(error, "the key was not revoked: send the request again");
    }
    return { apiKey, revoked: true };
  });

  // ---- the operator console and its risk views ----
  registerRiskRoutes(app, { exchange, operator, decode: decodeOr400 });
  registerConsole(app);

  return app;
}
