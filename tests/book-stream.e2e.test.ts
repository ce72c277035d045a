// Issue 13 through the real gateway, with the project's own client (@pmx/client): its WebSocket BookStream applies the
// book channel's deltas and holds exactly the REST book at the same `sequence` after 10,000 random orders (placed with
// PmxClient.placeOrders); a stream that drops one message sees the gap (its next delta's `prevSequence` is not the
// sequence it holds), resubscribes by itself, and ends with the same book.

import { PmxClient } from "@pmx/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, type Credential } from "./support/client.js";
import { type Gateway, startGateway, stopAllGateways, T0 } from "./support/gateway.js";
import { OpenApiChecker } from "./support/openapi.js";
import { prng } from "./support/random.js";

const ORDERS = 10_000;
const TRADERS = ["t0", "t1", "t2", "t3"] as const;

type Level = { price: string; quantity: string };

describe("the WebSocket book channel against the REST book", () => {
  let gw: Gateway;
  let api: Client;
  let oa: OpenApiChecker;
  const who: Record<string, Credential> = {};

  beforeAll(async () => {
    gw = await startGateway();
    api = new Client(gw.url, gw.token);
    oa = new OpenApiChecker(api);
    await oa.load();
    await api.setClock(T0);
    for (const name of TRADERS) {
      who[name] = await api.openAccount(name);
      await api.deposit(name, "10000000", `wire-${name}`);
    }
    await api.listMarket({ marketId: "m1", question: "Will m1 happen?", resolvesAt: "2030-01-01T00:00:00Z" });
  }, 60_000);

  afterAll(async () => {
    await stopAllGateways();
  });

  it(`after ${ORDERS.toLocaleString("en-US")} random orders a client applying deltas holds exactly the REST book at the same sequence; one that drops a message sees the gap and recovers`, async () => {
    const trader = (name: string) =>
      new PmxClient({ baseUrl: gw.url, ...who[name]!, now: () => api.clockMs + 1 });
    const clients = Object.fromEntries(TRADERS.map((t) => [t, trader(t)]));
    const follower = clients.t0!.bookStream("m1");
    const lossy = clients.t1!.bookStream("m1");
    lossy.dropDelta = 5;
    await Promise.all([follower.opened(), lossy.opened()]);
    const random = prng(20241106);
    let accepted = 0;
    for (let sent = 0; sent < ORDERS; sent += 100) {
      const trader = TRADERS[(sent / 100) % TRADERS.length]!;
      if ((sent / 100) % 17 === 16) await clients[trader]!.cancelAll("m1"); // many levels change at once
      const orders = Array.from({ length: 100 }, () => ({
        marketId: "m1",
        side: "buy" as const,
        outcome: random() < 0.5 ? ("YES" as const) : ("NO" as const),
        price: (0.3 + Math.floor(random() * 41) / 100).toFixed(2),
        quantity: String(1 + Math.floor(random() * 20)),
        timeInForce: random() < 0.8 ? ("GTC" as const) : ("IOC" as const),
      }));
      const answer = await clients[trader]!.placeOrders(orders);
      accepted += answer.results.filter((r) => r.status === 201).length;
    }
    expect(accepted).toBe(ORDERS);
    const rest = oa.check(
      "GET",
      "/v1/markets/{marketId}/book",
      await api.send({ method: "GET", path: "/v1/markets/m1/book?depth=1000", headers: {} }),
    );
    const book = rest.body as { sequence: number; bids: Level[]; asks: Level[] };
    for (const f of [follower, lossy]) {
      await f.reach(book.sequence);
      expect(f.sequence).toBe(book.sequence);
      expect(f.bids).toEqual(book.bids);
      expect(f.asks).toEqual(book.asks);
    }
    expect(book.bids.length).toBeGreaterThan(2);
    expect(book.asks.length).toBeGreaterThan(2);
    expect(follower.gaps).toBe(0);
    expect(lossy.gaps).toBe(1);
    follower.close();
    lossy.close();
  }, 240_000);
});
