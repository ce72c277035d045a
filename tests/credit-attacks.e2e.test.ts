// End to end through the real gateway (SQLite, manual clock): issue 11's attacks on the credit layer, replayed over HTTP, each with the bound that now holds.
import { afterEach, describe, expect, it } from "vitest";
import { type ApiResponse, Client, type Credential, expectApiError, type Json } from "./support/client.js";
import {
  type Gateway,
  readEvents,
  type StoredEvent,
  startGateway,
  stopAllGateways,
  T0,
} from "./support/gateway.js";
import { Decimal, dec } from "./support/ledger.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const M = "m1";

/** No jump-risk fee (loans stay round numbers), as the domain fixtures' FEE_FREE. */
const FEE_FREE = { jumpIntensityPerDay: "0", utilizationChargePerDay: "0" };
/** Liquidation at the first sweep, as the domain fixtures' LIQUIDATE_AT_ONCE (the pool scenarios' setting). */
const LIQUIDATE_AT_ONCE = { liquidationDelaySeconds: 0 };

/** A stored event whose data the tests read field by field. */
type LogEvent = Omit<StoredEvent, "data"> & { data: Json };

/** One gateway process with its accounts, and the reads and writes the scenarios use. */
class Exchange {
  private orders = 0;
  private constructor(
    readonly gw: Gateway,
    readonly api: Client,
    readonly who: Record<string, Credential>,
  ) {}

  /** A new gateway at T0 with these accounts, each funded with its deposit. */
  static async open(deposits: Record<string, string>): Promise<Exchange> {
    const gw = await startGateway();
    const api = new Client(gw.url, gw.token);
    await api.setClock(T0);
    const who: Record<string, Credential> = {};
    for (const [name, amount] of Object.entries(deposits)) {
      who[name] = await api.openAccount(name);
      await api.deposit(name, amount, `wire-${name}`);
    }
    return new Exchange(gw, api, who);
  }

  /** Every event of the log (read-only connection), or only those after `after` (a revision). */
  log(after = -1): LogEvent[] {
    return readEvents(this.gw.dbPath, after) as LogEvent[];
  }
  /** The revision of the last event in the log. */
  head(): number {
    return this.log().at(-1)!.revision;
  }
  /** The events `action` appended. */
  async appended(action: () => Promise<unknown>): Promise<LogEvent[]> {
    const before = this.head();
    await action();
    return this.log(before);
  }

  async clock(at: number): Promise<void> {
    await this.api.setClock(at);
  }
  async get<T = Json>(path: string): Promise<T> {
    const res = await this.api.send<T>({ method: "GET", path, headers: {} });
    expect(res.status, `${path}: ${res.text}`).toBe(200);
    return res.body;
  }
  market = () => this.get(`/v1/markets/${M}`);
  pool = () => this.get(`/v1/markets/${M}/pool`);
  async account(name: string): Promise<Json> {
    const res = await this.api.as(this.who[name]!, "GET", "/v1/account");
    expect(res.status, res.text).toBe(200);
    return res.body;
  }
  async leveraged(name: string): Promise<Json> {
    return (await this.account(name)).positions.find((p: Json) => p.marketId === M && p.leveraged);
  }

