// End to end through the real gateway process over HTTP: four accounts trade one market through every kind of
// match (MINT, TRANSFER of YES and of NO, MERGE), every time in force and post-only, cancel, withdraw, retry,
// then the market resolves YES; every account's cash is checked against the test's own exact ledger, solvency
// after every step, and the whole read side must be identical after a restart on the same SQLite file.
import { Agent } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Client, type Credential, expectApiError, sendInPieces } from "./support/client.js";
import { type Gateway, runPmx, startGateway, stopAllGateways, T0 } from "./support/gateway.js";
import { Decimal, dec, type ExpectedFill, Ledger, type Outcome, type Side } from "./support/ledger.js";

const MARKET = "us-election-2024";
const FEE_BPS = 20; // 0.2 % of the taker's own-outcome notional

interface OrderAnswer {
  orderId: string;
  clientOrderId: string;
  accountId: string;
  marketId: string;
  side: Side;
  outcome: Outcome;
  price: string;
  quantity: string;
  filledQuantity: string;
  status: "open" | "filled" | "cancelled";
  cancelReason?: string;
  timeInForce: string;
  postOnly: boolean;
  trades: { tradeId: string; price: string; quantity: string; liquidity: string; fee: string }[];
}

interface OrderInput {
  side: Side;
  outcome: Outcome;
  price: string;
  quantity: string;
  timeInForce?: "GTC" | "IOC" | "FOK";
  postOnly?: boolean;
}

