// The credit layer's end-to-end harness: a gateway on a manual clock at T0 with funded accounts, and the requests
// those tests share (orders, the account, a market with a pool), each answer followed by a solvency check.
import { afterAll, beforeAll, expect } from "vitest";
import { type ApiResponse, Client, type Credential, type Json } from "./client.js";
import { type Gateway, startGateway, stopAllGateways, T0 } from "./gateway.js";

/** No jump-risk fee: loans stay round numbers. */
export const FEE_FREE = { jumpIntensityPerDay: "0", utilizationChargePerDay: "0" };

export interface CreditGateway {
  readonly gw: Gateway;
  readonly api: Client;
  /** Each account's credentials, by name. */
  readonly who: Record<string, Credential>;
  /** `GET /v1/audit/solvency` is balanced. */
  solvent(): Promise<void>;
  /** The answer has `status` (200 by default), and the exchange is still solvent. */
  ok<T>(res: ApiResponse<T>, status?: number): Promise<ApiResponse<T>>;
  /** `POST /v1/orders` by the account: a GTC 1x buy unless the body says otherwise. */
  order<T = Json>(name: string, body: Record<string, unknown>): Promise<ApiResponse<T>>;
  /** `GET /v1/account` of the account. */
  account<T>(name: string): Promise<T>;
  /**
   * A market without fees resolving in 2030 (`terms` override the listing: resolvesAt, risk parameters), lp's 1000
   * in its pool, and the mark at 0.50.
   */
  marketWithPool(marketId: string, terms?: Record<string, unknown>): Promise<void>;
}

/**
 * Starts the gateway before the file's tests (clock at T0; each account opened with its deposit) and stops it after
 * them. The answer's fields are set once `beforeAll` has run.
 */
export function creditGateway(deposits: Record<string, string>): CreditGateway {
  const h = { who: {} as Record<string, Credential> } as CreditGateway & { gw: Gateway; api: Client };
  h.solvent = async () => {
    const s = await h.api.solvency();
    expect(s.balanced, JSON.stringify(s.totals)).toBe(true);
  };
  h.ok = async (res, status = 200) => {
    expect(res.status, res.text).toBe(status);
    await h.solvent();
    return res;
  };
  h.order = (name, body) =>
    h.api.as(h.who[name]!, "POST", "/v1/orders", { side: "buy", timeInForce: "GTC", leverage: "1", ...body });
  h.account = async (name) => {
    const res = await h.api.as(h.who[name]!, "GET", "/v1/account");
    expect(res.status, res.text).toBe(200);
    return res.body;
  };
  h.marketWithPool = async (marketId, terms = {}) => {
    const market = {
      marketId,
      question: `Will ${marketId} happen?`,
      tickSize: "0.01",
      resolvesAt: "2030-01-01T00:00:00Z",
      ...FEE_FREE,
      ...terms,
    };
    await h.ok(await h.api.op("POST", "/v1/markets", market), 201);
    const supply = { amount: "1000", reference: `supply-${marketId}` };
    await h.ok(await h.api.as(h.who.lp!, "POST", `/v1/markets/${marketId}/pool/supply`, supply));
    await h.ok(await h.api.op("POST", `/v1/markets/${marketId}/mark`, { price: "0.5" }));
  };
  beforeAll(async () => {
    h.gw = await startGateway();
    h.api = new Client(h.gw.url, h.gw.token);
    await h.api.setClock(T0);
    for (const [name, amount] of Object.entries(deposits)) {
      h.who[name] = await h.api.openAccount(name);
      await h.api.deposit(name, amount, `wire-${name}`);
    }
  });
  afterAll(async () => {
    await h.gw?.stop();
    await stopAllGateways();
  });
  return h;
}
