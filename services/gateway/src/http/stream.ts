// The WebSocket stream at GET /v1/stream: trades and book channels per market, and an authenticated account channel.
// Fed by the exchange's `committed` batches (durable events only); one listener serves every connection.
import { randomBytes } from "node:crypto";
import websocket, { type WebSocket } from "@fastify/websocket";
import { type Event, money, toAmountString } from "@pmx/domain";
import { accountView, bookView, type EventMeta, type FillView } from "@pmx/projections";
import type { FastifyInstance } from "fastify";
import type { CredentialStore } from "../credentials.js";
import type { Exchange } from "../exchange.js";
import { verifiedSignature } from "./auth.js";
import { StreamMessage } from "./bodies.js";
import { gatewayError } from "./errors.js";

export const STREAM_PATH = "/v1/stream";
/** Trades in a trades snapshot. */
export const STREAM_SNAPSHOT_TRADES = 100;
/** Bytes waiting to be sent to one client beyond which it is disconnected (1013) instead of buffered. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const MAX_MESSAGE_BYTES = 16 * 1024;
/** Market subscriptions (trades + book) one connection may hold. */
export const MAX_SUBSCRIPTIONS = 200;
/** Default messages a connection may send per second (bursts of twice that); beyond, each is refused RATE_LIMITED. */
export const MESSAGES_PER_SECOND = 20;
/** Refused messages in a row after which the connection is closed (1008): a client that ignores the refusals. */
const MAX_REFUSED_IN_A_ROW = 100;
/** Default open stream connections per client address (beyond: 429 RATE_LIMITED before the upgrade). */
export const CONNECTIONS_PER_IP = 32;
/** Close code "policy violation". */
const CLOSE_POLICY = 1008;
/** A client that has not answered a ping within this time is dropped. */
const HEARTBEAT_MS = 30_000;
/** Close code "try again later": the client reads too slowly. */
const CLOSE_TOO_SLOW = 1013;
const SIGNATURE_WINDOW_MS = 30_000;

interface Connection {
  readonly socket: WebSocket;
  /** This connection's challenge: an account subscription's signature covers it, so it is useless elsewhere. */
  readonly nonce: string;
  readonly ip: string;
  /** Message-rate token bucket. */
  tokens: number;
  refilledAt: number;
  refusedInARow: number;
  readonly trades: Set<string>;
  readonly book: Set<string>;
  readonly accounts: Set<string>;
  alive: boolean;
  closed: boolean;
}

/** Subscribers by key (marketId or accountId). */
class Subscribers {
  private readonly byKey = new Map<string, Set<Connection>>();
  add(key: string, c: Connection): void {
    let set = this.byKey.get(key);
    if (!set) this.byKey.set(key, (set = new Set()));
    set.add(c);
  }
  remove(key: string, c: Connection): void {
    const set = this.byKey.get(key);
    if (!set) return;
    set.delete(c);
    if (set.size === 0) this.byKey.delete(key);
  }
  of(key: string): ReadonlySet<Connection> | undefined {
    return this.byKey.get(key);
  }
  keys(): IterableIterator<string> {
    return this.byKey.keys();
  }
  get isEmpty(): boolean {
    return this.byKey.size === 0;
  }
}

/** A trade as the trades channel shows it (YES price; side and outcome of the taker). */
interface StreamTrade {
  tradeId: string;
  price: string;
  quantity: string;
  kind: string;
  takerSide: string;
  takerOutcome: string;
  at: string;
}

/** One account's fill of a trade, as GET /v1/fills shows it without its client order id and log position. */
type StreamFill = Omit<FillView, "clientOrderId" | "sequence">;

type Level = { price: string; quantity: string };

/** A book as last sent on the book channel: every level, and the sequence it reflects. */
interface SentBook {
  readonly sequence: number;
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
}

/** The levels of `now` that differ from `before` (new or changed quantity), and those gone ("0"), best first. */
function changedLevels(before: readonly Level[], now: readonly Level[]): Level[] {
  const was = new Map(before.map((l) => [l.price, l.quantity]));
  const changed = now.filter((l) => was.get(l.price) !== l.quantity);
  const present = new Set(now.map((l) => l.price));
  const gone = before.filter((l) => !present.has(l.price)).map((l) => ({ price: l.price, quantity: "0" }));
  return [...changed, ...gone];
}

type Verified = { ok: true; accountId: string } | { ok: false; code: string; message: string };

/** Own-outcome price of a fill from its amount and quantity (exact: the amount is price × quantity). */
const priceOf = (amount: string, quantity: number): string => toAmountString(money(amount).div(quantity));