  async listMarket(resolvesAtMs: number, risk: Record<string, string | number>): Promise<void> {
    const res = await this.api.op("POST", "/v1/markets", {
      marketId: M,
      question: `Will ${M} happen?`,
      tickSize: "0.01",
      resolvesAt: new Date(resolvesAtMs).toISOString(),
      takerFeeBps: 0,
      // the extremity move these scenarios were written with (5x at 0.50); the default 0.2 has its own tests
      extremityMove: "0.1",
      ...risk,
    });
    expect(res.status, res.text).toBe(201);
  }
  async mark(price: string): Promise<void> {
    const res = await this.api.op("POST", `/v1/markets/${M}/mark`, { price });
    expect(res.status, res.text).toBe(200);
  }
  /** A buy (GTC unless told): answers the order, which must have been accepted. */
  async buy(
    name: string,
    outcome: "YES" | "NO",
    price: string,
    quantity: number,
    options: { timeInForce?: "IOC" | "GTC"; leverage?: string } = {},
  ): Promise<Json> {
    const res = await this.api.as(this.who[name]!, "POST", "/v1/orders", {
      clientOrderId: `o-${++this.orders}`,
      marketId: M,
      side: "buy",
      outcome,
      price,
      quantity: String(quantity),
      timeInForce: options.timeInForce ?? "GTC",
      ...(options.leverage === undefined ? {} : { leverage: options.leverage }),
    });
    expect(res.status, res.text).toBe(201);
    return res.body;
  }
  async cancel(name: string, orderId: string): Promise<void> {
    const res = await this.api.as(this.who[name]!, "DELETE", `/v1/orders/${orderId}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.status).toBe("cancelled");
  }
  /** Supplies to m1's pool: answers the caller's pool shares. */
  async supply(name: string, amount: string, reference: string): Promise<string> {
    const res = await this.api.as(this.who[name]!, "POST", `/v1/markets/${M}/pool/supply`, {
      amount,
      reference,
    });
    expect(res.status, res.text).toBe(200);
    return res.body.yourShares;
  }
  redeem(name: string, shares: string, reference: string): Promise<ApiResponse> {
    return this.api.as(this.who[name]!, "POST", `/v1/markets/${M}/pool/redeem`, { shares, reference });
  }
  /** Redeems, which must be paid: answers the PoolRedeemed event. */
  async redeemed(name: string, shares: string, reference: string): Promise<Json> {
    const events = await this.appended(async () => {
      const res = await this.redeem(name, shares, reference);
      expect(res.status, res.text).toBe(200);
    });
    const paid = events.filter((e) => e.type === "PoolRedeemed");
    expect(paid, JSON.stringify(events)).toHaveLength(1);
    return paid[0]!.data;
  }
  /** Added margin on the leveraged YES position (repays the loan first): answers the events. */
  async addMargin(name: string, amount: string, reference: string): Promise<LogEvent[]> {
    return this.appended(async () => {
      const res = await this.api.as(this.who[name]!, "POST", `/v1/positions/${M}/margin`, {
        outcome: "YES",
        amount,
        reference,
      });
      expect(res.status, res.text).toBe(200);
    });
  }
}

const of = (events: LogEvent[], type: string) => events.filter((e) => e.type === type).map((e) => e.data);

/**
 * The domain fixture alice_long_100_yes_at_050_5x through the gateway: m1 (far resolution, no taker fee), lp
 * supplies 1000, the oracle marks 0.50, mm bids 100 NO at 0.50 and alice buys 100 YES at 0.50 with 5x (IOC): cost 50,
 * loan 40 (plus, with fees, the first hour's fee charged at once), margin 10.
 */
async function aliceLong5x(risk: Record<string, string | number>, extra: Record<string, string> = {}) {
  const x = await Exchange.open({
    mm: "10000",
    mm2: "10000",
    lp: "10000",
    alice: "1000",
    bob: "1000",
    ...extra,
  });
  await x.listMarket(Date.UTC(2030, 0, 1), { ...LIQUIDATE_AT_ONCE, ...risk });
  expect(await x.supply("lp", "1000", "s-1")).toBe("1000");
  await x.mark("0.5");
  await x.buy("mm", "NO", "0.5", 100);
  const opened = await x.appended(async () => {
    const bought = await x.buy("alice", "YES", "0.5", 100, { timeInForce: "IOC", leverage: "5" });
    expect(bought).toMatchObject({ status: "filled", filledQuantity: "100" });
  });
  expect(of(opened, "LoanOpened")).toEqual([expect.objectContaining({ accountId: "alice", amount: "40" })]);
  expect((await x.pool()).lent).toBe((await x.leveraged("alice")).loan);
  return x;
}

let current: Exchange | null = null;
afterEach(async () => {
  if (current) await current.gw.stop();
  current = null;
  await stopAllGateways();
});
const using = (x: Exchange) => (current = x);

describe("issue 11 finding 1: one print does not move the risk mark", () => {
  it("a 21-lot print at 0.02 (cost ≈ 0.4) against alice 100 YES @ 0.51 at 4x (loan 38.25) and bob at 3x (loan 34): for 2 hours after it, minute by minute, no MarginCalled, no LiquidationStarted, riskMark 0.5, both healthy with 100 shares", async () => {
    const x = using(
      await Exchange.open({
        mm: "10000",
        mm2: "10000",
        lp: "10000",
        eve: "10000",
        mallory: "10000",
        alice: "1000",
        bob: "1000",
      }),
    );
    await x.listMarket(Date.UTC(2030, 0, 1), FEE_FREE);
    await x.supply("lp", "1000", "s-1");
    // No oracle: mm quotes YES 0.49 (100) / 0.51 (400 from mm2's NO bid at 0.49); a first tick marks the mid.
    const mmBid = await x.buy("mm", "YES", "0.49", 100);
    await x.buy("mm2", "NO", "0.49", 400);
    expect((await x.market()).riskMark).toBeNull();
    await x.clock(T0);
    expect((await x.market()).riskMark).toBe("0.5");
    await x.buy("alice", "YES", "0.51", 100, { timeInForce: "IOC", leverage: "4" });
    await x.buy("bob", "YES", "0.51", 100, { timeInForce: "IOC", leverage: "3" });
    expect(await x.leveraged("alice")).toMatchObject({ yes: "100", loan: "38.25", status: "healthy" });
    expect(await x.leveraged("bob")).toMatchObject({ yes: "100", loan: "34", status: "healthy" });
    // The market goes quiet: mm's bid is cancelled; a new mark interval begins.
    await x.cancel("mm", mmBid.orderId);
    await x.clock(T0 + 6 * MINUTE);
    const start = x.head();

    // eve bids YES 0.02, mallory sells YES into it (buys NO 0.98, IOC): 21 lots printed at 0.02.
    await x.buy("eve", "YES", "0.02", 21);
    const printed = await x.appended(() => x.buy("mallory", "NO", "0.98", 21, { timeInForce: "IOC" }));
    expect(of(printed, "TradeExecuted")).toEqual([
      expect.objectContaining({ yesPrice: "0.02", quantity: 21 }),
    ]);
    expect((await x.market()).lastPrice).toBe("0.02");

    const marks = new Set<string>();
    for (let t = T0 + 7 * MINUTE; t <= T0 + 2 * HOUR + 7 * MINUTE; t += MINUTE) {
      await x.clock(t);
      marks.add((await x.market()).riskMark);
    }
    const after = x.log(start).map((e) => e.type);
    expect(after).not.toContain("MarginCalled");
    expect(after).not.toContain("LiquidationStarted");
    expect([...marks]).toEqual(["0.5"]);
    expect(await x.leveraged("alice")).toMatchObject({ yes: "100", loan: "38.25", status: "healthy" });
    expect(await x.leveraged("bob")).toMatchObject({ yes: "100", loan: "34", status: "healthy" });
    await x.api.expectSolvent();
  });
});

describe("issue 11 finding 3: parking around a fee collection earns nothing", () => {
  it("eve parks 10 000 from 1 s before alice repays 24 h of fees (AddMargin) to 1 s after: she captures < 5 % of the pool's part of the fee (the first design: 10/11 of it)", async () => {
    const x = using(await aliceLong5x({}, { eve: "10000" }));
    for (let h = 1; h <= 24; h++) await x.clock(T0 + h * HOUR);
    const repayAt = T0 + 24 * HOUR + 30 * MINUTE;
    await x.clock(repayAt - SECOND);
    const eveShares = await x.supply("eve", "10000", "park");
    const earnedBefore = new Decimal((await x.pool()).feesEarned);
    await x.clock(repayAt);
    const repaid = of(await x.addMargin("alice", "100", "close"), "LoanRepaid");
    expect(repaid).toHaveLength(1);
    const toPool = new Decimal(repaid[0].feePart).minus(repaid[0].toInsurance);
    expect(toPool.gt(0)).toBe(true);
    expect(dec(new Decimal((await x.pool()).feesEarned).minus(earnedBefore))).toBe(dec(toPool));
    await x.clock(repayAt + SECOND);
    const out = await x.redeemed("eve", eveShares, "leave");
    const captured = new Decimal(out.amount).minus(10000);
    const fraction = captured.div(toPool);
    console.info(
      `finding 3 (parking): feePart ${repaid[0].feePart}, toInsurance ${repaid[0].toInsurance}, to pool ${dec(toPool)}; eve supplied 10000 for ${eveShares} shares, redeemed ${out.amount}: captured ${dec(captured)} = ${fraction.times(100).toFixed(4)} %`,
    );
    expect(fraction.lt("0.05"), `captured ${dec(captured)} of ${dec(toPool)}`).toBe(true);
    await x.api.expectSolvent();
  });

  it("eve supplies 10 000 1 s before an hourly charge and redeems 1 s after: she gets back at most the 10 000 she supplied", async () => {
    const x = using(await aliceLong5x({}, { eve: "10000" }));
    await x.clock(T0 + HOUR - SECOND);
    const eveShares = await x.supply("eve", "10000", "park");
    const charged = await x.appended(() => x.clock(T0 + HOUR));
    const fees = of(charged, "FundingAccrued");
    expect(fees).toHaveLength(1);
    expect(new Decimal(fees[0].amount).gt(0)).toBe(true);
    await x.clock(T0 + HOUR + SECOND);
    const out = await x.redeemed("eve", eveShares, "leave");
    console.info(
      `finding 3 (hourly charge ${fees[0].amount}): eve supplied 10000 for ${eveShares} shares, redeemed ${out.amount}`,
    );
    expect(new Decimal(out.amount).lte(10000), `redeemed ${out.amount}`).toBe(true);
    await x.api.expectSolvent();
  });
});

describe("issue 11 finding 2: the pool is valued on cash", () => {
  it("after 48 hourly charges on alice's loan nobody repays, the pool shows shareValue 1 with feesUncollected = loan − 40 > 0, and lp's 500 shares redeem for 500 (not 500 × (1000 + fees) / 1000)", async () => {
    const x = using(await aliceLong5x({}));
    for (let h = 1; h <= 48; h++) await x.clock(T0 + h * HOUR);
    const loan = new Decimal((await x.leveraged("alice")).loan);
    const pool = await x.pool();
    console.info(`finding 2: after 48 h, alice's loan ${dec(loan)}, pool ${JSON.stringify(pool)}`);
    expect(new Decimal(pool.feesUncollected).gt(0)).toBe(true);
    expect(pool.feesUncollected).toBe(dec(loan.minus(40)));
    expect(pool).toMatchObject({ shareValue: "1", value: "1000", lent: dec(loan) });
    const cashBefore = new Decimal((await x.account("lp")).cash);
    expect(await x.redeemed("lp", "500", "r-1")).toMatchObject({ shares: "500", amount: "500" });
    expect((await x.account("lp")).cash).toBe(dec(cashBefore.plus(500)));
    await x.api.expectSolvent();
  });
});

