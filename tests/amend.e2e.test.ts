// Issue 13 through the real gateway: POST /v1/orders/{orderId}/amend. A smaller quantity at the same price keeps the
// order's time priority, a larger one loses it; an amend that would cross is refused; answers match the document.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, type Credential, expectApiError, type Json } from "./support/client.js";
import { type Gateway, startGateway, stopAllGateways, T0 } from "./support/gateway.js";
import { OpenApiChecker } from "./support/openapi.js";

describe("amending an order through the gateway", () => {
  let gw: Gateway;
  let api: Client;
  let oa: OpenApiChecker;
  const who: Record<string, Credential> = {};
  const bid = async (name: string, id: string, price: string, quantity: string) => {
    const res = await api.as(who[name]!, "POST", "/v1/orders", {
      clientOrderId: id,
      marketId: "m1",
      side: "buy",
      outcome: "YES",
      price,
      quantity,
    });
    expect(res.status, res.text).toBe(201);
    return (res.body as { orderId: string }).orderId;
  };
  /** alice sells YES by buying NO at 0.60 (IOC), filling the YES bids at 0.40 in their queue order. */
  const take = async (id: string, quantity: string) => {
    const res = await api.as(who.alice!, "POST", "/v1/orders", {
      clientOrderId: id,
      marketId: "m1",
      side: "buy",
      outcome: "NO",
      price: "0.6",
      quantity,
      timeInForce: "IOC",
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ filledQuantity: quantity });
  };
  const filled = async (name: string, orderId: string) =>
    ((await api.as(who[name]!, "GET", `/v1/orders/${orderId}`)).body as Json).filledQuantity;
  const amend = async (name: string, orderId: string, body: Json) =>
    oa.check(
      "POST",
      "/v1/orders/{orderId}/amend",
      await api.as(who[name]!, "POST", `/v1/orders/${orderId}/amend`, body),
    );

  beforeAll(async () => {
    gw = await startGateway();
    api = new Client(gw.url, gw.token);
    oa = new OpenApiChecker(api);
    await oa.load();
    await api.setClock(T0);
    for (const name of ["alice", "bob", "carol"]) {
      who[name] = await api.openAccount(name);
      await api.deposit(name, "1000", `wire-${name}`);
    }
    await api.listMarket({ marketId: "m1", question: "Will m1 happen?", resolvesAt: "2030-01-01T00:00:00Z" });
  }, 30_000);

  afterAll(async () => {
    await stopAllGateways();
  });

  it("a smaller quantity keeps bob's place ahead of carol; a larger one puts him behind her", async () => {
    const bob = await bid("bob", "bob-1", "0.4", "10");
    const carol = await bid("carol", "carol-1", "0.4", "10");
    const smaller = await amend("bob", bob, { quantity: "6", clientRequestId: "am-1" });
    expect(smaller.status, smaller.text).toBe(200);
    expect(smaller.body).toMatchObject({ orderId: bob, quantity: "6", price: "0.4", status: "open" });
    const book = (await api.send({ method: "GET", path: "/v1/markets/m1/book", headers: {} })).body as Json;
    expect(book.bids).toEqual([{ price: "0.4", quantity: "16" }]);
    // 8 taken: bob's 6 first, then 2 of carol's.
    await take("take-1", "8");
    expect(await filled("bob", bob)).toBe("6");
    expect(await filled("carol", carol)).toBe("2");
    const bob2 = await bid("bob", "bob-2", "0.4", "5");
    const larger = await amend("carol", carol, { quantity: "12", clientRequestId: "am-2" });
    expect(larger.status, larger.text).toBe(200);
    // carol's order went behind bob's new one: bob's 5 fill first, then 1 of carol's.
    await take("take-2", "6");
    expect(await filled("bob", bob2)).toBe("5");
    expect(await filled("carol", carol)).toBe("3");
  });

  it("a price that would cross is 422 AMEND_WOULD_CROSS and appends nothing; a retry is harmless; other terms 409", async () => {
    const bob = await bid("bob", "bob-3", "0.3", "5");
    await api.as(who.alice!, "POST", "/v1/orders", {
      clientOrderId: "ask",
      marketId: "m1",
      side: "buy",
      outcome: "NO",
      price: "0.5",
      quantity: "5",
    }); // an ask at 0.50 in YES terms
    const head = await gw.logLength();
    expectApiError(
      await amend("bob", bob, { price: "0.5", clientRequestId: "x-1" }),
      422,
      "AMEND_WOULD_CROSS",
    );
    expect(await gw.logLength()).toBe(head);
    const moved = await amend("bob", bob, { price: "0.45", clientRequestId: "x-2" });
    expect(moved.status, moved.text).toBe(200);
    expect((await amend("bob", bob, { price: "0.45", clientRequestId: "x-2" })).status).toBe(200);
    expect(await gw.logLength()).toBe(head + 1);
    expectApiError(
      await amend("bob", bob, { price: "0.46", clientRequestId: "x-2" }),
      409,
      "IDEMPOTENCY_CONFLICT",
    );
    expectApiError(
      await amend("carol", bob, { quantity: "1", clientRequestId: "x-3" }),
      403,
      "NOT_ORDER_OWNER",
    );
  });
});
