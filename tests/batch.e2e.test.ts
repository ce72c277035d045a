// Issue 13: POST /v1/orders/batch through the real gateway and SQLite store. 100 orders, valid and invalid mixed:
// each answered in request order with what POST /v1/orders would answer, the valid ones in one group commit.
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, type Credential, expectApiError, type Json } from "./support/client.js";
import { type Gateway, startGateway, stopAllGateways, T0 } from "./support/gateway.js";
import { OpenApiChecker } from "./support/openapi.js";

/** The i-th order of the batch: six of every ten valid 1-share bids, then one of each kind of mistake. */
function orderOf(i: number): Json {
  const base = {
    clientOrderId: `b-${i}`,
    marketId: "m",
    side: "buy",
    outcome: "YES",
    price: ((i % 50) / 100 + 0.01).toFixed(2),
    quantity: "1",
  };
  switch (i % 10) {
    case 6:
      return { ...base, price: "0.015" }; // PRICE_NOT_ON_TICK
    case 7: {
      const { side: _side, ...noSide } = base; // malformed: 400
      return noSide;
    }
    case 8:
      return { ...base, marketId: "nowhere" }; // UNKNOWN_MARKET
    case 9:
      return { ...base, side: "sell" }; // INSUFFICIENT_SHARES
    default:
      return base;
  }
}
const EXPECTED: Record<number, [number, string | null]> = {
  6: [422, "PRICE_NOT_ON_TICK"],
  7: [400, "INVALID_REQUEST"],
  8: [404, "UNKNOWN_MARKET"],
  9: [422, "INSUFFICIENT_SHARES"],
};

describe("POST /v1/orders/batch", () => {
  let gw: Gateway;
  let api: Client;
  let oa: OpenApiChecker;
  let alice: Credential;
  /** Appends (group commits) in the file so far: rows of the version-2 `batches` table. */
  const appends = () => {
    const db = new Database(gw.dbPath, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare("SELECT COUNT(*) AS n FROM batches").get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    gw = await startGateway();
    api = new Client(gw.url, gw.token);
    oa = new OpenApiChecker(api);
    await oa.load();
    await api.setClock(T0);
    alice = await api.openAccount("alice");
    await api.deposit("alice", "1000", "wire-alice");
    await api.listMarket({ marketId: "m" });
  }, 30_000);

  afterAll(async () => {
    await stopAllGateways();
  });

  it("100 orders, 60 valid and 40 wrong in four ways: each answered in request order with its own status, the 60 valid ones resting, written in one group commit", async () => {
    const orders = Array.from({ length: 100 }, (_, i) => orderOf(i));
    const before = appends();
    const res = oa.check(
      "POST",
      "/v1/orders/batch",
      await api.as(alice, "POST", "/v1/orders/batch", { orders }),
    );
    expect(res.status, res.text).toBe(200);
    const results = (res.body as { results: { status: number; order?: Json; error?: { code: string } }[] })
      .results;
    expect(results).toHaveLength(100);
    results.forEach((r, i) => {
      const [status, code] = EXPECTED[i % 10] ?? [201, null];
      expect(r.status, `order ${i}`).toBe(status);
      if (code === null)
        expect(r.order, `order ${i}`).toMatchObject({ clientOrderId: `b-${i}`, status: "open" });
      else expect(r.error?.code, `order ${i}`).toBe(code);
    });
    expect(res.headers.get("pmx-head")).toMatch(/^[0-9]+:[0-9a-f]{64}$/);
    expect(appends() - before).toBe(1);
    const open = await api.as(alice, "GET", "/v1/orders?status=open&limit=1000");
    expect((open.body as { orders: Json[] }).orders).toHaveLength(60);
  });

  it("the same batch again: the 60 valid orders answer 200 (identical repeats), nothing is appended", async () => {
    const orders = Array.from({ length: 100 }, (_, i) => orderOf(i));
    const head = await gw.logLength();
    const res = await api.as(alice, "POST", "/v1/orders/batch", { orders });
    const results = (res.body as { results: { status: number }[] }).results;
    expect(results.filter((r) => r.status === 200)).toHaveLength(60);
    expect(await gw.logLength()).toBe(head);
  });

  it("issue 13's contract drift: a market with a jump-risk fee answers fundingRate with more than 6 places, and the answer fits the document (a rate: up to 12)", async () => {
    const lp = await api.openAccount("lp");
    await api.deposit("lp", "10000", "wire-lp");
    expect(
      (await api.as(lp, "POST", "/v1/markets/m/pool/supply", { amount: "10000", reference: "s-1" })).status,
    ).toBe(200);
    expect((await api.op("POST", "/v1/markets/m/mark", { price: "0.5" })).status).toBe(200);
    const market = oa.check(
      "GET",
      "/v1/markets/{marketId}",
      await api.send({ method: "GET", path: "/v1/markets/m", headers: {} }),
    );
    const rate = (market.body as { fundingRate: string }).fundingRate;
    expect(rate.split(".")[1]?.length ?? 0).toBeGreaterThan(6);
  });

  it("refuses an empty batch and one of 101 orders (400), whole, appending nothing", async () => {
    const head = await gw.logLength();
    expectApiError(await api.as(alice, "POST", "/v1/orders/batch", { orders: [] }), 400, "INVALID_REQUEST");
    const many = Array.from({ length: 101 }, (_, i) => ({ ...orderOf(0), clientOrderId: `x-${i}` }));
    expectApiError(await api.as(alice, "POST", "/v1/orders/batch", { orders: many }), 400, "INVALID_REQUEST");
    expect(await gw.logLength()).toBe(head);
  });
});
