// Test helpers for the gateway's integration tests: a gateway on `memory:` and port 0, operator and signed requests.
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { CredentialStore } from "../src/credentials.js";
import type { Exchange } from "../src/exchange.js";
import { buildApp } from "../src/http/app.js";
import { signature } from "../src/http/auth.js";
import { loadConfig, type RunningGateway, startGateway } from "../src/index.js";
import { Metrics } from "../src/metrics.js";

export interface Credentials {
  accountId: string;
  apiKey: string;
  apiSecret: string;
}

/** A decoded JSON answer or message: its shape is what the assertions check. */
// biome-ignore lint/suspicious/noExplicitAny: test data, checked by the assertions that read it
export type Json = any;

export interface Answer<T = Json> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface TestGateway {
  gateway: RunningGateway;
  url: string;
  /** A request with `Authorization: Bearer <operator token>`. */
  operator<T = Json>(method: string, path: string, body?: unknown): Promise<Answer<T>>;
  /** A request signed with the account's key: hex(HMAC-SHA256(secret, timestamp + METHOD + pathWithQuery + rawBody)). */
  signed<T = Json>(who: Credentials, method: string, path: string, body?: unknown): Promise<Answer<T>>;
  /** A request without credentials. */
  anonymous<T = Json>(method: string, path: string): Promise<Answer<T>>;
  /** Opens an account and, when `cash` is given, deposits it. */
  openAccount(accountId: string, cash?: string): Promise<Credentials>;
  close(): Promise<void>;
}

export const OPERATOR_TOKEN = "test-operator-token";

export async function startTestGateway(env: Record<string, string> = {}): Promise<TestGateway> {
  const config = loadConfig({
    PMX_STORE: "memory:",
    PMX_PORT: "0",
    PMX_CLOCK: "system",
    PMX_OPERATOR_TOKEN: OPERATOR_TOKEN,
    ...env,
  });
  const gateway = await startGateway(config, pino({ level: "silent" }));
  const url = gateway.url;
  const call = async (method: string, path: string, headers: Record<string, string>, raw?: string) => {
    const res = await fetch(url + path, { method, headers, body: raw });
    const text = await res.text();
    let body: unknown = text;
    if ((res.headers.get("content-type") ?? "").includes("application/json")) body = JSON.parse(text);
    return { status: res.status, body, text, headers: res.headers } as Answer;
  };
  const jsonHeaders = (raw: string | undefined): Record<string, string> =>
    raw === undefined ? {} : { "content-type": "application/json" };
  const t: TestGateway = {
    gateway,
    url,
    operator(method, path, body) {
      const raw = body === undefined ? undefined : JSON.stringify(body);
      return call(
        method,
        path,
        { ...jsonHeaders(raw), authorization: `Bearer ${gateway.operatorToken}` },
        raw,
      );
    },
    signed(who, method, path, body) {
      const raw = body === undefined ? undefined : JSON.stringify(body);
      const timestamp = String(Date.now());
      return call(
        method,
        path,
        {
          ...jsonHeaders(raw),
          "pmx-key": who.apiKey,
          "pmx-timestamp": timestamp,
          "pmx-signature": signature(who.apiSecret, timestamp, method, path, raw ?? ""),
        },
        raw,
      );
    },
    anonymous(method, path) {
      return call(method, path, {});
    },
    async openAccount(accountId, cash) {
      const opened = await t.operator<Credentials>("POST", "/v1/accounts", { accountId });
      if (opened.status !== 201) throw new Error(`open ${accountId}: ${opened.status} ${opened.text}`);
      if (cash !== undefined) {
        const deposited = await t.operator("POST", `/v1/accounts/${accountId}/deposits`, {
          amount: cash,
          reference: `seed-${accountId}`,
        });
        if (deposited.status !== 200)
          throw new Error(`deposit ${accountId}: ${deposited.status} ${deposited.text}`);
      }
      return opened.body;
    },
    close: () => gateway.close(),
  };
  return t;
}

/** A market far from resolution, tick 0.01, no fee. */
export const marketBody = (marketId: string) => ({
  marketId,
  question: `Will ${marketId} happen?`,
  tickSize: "0.01",
  resolvesAt: "2099-01-01T00:00:00Z",
});

/** A logger that keeps what it is told, to assert on. */
export class CapturingLogger {
  readonly infos: { obj: Record<string, unknown>; msg: string }[] = [];
  readonly warns: { obj: Record<string, unknown>; msg: string }[] = [];
  readonly errors: { obj: Record<string, unknown>; msg: string }[] = [];
  info(obj: object, msg: string): void {
    this.infos.push({ obj: obj as Record<string, unknown>, msg });
  }
  warn(obj: object, msg: string): void {
    this.warns.push({ obj: obj as Record<string, unknown>, msg });
  }
  error(obj: object, msg: string): void {
    this.errors.push({ obj: obj as Record<string, unknown>, msg });
  }
}

export interface InjectedApp {
  app: FastifyInstance;
  /** GET /v1/health, decoded. */
  health(): Promise<Json>;
  /** POST /v1/accounts as the operator (token "t"). */
  openAccount(accountId: string): Promise<{ statusCode: number; body: string; json(): Json }>;
}

/** The HTTP app on an exchange, reached without a socket (`inject`): operator token "t", no files kept. */
export async function injectedApp(exchange: Exchange): Promise<InjectedApp> {
  const app = await buildApp({
    config: loadConfig({ PMX_STORE: "memory:", PMX_OPERATOR_TOKEN: "t" }),
    exchange,
    credentials: new CredentialStore(null),
    operatorToken: "t",
    metrics: new Metrics(),
    logger: pino({ level: "silent" }),
  });
  return {
    app,
    health: async () => (await app.inject({ method: "GET", url: "/v1/health" })).json(),
    openAccount: (accountId) =>
      app.inject({
        method: "POST",
        url: "/v1/accounts",
        headers: { authorization: "Bearer t", "content-type": "application/json" },
        payload: { accountId },
      }),
  };
}

/** Waits until `check` holds, looking every 10 ms; fails after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
