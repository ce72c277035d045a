// A small HTTP client for the gateway: operator (bearer) requests, HMAC-signed account requests, raw requests
// that tests may tamper with, and checks of the error shape `{error: {code, message, details?}}`.
import { createHmac } from "node:crypto";
import { type Agent, request as httpRequest } from "node:http";
import { expect } from "vitest";
import { expectAnswerDocumented } from "./openapi.js";

export interface Credential {
  accountId: string;
  apiKey: string;
  apiSecret: string;
}

/** A request as it goes on the wire; tests may change any part of it after it was signed. */
export interface RawRequest {
  method: string;
  /** Path with query, exactly as signed and sent. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** A response body as tests read it: field by field, each asserted. */
// biome-ignore lint/suspicious/noExplicitAny: a test reads answers field by field and asserts every one it uses
export type Json = any;

export interface ApiResponse<T = Json> {
  status: number;
  headers: Headers;
  /** The parsed JSON body (undefined when the body is not JSON). */
  body: T;
  text: string;
}

/** A body sent byte for byte as given (not JSON-encoded by the client). */
export class RawBody {
  constructor(readonly text: string) {}
}
export const raw = (text: string) => new RawBody(text);

const encode = (body: unknown): string | undefined =>
  body === undefined ? undefined : body instanceof RawBody ? body.text : JSON.stringify(body);

/** hex(HMAC-SHA256(apiSecret, timestamp + METHOD + pathWithQuery + rawBody)), as in the HTTP API contract. */
export function signature(
  secret: string,
  timestamp: string,
  method: string,
  pathWithQuery: string,
  rawBody: string,
): string {
  return createHmac("sha256", secret)
    .update(timestamp + method.toUpperCase() + pathWithQuery + rawBody)
    .digest("hex");
}

/** The gateway's OpenAPI document, read once per base URL (null: it could not be read). */
const documents = new Map<string, Promise<Json | null>>();
const documentOf = (baseUrl: string): Promise<Json | null> => {
  let doc = documents.get(baseUrl);
  if (!doc) {
    doc = fetch(`${baseUrl}/v1/openapi.json`)
      .then((res) => (res.ok ? res.json() : null))
      .catch(() => null);
    documents.set(baseUrl, doc);
  }
  return doc;
};

/** `/v1/markets/{marketId}/book` → a pattern matching its concrete paths. */
const templatePattern = (template: string) => new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);

/**
 * Every JSON answer of a documented route, in every test that goes through this client, must be documented under its
 * status and fit its schema in the gateway's own OpenAPI document (issue 13: the document is what clients may rely on).
 * Answers of paths the document does not name (a 404 for an unknown route, the console, metrics) are not checked.
 */
async function expectDocumented(baseUrl: string, req: RawRequest, res: ApiResponse): Promise<void> {
  const path = req.path.split("?")[0]!;
  if (path === "/v1/openapi.json" || res.body === undefined) return;
  const doc = await documentOf(baseUrl);
  if (!doc) return;
  const method = req.method.toLowerCase();
  const templates = Object.keys(doc.paths).filter(
    (t) => doc.paths[t][method] && templatePattern(t).test(path),
  );
  // The most specific template wins (`/v1/orders/batch` before `/v1/orders/{orderId}`).
  const template = templates.sort((a, b) => a.split("{").length - b.split("{").length)[0];
  if (template === undefined) return;
  expectAnswerDocumented(doc, req.method, template, res);
}

export async function send<T = Json>(baseUrl: string, req: RawRequest): Promise<ApiResponse<T>> {
  const res = await fetch(baseUrl + req.path, {
    method: req.method,
    headers: req.headers,
    body: req.body,
  });
  const text = await res.text();
  let body: Json;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const answer = { status: res.status, headers: res.headers, body, text };
  await expectDocumented(baseUrl, req, answer);
  return answer;
}

export class Client {
  /** The gateway's manual clock as this client last set or read it (ms since epoch). */
  clockMs = 0;
  private nonce = 0;

  constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  /**
   * A timestamp within the ±30 s window of the gateway's (manual) clock that differs from the previous ones,
   * so that two signed requests with the same content are two requests, not a replay.
   */
  timestamp(): string {
    this.nonce = (this.nonce + 1) % 25_000;
    return String(this.clockMs + this.nonce);
  }

  /** Reads the gateway's clock from `GET /v1/health` → `time`. */
  async syncClock(): Promise<number> {
    const h = await this.health();
    this.clockMs = Date.parse(h.time);
    return this.clockMs;
  }

