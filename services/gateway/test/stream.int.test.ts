// The WebSocket stream (/v1/stream) and the metrics endpoint, against a gateway on `memory:` with the system clock.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { signature } from "../src/http/auth.js";
import { type Credentials, type Json, marketBody, startTestGateway, type TestGateway } from "./support.js";

type Message = {
  channel: string;
  marketId?: string;
  accountId?: string;
  type?: string;
  sequence?: number;
  prevSequence?: number;
  data: Json;
};

/** A stream client that keeps every message; `next` takes them in order, `find` skips to the first match. */
class StreamClient {
  readonly received: Message[] = [];
  private cursor = 0;
  private wake: (() => void) | null = null;
  closed: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (raw) => {
      this.received.push(JSON.parse(raw.toString()) as Message);
      this.wake?.();
    });
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake?.();
    });
  }

  /** This connection's challenge nonce (the first message the gateway sends). */
  nonce = "";

  static async connect(baseUrl: string): Promise<StreamClient> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/v1/stream`);
    const client = await new Promise<StreamClient>((resolve, reject) => {
      ws.once("open", () => resolve(new StreamClient(ws)));
      ws.once("error", reject);
    });
    const challenge = await client.next();
    expect(challenge).toEqual({
      channel: "challenge",
      data: { nonce: expect.stringMatching(/^[0-9a-f]{32}$/) },
    });
    client.nonce = challenge.data.nonce;
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** The next message not yet taken. */
  next(timeoutMs = 2000): Promise<Message> {
    return this.find(() => true, timeoutMs, true);
  }

  /** The first message not yet taken that matches; with `strict`, the very next one must match. */
  async find(match: (m: Message) => boolean, timeoutMs = 2000, strict = false): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.received.length) {
        const m = this.received[this.cursor++]!;
        if (match(m)) return m;
        if (strict) throw new Error(`unexpected message ${JSON.stringify(m)}`);
      }
      if (this.closed) throw new Error(`closed (${this.closed.code}) while waiting`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching message in ${timeoutMs} ms; got ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** Messages received and not yet taken. */
  pending(): Message[] {
    return this.received.slice(this.cursor);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close();
    });
  }
}

const accountSubscription = (
  who: Credentials,
  op = "subscribe",
  timestamp = String(Date.now()),
  nonce = "",
) => ({
  op,
  channel: "account",
  apiKey: who.apiKey,
  timestamp,
  signature: signature(who.apiSecret, timestamp, "GET", "/v1/stream", nonce),
});

const order = (clientOrderId: string, side: "buy" | "sell", price: string, quantity: string) => ({
  clientOrderId,
  marketId: "m1",
  side,
  outcome: "YES",
  price,
  quantity,
});

describe("GET /v1/stream", () => {
  let gw: TestGateway;
  let alice: Credentials;
  let bob: Credentials;
  let carol: Credentials;
  const clients: StreamClient[] = [];
  const connect = async () => {
    const c = await StreamClient.connect(gw.url);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    // These tests are about the protocol and slow readers: the message rate limit is stream-security's.
    gw = await startTestGateway({ PMX_CLOCK: "system", PMX_STREAM_MESSAGES_PER_SECOND: "1000000" });
    alice = await gw.openAccount("alice", "1000");
    bob = await gw.openAccount("bob", "1000");
    carol = await gw.openAccount("carol", "1000");
    expect((await gw.operator("POST", "/v1/markets", marketBody("m1"))).status).toBe(201);
    // bob_20_yes_from_carol_at_055: a MINT trade, so bob has YES shares to sell and the market a trade history.
    expect(
      (await gw.signed(carol, "POST", "/v1/orders", { ...order("c0", "buy", "0.45", "20"), outcome: "NO" }))
        .status,
    ).toBe(201);
    expect((await gw.signed(bob, "POST", "/v1/orders", order("b0", "buy", "0.55", "20"))).status).toBe(201);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => gw.close());

  it("sends snapshots, then each trade and one book update per batch", async () => {
    const s = await connect();
    s.send({ op: "subscribe", channel: "trades", marketId: "m1" });
    expect(await s.next()).toEqual({ channel: "subscribed", data: { channel: "trades", marketId: "m1" } });
    const tradesSnapshot = await s.next();
    expect(tradesSnapshot).toMatchObject({ channel: "trades", marketId: "m1", data: { type: "snapshot" } });
    expect(tradesSnapshot.data.trades).toEqual([
      {
        tradeId: expect.any(String),
        price: "0.55",
        quantity: "20",
        kind: "MINT",
        takerSide: "buy",
        takerOutcome: "YES",
        at: expect.stringMatching(/Z$/),
      },
    ]);
    s.send({ op: "subscribe", channel: "book", marketId: "m1" });
    expect(await s.next()).toEqual({ channel: "subscribed", data: { channel: "book", marketId: "m1" } });
    const snapshot = await s.next();
    expect(snapshot).toEqual({
      channel: "book",
      marketId: "m1",
      type: "snapshot",
      sequence: (await gw.anonymous("GET", "/v1/markets/m1/book")).body.sequence,
      data: { type: "snapshot", bids: [], asks: [] },
    });
    // Each delta names the sequence of the message before it: a chain with no gap.
    let sequence = snapshot.sequence as number;
    const delta = async (bids: unknown[], asks: unknown[]) => {
      const m = await s.next();
      expect(m).toEqual({
        channel: "book",
        marketId: "m1",
        type: "delta",
        sequence: expect.any(Number),
        prevSequence: sequence,
        data: { type: "delta", bids, asks },
      });
      expect(m.sequence).toBeGreaterThan(sequence);
      sequence = m.sequence as number;
    };

    // A resting sell: the book shows the ask, no trade.
    expect((await gw.signed(bob, "POST", "/v1/orders", order("b1", "sell", "0.60", "10"))).status).toBe(201);
    await delta([], [{ price: "0.6", quantity: "10" }]);

    // A crossing buy for 4 at 0.61 fills at the maker's 0.60: the trade, then the changed level with 6 left.
    const buy = await gw.signed(alice, "POST", "/v1/orders", order("a1", "buy", "0.61", "4"));
    expect(buy.status).toBe(201);
    const trade = await s.next();
    expect(trade).toMatchObject({
      channel: "trades",
      marketId: "m1",
      data: {
        type: "trade",
        trade: { price: "0.6", quantity: "4", kind: "TRANSFER", takerSide: "buy", takerOutcome: "YES" },
      },
    });
    expect(trade.data.trade.tradeId).toBe(buy.body.trades[0].tradeId);
    // The trade carries its sequence: the same as the REST trades list shows.
    expect(trade.sequence).toBe((await gw.anonymous("GET", "/v1/markets/m1/trades")).body.trades[0].sequence);
    await delta([], [{ price: "0.6", quantity: "6" }]);
    const rest = (await gw.anonymous("GET", "/v1/markets/m1/book")).body;
    expect(rest.asks).toEqual([{ price: "0.6", quantity: "6" }]);
    expect(rest.sequence).toBe(sequence);

    // Unsubscribed from trades: the next fill only moves the book.
    s.send({ op: "unsubscribe", channel: "trades", marketId: "m1" });
    expect(await s.next()).toEqual({ channel: "unsubscribed", data: { channel: "trades", marketId: "m1" } });
    expect((await gw.signed(alice, "POST", "/v1/orders", order("a2", "buy", "0.60", "1"))).status).toBe(201);
    await delta([], [{ price: "0.6", quantity: "5" }]);

    // A batch that leaves the book as it was (a mark price, a deposit) sends no book message; a new level only itself.
    expect((await gw.operator("POST", "/v1/markets/m1/mark", { price: "0.6" })).status).toBe(200);
    expect(
      (await gw.operator("POST", "/v1/accounts/bob/deposits", { amount: "1", reference: "d1" })).status,
    ).toBe(200);
    expect((await gw.signed(bob, "POST", "/v1/orders", order("b2", "sell", "0.70", "1"))).status).toBe(201);
    await delta([], [{ price: "0.7", quantity: "1" }]);
  });

  it("streams a signed account its orders, fills and balance", async () => {
    const s = await connect();
    s.send(accountSubscription(alice, "subscribe", undefined, s.nonce));
    expect(await s.next()).toEqual({
      channel: "subscribed",
      data: { channel: "account", accountId: "alice" },
    });
    const first = await s.next();
    expect(first).toMatchObject({ channel: "account", accountId: "alice", data: { type: "balance" } });
    expect(first.data.account).toEqual((await gw.signed(alice, "GET", "/v1/account")).body);

    const buy = await gw.signed(alice, "POST", "/v1/orders", order("a3", "buy", "0.62", "2"));
    expect(buy.status).toBe(201);
    const orderId = buy.body.orderId;
    const fill = await s.next();
    expect(fill).toEqual({
      channel: "account",
      accountId: "alice",
      data: {
        type: "fill",
        fill: {
          tradeId: buy.body.trades[0].tradeId,
          orderId,
          marketId: "m1",
          side: "buy",
          outcome: "YES",
          price: "0.6",
          quantity: "2",
          liquidity: "taker",
          fee: "0",
          at: expect.stringMatching(/Z$/),
        },
      },
    });
    const placed = await s.next();
    expect(placed).toMatchObject({
      channel: "account",
      data: { type: "order", order: { orderId, status: "filled", filledQuantity: "2" } },
    });
    expect(placed.data.order).toEqual((await gw.signed(alice, "GET", `/v1/orders/${orderId}`)).body);
    const balance = await s.next();
    expect(balance).toMatchObject({ channel: "account", data: { type: "balance" } });
    expect(balance.data.account).toEqual((await gw.signed(alice, "GET", "/v1/account")).body);

    // A deposit is a balance update; another account's activity is not sent.
    expect(
      (await gw.operator("POST", "/v1/accounts/alice/deposits", { amount: "5", reference: "d2" })).status,
    ).toBe(200);
    expect((await s.next()).data).toMatchObject({ type: "balance", account: { accountId: "alice" } });
    expect(
      (await gw.operator("POST", "/v1/accounts/carol/deposits", { amount: "5", reference: "d2" })).status,
    ).toBe(200);
    expect(
      (await gw.operator("POST", "/v1/accounts/alice/deposits", { amount: "1", reference: "d3" })).status,
    ).toBe(200);
    expect((await s.next()).data.account.cash).toBe((await gw.signed(alice, "GET", "/v1/account")).body.cash);

    // The maker sees its side of the fill.
    const maker = await connect();
    maker.send(accountSubscription(bob, "subscribe", undefined, maker.nonce));
    await maker.find((m) => m.channel === "account" && m.data.type === "balance");
    expect((await gw.signed(carol, "POST", "/v1/orders", order("c1", "buy", "0.60", "1"))).status).toBe(201);
    const makerFill = await maker.find((m) => m.data.type === "fill");
    expect(makerFill.data.fill).toMatchObject({
      liquidity: "maker",
      side: "sell",
      price: "0.6",
      quantity: "1",
      fee: "0",
    });
    expect((await maker.find((m) => m.data.type === "order")).data.order).toMatchObject({
      clientOrderId: "b1",
      status: "open",
    });

    // Unsubscribed, alice hears nothing more of her account.
    s.send(accountSubscription(alice, "unsubscribe"));
    expect(await s.next()).toEqual({
      channel: "unsubscribed",
      data: { channel: "account", accountId: "alice" },
    });
    expect(
      (await gw.operator("POST", "/v1/accounts/alice/deposits", { amount: "1", reference: "d5" })).status,
    ).toBe(200);
    s.send({ op: "subscribe", channel: "book", marketId: "m1" });
    expect(await s.next()).toMatchObject({ channel: "subscribed", data: { channel: "book" } });
  });

  it("refuses bad messages and bad signatures with an error message and keeps the socket open", async () => {
    const s = await connect();
    const stale = String(Date.now() - 60_000);
    const cases: [unknown, string][] = [
      ["{not json", "MALFORMED_JSON"],
      [{ op: "subscribe", channel: "orders", marketId: "m1" }, "INVALID_REQUEST"],
      [{ op: "subscribe", channel: "trades", marketId: "m1", extra: true }, "INVALID_REQUEST"],
      [{ op: "subscribe", channel: "account", apiKey: alice.apiKey }, "INVALID_REQUEST"],
      [{ op: "subscribe", channel: "book", marketId: "nope" }, "UNKNOWN_MARKET"],
      [
        { ...accountSubscription(alice, "subscribe", undefined, s.nonce), signature: "00".repeat(32) },
        "BAD_SIGNATURE",
      ],
      [
        {
          ...accountSubscription(alice, "subscribe", undefined, s.nonce),
          signature: accountSubscription(bob, "subscribe", undefined, s.nonce).signature,
        },
        "BAD_SIGNATURE",
      ],
      [accountSubscription(alice, "subscribe", undefined, ""), "BAD_SIGNATURE"],
      [accountSubscription(alice, "subscribe", stale, s.nonce), "STALE_TIMESTAMP"],
      [{ ...accountSubscription(alice), apiKey: "pk_unknown" }, "UNAUTHENTICATED"],
    ];
    for (const [message, code] of cases) {
      s.send(message);
      const answer = await s.next();
      expect(answer, JSON.stringify(message)).toEqual({
        channel: "error",
        data: { code, message: expect.any(String) },
      });
    }
    // Still open, still answering, and not subscribed to alice after the refusals.
    expect(
      (await gw.operator("POST", "/v1/accounts/alice/deposits", { amount: "1", reference: "d4" })).status,
    ).toBe(200);
    s.send({ op: "subscribe", channel: "book", marketId: "m1" });
    expect(await s.next()).toEqual({ channel: "subscribed", data: { channel: "book", marketId: "m1" } });
    expect((await s.next()).data.type).toBe("snapshot");
    expect(s.pending()).toEqual([]);
    expect(s.closed).toBeNull();
  });

  it("serves every connection from one listener, removed when the gateway closes", async () => {
    const exchange = gw.gateway.exchange;
    expect(exchange.listenerCount("committed")).toBe(1);
    const a = await connect();
    const b = await connect();
    a.send({ op: "subscribe", channel: "trades", marketId: "m1" });
    b.send({ op: "subscribe", channel: "trades", marketId: "m1" });
    await a.find((m) => m.data.type === "snapshot");
    await b.find((m) => m.data.type === "snapshot");
    expect(exchange.listenerCount("committed")).toBe(1);
    await a.close();
    // The closed connection's subscription is gone: the next trade reaches b alone, without errors.
    expect((await gw.signed(alice, "POST", "/v1/orders", order("a9", "buy", "0.60", "1"))).status).toBe(201);
    await b.find((m) => m.data.type === "trade");
  });

  it("disconnects a client that does not read (1013) instead of buffering without bound", async () => {
    // 100 trades make each trades snapshot ~15 kB; a paused client asking for snapshots fills its buffer.
    const maker = await gw.openAccount("maker", "10000");
    const taker = await gw.openAccount("taker", "10000");
    expect(
      (
        await gw.signed(maker, "POST", "/v1/orders", {
          ...order("m-no", "buy", "0.5", "1000"),
          outcome: "NO",
        })
      ).status,
    ).toBe(201);
    for (let i = 0; i < 100; i++)
      expect((await gw.signed(taker, "POST", "/v1/orders", order(`t-${i}`, "buy", "0.5", "1"))).status).toBe(
        201,
      );

    const slow = await connect();
    const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const serverSide = () => [...gw.gateway.app.websocketServer.clients].at(-1)!;
    for (let round = 0; round < 100 && serverSide().readyState === WebSocket.OPEN; round++) {
      for (let i = 0; i < 200; i++) slow.send({ op: "subscribe", channel: "trades", marketId: "m1" });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(serverSide().readyState).toBe(WebSocket.CLOSING);
    socket.resume();
    await new Promise<void>((resolve) => slow.ws.once("close", () => resolve()));
    expect(slow.closed?.code).toBe(1013);
    // The gateway carries on for everyone else.
    const other = await connect();
    other.send({ op: "subscribe", channel: "book", marketId: "m1" });
    expect(await other.next()).toMatchObject({ channel: "subscribed" });
  }, 30_000);
});

describe("GET /metrics", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.close());

  const value = (text: string, name: string): number => {
    const line = text.split("\n").find((l) => l.startsWith(`${name} `));
    if (!line) throw new Error(`no ${name} in\n${text}`);
    return Number(line.slice(name.length + 1));
  };

  it("exposes request, sequencer and append metrics in Prometheus text", async () => {
    const before = await gw.anonymous("GET", "/metrics");
    expect(before.status).toBe(200);
    expect(before.headers.get("content-type")).toContain("text/plain");
    expect(value(before.text, "pmx_events_appended_total")).toBe(0);

    await gw.openAccount("alice", "100");
    const after = await gw.anonymous("GET", "/metrics");
    expect(after.text).toMatch(
      /^pmx_http_requests_total\{method="POST",route="\/v1\/accounts",status="201"\} 1$/m,
    );
    expect(after.text).toMatch(/^# TYPE pmx_http_requests_total counter$/m);
    expect(value(after.text, "pmx_sequencer_queue_depth")).toBe(0);
    expect(value(after.text, "pmx_events_appended_total")).toBeGreaterThan(0);
    expect(value(after.text, "pmx_append_duration_seconds_count")).toBe(2);
    expect(after.text).toMatch(/^pmx_append_duration_seconds_bucket\{le="\+Inf"\} 2$/m);
  });
});