/**
 * Which accounts and orders an event is about, read from the fields that name them, so that every event type (the
 * credit layer's too) reaches the accounts it concerns without a list to keep up to date.
 */
const ACCOUNT_FIELDS = ["accountId", "makerAccountId", "takerAccountId", "fromAccountId", "toAccountId"];
const ORDER_FIELDS = ["orderId", "makerOrderId", "takerOrderId"];
function accountsIn(fields: Record<string, unknown>): string[] {
  const ids = ACCOUNT_FIELDS.map((f) => fields[f]).filter((v): v is string => typeof v === "string");
  // A socialized loss names every pool provider it touches.
  if (Array.isArray(fields.haircuts))
    for (const h of fields.haircuts as { accountId?: unknown }[])
      if (typeof h?.accountId === "string") ids.push(h.accountId);
  return ids;
}
const ordersIn = (fields: Record<string, unknown>): string[] =>
  ORDER_FIELDS.map((f) => fields[f]).filter((v): v is string => typeof v === "string");

export interface StreamLimits {
  messagesPerSecond: number;
  connectionsPerIp: number;
}

export async function attachStream(
  app: FastifyInstance,
  exchange: Exchange,
  credentials: CredentialStore,
  limits: StreamLimits = { messagesPerSecond: MESSAGES_PER_SECOND, connectionsPerIp: CONNECTIONS_PER_IP },
): Promise<void> {
  const rate = limits.messagesPerSecond;
  const trades = new Subscribers();
  const books = new Subscribers();
  const accounts = new Subscribers();
  const connections = new Set<Connection>();
  /** The book last sent on each market's book channel, with its sequence, so that only changed levels are sent. */
  const lastBook = new Map<string, SentBook>();
  const unsubscribeBook = (marketId: string, c: Connection): void => {
    c.book.delete(marketId);
    books.remove(marketId, c);
    if (!books.of(marketId)) lastBook.delete(marketId);
  };

  // ---- sending ----
  const drop = (c: Connection): void => {
    if (c.closed) return;
    c.closed = true;
    connections.delete(c);
    for (const m of c.trades) trades.remove(m, c);
    for (const m of [...c.book]) unsubscribeBook(m, c);
    for (const a of c.accounts) accounts.remove(a, c);
  };
  /** Sends serialized text; a client with too much waiting is closed (1013) rather than buffered without bound. */
  const sendText = (c: Connection, text: string): void => {
    if (c.closed || c.socket.readyState !== c.socket.OPEN) return;
    if (c.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      drop(c);
      c.socket.close(CLOSE_TOO_SLOW, "client reads too slowly");
      return;
    }
    c.socket.send(text);
  };
  const send = (c: Connection, message: object): void => sendText(c, JSON.stringify(message));
  const broadcast = (to: ReadonlySet<Connection> | undefined, message: object): void => {
    if (!to || to.size === 0) return;
    const text = JSON.stringify(message);
    for (const c of [...to]) sendText(c, text);
  };
  const sendError = (c: Connection, code: string, message: string): void =>
    send(c, { channel: "error", data: { code, message } });

  // ---- views ----
  const state = () => exchange.projection.state;
  /** The account as GET /v1/account answers it (with its holdings). */
  const balanceOf = (accountId: string) => ({
    ...accountView(state(), accountId),
    holdings: exchange.projection.holdings(accountId),
  });
  /** A trade's sequence: the log revision of its TradeExecuted, as `GET /v1/markets/{id}/trades` shows it. */
  const tradeSequence = (marketId: string, tradeId: string): number | null => {
    const list = exchange.projection.tradesOf(marketId);
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.tradeId === tradeId) return list[i]!.sequence;
    return null;
  };
  /** The market's whole book (every level) and its sequence, as the REST book answers them. */
  const fullBook = (marketId: string): SentBook | null => {
    const market = state().markets.get(marketId);
    const sequence = exchange.projection.bookSequence(marketId);
    if (!market || sequence === null) return null;
    const { bids, asks } = bookView(market, Number.POSITIVE_INFINITY);
    return { sequence, bids, asks };
  };
  /**
   * Brings the market's book subscribers to the book as it is now: one delta (only the changed levels, "0" for a level
   * gone) from the book they last got, carrying its sequence as `prevSequence`, so a missed message shows as a gap.
   */
  const publishBook = (marketId: string): void => {
    const last = lastBook.get(marketId);
    const subscribers = books.of(marketId);
    if (!last || !subscribers) return;
    const sequence = exchange.projection.bookSequence(marketId);
    if (sequence === null || sequence === last.sequence) return;
    const now = fullBook(marketId)!;
    lastBook.set(marketId, now);
    broadcast(subscribers, {
      channel: "book",
      marketId,
      type: "delta",
      sequence: now.sequence,
      prevSequence: last.sequence,
      data: {
        type: "delta",
        bids: changedLevels(last.bids, now.bids),
        asks: changedLevels(last.asks, now.asks),
      },
    });
  };
  const tradeOf = (e: Extract<Event, { type: "TradeExecuted" }>, at: number): StreamTrade => ({
    tradeId: e.tradeId,
    price: e.yesPrice,
    quantity: String(e.quantity),
    kind: e.kind,
    takerSide: e.takerSide,
    takerOutcome: e.takerOutcome,
    at: new Date(at).toISOString(),
  });
  const fillsOf = (e: Extract<Event, { type: "TradeExecuted" }>, at: number): [string, StreamFill][] => {
    const common = { tradeId: e.tradeId, marketId: e.marketId, quantity: String(e.quantity) };
    const when = new Date(at).toISOString();
    return [
      [
        e.makerAccountId,
        {
          ...common,
          orderId: e.makerOrderId,
          side: e.makerSide,
          outcome: e.makerOutcome,
          price: priceOf(e.makerAmount, e.quantity),
          liquidity: "maker",
          fee: "0",
          at: when,
        },
      ],
      [
        e.takerAccountId,
        {
          ...common,
          orderId: e.takerOrderId,
          side: e.takerSide,
          outcome: e.takerOutcome,
          price: priceOf(e.takerAmount, e.quantity),
          liquidity: "taker",
          fee: e.takerFee,
          at: when,
        },
      ],
    ];
  };

  // ---- the committed batches ----
  interface AccountUpdate {
    fills: StreamFill[];
    orders: Set<string>;
    balance: boolean;
  }
  const onCommitted = (batch: { event: Event; meta: EventMeta }[]): void => {
    if (trades.isEmpty && books.isEmpty && accounts.isEmpty) return; // nobody listens: nothing to build
    const updates = new Map<string, AccountUpdate>();
    const update = (accountId: string): AccountUpdate | null => {
      if (!accounts.of(accountId)) return null;
      let u = updates.get(accountId);
      if (!u) updates.set(accountId, (u = { fills: [], orders: new Set(), balance: false }));
      return u;
    };
    for (const { event, meta } of batch) {
      const fields = event as unknown as Record<string, unknown>;
      if (event.type === "TradeExecuted") {
        const subscribers = trades.of(event.marketId);
        if (subscribers)
          broadcast(subscribers, {
            channel: "trades",
            marketId: event.marketId,
            sequence: tradeSequence(event.marketId, event.tradeId),
            data: { type: "trade", trade: tradeOf(event, meta.at) },
          });
        if (accounts.of(event.makerAccountId) || accounts.of(event.takerAccountId))
          for (const [accountId, fill] of fillsOf(event, meta.at)) update(accountId)?.fills.push(fill);
      }
      for (const accountId of accountsIn(fields)) {
        const u = update(accountId);
        if (u) u.balance = true;
      }
      for (const orderId of ordersIn(fields)) {
        const owner = state().orders.get(orderId)?.accountId;
        if (owner) update(owner)?.orders.add(orderId);
      }
    }
    // One delta per subscribed market whose book changed (its sequence moved) since the last message.
    for (const marketId of [...books.keys()]) publishBook(marketId);
    for (const [accountId, u] of updates) {
      const subscribers = accounts.of(accountId);
      for (const fill of u.fills)
        broadcast(subscribers, { channel: "account", accountId, data: { type: "fill", fill } });
      for (const orderId of u.orders) {
        const order = exchange.projection.order(orderId);
        if (order) broadcast(subscribers, { channel: "account", accountId, data: { type: "order", order } });
      }
      if (u.balance)
        broadcast(subscribers, {
          channel: "account",
          accountId,
          data: {
            type: "balance",
            account: {
              ...accountView(state(), accountId),
              holdings: exchange.projection.holdings(accountId),
            },
          },
        });
    }
  };
  // The sequencer calls this synchronously after an append: a failure here must not reach it.
  const listener = (batch: { event: Event; meta: EventMeta }[]): void => {
    try {
      onCommitted(batch);
    } catch (error) {
      app.log.error({ err: error }, "stream: could not publish a committed batch");
    }
  };
  exchange.on("committed", listener);

  // ---- subscriptions ----
  const verify = (c: Connection, m: { apiKey: string; timestamp: string; signature: string }): Verified => {
    const credential = credentials.lookup(m.apiKey);
    if (!credential) return { ok: false, code: "UNAUTHENTICATED", message: "unknown API key" };
    if (!/^\d{1,16}$/.test(m.timestamp))
      return { ok: false, code: "UNAUTHENTICATED", message: "timestamp is milliseconds since epoch" };
    const skew = Number(m.timestamp) - exchange.clock.now();
    if (Math.abs(skew) > SIGNATURE_WINDOW_MS)
      return {
        ok: false,
        code: "STALE_TIMESTAMP",
        message: `the timestamp is ${Math.round(skew / 1000)} s from the gateway's clock (±30 s allowed)`,
      };
    // The signature covers this connection's challenge nonce: a subscription seen on one connection opens no other.
    if (verifiedSignature(credential, m.timestamp, "GET", STREAM_PATH, c.nonce, m.signature) === null)
      return {
        ok: false,
        code: "BAD_SIGNATURE",
        message:
          'the signature is not hex(HMAC-SHA256(apiSecret, timestamp + "GET" + "/v1/stream" + nonce)), nonce being this connection\'s challenge (the form without the nonce is refused)',
      };
    return { ok: true, accountId: credential.accountId };
  };

  const subscribeMarket = (c: Connection, channel: "trades" | "book", marketId: string): void => {
    if (!state().markets.has(marketId)) {
      sendError(c, "UNKNOWN_MARKET", `no market ${marketId}`);
      return;
    }
    const mine = channel === "trades" ? c.trades : c.book;
    if (!mine.has(marketId) && c.trades.size + c.book.size >= MAX_SUBSCRIPTIONS) {
      sendError(
        c,
        "TOO_MANY_SUBSCRIPTIONS",
        `at most ${MAX_SUBSCRIPTIONS} market subscriptions a connection`,
      );
      return;
    }
    mine.add(marketId);
    (channel === "trades" ? trades : books).add(marketId, c);
    send(c, { channel: "subscribed", data: { channel, marketId } });
    if (channel === "trades") {
      const recent = exchange.projection.recentTrades(marketId, STREAM_SNAPSHOT_TRADES);
      const list = recent.map(({ marketId: _, ...trade }) => trade);
      send(c, { channel: "trades", marketId, data: { type: "snapshot", trades: list } });
    } else {
      // The others first catch up with the book as it is now, so that this snapshot and their last message agree.
      publishBook(marketId);
      let now = lastBook.get(marketId);
      if (!now) lastBook.set(marketId, (now = fullBook(marketId)!));
      send(c, {
        channel: "book",
        marketId,
        type: "snapshot",
        sequence: now.sequence,
        data: { type: "snapshot", bids: now.bids, asks: now.asks },
      });
    }
  };

  const onMessage = (c: Connection, text: string): void => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      sendError(c, "MALFORMED_JSON", "the message is not valid JSON");
      return;
    }
    // Decode against the branch the channel names, so the problem reported is the one that matters.
    const isAccount =
      typeof parsed === "object" &&
      parsed !== null &&
      (parsed as { channel?: unknown }).channel === "account";
    const decoded = (isAccount ? StreamMessage.types[1] : StreamMessage.types[0]).decode(parsed);
    if (decoded._tag === "Left") {
      const e = decoded.left[0];
      const field = e?.context
        .map((x) => x.key)
        .filter((k) => k !== "" && !/^\d+$/.test(k))
        .join(".");
      const why = e?.message ?? `expected ${e?.context[e.context.length - 1]?.type.name ?? "a valid value"}`;
      sendError(
        c,
        "INVALID_REQUEST",
        `${field ? `${field}: ` : ""}${why} (messages are {op: "subscribe"|"unsubscribe", channel: "trades"|"book", marketId} or the signed account form)`,
      );
      return;
    }
    const m = decoded.right as StreamMessage;
    if (m.channel !== "account") {
      if (m.op === "subscribe") subscribeMarket(c, m.channel, m.marketId);
      else {
        if (m.channel === "trades") {
          c.trades.delete(m.marketId);
          trades.remove(m.marketId, c);
        } else unsubscribeBook(m.marketId, c);
        send(c, { channel: "unsubscribed", data: { channel: m.channel, marketId: m.marketId } });
      }
      return;
    }
    if (m.op === "unsubscribe") {
      // Unsubscribing needs only the key: it can only stop messages to this connection.
      const accountId = credentials.lookup(m.apiKey)?.accountId;
      if (!accountId) {
        sendError(c, "UNAUTHENTICATED", "unknown API key");
        return;
      }
      c.accounts.delete(accountId);
      accounts.remove(accountId, c);
      send(c, { channel: "unsubscribed", data: { channel: "account", accountId } });
      return;
    }
    const verified = verify(c, m);
    if (!verified.ok) {
      sendError(c, verified.code, verified.message);
      return;
    }
    const { accountId } = verified;
    c.accounts.add(accountId);
    accounts.add(accountId, c);
    send(c, { channel: "subscribed", data: { channel: "account", accountId } });
    send(c, {
      channel: "account",
      accountId,
      data: { type: "balance", account: balanceOf(accountId) },
    });
  };

  // ---- the route ----
  await app.register(websocket, {
    options: { maxPayload: MAX_MESSAGE_BYTES },
    errorHandler: (error, socket, request) => {
      request.log.warn({ err: error }, "stream: socket error");
      socket.terminate();
    },
  });

  /** Takes one message token; false (and an error, or a close for a client that ignores them) when none is left. */
  const admitMessage = (c: Connection): boolean => {
    const now = performance.now();
    c.tokens = Math.min(2 * rate, c.tokens + ((now - c.refilledAt) / 1000) * rate);
    c.refilledAt = now;
    if (c.tokens >= 1) {
      c.tokens -= 1;
      c.refusedInARow = 0;
      return true;
    }
    if (++c.refusedInARow >= MAX_REFUSED_IN_A_ROW) {
      drop(c);
      c.socket.close(CLOSE_POLICY, "message rate limit");
      return false;
    }
    sendError(c, "RATE_LIMITED", `at most ${rate} messages a second a connection (bursts of ${2 * rate})`);
    return false;
  };
  const perIp = new Map<string, number>();

  const onConnection = (socket: WebSocket, ip: string): void => {
    const c: Connection = {
      socket,
      nonce: randomBytes(16).toString("hex"),
      ip,
      tokens: 2 * rate,
      refilledAt: performance.now(),
      refusedInARow: 0,
      trades: new Set(),
      book: new Set(),
      accounts: new Set(),
      alive: true,
      closed: false,
    };
    connections.add(c);
    send(c, { channel: "challenge", data: { nonce: c.nonce } });
    socket.on("message", (raw, isBinary) => {
      if (c.closed || !admitMessage(c)) return;
      if (isBinary) {
        sendError(c, "INVALID_REQUEST", "messages are JSON text frames");
        return;
      }
      const text = Buffer.isBuffer(raw)
        ? raw.toString("utf8")
        : Array.isArray(raw)
          ? Buffer.concat(raw).toString("utf8")
          : Buffer.from(raw).toString("utf8");
      onMessage(c, text);
    });
    socket.on("pong", () => {
      c.alive = true;
    });
    socket.on("close", () => {
      drop(c);
      const n = (perIp.get(ip) ?? 1) - 1;
      if (n <= 0) perIp.delete(ip);
      else perIp.set(ip, n);
    });
  };

  app.route({
    method: "GET",
    url: STREAM_PATH,
    // A plain HTTP GET (no Upgrade) gets an answer in the API's error shape.
    handler: async () => {
      throw gatewayError(
        "UPGRADE_REQUIRED",
        "GET /v1/stream is a WebSocket: connect with an Upgrade request",
      );
    },
    // Connections per address are counted before the upgrade: beyond the cap, 429 and no socket.
    preValidation: async (req) => {
      if (req.headers.upgrade?.toLowerCase() !== "websocket") return;
      const open = perIp.get(req.ip) ?? 0;
      if (open >= limits.connectionsPerIp)
        throw gatewayError(
          "RATE_LIMITED",
          `at most ${limits.connectionsPerIp} stream connections from one address`,
          { retryAfterSeconds: 1 },
          { "retry-after": "1" },
        );
      perIp.set(req.ip, open + 1);
    },
    wsHandler: (socket, req) => onConnection(socket, req.ip),
  });

  // Connections that stopped answering pings are dropped, so their subscriptions do not pile up.
  const heartbeat = setInterval(() => {
    for (const c of [...connections]) {
      if (!c.alive) {
        drop(c);
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      if (c.socket.readyState === c.socket.OPEN) c.socket.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  app.addHook("onClose", async () => {
    clearInterval(heartbeat);
    exchange.off("committed", listener);
    for (const c of [...connections]) drop(c);
  });
}
