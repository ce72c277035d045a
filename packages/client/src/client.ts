// PmxClient: the pmx HTTP API in TypeScript. Signs each request, backs off on 429 and 503 as Retry-After says,
// generates the idempotency keys a retry must repeat, walks paginated lists, and opens WebSocket book followers.
import { randomUUID } from "node:crypto";
import { BookStream, type BookStreamOptions } from "./book-stream.js";
import { authHeaders, type Credentials } from "./signing.js";
import type {
  Account,
  ActivityEntry,
  ApiErrorBody,
  ApiKey,
  Book,
  Candle,
  Fill,
  Health,
  Market,
  NewAccount,
  Order,
  OrderRequest,
  Trade,
} from "./types.js";

/** An answer that is not 2xx: its status and the API's error code, message and details. */
export class PmxApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

export type ClientOptions = {
  /** `http://127.0.0.1:8080` */
  readonly baseUrl: string;
  /** Retries of a 429 or 503 answer (waiting what Retry-After says, else 1 s doubling); default 5. */
  readonly retries?: number;
  /** The clock signed timestamps come from (ms since epoch); default Date.now (a gateway on a manual clock: its time). */
  readonly now?: () => number;
  /** Waits `ms` (tests replace it); default setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
} & Credentials;

const query = (params: Record<string, string | number | undefined>): string => {
  const q = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join("&");
  return q === "" ? "" : `?${q}`;
};

export class PmxClient {
  private readonly credentials: Credentials;
  private lastTimestamp = 0;

  constructor(private readonly options: ClientOptions) {
    const { baseUrl: _b, retries: _r, now: _n, sleep: _s, ...credentials } = options;
    this.credentials = credentials as Credentials;
  }

  /** A signed timestamp: never the same twice (two identical requests are two requests, not a replay). */
  private timestamp(): string {
    const now = (this.options.now ?? Date.now)();
    this.lastTimestamp = Math.max(now, this.lastTimestamp + 1);
    return String(this.lastTimestamp);
  }

  /**
   * Any route of the API: the body JSON-encoded, the request signed with this client's credentials. 429 and 503 are
   * retried after Retry-After (the same request, signed anew: a signature is accepted once); other errors throw
   * PmxApiError.
   */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const text = body === undefined ? "" : JSON.stringify(body);
    const retries = this.options.retries ?? 5;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = authHeaders(
        this.credentials,
        this.timestamp(),
        method,
        path,
        text,
      );
      if (body !== undefined) headers["content-type"] = "application/json";
      const res = await fetch(this.options.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : text,
      });
      const raw = await res.text();
      const json = raw === "" ? undefined : (JSON.parse(raw) as unknown);
      if (res.ok) return json as T;
      if ((res.status === 429 || res.status === 503) && attempt < retries) {
        const after = Number(res.headers.get("retry-after"));
        const ms = Number.isFinite(after) && after > 0 ? after * 1000 : 1000 * 2 ** attempt;
        await (this.options.sleep ?? ((t) => new Promise((r) => setTimeout(r, t))))(ms);
        continue;
      }
      const error = (json as { error?: ApiErrorBody } | undefined)?.error;
      throw new PmxApiError(
        res.status,
        error?.code ?? "HTTP_ERROR",
        error?.message ?? raw,
        error?.details ?? {},
      );
    }
  }

  /** Every item of a paginated list, page after page (`nextCursor`), newest first unless the list says otherwise. */
  async *pages<T>(
    path: string,
    key: string,
    params: Record<string, string | number | undefined> = {},
  ): AsyncGenerator<T> {
    let cursor: string | undefined;
    do {
      const page = await this.request<Record<string, unknown>>("GET", path + query({ ...params, cursor }));
      for (const item of page[key] as T[]) yield item;
      cursor = (page.nextCursor as string | null | undefined) ?? undefined;
    } while (cursor !== undefined);
  }

  // ---- public ----
  health = () => this.request<Health>("GET", "/v1/health");
  markets = (params: { status?: string; eventId?: string } = {}) =>
    this.pages<Market>("/v1/markets", "markets", params);
  market = (marketId: string) => this.request<Market>("GET", `/v1/markets/${marketId}`);
  book = (marketId: string, depth = 100) =>
    this.request<Book>("GET", `/v1/markets/${marketId}/book${query({ depth })}`);
  trades = (marketId: string) => this.pages<Trade>(`/v1/markets/${marketId}/trades`, "trades");
  candles = (
    marketId: string,
    interval: "1m" | "5m" | "1h" | "1d",
    range: { from?: string; to?: string } = {},
  ) => this.pages<Candle>(`/v1/markets/${marketId}/candles`, "candles", { interval, ...range });

  /** A WebSocket book that applies deltas, notices a gap (a missed message) and resubscribes by itself. */
  bookStream(marketId: string, options: BookStreamOptions = {}): BookStream {
    return BookStream.open(this.options.baseUrl, marketId, options);
  }

  // ---- account (signed) ----
  account = () => this.request<Account>("GET", "/v1/account");
  /** Places an order; its clientOrderId is generated when left out (send the answer's again to retry safely). */
  placeOrder = (order: OrderRequest) =>
    this.request<Order>("POST", "/v1/orders", { clientOrderId: randomUUID(), ...order });
  /** Up to 100 orders decided one by one, in one group commit; answers in request order. */
  placeOrders = (orders: OrderRequest[]) =>
    this.request<{ results: { status: number; order?: Order; error?: ApiErrorBody }[] }>(
      "POST",
      "/v1/orders/batch",
      {
        orders: orders.map((o) => ({ clientOrderId: randomUUID(), ...o })),
      },
    );
  order = (orderId: string) => this.request<Order>("GET", `/v1/orders/${orderId}`);
  orders = (params: { marketId?: string; status?: "open" | "filled" | "cancelled" } = {}) =>
    this.pages<Order>("/v1/orders", "orders", params);
  cancelOrder = (orderId: string) => this.request<Order>("DELETE", `/v1/orders/${orderId}`);
  cancelAll = (marketId?: string) =>
    this.request<{ cancelled: string[] }>("DELETE", `/v1/orders${query({ marketId })}`);
  /** A new price and/or whole quantity; the clientRequestId is generated when left out. */
  amendOrder = (orderId: string, terms: { price?: string; quantity?: string; clientRequestId?: string }) =>
    this.request<Order>("POST", `/v1/orders/${orderId}/amend`, { clientRequestId: randomUUID(), ...terms });
  fills = (params: { marketId?: string } = {}) => this.pages<Fill>("/v1/fills", "fills", params);
  activity = (params: { type?: string } = {}) =>
    this.pages<ActivityEntry>("/v1/account/activity", "entries", params);
  withdraw = (amount: string, reference: string = randomUUID()) =>
    this.request<Account>("POST", "/v1/withdrawals", { amount, reference });
  createKey = (key: { scope: "trade" | "read"; label?: string; algorithm?: "ed25519"; publicKey?: string }) =>
    this.request<ApiKey>("POST", "/v1/account/keys", key);
  keys = () => this.request<{ keys: ApiKey[] }>("GET", "/v1/account/keys");
  revokeKey = (apiKey: string) =>
    this.request<{ apiKey: string; revoked: boolean }>("DELETE", `/v1/account/keys/${apiKey}`);

  // ---- operator ----
  openAccount = (accountId: string) => this.request<NewAccount>("POST", "/v1/accounts", { accountId });
  deposit = (accountId: string, amount: string, reference: string = randomUUID()) =>
    this.request<Account>("POST", `/v1/accounts/${accountId}/deposits`, { amount, reference });
  /** Lists a market (tick size 0.01 unless given; the other risk parameters as the API documents them). */
  listMarket = (
    market: { marketId: string; question: string; resolvesAt: string; tickSize?: string } & Record<
      string,
      unknown
    >,
  ) => this.request<Market>("POST", "/v1/markets", { tickSize: "0.01", ...market });
  resolveMarket = (marketId: string, outcome: "YES" | "NO" | "INVALID", challengeSeconds?: number) =>
    this.request<Market>("POST", `/v1/markets/${marketId}/resolve`, {
      outcome,
      ...(challengeSeconds === undefined ? {} : { challengeSeconds }),
    });
  setClock = (at: number) => this.request<{ at: number }>("POST", "/v1/admin/clock", { at });
  solvency = () =>
    this.request<{ balanced: boolean; totals: Record<string, string> }>("GET", "/v1/audit/solvency");
}
