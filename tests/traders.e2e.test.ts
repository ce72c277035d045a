// End to end through the real gateway process on a SQLite file (issue 13, "What traders reach for"): what a trader
// coming from another exchange's API uses daily, each answer checked against the gateway's own OpenAPI document.
// 1. pagination: 5,000 trades walked page by page with no gap or repeat, the gateway restarted in the middle of the
//    walk and the walk continued with the same cursor; the orders list the same way; markets by page and status;
//    the old `limit` answers kept.
// 2. account history: after a scripted session (deposits, trades as maker and taker with fees, a leveraged buy with
//    jump-risk fees, a pool supply, a withdrawal, a settlement) every account's fills are exactly its orders' fills
//    and the market's trades, and its activity sums to its cash, each `cashAfter` the running sum; the same after a
//    restart.
// 3. candles equal the trades they summarize (OHLCV computed by the test from GET trades).
// 4. cancel-all: the caller's open orders (one market or all) in one command, the operator's route for any account,
//    a signed account refused on it; `pmx audit` re-decides the log.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, Client, type Credential, expectApiError, type Json } from "./support/client.js";
import {
  type Gateway,
  readEvents,
  runPmx,
  startGateway,
  stopAllGateways,
  storedEvents,
  T0,
} from "./support/gateway.js";
import { Decimal, dec } from "./support/ledger.js";
import { OpenApiChecker } from "./support/openapi.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const FAST = { PMX_RATE_LIMIT_PER_KEY: "10000000", PMX_RATE_LIMIT_PER_IP: "10000000" };