describe("issue 11 finding 4: no lender run", () => {
  it("with 960 cash and 40 lent in a 1000 pool, lp redeeming all 960 of the cash (finding 4's run: utilization 40 / 40) → 422 POOL_UTILIZATION_LIMIT, maxRedeemable 955.555555 (1000 − 40 / 0.9), nothing appended; all 1000 shares → 422 POOL_CASH_LENT_OUT; 955.555555 shares are paid and utilization stays ≤ 0.9", async () => {
    const x = using(await aliceLong5x(FEE_FREE));
    expect(await x.pool()).toMatchObject({ cash: "960", lent: "40", shares: "1000", shareValue: "1" });
    const events = await x.gw.logLength();
    // All 1000 shares are worth more than the pool's cash: refused, and told what could be taken now.
    const all = await x.redeem("lp", "1000", "r-all");
    expectApiError(all, 422, "POOL_CASH_LENT_OUT");
    expect(all.body.error.details).toEqual({ value: "1000", poolCash: "960", maxRedeemable: "955.555555" });
    const run = await x.redeem("lp", "960", "r-run");
    expectApiError(run, 422, "POOL_UTILIZATION_LIMIT");
    expect(run.body.error.details).toEqual({ value: "960", maxRedeemable: "955.555555" });
    const justOver = await x.redeem("lp", "955.555556", "r-over");
    expectApiError(justOver, 422, "POOL_UTILIZATION_LIMIT");
    expect(justOver.body.error.details).toMatchObject({ maxRedeemable: "955.555555" });
    expect(await x.gw.logLength()).toBe(events);
    const max = run.body.error.details.maxRedeemable as string;
    expect(await x.redeemed("lp", max, "r-max")).toMatchObject({ shares: max, amount: max });
    const pool = await x.pool();
    expect(pool).toMatchObject({ cash: "4.444445", lent: "40", shares: "44.444445" });
    expect(new Decimal(pool.lent).div(new Decimal(pool.lent).plus(pool.cash)).lte("0.9")).toBe(true);
    expect(new Decimal(pool.utilization).lte("0.9"), pool.utilization).toBe(true);
    await x.api.expectSolvent();
  });
});