  async setClock(at: number): Promise<void> {
    const res = await this.op("POST", "/v1/admin/clock", { at });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ at });
    this.clockMs = at;
  }

  operatorRequest(method: string, path: string, body?: unknown): RawRequest {
    const text = encode(body);
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (text !== undefined) headers["content-type"] = "application/json";
    return { method, path, headers, body: text };
  }

  signedRequest(
    credential: Pick<Credential, "apiKey" | "apiSecret">,
    method: string,
    path: string,
    body?: unknown,
    options: { timestamp?: string } = {},
  ): RawRequest {
    const text = encode(body);
    const timestamp = options.timestamp ?? this.timestamp();
    const headers: Record<string, string> = {
      "pmx-key": credential.apiKey,
      "pmx-timestamp": timestamp,
      "pmx-signature": signature(credential.apiSecret, timestamp, method, path, text ?? ""),
    };
    if (text !== undefined) headers["content-type"] = "application/json";
    return { method, path, headers, body: text };
  }

  send<T = Json>(req: RawRequest): Promise<ApiResponse<T>> {
    return send<T>(this.url, req);
  }

  /** An operator request. */
  op<T = Json>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.send<T>(this.operatorRequest(method, path, body));
  }

  /** A request signed by the account. */
  as<T = Json>(
    credential: Credential,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<ApiResponse<T>> {
    return this.send<T>(this.signedRequest(credential, method, path, body));
  }

  async health(): Promise<{ status: string; sequence: number; head: string; events: number; time: string }> {
    const res = await this.send({ method: "GET", path: "/v1/health", headers: {} });
    expect(res.status).toBe(200);
    return res.body;
  }

  async openAccount(accountId: string): Promise<Credential> {
    const res = await this.op<Credential>("POST", "/v1/accounts", { accountId });
    expect(res.status, res.text).toBe(201);
    expect(res.body.accountId).toBe(accountId);
    expect(res.body.apiKey).toEqual(expect.any(String));
    expect(res.body.apiSecret).toEqual(expect.any(String));
    return res.body;
  }

  async deposit(accountId: string, amount: string, reference: string): Promise<ApiResponse> {
    const res = await this.op("POST", `/v1/accounts/${accountId}/deposits`, { amount, reference });
    expect(res.status, res.text).toBe(200);
    return res;
  }

  async listMarket(market: {
    marketId: string;
    question?: string;
    tickSize?: string;
    resolvesAt?: string;
    takerFeeBps?: number;
  }): Promise<ApiResponse> {
    const res = await this.op("POST", "/v1/markets", {
      question: `Will ${market.marketId} happen?`,
      tickSize: "0.01",
      resolvesAt: "2030-01-01T00:00:00Z",
      ...market,
    });
    expect(res.status, res.text).toBe(201);
    return res;
  }

  async solvency(): Promise<{ balanced: boolean; totals: Record<string, string> }> {
    const res = await this.op("GET", "/v1/audit/solvency");
    expect(res.status, res.text).toBe(200);
    return res.body;
  }

  async expectSolvent(): Promise<void> {
    const s = await this.solvency();
    expect(s.balanced, JSON.stringify(s.totals)).toBe(true);
  }
}

/** Asserts an error answer: the status, the code and the shape `{error: {code, message, details?}}`, nothing else. */
export function expectApiError(res: ApiResponse, status: number, code: string): void {
  const context = `${res.status} ${res.text}`;
  expect(res.status, context).toBe(status);
  expect(res.headers.get("content-type") ?? "", context).toMatch(/^application\/json/);
  expect(res.body, context).toBeTypeOf("object");
  expect(Object.keys(res.body), context).toEqual(["error"]);
  const error = res.body.error;
  expect(error.code, context).toBe(code);
  expect(error.message, context).toBeTypeOf("string");
  expect(error.message.length, context).toBeGreaterThan(0);
  for (const key of Object.keys(error)) expect(["code", "message", "details"], context).toContain(key);
  if ("details" in error) {
    expect(error.details, context).toBeTypeOf("object");
    expect(error.details, context).not.toBeNull();
  }
}

/**
 * Sends a request with node:http through `agent`, writing the body in pieces with pauses (`step`) in between:
 * for requests that are still arriving when something else happens (a SIGTERM). Answers like `send`.
 */
export function sendInPieces(
  baseUrl: string,
  agent: Agent,
  req: RawRequest,
  pieces: (string | (() => Promise<void>))[] = req.body === undefined ? [] : [req.body],
): Promise<ApiResponse> {
  const url = new URL(baseUrl);
  const length = pieces.reduce((n, p) => n + (typeof p === "string" ? Buffer.byteLength(p) : 0), 0);
  const headers: Record<string, string> = { ...req.headers };
  if (length > 0) headers["content-length"] = String(length);
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(", ") : v);
          let body: Json;
          try {
            body = text.length > 0 ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: h, body, text });
        });
      },
    );
    r.on("error", reject);
    void (async () => {
      for (const p of pieces) {
        if (typeof p === "string") r.write(p);
        else await p();
      }
      r.end();
    })().catch(reject);
  });
}