describe("gateway e2e: four accounts trade a 0.01-tick market with a 20 bps taker fee, then it resolves YES", () => {
  let gw: Gateway;
  let api: Client;
  const ledger = new Ledger(FEE_BPS);
  const who: Record<string, Credential> = {};
  /** The first answer to each placement, by clientOrderId. */
  const placed = new Map<string, { account: string; input: OrderInput; answer: OrderAnswer }>();

  const orderBody = (clientOrderId: string, input: OrderInput) => ({
    clientOrderId,
    marketId: MARKET,
    ...input,
  });

  const place = async (account: string, clientOrderId: string, input: OrderInput): Promise<OrderAnswer> => {
    const res = await api.as<OrderAnswer>(
      who[account]!,
      "POST",
      "/v1/orders",
      orderBody(clientOrderId, input),
    );
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      clientOrderId,
      accountId: account,
      marketId: MARKET,
      side: input.side,
      outcome: input.outcome,
      price: dec(input.price),
      quantity: input.quantity,
      timeInForce: input.timeInForce ?? "GTC",
      postOnly: input.postOnly ?? false,
    });
    placed.set(clientOrderId, { account, input, answer: res.body });
    return res.body;
  };

  const fillsOf = (answer: Pick<OrderAnswer, "trades">): ExpectedFill[] =>
    answer.trades.map(({ price, quantity, liquidity, fee }) => ({
      price,
      quantity,
      liquidity: liquidity as ExpectedFill["liquidity"],
      fee,
    }));

  const getOrder = async (clientOrderId: string): Promise<OrderAnswer> => {
    const p = placed.get(clientOrderId)!;
    const res = await api.as<OrderAnswer>(who[p.account]!, "GET", `/v1/orders/${p.answer.orderId}`);
    expect(res.status, res.text).toBe(200);
    return res.body;
  };

  const account = async (name: string) => {
    const res = await api.as(who[name]!, "GET", "/v1/account");
    expect(res.status, res.text).toBe(200);
    return res.body as {
      accountId: string;
      cash: string;
      reserved: string;
      total: string;
      positions: { marketId: string; yes: string; no: string }[];
    };
  };

  /** Every account's cash + reserved and shares equal the ledger's. */
  const expectBalancesMatchLedger = async () => {
    for (const name of Object.keys(who)) {
      const a = await account(name);
      expect(a.total, `${name} cash + reserved`).toBe(ledger.totalOf(name));
      expect(a.total, `${name} total = cash + reserved`).toBe(dec(new Decimal(a.cash).plus(a.reserved)));
      const yes = ledger.yes.get(name)!;
      const no = ledger.no.get(name)!;
      const position = a.positions.find((p) => p.marketId === MARKET);
      if (yes === 0 && no === 0) expect(position, `${name} has no position`).toBeUndefined();
      else expect(position, `${name} position`).toMatchObject({ yes: String(yes), no: String(no) });
    }
  };

  const book = async () => {
    const res = await api.send({ method: "GET", path: `/v1/markets/${MARKET}/book`, headers: {} });
    expect(res.status, res.text).toBe(200);
    return res.body as {
      bids: { price: string; quantity: string }[];
      asks: { price: string; quantity: string }[];
    };
  };
  const level = (price: string, quantity: number) => ({ price: dec(price), quantity: String(quantity) });

  /** Set by the last step, which stops the gateway to run the command line on its file. */
  let stoppedForGood = false;
  let minute = 0;
  /** Time moves a minute between steps, like a real session. */
  const nextMinute = () => api.setClock(T0 + ++minute * 60_000);

  beforeAll(async () => {
    gw = await startGateway();
    api = new Client(gw.url, gw.token);
    await api.setClock(T0);
  });

  afterEach(async () => {
    // Solvency after each step: deposits − withdrawals = Σ cash + Σ reserved + escrow + fees, exactly.
    if (api && !stoppedForGood) await api.expectSolvent();
  });

  afterAll(stopAllGateways);

  it("given a fresh gateway, when the operator opens alice, bob, carol and dave and funds them, then each holds exactly its deposits", async () => {
    for (const name of ["alice", "bob", "carol", "dave"]) {
      who[name] = await api.openAccount(name);
      ledger.open(name);
      const res = await api.deposit(name, "1000", `wire-${name}-1`);
      ledger.deposit(name, "1000");
      expect(res.body).toMatchObject({ accountId: name, cash: "1000", reserved: "0", positions: [] });
    }
    await expectBalancesMatchLedger();
  });

  it("given alice was credited once, when the same deposit reference comes again, then it credits nothing more and appends nothing; another amount under it is a 409", async () => {
    const first = await api.deposit("alice", "250.5", "wire-alice-2");
    ledger.deposit("alice", "250.5");
    expect(first.body).toMatchObject({ cash: "1250.5" });
    const before = await gw.logLength();

    const again = await api.deposit("alice", "250.5", "wire-alice-2");
    expect(again.body).toMatchObject({ cash: "1250.5" });
    expect(await gw.logLength()).toBe(before);

    const conflict = await api.op("POST", "/v1/accounts/alice/deposits", {
      amount: "300",
      reference: "wire-alice-2",
    });
    expectApiError(conflict, 409, "IDEMPOTENCY_CONFLICT");
    expect(await gw.logLength()).toBe(before);
    await expectBalancesMatchLedger();
  });

  it("given the accounts, when the operator lists the market with tick 0.01 and a 20 bps taker fee, then it is open with an empty book", async () => {
    const res = await api.listMarket({
      marketId: MARKET,
      question: "Will the Republican candidate win the 2024 US presidential election?",
      tickSize: "0.01",
      resolvesAt: "2024-11-06T05:00:00Z",
      takerFeeBps: FEE_BPS,
    });
    expect(res.body).toMatchObject({
      marketId: MARKET,
      status: "open",
      tickSize: "0.01",
      takerFeeBps: FEE_BPS,
      bestBid: null,
      bestAsk: null,
      lastPrice: null,
      volume: "0",
      openInterest: "0",
    });
    expect(await book()).toMatchObject({
      marketId: MARKET,
      bids: [],
      asks: [],
      sequence: expect.any(Number),
    });
  });

  it("given alice bids YES 100 @ 0.60, when bob buys NO 60 @ 0.45, then a MINT of 60 fills at YES 0.60 (bob pays NO 0.40, price improved) and alice is partly filled", async () => {
    await nextMinute();
    const a1 = await place("alice", "a-1", { side: "buy", outcome: "YES", price: "0.60", quantity: "100" });
    expect(a1).toMatchObject({ status: "open", filledQuantity: "0", trades: [] });
    expect(a1.cancelReason).toBeUndefined();

    // alice pays 0.60 × 60 = 36; bob pays 0.40 × 60 = 24 + fee 0.048
    const fill = ledger.trade(
      { account: "alice", side: "buy", outcome: "YES" },
      { account: "bob", side: "buy", outcome: "NO" },
      "0.60",
      60,
    );
    const b1 = await place("bob", "b-1", { side: "buy", outcome: "NO", price: "0.45", quantity: "60" });
    expect(b1).toMatchObject({ status: "filled", filledQuantity: "60" });
    expect(fillsOf(b1)).toEqual([fill.taker]);
    expect(fill.taker).toEqual({ price: "0.4", quantity: "60", liquidity: "taker", fee: "0.048" });

    const a1now = await getOrder("a-1");
    expect(a1now).toMatchObject({ status: "open", filledQuantity: "60" });
    expect(fillsOf(a1now)).toEqual([fill.maker]);
    expect(a1now.trades[0]!.tradeId).toBe(b1.trades[0]!.tradeId);

    const trades = await api.send({ method: "GET", path: `/v1/markets/${MARKET}/trades`, headers: {} });
    expect(trades.body.trades).toEqual([
      expect.objectContaining({
        kind: "MINT",
        price: "0.6",
        quantity: "60",
        takerSide: "buy",
        takerOutcome: "NO",
      }),
    ]);
    const market = await api.send({ method: "GET", path: `/v1/markets/${MARKET}`, headers: {} });
    expect(market.body).toMatchObject({ openInterest: "60", volume: "60", lastPrice: "0.6", bestBid: "0.6" });
    expect(await book()).toMatchObject({ bids: [level("0.60", 40)], asks: [] });

    const alice = await account("alice");
    // 1250.5 − 36 paid − 0.60 × 40 still reserved
    expect(alice).toMatchObject({ cash: "1190.5", reserved: "24" });
    await expectBalancesMatchLedger();
  });

  it("given alice offers YES 30 @ 0.65, when carol buys YES 20 @ 0.66, then a TRANSFER of YES fills at 0.65 with carol (the buyer) as taker", async () => {
    await nextMinute();
    const a2 = await place("alice", "a-2", { side: "sell", outcome: "YES", price: "0.65", quantity: "30" });
    expect(a2).toMatchObject({ status: "open", filledQuantity: "0", trades: [] });

    // carol pays 0.65 × 20 = 13 + fee 0.026; alice receives 13
    const fill = ledger.trade(
      { account: "alice", side: "sell", outcome: "YES" },
      { account: "carol", side: "buy", outcome: "YES" },
      "0.65",
      20,
    );
    const c1 = await place("carol", "c-1", { side: "buy", outcome: "YES", price: "0.66", quantity: "20" });
    expect(c1).toMatchObject({ status: "filled", filledQuantity: "20" });
    expect(fillsOf(c1)).toEqual([fill.taker]);
    expect(fillsOf(await getOrder("a-2"))).toEqual([fill.maker]);
    expect(await book()).toMatchObject({ bids: [level("0.60", 40)], asks: [level("0.65", 10)] });
    await expectBalancesMatchLedger();
  });

  it("given alice still bids YES 40 @ 0.60, when carol sells YES 10 @ 0.58, then a TRANSFER of YES fills at 0.60 with carol (the seller) as taker", async () => {
    await nextMinute();
    // carol receives 0.60 × 10 = 6 − fee 0.012; alice pays 6
    const fill = ledger.trade(
      { account: "alice", side: "buy", outcome: "YES" },
      { account: "carol", side: "sell", outcome: "YES" },
      "0.60",
      10,
    );
    const c2 = await place("carol", "c-2", { side: "sell", outcome: "YES", price: "0.58", quantity: "10" });
    expect(c2).toMatchObject({ status: "filled", filledQuantity: "10" });
    expect(fillsOf(c2)).toEqual([fill.taker]);
    expect(await getOrder("a-1")).toMatchObject({ status: "open", filledQuantity: "70" });
    expect(await book()).toMatchObject({ bids: [level("0.60", 30)], asks: [level("0.65", 10)] });
    await expectBalancesMatchLedger();
  });

  it("given bob offers NO 20 @ 0.38 (a YES bid at 0.62), when dave buys NO 10 @ 0.39, then a TRANSFER of NO fills at NO 0.38 with dave (the buyer) as taker", async () => {
    await nextMinute();
    const b2 = await place("bob", "b-2", { side: "sell", outcome: "NO", price: "0.38", quantity: "20" });
    expect(b2).toMatchObject({ status: "open", trades: [] });
    expect(await book()).toMatchObject({ bids: [level("0.62", 20), level("0.60", 30)] });

    // dave pays 0.38 × 10 = 3.8 + fee 0.0076; bob receives 3.8
    const fill = ledger.trade(
      { account: "bob", side: "sell", outcome: "NO" },
      { account: "dave", side: "buy", outcome: "NO" },
      "0.62",
      10,
    );
    const d1 = await place("dave", "d-1", { side: "buy", outcome: "NO", price: "0.39", quantity: "10" });
    expect(d1).toMatchObject({ status: "filled", filledQuantity: "10" });
    expect(fillsOf(d1)).toEqual([fill.taker]);
    expect(fill.taker).toEqual({ price: "0.38", quantity: "10", liquidity: "taker", fee: "0.0076" });
    expect(await getOrder("b-2")).toMatchObject({ status: "open", filledQuantity: "10" });
    await expectBalancesMatchLedger();
  });

  it("given dave bids NO 10 @ 0.36 (a YES ask at 0.64), when bob sells NO 5 @ 0.35, then a TRANSFER of NO fills at NO 0.36 with bob (the seller) as taker", async () => {
    await nextMinute();
    const d2 = await place("dave", "d-2", { side: "buy", outcome: "NO", price: "0.36", quantity: "10" });
    expect(d2).toMatchObject({ status: "open", trades: [] });
    expect(await book()).toMatchObject({
      bids: [level("0.62", 10), level("0.60", 30)],
      asks: [level("0.64", 10), level("0.65", 10)],
    });

    // bob receives 0.36 × 5 = 1.8 − fee 0.0036; dave pays 1.8
    const fill = ledger.trade(
      { account: "dave", side: "buy", outcome: "NO" },
      { account: "bob", side: "sell", outcome: "NO" },
      "0.64",
      5,
    );
    const b3 = await place("bob", "b-3", { side: "sell", outcome: "NO", price: "0.35", quantity: "5" });
    expect(b3).toMatchObject({ status: "filled", filledQuantity: "5" });
    expect(fillsOf(b3)).toEqual([fill.taker]);
    expect(fillsOf(await getOrder("d-2"))).toEqual([fill.maker]);
    await expectBalancesMatchLedger();
  });

  it("given bob's NO offer rests as a YES bid at 0.62, when carol sells YES 10 @ 0.61, then a MERGE of 10 releases 10 from escrow", async () => {
    await nextMinute();
    // carol receives 0.62 × 10 = 6.2 − fee 0.0124; bob receives 0.38 × 10 = 3.8; escrow 60 → 50
    const fill = ledger.trade(
      { account: "bob", side: "sell", outcome: "NO" },
      { account: "carol", side: "sell", outcome: "YES" },
      "0.62",
      10,
    );
    const c3 = await place("carol", "c-3", { side: "sell", outcome: "YES", price: "0.61", quantity: "10" });
    expect(c3).toMatchObject({ status: "filled", filledQuantity: "10" });
    expect(fillsOf(c3)).toEqual([fill.taker]);
    expect(await getOrder("b-2")).toMatchObject({ status: "filled", filledQuantity: "20" });
    const market = await api.send({ method: "GET", path: `/v1/markets/${MARKET}`, headers: {} });
    expect(market.body).toMatchObject({ openInterest: "50", escrow: "50" });
    const trades = await api.send({
      method: "GET",
      path: `/v1/markets/${MARKET}/trades?limit=1`,
      headers: {},
    });
    expect(trades.body.trades).toEqual([
      expect.objectContaining({
        kind: "MERGE",
        price: "0.62",
        quantity: "10",
        takerSide: "sell",
        takerOutcome: "YES",
      }),
    ]);
    await expectBalancesMatchLedger();
  });

  it("given 15 YES offered across two levels, when carol buys YES 50 @ 0.65 IOC, then 15 fill (a MINT and a TRANSFER) and the remainder is cancelled as IOC_REMAINDER", async () => {
    await nextMinute();
    // 5 @ 0.64 against dave's NO bid (MINT): carol 3.2 + 0.0064; 10 @ 0.65 against alice (TRANSFER): 6.5 + 0.013
    const mint = ledger.trade(
      { account: "dave", side: "buy", outcome: "NO" },
      { account: "carol", side: "buy", outcome: "YES" },
      "0.64",
      5,
    );
    const transfer = ledger.trade(
      { account: "alice", side: "sell", outcome: "YES" },
      { account: "carol", side: "buy", outcome: "YES" },
      "0.65",
      10,
    );
    const c4 = await place("carol", "c-4", {
      side: "buy",
      outcome: "YES",
      price: "0.65",
      quantity: "50",
      timeInForce: "IOC",
    });
    expect(c4).toMatchObject({ status: "cancelled", cancelReason: "IOC_REMAINDER", filledQuantity: "15" });
    expect(fillsOf(c4)).toEqual([mint.taker, transfer.taker]);
    expect(await getOrder("d-2")).toMatchObject({ status: "filled", filledQuantity: "10" });
    expect(await getOrder("a-2")).toMatchObject({ status: "filled", filledQuantity: "30" });
    expect(await book()).toMatchObject({ bids: [level("0.60", 30)], asks: [] });
    const carol = await account("carol");
    expect(carol.reserved).toBe("0");
    await expectBalancesMatchLedger();
  });

  it("given alice offers YES 20 @ 0.68, when dave buys 25 FOK then 20 FOK, then the first is cancelled with nothing traded and the second fills whole", async () => {
    await nextMinute();
    await place("alice", "a-3", { side: "sell", outcome: "YES", price: "0.68", quantity: "20" });
    const volumeBefore = (await api.send({ method: "GET", path: `/v1/markets/${MARKET}`, headers: {} })).body
      .volume;

    const d3 = await place("dave", "d-3", {
      side: "buy",
      outcome: "YES",
      price: "0.70",
      quantity: "25",
      timeInForce: "FOK",
    });
    expect(d3).toMatchObject({
      status: "cancelled",
      cancelReason: "FOK_NOT_FILLABLE",
      filledQuantity: "0",
      trades: [],
    });
    const after = await api.send({ method: "GET", path: `/v1/markets/${MARKET}`, headers: {} });
    expect(after.body.volume).toBe(volumeBefore);
    expect(await book()).toMatchObject({ asks: [level("0.68", 20)] });
    await expectBalancesMatchLedger();

    // dave pays 0.68 × 20 = 13.6 + fee 0.0272; alice receives 13.6
    const fill = ledger.trade(
      { account: "alice", side: "sell", outcome: "YES" },
      { account: "dave", side: "buy", outcome: "YES" },
      "0.68",
      20,
    );
    const d4 = await place("dave", "d-4", {
      side: "buy",
      outcome: "YES",
      price: "0.70",
      quantity: "20",
      timeInForce: "FOK",
    });
    expect(d4).toMatchObject({ status: "filled", filledQuantity: "20" });
    expect(fillsOf(d4)).toEqual([fill.taker]);
    expect(await book()).toMatchObject({ asks: [] });
    await expectBalancesMatchLedger();
  });

  it("given alice offers YES 10 @ 0.72, when carol posts a post-only bid at 0.72 and another at 0.55, then the crossing one is cancelled POST_ONLY_WOULD_CROSS and the other rests", async () => {
    await nextMinute();
    await place("alice", "a-4", { side: "sell", outcome: "YES", price: "0.72", quantity: "10" });
    const crossing = await place("carol", "c-5", {
      side: "buy",
      outcome: "YES",
      price: "0.72",
      quantity: "5",
      postOnly: true,
    });
    expect(crossing).toMatchObject({
      status: "cancelled",
      cancelReason: "POST_ONLY_WOULD_CROSS",
      filledQuantity: "0",
      trades: [],
    });
    const resting = await place("carol", "c-6", {
      side: "buy",
      outcome: "YES",
      price: "0.55",
      quantity: "5",
      postOnly: true,
    });
    expect(resting).toMatchObject({ status: "open", filledQuantity: "0", trades: [] });
    expect(await book()).toMatchObject({
      bids: [level("0.60", 30), level("0.55", 5)],
      asks: [level("0.72", 10)],
    });
    const open = await api.as(who.carol!, "GET", `/v1/orders?marketId=${MARKET}&status=open`);
    expect(open.status).toBe(200);
    expect(open.body.orders.map((o: OrderAnswer) => o.clientOrderId)).toEqual(["c-6"]);
    await expectBalancesMatchLedger();
  });

  it("given dave reserves 500 with a resting bid, when he withdraws 600, then it is refused INSUFFICIENT_FUNDS; after DELETE of the bid the same withdrawal is paid", async () => {
    await nextMinute();
    const d5 = await place("dave", "d-5", { side: "buy", outcome: "YES", price: "0.50", quantity: "1000" });
    expect(d5).toMatchObject({ status: "open", trades: [] });
    const reserved = await account("dave");
    // dave: 1000 − 3.8076 − 1.8 − 1.8 − 13.6272 = 978.9652, of which 0.50 × 1000 = 500 reserved
    expect(reserved).toMatchObject({ cash: "478.9652", reserved: "500", total: ledger.totalOf("dave") });

    const before = await gw.logLength();
    const refused = await api.as(who.dave!, "POST", "/v1/withdrawals", {
      amount: "600",
      reference: "out-dave-1",
    });
    expectApiError(refused, 422, "INSUFFICIENT_FUNDS");
    expect(await gw.logLength()).toBe(before);

    const cancelled = await api.as<OrderAnswer>(who.dave!, "DELETE", `/v1/orders/${d5.orderId}`);
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.body).toMatchObject({ orderId: d5.orderId, status: "cancelled", cancelReason: "USER" });
    expect(await account("dave")).toMatchObject({ cash: "978.9652", reserved: "0" });

    const paid = await api.as(who.dave!, "POST", "/v1/withdrawals", {
      amount: "600",
      reference: "out-dave-1",
    });
    expect(paid.status, paid.text).toBe(200);
    ledger.withdraw("dave", "600");
    expect(paid.body).toMatchObject({ accountId: "dave", cash: "378.9652", reserved: "0" });

    const length = await gw.logLength();
    const retried = await api.as(who.dave!, "POST", "/v1/withdrawals", {
      amount: "600",
      reference: "out-dave-1",
    });
    expect(retried.status, retried.text).toBe(200);
    expect(retried.body).toMatchObject({ cash: "378.9652" });
    expect(await gw.logLength()).toBe(length);

    const cancelledAgain = await api.as(who.dave!, "DELETE", `/v1/orders/${d5.orderId}`);
    expectApiError(cancelledAgain, 422, "ORDER_NOT_OPEN");
    await expectBalancesMatchLedger();
  });

  it("given placed orders, when the same clientOrderId comes again with the same content, then 200 with the first answer and nothing appended; with other content 409", async () => {
    await nextMinute();
    const b4 = await place("bob", "b-4", { side: "buy", outcome: "YES", price: "0.50", quantity: "10" });
    const before = await gw.logLength();

    for (const clientOrderId of ["b-4", "b-1", "a-1", "c-4"]) {
      const p = placed.get(clientOrderId)!;
      const again = await api.as<OrderAnswer>(
        who[p.account]!,
        "POST",
        "/v1/orders",
        orderBody(clientOrderId, p.input),
      );
      expect(again.status, `${clientOrderId}: ${again.text}`).toBe(200);
      expect(again.body, clientOrderId).toEqual(p.answer);
    }
    expect(await gw.logLength()).toBe(before);

    const different = await api.as(who.bob!, "POST", "/v1/orders", {
      ...orderBody("b-4", placed.get("b-4")!.input),
      quantity: "11",
    });
    expectApiError(different, 409, "IDEMPOTENCY_CONFLICT");
    expect(await gw.logLength()).toBe(before);
    expect((await getOrder("b-4")).quantity).toBe(b4.quantity);
  });

  it("given the operator's bearer token, when it reads alice's account and one of her orders, then both answer 200 (an operator may read any account's data)", async () => {
    const a1 = placed.get("a-1")!.answer;
    const summary = await api.op("GET", "/v1/accounts/alice");
    expect(summary.status, summary.text).toBe(200);
    expect(summary.body).toEqual(await account("alice"));

    const order = await api.op<OrderAnswer>("GET", `/v1/orders/${a1.orderId}`);
    expect(order.status, `GET /v1/orders/${a1.orderId} with the operator token: ${order.text}`).toBe(200);
    expect(order.body).toEqual(await getOrder("a-1"));
  });

  it("given the trades so far, when the trade list is read, then it shows all nine fills newest first with their kinds", async () => {
    const res = await api.send({ method: "GET", path: `/v1/markets/${MARKET}/trades`, headers: {} });
    expect(res.status).toBe(200);
    expect(
      res.body.trades.map((t: { kind: string; price: string; quantity: string }) => [
        t.kind,
        t.price,
        t.quantity,
      ]),
    ).toEqual([
      ["TRANSFER", "0.68", "20"],
      ["TRANSFER", "0.65", "10"],
      ["MINT", "0.64", "5"],
      ["MERGE", "0.62", "10"],
      ["TRANSFER", "0.64", "5"],
      ["TRANSFER", "0.62", "10"],
      ["TRANSFER", "0.6", "10"],
      ["TRANSFER", "0.65", "20"],
      ["MINT", "0.6", "60"],
    ]);
    const market = await api.send({ method: "GET", path: `/v1/markets/${MARKET}`, headers: {} });
    // pairs: +60 mint − 10 merge + 5 mint = 55; volume: 60+20+10+10+5+10+5+10+20 = 150
    expect(market.body).toMatchObject({ openInterest: "55", escrow: "55", volume: "150", lastPrice: "0.68" });
  });

  it("given open orders and positions, when the operator resolves the market YES, then open orders are cancelled and every YES share pays exactly 1", async () => {
    await nextMinute();
    const res = await api.op("POST", `/v1/markets/${MARKET}/resolve`, { outcome: "YES" });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ marketId: MARKET, status: "resolved", outcome: "YES", escrow: "0" });
    // YES held: alice 20, carol 15, dave 20 → paid 20, 15, 20; NO (bob 35, dave 20) pays nothing
    expect(Object.fromEntries(ledger.yes)).toEqual({ alice: 20, bob: 0, carol: 15, dave: 20 });
    expect(Object.fromEntries(ledger.no)).toEqual({ alice: 0, bob: 35, carol: 0, dave: 20 });
    ledger.resolve("YES");

    for (const id of ["a-1", "a-4", "c-6", "b-4"])
      expect(await getOrder(id), id).toMatchObject({ status: "cancelled", cancelReason: "MARKET_RESOLVED" });
    expect(await book()).toMatchObject({ bids: [], asks: [] });

    const expected: Record<string, string> = {
      // 1250.5 − 36 + 13 − 6 + 6.5 + 13.6 + 20
      alice: "1261.6",
      // 1000 − 24.048 + 3.8 + 1.7964 + 3.8
      bob: "985.3484",
      // 1000 − 13.026 + 5.988 + 6.1876 − 9.7194 + 15
      carol: "1004.4302",
      // 978.9652 − 600 + 20
      dave: "398.9652",
    };
    for (const name of Object.keys(who)) {
      const a = await account(name);
      expect(a.cash, `${name} cash`).toBe(ledger.totalOf(name));
      expect(a.cash, `${name} cash`).toBe(expected[name]);
      expect(a.reserved).toBe("0");
      expect(a.positions).toEqual([]);
    }
    const s = await api.solvency();
    expect(s.totals).toMatchObject({
      deposits: dec(ledger.deposits),
      withdrawals: dec(ledger.withdrawals),
      marketEscrow: "0",
      feeRevenue: dec(ledger.fees),
    });
    expect(dec(ledger.fees)).toBe("0.1562");

    const after = await api.op("POST", `/v1/markets/${MARKET}/resolve`, { outcome: "NO" });
    expectApiError(after, 422, "MARKET_RESOLVED");
    const late = await api.as(who.alice!, "POST", "/v1/orders", {
      clientOrderId: "a-late",
      marketId: MARKET,
      side: "buy",
      outcome: "YES",
      price: "0.5",
      quantity: "1",
    });
    expectApiError(late, 422, "MARKET_NOT_OPEN");
  });

  it("given the resolved exchange, when the process is stopped with SIGTERM and restarted on the same file, then every read answers exactly as before", async () => {
    const snapshot = async () => {
      const get = (path: string) => api.send({ method: "GET", path, headers: {} }).then((r) => r.body);
      const accounts: Record<string, unknown> = {};
      const orders: Record<string, unknown> = {};
      for (const name of Object.keys(who)) {
        accounts[name] = await account(name);
        orders[name] = (await api.as(who[name]!, "GET", "/v1/orders")).body;
      }
      const health = await api.health();
      return {
        accounts,
        orders,
        market: await get(`/v1/markets/${MARKET}`),
        markets: await get("/v1/markets"),
        book: await get(`/v1/markets/${MARKET}/book`),
        trades: await get(`/v1/markets/${MARKET}/trades`),
        solvency: await api.solvency(),
        health: {
          status: health.status,
          sequence: health.sequence,
          head: health.head,
          events: health.events,
        },
      };
    };
    const before = await snapshot();
    expect(before.health.events).toBe(gw.logLengthOnDisk());

    const code = await gw.stop("SIGTERM");
    expect(code, "graceful shutdown exits 0").toBe(0);
    await gw.restart();
    await api.syncClock();

    const after = await snapshot();
    expect(after).toEqual(before);
    expect(after.health.head).toMatch(/^[0-9a-f]{64}$/);
  });

  it("given the log on disk, when pmx replay --verify and pmx audit run on it, then both exit 0 and agree with the gateway's head", async () => {
    const health = await api.health();
    await api.expectSolvent();
    stoppedForGood = true;
    expect(await gw.stop("SIGTERM")).toBe(0);

    const replayed = await runPmx(["replay", "--store", gw.storeUrl, "--verify", "--json"]);
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(0);
    const report = JSON.parse(replayed.stdout) as {
      ok: boolean;
      events: number;
      commands: number;
      head: string;
    };
    expect(report).toMatchObject({
      ok: true,
      events: health.events,
      commands: health.sequence,
      head: health.head,
    });

    const audited = await runPmx(["audit", "--store", gw.storeUrl]);
    expect(audited.code, audited.stdout + audited.stderr).toBe(0);
    expect(audited.stdout).toContain("audit passed");
    expect(audited.stdout).toContain(health.head);
  });
});