describe("issue 11: no lender leaves inside the hazard window while loans are open", () => {
  it("m1 resolves 3 days after T0 (hazard window from T0 + 2 days); alice's 2x loan is open; at T0 + 2 days lp's redemption → 422 POOL_REDEMPTION_LOCKED, nothing appended; once alice repays it is paid", async () => {
    const x = using(await Exchange.open({ mm: "10000", lp: "10000", alice: "1000" }));
    await x.listMarket(T0 + 3 * DAY, {});
    await x.supply("lp", "1000", "s");
    await x.mark("0.5");
    await x.buy("mm", "NO", "0.5", 100);
    await x.buy("alice", "YES", "0.5", 10, { timeInForce: "IOC", leverage: "2" });
    expect(await x.leveraged("alice")).toMatchObject({ yes: "10", status: "healthy" });
    const start = x.head();
    for (let t = T0 + HOUR; t <= T0 + 2 * DAY; t += HOUR) await x.clock(t);
    const pool = await x.pool();
    const since = x.log(start);
    const counts: Record<string, number> = {};
    for (const e of since) counts[e.type] = (counts[e.type] ?? 0) + 1;
    console.info(
      `hazard window: at T0 + 2 days pool ${JSON.stringify(pool)}; alice ${JSON.stringify(await x.leveraged("alice"))}; events since the buy ${JSON.stringify(counts)}; ${JSON.stringify(of(since, "DeleverageCalled"))}`,
    );
    expect(new Decimal(pool.lent).gt(0), JSON.stringify(pool)).toBe(true);
    const events = await x.gw.logLength();
    const locked = await x.redeem("lp", "10", "r-1");
    expectApiError(locked, 422, "POOL_REDEMPTION_LOCKED");
    expect(await x.gw.logLength()).toBe(events);
    const loan = (await x.leveraged("alice")).loan as string;
    expect(of(await x.addMargin("alice", loan, "close"), "LoanRepaid")).toHaveLength(1);
    expect((await x.pool()).lent).toBe("0");
    expect(await x.redeemed("lp", "10", "r-2")).toMatchObject({ shares: "10", amount: "10" });
    await x.api.expectSolvent();
  });
});
