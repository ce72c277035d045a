// Issue 13 through the real gateway: a WebSocket client that applies the book channel's deltas holds exactly the REST
// book at the same `sequence` after 10,000 random orders; a client that drops one message sees the gap (its next
// delta's `prevSequence` is not the sequence it holds), resubscribes, and ends with the same book.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { Client, type Credential } from "./support/client.js";
import { type Gateway, startGateway, stopAllGateways, T0 } from "./support/gateway.js";
import { OpenApiChecker } from "./support/openapi.js";

const ORDERS = 10_000;
const TRADERS = ["t0", "t1", "t2", "t3"] as const;

type Level = { price: string; quantity: string };
type Msg = {
  channel: string;
  type?: string;
  sequence?: number;
  prevSequence?: number;
  data: { bids: Level[]; asks: Level[] };
};

/** A client's book, built from the snapshot and the deltas it applies; it resubscribes when it sees a gap. */
class BookFollower {
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();
  sequence = -1;
  gaps = 0;
  /** Drop (ignore) the delta with this index, as a lost message would be. */
  dropAt: number | null = null;
  private deltas = 0;
  private constructor(private readonly ws: WebSocket) {}

  static async open(url: string, marketId: string, dropAt: number | null = null): Promise<BookFollower> {
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/v1/stream`);
    const f = new BookFollower(ws);
    f.dropAt = dropAt;
    ws.on("message", (raw) => f.onMessage(JSON.parse(String(raw)) as Msg, marketId));
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    ws.send(JSON.stringify({ op: "subscribe", channel: "book", marketId }));
    return f;
  }

  private onMessage(m: Msg, marketId: string): void {
    if (m.channel !== "book") return;
    if (m.type === "snapshot") {
      this.bids.clear();
      this.asks.clear();
      for (const l of m.data.bids) this.bids.set(l.price, l.quantity);
      for (const l of m.data.asks) this.asks.set(l.price, l.quantity);
      this.sequence = m.sequence!;
      return;
    }
    if (this.deltas++ === this.dropAt) return; // lost on the way
    if (m.prevSequence !== this.sequence) {
      // A gap: what we hold is not what this delta applies to. Start again from a snapshot.
      this.gaps += 1;
      this.sequence = -1;
      this.ws.send(JSON.stringify({ op: "unsubscribe", channel: "book", marketId }));
      this.ws.send(JSON.stringify({ op: "subscribe", channel: "book", marketId }));
      return;
    }
    for (const [side, levels] of [
      [this.bids, m.data.bids],
      [this.asks, m.data.asks],
    ] as const)
      for (const l of levels) l.quantity === "0" ? side.delete(l.price) : side.set(l.price, l.quantity);
    this.sequence = m.sequence!;
  }

  levels(side: "bids" | "asks"): Level[] {
    const entries = [...this[side].entries()].map(([price, quantity]) => ({ price, quantity }));
    return entries.sort((a, b) =>
      side === "bids" ? Number(b.price) - Number(a.price) : Number(a.price) - Number(b.price),
    );
  }

  close(): void {
    this.ws.close();
  }
}

/** mulberry32: the orders are random, and the same at every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

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
    const follower = await BookFollower.open(gw.url, "m1");
    const lossy = await BookFollower.open(gw.url, "m1", 5);
    const random = rng(20241106);
    let accepted = 0;
    for (let sent = 0; sent < ORDERS; sent += 100) {
      const trader = TRADERS[(sent / 100) % TRADERS.length]!;
      if ((sent / 100) % 17 === 16) {
        // Now and then a trader cancels everything it has resting: many levels change at once.
        const cancelled = await api.as(who[trader]!, "DELETE", "/v1/orders?marketId=m1");
        expect(cancelled.status, cancelled.text).toBe(200);
      }
      const orders = Array.from({ length: 100 }, (_, k) => ({
        clientOrderId: `o-${sent + k}`,
        marketId: "m1",
        side: "buy",
        outcome: random() < 0.5 ? "YES" : "NO",
        price: (0.3 + Math.floor(random() * 41) / 100).toFixed(2),
        quantity: String(1 + Math.floor(random() * 20)),
        timeInForce: random() < 0.8 ? "GTC" : "IOC",
      }));
      const res = await api.as(who[trader]!, "POST", "/v1/orders/batch", { orders });
      expect(res.status, res.text).toBe(200);
      accepted += (res.body as { results: { status: number }[] }).results.filter(
        (r) => r.status === 201,
      ).length;
    }
    expect(accepted).toBe(ORDERS);
    const rest = oa.check(
      "GET",
      "/v1/markets/{marketId}/book",
      await api.send({ method: "GET", path: "/v1/markets/m1/book?depth=1000", headers: {} }),
    );
    const book = rest.body as { sequence: number; bids: Level[]; asks: Level[] };
    for (const f of [follower, lossy]) {
      for (let i = 0; i < 200 && f.sequence !== book.sequence; i++)
        await new Promise((r) => setTimeout(r, 25));
      expect(f.sequence).toBe(book.sequence);
      expect(f.levels("bids")).toEqual(book.bids);
      expect(f.levels("asks")).toEqual(book.asks);
    }
    expect(book.bids.length).toBeGreaterThan(2);
    expect(book.asks.length).toBeGreaterThan(2);
    expect(follower.gaps).toBe(0);
    expect(lossy.gaps).toBe(1);
    follower.close();
    lossy.close();
  }, 240_000);
});