describe("gateway e2e: the manual clock across a restart", () => {
  afterAll(stopAllGateways);

  it("given the manual clock moved 10 minutes past the last command, when the gateway restarts on the same file, then the clock has not moved backwards", async () => {
    const gw = await startGateway();
    const api = new Client(gw.url, gw.token);
    await api.setClock(T0);
    const erin = await api.openAccount("erin"); // the last command in the log: at T0
    const later = T0 + 10 * 60_000;
    await api.setClock(later);
    expect(Date.parse((await api.health()).time)).toBe(later);

    expect(await gw.stop("SIGTERM")).toBe(0);
    await gw.restart();

    // The contract: a manual clock moves only through POST /v1/admin/clock, never backwards.
    const time = Date.parse((await api.health()).time);
    expect(new Date(time).toISOString(), "the clock after the restart").toBe(new Date(later).toISOString());
    const signedAtLater = await api.as(erin, "GET", "/v1/account");
    expect(signedAtLater.status, signedAtLater.text).toBe(200);
    const backwards = await api.op("POST", "/v1/admin/clock", { at: T0 + 60_000 });
    expectApiError(backwards, 422, "CLOCK_BACKWARDS");
  });
});

describe("gateway e2e: SIGTERM while a signed order is still arriving", () => {
  afterAll(stopAllGateways);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** A gateway with alice funded and market m listed; her order's body is sent in two pieces with SIGTERM between. */
  async function orderInFlightAtSigterm(agent: Agent) {
    const gw = await startGateway();
    const api = new Client(gw.url, gw.token);
    await api.setClock(T0);
    const alice = await api.openAccount("alice");
    await api.deposit("alice", "100", "wire-alice-1");
    await api.listMarket({ marketId: "m" });
    const req = api.signedRequest(alice, "POST", "/v1/orders", {
      clientOrderId: "in-flight",
      marketId: "m",
      side: "buy",
      outcome: "YES",
      price: "0.50",
      quantity: "10",
    });
    const body = req.body!;
    let stopping: Promise<number | null> | null = null;
    let stoppedAt = 0;
    let signalledAt = 0;
    const answer = await sendInPieces(gw.url, agent, req, [
      body.slice(0, 20),
      async () => {
        await sleep(100); // the gateway has the headers and waits for the rest of the body
        signalledAt = Date.now();
        stopping = gw.stop("SIGTERM", { killAfterMs: 5_000 });
        void stopping.then(() => (stoppedAt = Date.now()));
        await sleep(100);
      },
      body.slice(20),
    ]);
    return {
      gw,
      api,
      alice,
      answer,
      exit: async () => ({ code: await stopping!, ms: stoppedAt - signalledAt }),
    };
  }

  it("given an order in flight at SIGTERM, when its body completes, then it is answered 201, the process exits 0 within 5 s although the client keeps its connection, and the order is in the log", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const { gw, api, alice, answer, exit } = await orderInFlightAtSigterm(agent);
      expect(answer.status, answer.text).toBe(201);
      expect(answer.body).toMatchObject({ clientOrderId: "in-flight", status: "open" });

      const { code, ms } = await exit();
      expect(code, `exit code after SIGTERM (null: still running after 5 s, killed; took ${ms} ms)`).toBe(0);

      await gw.restart();
      await api.syncClock();
      const stored = await api.as(alice, "GET", `/v1/orders/${answer.body.orderId}`);
      expect(stored.status, stored.text).toBe(200);
      expect(stored.body).toMatchObject({ clientOrderId: "in-flight", status: "open", quantity: "10" });
    } finally {
      agent.destroy();
    }
  });

  it("given the gateway is draining, when another request comes on the kept-alive connection, then any answer is a 503 SHUTTING_DOWN in the API's error shape with Retry-After", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const { gw, answer, exit } = await orderInFlightAtSigterm(agent);
      expect(answer.status, answer.text).toBe(201);
      let next: Awaited<ReturnType<typeof sendInPieces>> | null = null;
      try {
        next = await sendInPieces(gw.url, agent, { method: "GET", path: "/v1/markets/m", headers: {} });
      } catch (error) {
        // A gateway that closed the connection after the in-flight answer leaves nothing to send on: fine.
        expect((error as NodeJS.ErrnoException).code).toMatch(/^(ECONNREFUSED|ECONNRESET|EPIPE)$/);
      }
      if (next) {
        expectApiError(next, 503, "SHUTTING_DOWN");
        expect(next.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
      }
      await exit();
    } finally {
      agent.destroy();
    }
  });
});