/** Runs `task(0..count-1)` with at most `width` at once; answers in index order. */
async function inParallel<T>(count: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      out[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
  return out;
}

/** Every page of a list, following nextCursor; `between` runs after each page (e.g. a restart). */
async function walk(
  get: (cursor: string | null) => Promise<ApiResponse>,
  key: string,
  between?: (page: number) => Promise<void>,
): Promise<{ items: Json[]; pages: number }> {
  const items: Json[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await get(cursor);
    expect(res.status, res.text).toBe(200);
    items.push(...res.body[key]);
    cursor = res.body.nextCursor;
    expect(cursor === null || typeof cursor === "string").toBe(true);
    pages += 1;
    if (cursor !== null) await between?.(pages);
    expect(pages, "the walk ends").toBeLessThan(10_000);
  } while (cursor !== null);
  return { items, pages };
}

const withCursor = (path: string, cursor: string | null) =>
  cursor === null ? path : `${path}${path.includes("?") ? "&" : "?"}cursor=${cursor}`;

afterAll(async () => {
  await stopAllGateways();
});

// ---------------------------------------------------------------------------------------------------------------
describe("1. pagination: 5,000 trades walked across a restart, orders and markets page by page", () => {
  const M = "walk";
  const TRADES = 5000;
  let gw: Gateway;
  let api: Client;
  let oa: OpenApiChecker;
  let taker: Credential;
  /** The market's TradeExecuted events in the log, oldest first. */
  let logged: { revision: number; tradeId: string; quantity: number }[];

  const anon = (path: string) => api.send({ method: "GET", path, headers: {} });
  const trades = async (query: string) =>
    oa.check("GET", "/v1/markets/{marketId}/trades", await anon(`/v1/markets/${M}/trades${query}`));

  beforeAll(async () => {
    gw = await startGateway({ env: { ...FAST, PMX_SNAPSHOT_EVERY: "4000" } });
    api = new Client(gw.url, gw.token);
    oa = new OpenApiChecker(api);
    await oa.load();
    await api.setClock(T0);
    const maker = await api.openAccount("mm");
    await api.deposit("mm", "100000", "wire-mm");
    taker = await api.openAccount("tk");
    await api.deposit("tk", "100000", "wire-tk");
    await api.listMarket({ marketId: M });
    // The maker rests a buy of 20,000 NO at 0.45: an ask of YES at 0.55 that every taker order below fills.
    const rest = await api.as(maker, "POST", "/v1/orders", {
      clientOrderId: "rest",
      marketId: M,
      side: "buy",
      outcome: "NO",
      price: "0.45",
      quantity: "20000",
    });
    expect(rest.status, rest.text).toBe(201);
    // Ten batches of 500 taker orders, seven minutes apart (the trades span an hour of the manual clock).
    for (let batch = 0; batch < TRADES / 500; batch++) {
      await api.setClock(T0 + batch * 7 * MINUTE);
      const answers = await inParallel(500, 16, (i) =>
        api.as(taker, "POST", "/v1/orders", {
          clientOrderId: `t-${batch}-${i}`,
          marketId: M,
          side: "buy",
          outcome: "YES",
          price: "0.55",
          quantity: String(1 + (i % 3)),
          timeInForce: "IOC",
        }),
      );
      for (const a of answers) {
        expect(a.status, a.text).toBe(201);
        expect(a.body.status).toBe("filled");
      }
    }
    logged = readEvents(gw.dbPath)
      .filter((e) => e.type === "TradeExecuted" && e.data.marketId === M)
      .map((e) => ({
        revision: e.revision,
        tradeId: e.data.tradeId as string,
        quantity: e.data.quantity as number,
      }));
    expect(logged).toHaveLength(TRADES);
  }, 300_000);

  it("given 5,000 trades, when they are walked 137 a page and the gateway restarts after page 20, then the walk continues with the same cursor: every trade once, newest first, each with its log position", async () => {
    const snapshotsBefore = readdirSync(join(gw.dataDir, "snapshots")).filter((f) => f.endsWith(".json"));
    expect(
      snapshotsBefore.length,
      "the restart starts from a snapshot plus the log after it",
    ).toBeGreaterThan(0);
    let restarted = 0;
    const { items, pages } = await walk(
      (cursor) => trades(withCursor("?limit=137", cursor)),
      "trades",
      async (page) => {
        if (page === 20) {
          await gw.restart();
          restarted += 1;
        }
      },
    );
    expect(restarted).toBe(1);
    expect(pages).toBe(Math.ceil(TRADES / 137));
    const expected = [...logged].reverse();
    expect(items.map((t) => t.tradeId)).toEqual(expected.map((t) => t.tradeId));
    expect(new Set(items.map((t) => t.tradeId)).size).toBe(TRADES);
    expect(items.map((t) => t.sequence)).toEqual(expected.map((t) => t.revision));
    expect(items.map((t) => Number(t.quantity))).toEqual(expected.map((t) => t.quantity));
    for (const t of items)
      expect(t).toMatchObject({
        marketId: M,
        kind: "MINT",
        price: "0.55",
        takerSide: "buy",
        takerOutcome: "YES",
      });
  });

  it("given the same walk at 1,000 a page, then 5 pages; a cursor answered before a restart reads the same page after it, and on a follower", async () => {
    const { items, pages } = await walk((cursor) => trades(withCursor("?limit=1000", cursor)), "trades");
    expect(pages).toBe(5);
    expect(items.map((t) => t.tradeId)).toEqual([...logged].reverse().map((t) => t.tradeId));
    const first = await trades("?limit=250");
    const second = await trades(`?limit=250&cursor=${first.body.nextCursor}`);
    await gw.restart();
    const again = await trades(`?limit=250&cursor=${first.body.nextCursor}`);
    expect(again.body).toEqual(second.body);
    // A follower on the same file folds the same log: the same cursor reads the same page there.
    const follower = await startGateway({ sameFileAs: gw, env: { PMX_FOLLOW: "1" } });
    try {
      const there = await new Client(follower.url, follower.token).send({
        method: "GET",
        path: `/v1/markets/${M}/trades?limit=250&cursor=${first.body.nextCursor}`,
        headers: {},
      });
      expect(there.body).toEqual(second.body);
    } finally {
      await follower.stop();
    }
  });

  it("given the old queries, then they answer as before: 100 newest by default, up to 1,000, and 400 outside 1–1000", async () => {
    const newest = [...logged].reverse();
    const plain = await trades("");
    expect(plain.status).toBe(200);
    expect(plain.body.trades.map((t: Json) => t.tradeId)).toEqual(newest.slice(0, 100).map((t) => t.tradeId));
    expect(plain.body.nextCursor).toEqual(expect.any(String));
    expect((await trades("?limit=1000")).body.trades).toHaveLength(1000);
    expect((await trades("?limit=1")).body.trades[0].tradeId).toBe(newest[0]!.tradeId);
    expectApiError(await trades("?limit=1001"), 400, "INVALID_REQUEST");
    expectApiError(await trades("?limit=0"), 400, "INVALID_REQUEST");
    expectApiError(await trades("?limit=-1"), 400, "INVALID_REQUEST");
    expectApiError(await trades("?page=2"), 400, "INVALID_REQUEST");
  });

  it("given a cursor that is not this list's, then 400 INVALID_CURSOR (another market's, another list's, or made up); a malformed one 400 INVALID_REQUEST", async () => {
    await api.listMarket({ marketId: "other" });
    const page = await trades("?limit=5");
    const cursor = page.body.nextCursor as string;
    expectApiError(
      oa.check(
        "GET",
        "/v1/markets/{marketId}/trades",
        await anon(`/v1/markets/other/trades?cursor=${cursor}`),
      ),
      400,
      "INVALID_CURSOR",
    );
    const ordersCursor = (await api.op("GET", "/v1/orders?accountId=tk&limit=2")).body.nextCursor as string;
    expectApiError(await trades(`?cursor=${ordersCursor}`), 400, "INVALID_CURSOR");
    expectApiError(
      await trades(`?cursor=${Buffer.from("[1,2,3]").toString("base64url")}`),
      400,
      "INVALID_CURSOR",
    );
    expectApiError(await trades("?cursor=bm90IGpzb24"), 400, "INVALID_CURSOR");
    expectApiError(await trades("?cursor=a%20b"), 400, "INVALID_REQUEST");
  });

  it("given the taker's 5,000 orders, when the operator walks them 1,000 a page with a restart in the middle, then each once, newest first; status=filled the same; the account's own default page is 100", async () => {
    const ids = (items: Json[]) => items.map((o) => o.orderId as string);
    const { items, pages } = await walk(
      async (cursor) =>
        oa.check(
          "GET",
          "/v1/orders",
          await api.op("GET", withCursor("/v1/orders?accountId=tk&limit=1000", cursor)),
        ),
      "orders",
      async (page) => {
        if (page === 2) await gw.restart();
      },
    );
    expect(pages).toBe(5);
    expect(items).toHaveLength(TRADES);
    expect(new Set(ids(items)).size).toBe(TRADES);
    const numbers = ids(items).map((id) => Number(id.slice(2)));
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    const filled = await walk(
      (cursor) => api.op("GET", withCursor("/v1/orders?accountId=tk&status=filled&limit=999", cursor)),
      "orders",
    );
    expect(ids(filled.items)).toEqual(ids(items));
    const own = oa.check("GET", "/v1/orders", await api.as(taker, "GET", "/v1/orders"));
    expect(ids(own.body.orders)).toEqual(ids(items).slice(0, 100));
    const next = await api.as(taker, "GET", `/v1/orders?cursor=${own.body.nextCursor}`);
    expect(ids(next.body.orders)).toEqual(ids(items).slice(100, 200));
    expect((await api.as(taker, "GET", "/v1/orders?status=open")).body).toEqual({
      orders: [],
      nextCursor: null,
    });
  });

  it("given markets open, halted, resolved and past resolvesAt, then GET /v1/markets pages them in listing order and filters by status", async () => {
    const now = api.clockMs;
    for (const id of ["m-open", "m-halt", "m-res", "m-a", "m-b"]) await api.listMarket({ marketId: id });
    await api.listMarket({ marketId: "m-closed", resolvesAt: iso(now + HOUR) });
    expect((await api.op("POST", "/v1/markets/m-halt/halt")).status).toBe(200);
    expect((await api.op("POST", "/v1/markets/m-res/resolve", { outcome: "YES" })).status).toBe(200);
    await api.setClock(now + 2 * HOUR);
    const listing = [M, "other", "m-open", "m-halt", "m-res", "m-a", "m-b", "m-closed"];
    const markets = (query: string) => api.send({ method: "GET", path: `/v1/markets${query}`, headers: {} });
    const all = oa.check("GET", "/v1/markets", await markets(""));
    expect(all.body.markets.map((m: Json) => m.marketId)).toEqual(listing);
    expect(all.body.nextCursor).toBeNull();
    const paged = await walk(
      async (cursor) => oa.check("GET", "/v1/markets", await markets(withCursor("?limit=3", cursor))),
      "markets",
    );
    expect(paged.pages).toBe(3);
    expect(paged.items.map((m) => m.marketId)).toEqual(listing);
    const byStatus = async (status: string) =>
      (await walk((cursor) => markets(withCursor(`?status=${status}&limit=2`, cursor)), "markets")).items.map(
        (m) => m.marketId,
      );
    expect(await byStatus("open")).toEqual([M, "other", "m-open", "m-a", "m-b"]);
    expect(await byStatus("halted")).toEqual(["m-halt"]);
    expect(await byStatus("resolved")).toEqual(["m-res"]);
    expect(await byStatus("closed")).toEqual(["m-closed"]);
    const closed = await markets("?status=closed");
    expect(closed.body.markets[0]).toMatchObject({ status: "closed", phase: "closed" });
    expectApiError(await markets("?status=pending"), 400, "INVALID_REQUEST");
    const openCursor = (await markets("?status=open&limit=1")).body.nextCursor;
    expectApiError(await markets(`?status=halted&cursor=${openCursor}`), 400, "INVALID_CURSOR");
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe("2. account history: fills and activity after a scripted session sum to each account's cash", () => {
  const M = "hist";
  const NAMES = ["alice", "bob", "carol", "lp"] as const;
  let gw: Gateway;
  let api: Client;
  let oa: OpenApiChecker;
  const who: Record<string, Credential> = {};

  const ok = (res: ApiResponse, status = 200) => {
    expect(res.status, res.text).toBe(status);
    return res;
  };
  const order = async (name: string, body: Record<string, unknown>) =>
    ok(await api.as(who[name]!, "POST", "/v1/orders", { marketId: M, ...body }), 201).body;
  const fills = async (name: string, query = "") =>
    (
      await walk(
        async (cursor) =>
          oa.check(
            "GET",
            "/v1/fills",
            await api.as(who[name]!, "GET", withCursor(`/v1/fills${query}`, cursor)),
          ),
        "fills",
      )
    ).items;
  const activity = async (name: string, query = "") =>
    (
      await walk(
        async (cursor) =>
          oa.check(
            "GET",
            "/v1/account/activity",
            await api.as(who[name]!, "GET", withCursor(`/v1/account/activity${query}`, cursor)),
          ),
        "entries",
      )
    ).items;

  beforeAll(async () => {
    gw = await startGateway({ env: FAST });
    api = new Client(gw.url, gw.token);
    oa = new OpenApiChecker(api);
    await oa.load();
    await api.setClock(T0);
    for (const name of NAMES) who[name] = await api.openAccount(name);
    await api.deposit("alice", "1000", "wire-a1");
    await api.deposit("alice", "500.25", "wire-a2");
    await api.deposit("bob", "1000", "wire-b1");
    await api.deposit("carol", "1000", "wire-c1");
    await api.deposit("lp", "5000", "wire-lp");
    await api.listMarket({ marketId: M, takerFeeBps: 50, resolvesAt: iso(T0 + 30 * DAY) });
    ok(await api.op("POST", `/v1/markets/${M}/mark`, { price: "0.6" }));
    ok(await api.as(who.lp!, "POST", `/v1/markets/${M}/pool/supply`, { amount: "3000", reference: "lp-1" }));
    // bob rests NO (an ask of YES at 0.60); alice takes it: MINT, alice pays the fee.
    await order("bob", { clientOrderId: "b1", side: "buy", outcome: "NO", price: "0.40", quantity: "50" });
    await order("alice", { clientOrderId: "a1", side: "buy", outcome: "YES", price: "0.60", quantity: "50" });
    // alice rests a bid of YES at 0.55; bob takes it buying NO: MINT, bob pays the fee.
    await order("alice", { clientOrderId: "a2", side: "buy", outcome: "YES", price: "0.55", quantity: "20" });
    await order("bob", { clientOrderId: "b2", side: "buy", outcome: "NO", price: "0.45", quantity: "20" });
    // alice rests YES for sale at 0.65; carol buys it at 1.5x: the pool lends, the first fee interval is charged.
    await order("alice", {
      clientOrderId: "a3",
      side: "sell",
      outcome: "YES",
      price: "0.65",
      quantity: "10",
    });
    const lev = await order("carol", {
      clientOrderId: "c1",
      side: "buy",
      outcome: "YES",
      price: "0.65",
      quantity: "10",
      leverage: "1.5",
      timeInForce: "IOC",
    });
    expect(lev.status).toBe("filled");
    // Three hours: more jump-risk fee intervals accrue on carol's loan.
    await api.setClock(T0 + 3 * HOUR);
    ok(await api.as(who.alice!, "POST", "/v1/withdrawals", { amount: "100.5", reference: "w-1" }));
    // alice rests a buy of NO at 0.42; bob sells 5 of his NO into it (a TRANSFER; bob, the taker, pays the fee).
    await order("alice", { clientOrderId: "a4", side: "buy", outcome: "NO", price: "0.42", quantity: "5" });
    await order("bob", { clientOrderId: "b3", side: "sell", outcome: "NO", price: "0.42", quantity: "5" });
    // A resting order at the end: its reservation is cash (free + reserved) all the same.
    await order("alice", { clientOrderId: "a5", side: "buy", outcome: "YES", price: "0.30", quantity: "7" });
    await api.setClock(T0 + 5 * HOUR);
    ok(await api.op("POST", `/v1/markets/${M}/resolve`, { outcome: "YES" }));
    const s = await api.solvency();
    expect(s.balanced, JSON.stringify(s.totals)).toBe(true);
  }, 120_000);

  it("given each account, then its fills are exactly its orders' fills and the market's trades (price of its own outcome, fee for the taker)", async () => {
    const marketTrades = (
      await walk(
        (cursor) =>
          api.send({ method: "GET", path: withCursor(`/v1/markets/${M}/trades`, cursor), headers: {} }),
        "trades",
      )
    ).items;
    const byTrade = new Map(marketTrades.map((t) => [t.tradeId as string, t]));
    let total = 0;
    for (const name of NAMES) {
      const got = await fills(name);
      const orders = (await api.as(who[name]!, "GET", "/v1/orders?limit=1000")).body.orders as Json[];
      const fromOrders = orders.flatMap((o) =>
        o.trades.map((t: Json) => ({
          tradeId: t.tradeId,
          orderId: o.orderId,
          clientOrderId: o.clientOrderId,
          marketId: o.marketId,
          side: o.side,
          outcome: o.outcome,
          price: t.price,
          quantity: t.quantity,
          liquidity: t.liquidity,
          fee: t.fee,
        })),
      );
      const key = (f: Json) => `${f.tradeId}/${f.orderId}`;
      const sorted = (list: Json[]) => [...list].sort((a, b) => (key(a) < key(b) ? -1 : 1));
      expect(
        sorted(got.map(({ at: _a, sequence: _s, ...rest }) => rest)),
        `${name}'s fills are its orders' fills`,
      ).toEqual(sorted(fromOrders));
      for (const f of got) {
        const t = byTrade.get(f.tradeId)!;
        expect(t, f.tradeId).toBeDefined();
        expect({ at: f.at, sequence: f.sequence, quantity: f.quantity }).toEqual({
          at: t.at,
          sequence: t.sequence,
          quantity: t.quantity,
        });
        // The trade's YES price is the fill's own-outcome price, or 1 − it for NO.
        expect(dec(f.outcome === "YES" ? f.price : new Decimal(1).minus(f.price))).toBe(t.price);
        if (f.liquidity === "maker") expect(f.fee).toBe("0");
      }
      // Newest first.
      const seqs = got.map((f) => f.sequence as number);
      expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
      total += got.length;
    }
    // Every trade has a maker fill and a taker fill.
    expect(total).toBe(2 * marketTrades.length);
    expect(marketTrades.length).toBeGreaterThanOrEqual(4);
    const bobOnly = await fills("bob", `?marketId=${M}`);
    expect(bobOnly).toEqual(await fills("bob"));
    expect(await fills("bob", "?marketId=nowhere")).toEqual([]);
  });

  it("given each account, then its activity entries sum to its cash (free + reserved), each cashAfter the running sum, and the entries tie to the fills, the deposits and the log", async () => {
    const events = readEvents(gw.dbPath);
    for (const name of NAMES) {
      const entries = await activity(name);
      const account = ok(await api.as(who[name]!, "GET", "/v1/account")).body;
      const oldestFirst = [...entries].reverse();
      let running = new Decimal(0);
      for (const e of oldestFirst) {
        running = running.plus(e.amount);
        expect(e.cashAfter, `${name} ${e.type} at ${e.sequence}`).toBe(dec(running));
        expect(new Decimal(e.amount).isZero()).toBe(false);
      }
      expect(dec(running), `${name}: Σ amounts = cash + reserved`).toBe(account.total);
      expect(oldestFirst.at(-1)!.cashAfter).toBe(account.total);
      const seqs = oldestFirst.map((e) => e.sequence as number);
      expect(seqs, "oldest first by log position").toEqual([...seqs].sort((a, b) => a - b));

      // Deposits and withdrawals with their references, as the log has them.
      const deposits = events.filter((e) => e.type === "Deposited" && e.data.accountId === name);
      expect(
        entries.filter((e) => e.type === "deposit").map((e) => [e.amount, e.reference, e.sequence]),
      ).toEqual(deposits.reverse().map((e) => [e.data.amount, e.data.reference, e.revision]));
      // Fills: Σ fill entries = Σ over fills of ± price × quantity; the fee entries are the taker fees.
      const got = await fills(name);
      const paid = got.reduce(
        (sum, f) => sum.plus(new Decimal(f.price).times(f.quantity).times(f.side === "sell" ? 1 : -1)),
        new Decimal(0),
      );
      const sumOf = (type: string) =>
        entries.filter((e) => e.type === type).reduce((s, e) => s.plus(e.amount), new Decimal(0));
      expect(dec(sumOf("fill")), `${name}: fill entries`).toBe(dec(paid));
      const fees = got.reduce((s, f) => s.plus(f.fee), new Decimal(0));
      expect(dec(sumOf("fee").negated()), `${name}: fee entries`).toBe(dec(fees));
      for (const e of entries.filter((x) => x.type === "fee"))
        expect(
          got.some((f) => f.sequence === e.sequence && dec(f.fee) === dec(new Decimal(e.amount).negated())),
        ).toBe(true);
      for (const e of entries)
        if (e.type !== "deposit" && e.type !== "withdrawal") expect(e.marketId).toBe(M);
    }

    const alice = await activity("alice");
    expect(alice.filter((e) => e.type === "withdrawal").map((e) => [e.amount, e.reference])).toEqual([
      ["-100.5", "w-1"],
    ]);
    expect(alice.some((e) => e.type === "settlement" && new Decimal(e.amount).gt(0))).toBe(true);
    const lp = await activity("lp");
    expect(lp.map((e) => [e.type, e.amount, e.reference ?? null])).toEqual([
      ["pool_supply", "-3000", "lp-1"],
      ["deposit", "5000", "wire-lp"],
    ]);
    // carol's leveraged buy: the loan comes in, the jump-risk fees and the principal go back at settlement.
    const carol = await activity("carol");
    const loan = events.find((e) => e.type === "LoanOpened" && e.data.accountId === "carol")!;
    expect(carol.filter((e) => e.type === "loan").map((e) => e.amount)).toEqual([loan.data.amount]);
    const repaid = events.filter((e) => e.type === "LoanRepaid" && e.data.accountId === "carol");
    const feesPaid = repaid.reduce((s, e) => s.plus(e.data.feePart as string), new Decimal(0));
    expect(feesPaid.gt(0), "jump-risk fees were charged").toBe(true);
    expect(
      dec(carol.filter((e) => e.type === "funding").reduce((s, e) => s.minus(e.amount), new Decimal(0))),
    ).toBe(dec(feesPaid));
    const accrued = events
      .filter((e) => e.type === "FundingAccrued" && e.data.accountId === "carol")
      .reduce((s, e) => s.plus(e.data.amount as string), new Decimal(0));
    expect(dec(feesPaid), "the fees paid are the fees accrued").toBe(dec(accrued));
    expect(carol.filter((e) => e.type === "settlement").length).toBeGreaterThanOrEqual(1);
  });

  it("given the activity, then a page walk of 3 equals one page of 1,000, ?type= keeps one kind, and the answers are the same after a restart", async () => {
    const whole = ok(await api.as(who.alice!, "GET", "/v1/account/activity?limit=1000")).body;
    expect(whole.nextCursor).toBeNull();
    expect(await activity("alice", "?limit=3")).toEqual(whole.entries);
    const deposits = await activity("alice", "?type=deposit&limit=1");
    expect(deposits.map((e) => e.reference)).toEqual(["wire-a2", "wire-a1"]);
    expect((await activity("alice", "?type=fee")).every((e) => e.type === "fee")).toBe(true);
    expectApiError(
      await api.as(who.alice!, "GET", "/v1/account/activity?type=bonus"),
      400,
      "INVALID_REQUEST",
    );
    const fillsBefore = await fills("carol");
    const cursor = ok(await api.as(who.alice!, "GET", "/v1/account/activity?limit=2")).body.nextCursor;
    const pageBefore = ok(
      await api.as(who.alice!, "GET", `/v1/account/activity?limit=2&cursor=${cursor}`),
    ).body;
    await gw.restart();
    expect(ok(await api.as(who.alice!, "GET", "/v1/account/activity?limit=1000")).body).toEqual(whole);
    expect(ok(await api.as(who.alice!, "GET", `/v1/account/activity?limit=2&cursor=${cursor}`)).body).toEqual(
      pageBefore,
    );
    expect(await fills("carol")).toEqual(fillsBefore);
  });

  it("given the operator, then it reads any account's fills and activity with ?accountId=; an account may not read another's", async () => {
    const carolFills = ok(await api.as(who.carol!, "GET", "/v1/fills")).body;
    expect(oa.check("GET", "/v1/fills", await api.op("GET", "/v1/fills?accountId=carol")).body).toEqual(
      carolFills,
    );
    const carolActivity = ok(await api.as(who.carol!, "GET", "/v1/account/activity")).body;
    expect(
      oa.check("GET", "/v1/account/activity", await api.op("GET", "/v1/account/activity?accountId=carol"))
        .body,
    ).toEqual(carolActivity);
    expect(ok(await api.as(who.carol!, "GET", "/v1/fills?accountId=carol")).body).toEqual(carolFills);
    expectApiError(
      oa.check("GET", "/v1/fills", await api.as(who.alice!, "GET", "/v1/fills?accountId=carol")),
      403,
      "FORBIDDEN",
    );
    expectApiError(await api.as(who.alice!, "GET", "/v1/account/activity?accountId=carol"), 403, "FORBIDDEN");
    expectApiError(
      oa.check("GET", "/v1/account/activity", await api.op("GET", "/v1/account/activity")),
      400,
      "INVALID_REQUEST",
    );
    expectApiError(
      oa.check("GET", "/v1/fills", await api.op("GET", "/v1/fills?accountId=nobody")),
      404,
      "UNKNOWN_ACCOUNT",
    );
    expectApiError(
      oa.check("GET", "/v1/fills", await api.send({ method: "GET", path: "/v1/fills", headers: {} })),
      401,
      "UNAUTHENTICATED",
    );
    const aliceCursor = ok(await api.as(who.alice!, "GET", "/v1/fills?limit=1")).body.nextCursor;
    expectApiError(await api.as(who.bob!, "GET", `/v1/fills?cursor=${aliceCursor}`), 400, "INVALID_CURSOR");
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe("3. candles equal the trades they summarize", () => {
  const M = "cndl";
  let gw: Gateway;
  let api: Client;
  let oa: OpenApiChecker;
  let trades: Json[];
  const INTERVALS: Record<string, number> = { "1m": MINUTE, "5m": 5 * MINUTE, "1h": HOUR, "1d": DAY };
  const candles = async (query: string) =>
    oa.check(
      "GET",
      "/v1/markets/{marketId}/candles",
      await api.send({ method: "GET", path: `/v1/markets/${M}/candles${query}`, headers: {} }),
    );

  /** The test's own OHLCV of `trades` (any order) by UTC interval, oldest first. */
  const expectedCandles = (list: Json[], ms: number, from = 0, to = Number.MAX_SAFE_INTEGER) => {
    const inRange = list
      .filter((t) => Date.parse(t.at) >= from && Date.parse(t.at) < to)
      .sort((a, b) => a.sequence - b.sequence);
    const out: Json[] = [];
    for (const t of inRange) {
      const at = Date.parse(t.at);
      const start = iso(Math.floor(at / ms) * ms);
      const last = out.at(-1);
      if (!last || last.start !== start)
        out.push({ start, open: t.price, high: t.price, low: t.price, close: t.price, volume: t.quantity });
      else {
        if (new Decimal(t.price).gt(last.high)) last.high = t.price;
        if (new Decimal(t.price).lt(last.low)) last.low = t.price;
        last.close = t.price;
        last.volume = String(Number(last.volume) + Number(t.quantity));
      }
    }
    return out;
  };

  beforeAll(async () => {
    gw = await startGateway({ env: FAST });
    api = new Client(gw.url, gw.token);
    oa = new OpenApiChecker(api);
    await oa.load();
    await api.setClock(T0);
    const mm = await api.openAccount("mm");
    await api.deposit("mm", "100000", "wire-mm");
    const tk = await api.openAccount("tk");
    await api.deposit("tk", "100000", "wire-tk");
    await api.listMarket({ marketId: M });
    // 60 trades over two days: bursts of several a minute, gaps of minutes, hours and a day; YES 0.46–0.54.
    let at = T0;
    for (let k = 0; k < 60; k++) {
      at += k % 10 === 9 ? 3 * HOUR + 17 * MINUTE : k === 30 ? DAY : (k % 4) * 23_000 + 11_000;
      await api.setClock(at);
      const price = (46 + ((k * 7) % 9)) / 100;
      const quantity = String(1 + ((k * 5) % 7));
      const maker = await api.as(mm, "POST", "/v1/orders", {
        clientOrderId: `m-${k}`,
        marketId: M,
        side: "buy",
        outcome: "NO",
        price: dec(new Decimal(1).minus(price)),
        quantity,
      });
      expect(maker.status, maker.text).toBe(201);
      const taker = await api.as(tk, "POST", "/v1/orders", {
        clientOrderId: `t-${k}`,
        marketId: M,
        side: "buy",
        outcome: "YES",
        price: dec(price),
        quantity,
        timeInForce: "IOC",
      });
      expect(taker.status, taker.text).toBe(201);
      expect(taker.body.status).toBe("filled");
    }
    trades = (
      await walk(
        (cursor) =>
          api.send({
            method: "GET",
            path: withCursor(`/v1/markets/${M}/trades?limit=17`, cursor),
            headers: {},
          }),
        "trades",
      )
    ).items;
    expect(trades).toHaveLength(60);
  }, 120_000);

  it("given 60 trades over two days, then the 1m, 5m, 1h and 1d candles are their OHLCV by UTC interval, oldest first, empty intervals left out", async () => {
    for (const [interval, ms] of Object.entries(INTERVALS)) {
      const res = await candles(`?interval=${interval}&limit=1000`);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ marketId: M, interval, nextCursor: null });
      expect(res.body.candles, interval).toEqual(expectedCandles(trades, ms));
      const volume = res.body.candles.reduce((s: number, c: Json) => s + Number(c.volume), 0);
      expect(volume).toBe(trades.reduce((s, t) => s + Number(t.quantity), 0));
    }
    expect((await candles("?interval=1d")).body.candles.length).toBeGreaterThanOrEqual(2);
  });

  it("given from and to, then only the trades in [from, to) count; a walk 4 candles a page equals one page", async () => {
    const from = Date.parse(trades.at(-1)!.at) + 90_000; // oldest trade + 1.5 minutes
    const to = Date.parse(trades[0]!.at) - HOUR; // an hour before the newest
    const query = `?interval=5m&from=${iso(from)}&to=${iso(to)}`;
    const whole = await candles(`${query}&limit=1000`);
    expect(whole.body.candles).toEqual(expectedCandles(trades, 5 * MINUTE, from, to));
    expect(whole.body.candles.length).toBeGreaterThan(4);
    const paged = await walk(async (cursor) => candles(withCursor(`${query}&limit=4`, cursor)), "candles");
    expect(paged.items).toEqual(whole.body.candles);
    expect(paged.pages).toBe(Math.ceil(whole.body.candles.length / 4));
  });

  it("given bad queries, then specific errors: no interval or an unknown one 400 INVALID_REQUEST, from not before to 400 INVALID_TIME_RANGE, an unknown market 404", async () => {
    expectApiError(await candles(""), 400, "INVALID_REQUEST");
    expectApiError(await candles("?interval=2m"), 400, "INVALID_REQUEST");
    expectApiError(await candles("?interval=1m&from=yesterday"), 400, "INVALID_REQUEST");
    expectApiError(
      await candles(`?interval=1m&from=${iso(T0 + HOUR)}&to=${iso(T0 + HOUR)}`),
      400,
      "INVALID_TIME_RANGE",
    );
    const cursor = (await candles("?interval=1m&limit=1")).body.nextCursor;
    expectApiError(await candles(`?interval=5m&cursor=${cursor}`), 400, "INVALID_CURSOR");
    expectApiError(
      oa.check(
        "GET",
        "/v1/markets/{marketId}/candles",
        await api.send({ method: "GET", path: "/v1/markets/nope/candles?interval=1m", headers: {} }),
      ),
      404,
      "UNKNOWN_MARKET",
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe("4. cancel-all: the caller's open orders in one command; the operator's route for any account", () => {
  let gw: Gateway;
  let api: Client;
  let oa: OpenApiChecker;
  const who: Record<string, Credential> = {};
  const ids: Record<string, string> = {};

  const place = async (
    name: string,
    clientOrderId: string,
    marketId: string,
    body: Record<string, unknown>,
  ) => {
    const res = await api.as(who[name]!, "POST", "/v1/orders", {
      clientOrderId,
      marketId,
      side: "buy",
      ...body,
    });
    expect(res.status, res.text).toBe(201);
    ids[clientOrderId] = res.body.orderId;
    return res.body;
  };
  const statusOf = async (clientOrderId: string) =>
    (await api.op("GET", `/v1/orders/${ids[clientOrderId]}`)).body as Json;
  /** Commands recorded in the log after revision `after`, with their events' types. */
  const commandsAfter = (after: number) => {
    const byCommand = new Map<string, { command: Json; types: string[] }>();
    for (const r of storedEvents(gw.dbPath, after + 1)) {
      const meta = JSON.parse(r.metadata);
      const c = byCommand.get(meta.commandId) ?? { command: meta.command, types: [] };
      c.types.push(r.type);
      byCommand.set(meta.commandId, c);
    }
    return [...byCommand.values()];
  };
  const del = async (name: string | "operator", path: string) =>
    name === "operator" ? api.op("DELETE", path) : api.as(who[name]!, "DELETE", path);

  beforeAll(async () => {
    gw = await startGateway({ env: FAST });
    api = new Client(gw.url, gw.token);
    oa = new OpenApiChecker(api);
    await oa.load();
    await api.setClock(T0);
    for (const name of ["alice", "bob", "carol"]) {
      who[name] = await api.openAccount(name);
      await api.deposit(name, "1000", `wire-${name}`);
    }
    await api.listMarket({ marketId: "c1" });
    await api.listMarket({ marketId: "c2" });
    await place("alice", "a1", "c1", { outcome: "YES", price: "0.40", quantity: "10" });
    await place("alice", "a2", "c1", { outcome: "YES", price: "0.41", quantity: "10" });
    await place("alice", "a3", "c1", { outcome: "NO", price: "0.30", quantity: "10" });
    await place("alice", "a4", "c2", { outcome: "YES", price: "0.50", quantity: "10" });
    await place("alice", "a5", "c2", { outcome: "YES", price: "0.20", quantity: "10" });
    // carol takes 4 of a4: a4 stays open, partly filled; carol's IOC leaves nothing open.
    await place("carol", "k1", "c2", { outcome: "NO", price: "0.50", quantity: "4", timeInForce: "IOC" });
    await place("bob", "b1", "c1", { outcome: "YES", price: "0.35", quantity: "10" });
    await place("bob", "b2", "c2", { outcome: "NO", price: "0.30", quantity: "10" });
    await place("bob", "b3", "c2", { outcome: "YES", price: "0.10", quantity: "10" });
  }, 60_000);

  afterAll(async () => {
    // The log re-decides to the same events, the CancelAllOrders commands included.
    await gw.stop();
    const audit = await runPmx(["audit", "--store", gw.storeUrl]);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
  });

  it("given alice's open orders in two markets, when she cancels all in c1, then exactly her three c1 orders are cancelled (USER), in one command, and their cash is free again", async () => {
    const before = (await api.as(who.alice!, "GET", "/v1/account")).body;
    const log = await gw.logLength();
    const res = oa.check("DELETE", "/v1/orders", await del("alice", "/v1/orders?marketId=c1"));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ cancelled: [ids.a1, ids.a2, ids.a3] });
    for (const c of ["a1", "a2", "a3"])
      expect(await statusOf(c)).toMatchObject({ status: "cancelled", cancelReason: "USER" });
    for (const c of ["a4", "a5", "b1", "b2", "b3"]) expect((await statusOf(c)).status, c).toBe("open");
    const commands = commandsAfter(log - 1);
    expect(commands).toHaveLength(1);
    expect(commands[0]!.command).toMatchObject({
      type: "CancelAllOrders",
      accountId: "alice",
      marketId: "c1",
    });
    expect(commands[0]!.types).toEqual(["OrderCancelled", "OrderCancelled", "OrderCancelled"]);
    const after = (await api.as(who.alice!, "GET", "/v1/account")).body;
    expect(after.total).toBe(before.total);
    expect(dec(new Decimal(after.cash).minus(before.cash))).toBe(dec("11.1"));
    expect(dec(new Decimal(before.reserved).minus(after.reserved))).toBe(dec("11.1"));
  });

  it("given alice's remaining orders, when she cancels all without a market, then both c2 orders (one partly filled) are cancelled; again, then {cancelled: []} and nothing is appended", async () => {
    const res = oa.check("DELETE", "/v1/orders", await del("alice", "/v1/orders"));
    expect(res.body).toEqual({ cancelled: [ids.a4, ids.a5] });
    expect(await statusOf("a4")).toMatchObject({
      status: "cancelled",
      cancelReason: "USER",
      filledQuantity: "4",
    });
    expect((await api.as(who.alice!, "GET", "/v1/orders?status=open")).body.orders).toEqual([]);
    expect((await api.as(who.alice!, "GET", "/v1/account")).body.reserved).toBe("0");
    const log = await gw.logLength();
    const again = oa.check("DELETE", "/v1/orders", await del("alice", "/v1/orders"));
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ cancelled: [] });
    expect((await del("carol", "/v1/orders?marketId=c1")).body).toEqual({ cancelled: [] });
    expect(await gw.logLength()).toBe(log);
  });

  it("given a signed account on the operator's route, then 403 FORBIDDEN and bob's orders stay open; bad queries are specific errors", async () => {
    const log = await gw.logLength();
    expectApiError(
      oa.check("DELETE", "/v1/accounts/{accountId}/orders", await del("alice", "/v1/accounts/bob/orders")),
      403,
      "FORBIDDEN",
    );
    expectApiError(await del("bob", "/v1/accounts/bob/orders"), 403, "FORBIDDEN");
    expectApiError(
      oa.check("DELETE", "/v1/orders", await api.send({ method: "DELETE", path: "/v1/orders", headers: {} })),
      401,
      "UNAUTHENTICATED",
    );
    expectApiError(
      oa.check("DELETE", "/v1/orders", await del("bob", "/v1/orders?marketId=nope")),
      404,
      "UNKNOWN_MARKET",
    );
    expectApiError(
      oa.check("DELETE", "/v1/orders", await del("bob", "/v1/orders?status=open")),
      400,
      "INVALID_REQUEST",
    );
    expectApiError(
      oa.check(
        "DELETE",
        "/v1/accounts/{accountId}/orders",
        await del("operator", "/v1/accounts/nobody/orders"),
      ),
      404,
      "UNKNOWN_ACCOUNT",
    );
    expectApiError(await del("bob", `/v1/orders/${ids.b1}?x=1`), 400, "UNEXPECTED_QUERY");
    expect(await gw.logLength()).toBe(log);
    for (const c of ["b1", "b2", "b3"]) expect((await statusOf(c)).status, c).toBe("open");
  });

  it("given the operator, when it cancels bob's orders in c2 and then all of them, then those orders are cancelled (USER) and the answers list them", async () => {
    const c2 = oa.check(
      "DELETE",
      "/v1/accounts/{accountId}/orders",
      await del("operator", "/v1/accounts/bob/orders?marketId=c2"),
    );
    expect(c2.status, c2.text).toBe(200);
    expect(c2.body).toEqual({ cancelled: [ids.b2, ids.b3] });
    expect((await statusOf("b1")).status).toBe("open");
    const rest = await del("operator", "/v1/accounts/bob/orders");
    expect(rest.body).toEqual({ cancelled: [ids.b1] });
    for (const c of ["b1", "b2", "b3"])
      expect(await statusOf(c)).toMatchObject({ status: "cancelled", cancelReason: "USER" });
    expect((await del("operator", "/v1/accounts/bob/orders")).body).toEqual({ cancelled: [] });
    const bob = (await api.as(who.bob!, "GET", "/v1/account")).body;
    expect(bob).toMatchObject({ cash: "1000", reserved: "0", total: "1000" });
    const s = await api.solvency();
    expect(s.balanced).toBe(true);
  });
});
