// End to end through the real gateway process (issue "Done when 4"): the credit layer on a manual clock.
// 1. the leverage cap is shown on the market and enforced (422 LEVERAGE_TOO_HIGH above it; at or below it the
//    buy borrows floor6(cost × (L − 1) / L) from the market's pool, and the same command charges the new loan's
//    first jump-risk interval in advance: LoanOpened, TradeExecuted, then FundingAccrued);
// 2. inside the hazard window the cap is 1x;
// 3. jump-risk fees charged in advance, interval by interval, over three simulated days equal, to the last decimal
//    place, an independent computation of the documented formula (docs/risk-model.md, "The jump model and the
//    jump-risk fee") — once with `Funding.jumpRiskFee` and once with the test's own exact rationals;
// 4. a gradual decline with resting bids liquidates a leveraged YES position through the book after its margin
//    call's grace window, while its equity is still positive: no bad debt, no insurance draw, no pool loss.
// 5. accrual boundaries: each position's intervals are its own, from its opening ("the fee is charged at the start
//    of each interval, for that interval"): a loan repaid within its first interval has paid exactly that interval,
//    a loan opened after hours without loans is not charged for those hours, and adding to a position charges a
//    full interval on the added loan at once while the position keeps its own schedule.
// `GET /v1/audit/solvency` is balanced after every step; at the end every FundingAccrued event in the file has the
// schema's decimal strings, the rate of the loan it was charged on and the `until` of the test's own schedule,
// `pmx audit` passes on the file, and the gateway starts again on it with the same head.
import { Funding, Money, RiskParams } from "@pmx/liquidation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, Client, type Credential, expectApiError } from "./support/client.js";
import { type Gateway, runPmx, startGateway, stopAllGateways, storedEvents, T0 } from "./support/gateway.js";
import { Decimal, dec } from "./support/ledger.js";

/** The extremity move these scenarios were written with (0.10: 5x at 0.50); the default, 0.20, has its own tests. */
const EXTREMITY_010 = { extremityMove: "0.1" } as const;
/** What every market listed here holds unless a test sets more: the defaults with EXTREMITY_010. */
const SCENARIO_PARAMS = RiskParams.withDefaults(EXTREMITY_010);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

interface PositionView {
  marketId: string;
  yes: string;
  no: string;
  outcome?: string;
  leveraged: boolean;
  loan: string;
  equity: string | null;
  maintenanceRequirement: string;
  liquidationPrice: string | null;
  status: "healthy" | "margin_call" | "liquidating" | "closed";
  marginCallDeadline?: string;
}
interface AccountView {
  accountId: string;
  cash: string;
  reserved: string;
  total: string;
  positions: PositionView[];
}
interface MarketView {
  marketId: string;
  maxLeverage: string;
  fundingRate: string;
  fundingRateUnit: string;
  phase: string;
  markPrice: string | null;
  insurance: string;
  risk: Record<string, string | number>;
}
interface PoolView {
  marketId: string;
  assets: string;
  cash: string;
  lent: string;
  utilization: string;
  shares: string;
  shareValue: string;
  feesEarned: string;
  losses: string;
  yourShares?: string;
}
interface FundView {
  fundId: string;
  balance: string;
  marketId?: string;
}

// ---- the documented arithmetic, written out independently of the packages ----

type Num = string | number | Decimal;
const floor6 = (x: Num) => new Decimal(x).toDecimalPlaces(6, Decimal.ROUND_FLOOR);
const ceil6 = (x: Num) => new Decimal(x).toDecimalPlaces(6, Decimal.ROUND_CEIL);
/** The loan of a purchase: floor6(cost × (L − 1) / L). */
const loanFor = (cost: Num, leverage: string) =>
  floor6(new Decimal(cost).times(new Decimal(leverage).minus(1)).div(leverage));

/** An exact rational n / d (d > 0), for the fee formula without any intermediate rounding. */
interface Q {
  n: bigint;
  d: bigint;
}
const gcd = (a: bigint, b: bigint): bigint => {
  let [x, y] = [a < 0n ? -a : a, b];
  while (y !== 0n) [x, y] = [y, x % y];
  return x === 0n ? 1n : x;
};
const norm = (n: bigint, d: bigint): Q => {
  const g = gcd(n, d);
  return { n: n / g, d: d / g };
};
const qOf = (value: string | number): Q => {
  const [whole, fraction = ""] = String(value).split(".");
  const d = 10n ** BigInt(fraction.length);
  return norm(BigInt(whole! + fraction), d);
};
const qAdd = (a: Q, b: Q) => norm(a.n * b.d + b.n * a.d, a.d * b.d);
const qSub = (a: Q, b: Q) => norm(a.n * b.d - b.n * a.d, a.d * b.d);
const qMul = (a: Q, b: Q) => norm(a.n * b.n, a.d * b.d);
const qDiv = (a: Q, b: Q) => (b.n < 0n ? norm(-a.n * b.d, a.d * -b.n) : norm(a.n * b.d, a.d * b.n));
const qLt = (a: Q, b: Q) => a.n * b.d < b.n * a.d;
const qMin = (a: Q, b: Q) => (qLt(b, a) ? b : a);
const qPos = (a: Q) => (a.n < 0n ? qOf(0) : a);
/** Rounded up to 6 dp, as the wire shows it. */
const qCeil6 = (a: Q): string => {
  const scaled = a.n * 1_000_000n;
  let units = scaled / a.d;
  if (units * a.d !== scaled && scaled > 0n) units += 1n;
  return dec(new Decimal(units.toString()).div(1_000_000));
};

interface FeeCase {
  loan: string;
  shares: string;
  /** The holder's outcome mark q. */
  q: string;
  intervalSeconds: number;
  nowMs: number;
  resolvesAtMs: number;
  /** lent and assets of the pool at the interval's start (utilization = lent / assets). */
  lent: string;
  assets: string;
}

/**
 * docs/risk-model.md, "The jump model and the jump-risk fee":
 *   P_jump = min(1, λ Δ / 1 day); jumpLoss = max(0, loan − shares × max(0, q − J));
 *   P_res = overlap([now, now + Δ], [R − H, R]) / (R − max(now, R − H)), capped at 1; 1 once now ≥ R;
 *   EL = min(loan, P_jump × jumpLoss + P_res × (1 − q) × loan);
 *   fee = ceil6(EL / (1 − cut) + loan × c × (1 + min(u, uMax) / uMax) × Δ / 1 day), uMax = 1 − buffer.
 */
function documentedFee(p: RiskParams.RiskParams, c: FeeCase): string {
  const one = qOf(1);
  const loan = qOf(c.loan);
  const shares = qOf(c.shares);
  const q = qOf(c.q);
  const dayFraction = norm(BigInt(c.intervalSeconds * 1000), BigInt(DAY));
  const pJump = qMin(one, qMul(qOf(p.jumpIntensityPerDay), dayFraction));
  const jumpLoss = qPos(qSub(loan, qMul(shares, qPos(qSub(q, qOf(p.adverseJumpSize))))));
  let pRes: Q;
  if (c.nowMs >= c.resolvesAtMs) pRes = one;
  else {
    const from = Math.max(c.nowMs, c.resolvesAtMs - p.hazardWindowSeconds * 1000);
    const overlap = Math.min(c.nowMs + c.intervalSeconds * 1000, c.resolvesAtMs) - from;
    pRes = overlap <= 0 ? qOf(0) : qMin(one, norm(BigInt(overlap), BigInt(c.resolvesAtMs - from)));
  }
  const expectedLoss = qMin(loan, qAdd(qMul(pJump, jumpLoss), qMul(qMul(pRes, qPos(qSub(one, q))), loan)));
  const cover = qDiv(expectedLoss, qSub(one, qOf(p.insuranceCut)));
  const uMax = qSub(one, qOf(p.utilizationBuffer));
  const u = qDiv(qOf(c.lent), qOf(c.assets));
  const factor = qAdd(one, qDiv(qMin(uMax, qPos(u)), uMax));
  const charge = qMul(qMul(qMul(loan, qOf(p.utilizationChargePerDay)), factor), dayFraction);
  return qCeil6(qAdd(cover, charge));
}

/** The same interval through the package's documented function `Funding.jumpRiskFee`. */
function packageFee(p: RiskParams.RiskParams, c: FeeCase): string {
  const M = Money.Decimal;
  const assets = new M(c.assets);
  return Money.toWire(
    Funding.jumpRiskFee(p, {
      loan: new M(c.loan),
      shares: new M(c.shares),
      outcomePrice: new M(c.q),
      intervalSeconds: c.intervalSeconds,
      nowMs: c.nowMs,
      resolvesAtMs: c.resolvesAtMs,
      utilization: assets.lte(0) ? new M(1) : new M(c.lent).div(assets),
    }),
  );
}

/** One interval's fee, computed both ways; they must agree to the last place. */
function intervalFee(p: RiskParams.RiskParams, c: FeeCase, what: string): string {
  const fee = packageFee(p, c);
  expect(fee, `${what}: Funding.jumpRiskFee vs the documented formula`).toBe(documentedFee(p, c));
  return fee;
}

/** A FundingAccrued rate: the fee as a fraction of the loan it was charged on, rounded down to 12 places. */
const rateOf = (fee: Num, base: Num) =>
  dec(new Decimal(fee).div(base).toDecimalPlaces(12, Decimal.ROUND_DOWN));

/** One event of the log as the SQLite file holds it, with its command's number and time from the metadata. */
interface LogEvent {
  position: number;
  type: string;
  data: Record<string, unknown>;
  seq: number;
  at: number;
}
/** The events of the log (read-only; the gateway may be running), optionally only those of some types. */
function readLog(dbPath: string, types?: string[]): LogEvent[] {
  const rows = storedEvents(dbPath).map((e) => ({
    global_position: e.revision + 1, // the log is the file's one stream: positions 1, 2, … as the version-1 rowid
    type: e.type,
    data: e.data,
    metadata: e.metadata,
  }));
  return rows
    .filter((r) => !types || types.includes(r.type))
    .map((r) => {
      const meta = JSON.parse(r.metadata) as { seq: number; at: number };
      return {
        position: r.global_position,
        type: r.type,
        data: JSON.parse(r.data) as Record<string, unknown>,
        seq: meta.seq,
        at: meta.at,
      };
    });
}

describe("credit layer e2e: leverage caps, the hazard window, jump-risk fees over days, liquidation before bankruptcy", () => {
  let gw: Gateway;
  let api: Client;
  const who: Record<string, Credential> = {};
  const DEPOSIT = "10000";
  const LP_DEPOSIT = "50000";
  let stopped = false;
  /** The gateway's head and event count when the last test stopped it. */
  let lastHealth: { head: string; events: number } | null = null;
  /** The `until` of every FundingAccrued the test expects, per "market/account", in order (checked on the log). */
  const schedule = new Map<string, number[]>();
  const expectCharges = (marketId: string, accountId: string, ...untils: number[]) => {
    const key = `${marketId}/${accountId}`;
    schedule.set(key, [...(schedule.get(key) ?? []), ...untils]);
  };
  /** The events of the last command in the log. */
  const lastCommand = () => {
    const log = readLog(gw.dbPath);
    const seq = log[log.length - 1]!.seq;
    return log.filter((e) => e.seq === seq);
  };

  // ---- reads ----
  const get = async <T>(path: string): Promise<T> => {
    const res = await api.send<T>({ method: "GET", path, headers: {} });
    expect(res.status, `${path}: ${res.text}`).toBe(200);
    return res.body;
  };
  const market = (id: string) => get<MarketView>(`/v1/markets/${id}`);
  const pool = (id: string) => get<PoolView>(`/v1/markets/${id}/pool`);
  const funds = async () => (await get<{ funds: FundView[] }>("/v1/insurance")).funds;
  const account = async (name: string): Promise<AccountView> => {
    const res = await api.as<AccountView>(who[name]!, "GET", "/v1/account");
    expect(res.status, res.text).toBe(200);
    return res.body;
  };
  const leveraged = async (name: string, marketId: string): Promise<PositionView | undefined> =>
    (await account(name)).positions.find((p) => p.marketId === marketId && p.leveraged);
  const events = async () => (await api.health()).events;

  // ---- writes: each one is a step, after which the solvency identity must hold exactly ----
  const solvent = async () => {
    const s = await api.solvency();
    expect(s.balanced, JSON.stringify(s.totals)).toBe(true);
  };
  const ok = async (res: ApiResponse, status = 200): Promise<ApiResponse> => {
    expect(res.status, res.text).toBe(status);
    await solvent();
    return res;
  };
  const clock = async (at: number) => {
    await api.setClock(at);
    await solvent();
  };
  const mark = async (marketId: string, price: string) =>
    ok(await api.op("POST", `/v1/markets/${marketId}/mark`, { price }));
  const supply = async (name: string, marketId: string, amount: string) =>
    (
      await ok(
        await api.as(who[name]!, "POST", `/v1/markets/${marketId}/pool/supply`, {
          amount,
          reference: `supply-${marketId}-${amount}`,
        }),
      )
    ).body as PoolView;
  const order = (name: string, body: Record<string, unknown>) =>
    api.as(who[name]!, "POST", "/v1/orders", { side: "buy", timeInForce: "GTC", ...body });
  const listMarket = async (marketId: string, resolvesAtMs: number, risk: Record<string, string | number>) =>
    (
      await ok(
        await api.op("POST", "/v1/markets", {
          marketId,
          question: `Will ${marketId} happen?`,
          tickSize: "0.01",
          resolvesAt: iso(resolvesAtMs),
          takerFeeBps: 0,
          ...EXTREMITY_010,
          ...risk,
        }),
        201,
      )
    ).body as MarketView;

  beforeAll(async () => {
    gw = await startGateway();
    api = new Client(gw.url, gw.token);
    await api.setClock(T0);
    for (const name of ["lp", "mm", "alice", "bob", "carol", "dave", "erin"]) {
      who[name] = await api.openAccount(name);
      await api.deposit(name, name === "lp" ? LP_DEPOSIT : DEPOSIT, `wire-${name}`);
    }
    await ok(
      await api.op("POST", "/v1/insurance/shared/deposits", { amount: "100", reference: "seed-shared" }),
    );
  });

  afterAll(async () => {
    if (!stopped) await gw?.stop();
    await stopAllGateways();
  });

  // ---------------------------------------------------------------------------------------------------------
  describe("1. the cap is shown on the market and enforced on every leveraged buy", () => {
    const CAP = "cap";
    const RESOLVES = T0 + 30 * DAY;

    it("given a new market, then maxLeverage is 1 without a mark and 1 with an empty pool; a pool and a mark of 0.40 make it 4 (the extremity limit 0.40 / 0.1)", async () => {
      const listed = await listMarket(CAP, RESOLVES, {});
      expect(listed).toMatchObject({
        maxLeverage: "1",
        fundingRate: "0",
        phase: "continuous",
        markPrice: null,
      });
      expect(listed.risk).toEqual({ ...SCENARIO_PARAMS });
      await mark(CAP, "0.4");
      expect((await market(CAP)).maxLeverage, "utilization of an empty pool is 1").toBe("1");
      const supplied = await supply("lp", CAP, "5000");
      expect(supplied).toMatchObject({
        assets: "5000",
        cash: "5000",
        lent: "0",
        shares: "5000",
        yourShares: "5000",
      });
      const m = await market(CAP);
      expect(m.maxLeverage).toBe("4");
      expect(m.fundingRateUnit).toBe("per_hour_fraction_of_loan");
      const rate = Funding.feeRatePerHour(SCENARIO_PARAMS, {
        markPrice: new Money.Decimal("0.4"),
        leverage: new Money.Decimal("4"),
        nowMs: T0,
        resolvesAtMs: RESOLVES,
        utilization: new Money.Decimal(0),
      });
      expect(m.fundingRate).toBe(Money.toWire(rate));
      // A market maker sells YES at 0.41 (buys NO at 0.59).
      await ok(
        await order("mm", {
          clientOrderId: "cap-ask",
          marketId: CAP,
          outcome: "NO",
          price: "0.59",
          quantity: "500",
        }),
        201,
      );
    });

    it("given maxLeverage 4, when alice buys YES at leverage 4.01, then 422 LEVERAGE_TOO_HIGH naming the cap, and nothing is appended", async () => {
      const before = await events();
      const res = await order("alice", {
        clientOrderId: "a-too-high",
        marketId: CAP,
        outcome: "YES",
        price: "0.41",
        quantity: "137",
        timeInForce: "IOC",
        leverage: "4.01",
      });
      expectApiError(res, 422, "LEVERAGE_TOO_HIGH");
      expect(res.body.error.details).toEqual({ leverage: "4.01", maxLeverage: "4" });
      const far = await order("alice", {
        clientOrderId: "a-far-too-high",
        marketId: CAP,
        outcome: "YES",
        price: "0.41",
        quantity: "137",
        timeInForce: "FOK",
        leverage: "5",
      });
      expectApiError(far, 422, "LEVERAGE_TOO_HIGH");
      // A resting (GTC) leveraged buy meets the cap at placement too (and again at each fill: credit-gtc.e2e).
      const resting = await order("alice", {
        clientOrderId: "a-gtc",
        marketId: CAP,
        outcome: "YES",
        price: "0.41",
        quantity: "137",
        leverage: "4.01",
      });
      expectApiError(resting, 422, "LEVERAGE_TOO_HIGH");
      expect(await events()).toBe(before);
      expect((await account("alice")).positions).toEqual([]);
      await solvent();
    });

    it("given maxLeverage 4, when alice buys 137 YES at 0.41 at exactly 4x and bob 100 at 2.7x, then each holds a leveraged position with loan floor6(cost × (L − 1) / L) lent by the pool plus the first interval's jump-risk fee, charged in the same command", async () => {
      const params = SCENARIO_PARAMS;
      const a = await ok(
        await order("alice", {
          clientOrderId: "a-at-cap",
          marketId: CAP,
          outcome: "YES",
          price: "0.41",
          quantity: "137",
          timeInForce: "IOC",
          leverage: "4",
        }),
        201,
      );
      expect(a.body).toMatchObject({ status: "filled", filledQuantity: "137" });
      const aliceEvents = lastCommand();
      const b = await ok(
        await order("bob", {
          clientOrderId: "b-below-cap",
          marketId: CAP,
          outcome: "YES",
          price: "0.41",
          quantity: "100",
          timeInForce: "FOK",
          leverage: "2.7",
        }),
        201,
      );
      expect(b.body).toMatchObject({ status: "filled", filledQuantity: "100" });
      const bobEvents = lastCommand();

      // alice: cost 56.17, loan 56.17 × 3/4 = 42.1275; bob: cost 41, loan 41 × 1.7/2.7 = 25.814814|81… → 25.814814.
      const aliceLoan0 = loanFor("56.17", "4");
      const bobLoan0 = loanFor("41", "2.7");
      expect(dec(aliceLoan0)).toBe("42.1275");
      expect(dec(bobLoan0)).toBe("25.814814");
      // Each new loan pays its first interval [T0, T0 + 1 h) at once: on the new loan and the shares it bought, at the
      // YES mark 0.40, with the pool's utilization after the new loan.
      const first = (loan: Decimal, shares: string, lent: Decimal, assets: Decimal): FeeCase => ({
        loan: dec(loan),
        shares,
        q: "0.4",
        intervalSeconds: 3_600,
        nowMs: T0,
        resolvesAtMs: RESOLVES,
        lent: dec(lent),
        assets: dec(assets),
      });
      const aliceFee = intervalFee(
        params,
        first(aliceLoan0, "137", aliceLoan0, new Decimal(5000)),
        "alice's first interval",
      );
      // A jump to 0.20 leaves 27.4 of 42.1275: 14.7275 × 0.05/24 / 0.8 + 42.1275 × 0.0003 × (1 + 0.0084255/0.9) / 24
      // = 0.0388847…
      expect(aliceFee).toBe("0.038885");
      // bob's interval sees alice's loan and fee lent as well: utilization (42.166385 + 25.814814) / 5000.038885.
      const bobFee = intervalFee(
        params,
        first(bobLoan0, "100", aliceLoan0.plus(aliceFee).plus(bobLoan0), new Decimal(5000).plus(aliceFee)),
        "bob's first interval",
      );
      // 5.814814 × 0.05/24 / 0.8 + 25.814814 × 0.0003 × (1 + 0.013596…/0.9) / 24 = 0.0154703…
      expect(bobFee).toBe("0.015471");
      const aliceLoan = aliceLoan0.plus(aliceFee);
      const bobLoan = bobLoan0.plus(bobFee);
      expect([dec(aliceLoan), dec(bobLoan)]).toEqual(["42.166385", "25.830285"]);

      // The order's command: accepted, the loan opened, the trade, then the first interval's fee, paid up to T0 + 1 h.
      const expectOpening = (
        events: LogEvent[],
        accountId: string,
        loan0: Decimal,
        fee: string,
        loan: Decimal,
      ) => {
        expect(events.map((e) => e.type)).toEqual([
          "OrderAccepted",
          "LoanOpened",
          "TradeExecuted",
          "FundingAccrued",
        ]);
        expect(events[1]!.data).toMatchObject({ accountId, amount: dec(loan0), at: T0 });
        expect(events[3]!.data).toEqual({
          marketId: CAP,
          accountId,
          outcome: "YES",
          amount: fee,
          rate: rateOf(fee, loan0),
          loan: dec(loan),
          until: T0 + HOUR,
        });
      };
      expectOpening(aliceEvents, "alice", aliceLoan0, aliceFee, aliceLoan);
      expectOpening(bobEvents, "bob", bobLoan0, bobFee, bobLoan);
      expectCharges(CAP, "alice", T0 + HOUR);
      expectCharges(CAP, "bob", T0 + HOUR);

      const mmf = new Decimal("0.05");
      const expectPosition = async (
        name: string,
        shares: number,
        loan0: Decimal,
        loan: Decimal,
        cost: string,
      ) => {
        const acct = await account(name);
        expect(acct.cash, `${name} paid only the margin cost − loan; the fee is added to the loan`).toBe(
          dec(new Decimal(DEPOSIT).minus(cost).plus(loan0)),
        );
        expect(acct.reserved).toBe("0");
        expect(acct.positions).toEqual([
          {
            marketId: CAP,
            yes: String(shares),
            no: "0",
            yesReserved: "0",
            noReserved: "0",
            outcome: "YES",
            leveraged: true,
            loan: dec(loan),
            equity: dec(floor6(new Decimal(shares).times("0.4")).minus(loan)),
            maintenanceRequirement: dec(ceil6(mmf.times(shares).times("0.4"))),
            liquidationPrice: dec(ceil6(loan.div(new Decimal(shares).times(new Decimal(1).minus(mmf))))),
            status: "healthy",
          },
        ]);
      };
      await expectPosition("alice", 137, aliceLoan0, aliceLoan, "56.17");
      await expectPosition("bob", 100, bobLoan0, bobLoan, "41");
      // The pool lent the principals from its cash; the fees are lent too (owed to it), so its assets grew by them.
      const lent = aliceLoan.plus(bobLoan);
      const assets = new Decimal(5000).plus(aliceFee).plus(bobFee);
      expect(await pool(CAP)).toMatchObject({
        assets: dec(assets),
        lent: dec(lent),
        cash: dec(new Decimal(5000).minus(aliceLoan0).minus(bobLoan0)),
        utilization: dec(floor6(lent.div(assets))),
        feesEarned: "0",
        losses: "0",
      });
      expect((await market(CAP)).maxLeverage, "utilization 1.4% is far below the kink").toBe("4");
    });
  });

  // ---------------------------------------------------------------------------------------------------------
  describe("2. inside the hazard window the cap is 1x", () => {
    const HAZ = "hazard";
    const RESOLVES = T0 + 2 * DAY;
    const WINDOW_OPENS = RESOLVES - DAY;

    it("given a market resolving in 2 days with a 1-day hazard window and no ramp, then maxLeverage is 5 up to the last millisecond before the window, and 1 from its first", async () => {
      // deleverageGraceSeconds 0: no scheduled deleveraging before the window, so the cap steps exactly at it
      await listMarket(HAZ, RESOLVES, {
        hazardWindowSeconds: 86_400,
        leverageRampSeconds: 0,
        deleverageGraceSeconds: 0,
      });
      await supply("lp", HAZ, "1000");
      await mark(HAZ, "0.5");
      await ok(
        await order("mm", {
          clientOrderId: "haz-ask",
          marketId: HAZ,
          outcome: "NO",
          price: "0.49",
          quantity: "100",
        }),
        201,
      );
      expect(await market(HAZ)).toMatchObject({ maxLeverage: "5", phase: "continuous" });
      await clock(WINDOW_OPENS - 1);
      expect(await market(HAZ)).toMatchObject({ maxLeverage: "5", phase: "continuous" });
      await clock(WINDOW_OPENS);
      expect(await market(HAZ)).toMatchObject({ maxLeverage: "1", fundingRate: "0", phase: "continuous" });
    });

    it("given the window is open, when erin buys at leverage 2, then 422 LEVERAGE_TOO_HIGH with maxLeverage 1; the same buy at 1x fills", async () => {
      const before = await events();
      const res = await order("erin", {
        clientOrderId: "e-haz-2x",
        marketId: HAZ,
        outcome: "YES",
        price: "0.51",
        quantity: "10",
        timeInForce: "IOC",
        leverage: "2",
      });
      expectApiError(res, 422, "LEVERAGE_TOO_HIGH");
      expect(res.body.error.details).toEqual({ leverage: "2", maxLeverage: "1" });
      expectApiError(
        await order("erin", {
          clientOrderId: "e-haz-1.01x",
          marketId: HAZ,
          outcome: "YES",
          price: "0.51",
          quantity: "10",
          timeInForce: "IOC",
          leverage: "1.01",
        }),
        422,
        "LEVERAGE_TOO_HIGH",
      );
      expect(await events()).toBe(before);
      await solvent();

      const plain = await ok(
        await order("erin", {
          clientOrderId: "e-haz-1x",
          marketId: HAZ,
          outcome: "YES",
          price: "0.51",
          quantity: "10",
          timeInForce: "IOC",
          leverage: "1",
        }),
        201,
      );
      expect(plain.body).toMatchObject({ status: "filled", filledQuantity: "10" });
      expect((await account("erin")).positions).toEqual([
        expect.objectContaining({ marketId: HAZ, yes: "10", no: "0", leveraged: false, loan: "0" }),
      ]);
      expect((await pool(HAZ)).lent).toBe("0");
    });
  });

  // ---------------------------------------------------------------------------------------------------------
  describe("3. jump-risk fees charged in advance over three simulated days equal the documented formula exactly", () => {
    const FEES = "fees";
    // Resolution far away: the second design lends nothing across resolution (loans are closed before the hazard
    // window), so the fee has no resolution term; the three days are all before the window.
    const RESOLVES = T0 + 30 * DAY;
    // Opened at an odd time: carol's hourly intervals start at OPEN + k h (her own, from her opening).
    const OPEN = T0 + DAY + 6 * HOUR + 29 * MINUTE + 43_000;
    const RISK = {
      maxLeverage: "5",
      hazardWindowSeconds: 86_400,
      leverageRampSeconds: 86_400,
      jumpIntensityPerDay: "0.07",
      adverseJumpSize: "0.25",
      utilizationChargePerDay: "0.0005",
      insuranceCut: "0.25",
      accrualIntervalSeconds: 3_600,
    };
    const params = RiskParams.withDefaults({ ...EXTREMITY_010, ...RISK });
    const SHARES = "200";
    const SUPPLY = "2000";
    const LOAN0 = loanFor("124", "3"); // 200 YES at 0.62 = 124 at 3x → 82.666666
    const POOL_CASH = new Decimal(SUPPLY).minus(LOAN0);
    /**
     * The YES mark of each day: MARKS[d] is set right after the clock reaches OPEN + d days. The tick that reaches
     * OPEN + d days charges interval 24d at its start, before the new mark, so MARKS[d] prices intervals
     * 24d + 1 … 24d + 24 (and MARKS[0] also interval 0, charged at the purchase).
     */
    const MARKS = ["0.62", "0.6", "0.63"];
    const markOf = (k: number) => MARKS[k === 0 ? 0 : Math.floor((k - 1) / 24)]!;

    /**
     * The loan after `n` intervals, charged in advance: interval k covers [OPEN + k h, OPEN + (k + 1) h) and is
     * charged at its start on the whole loan so far (compounding), with the pool's utilization at that moment
     * (carol is its only borrower: lent = her loan). Interval 0 is charged by the purchase, on the new loan.
     * Each fee is computed twice (package, own rationals) and compared.
     */
    const expected = { loan: LOAN0, intervals: 0, fees: [] as string[] };
    const accrueTo = (n: number) => {
      for (let k = expected.intervals; k < n; k++) {
        const lent = expected.loan;
        const fee = intervalFee(
          params,
          {
            loan: dec(lent),
            shares: SHARES,
            q: markOf(k),
            intervalSeconds: 3_600,
            nowMs: OPEN + k * HOUR,
            resolvesAtMs: RESOLVES,
            lent: dec(lent),
            assets: dec(POOL_CASH.plus(lent)),
          },
          `interval ${k}`,
        );
        expected.fees.push(fee);
        expected.loan = expected.loan.plus(fee);
        expectCharges(FEES, "carol", OPEN + (k + 1) * HOUR);
      }
      expected.intervals = n;
      return expected.loan;
    };

    it("given a market with its own jump model, when carol buys 200 YES at 0.62 at 3x, then her loan is 82.666666 plus the first interval's fee, charged at once", async () => {
      await clock(OPEN);
      const listed = await listMarket(FEES, RESOLVES, RISK);
      expect(listed.risk).toEqual({ ...params });
      await supply("lp", FEES, SUPPLY);
      await mark(FEES, MARKS[0]!);
      expect((await market(FEES)).maxLeverage, "extremity 0.38 / 0.1").toBe("3.8");
      await ok(
        await order("mm", {
          clientOrderId: "fees-ask",
          marketId: FEES,
          outcome: "NO",
          price: "0.38",
          quantity: "200",
        }),
        201,
      );
      const bought = await ok(
        await order("carol", {
          clientOrderId: "c-fees",
          marketId: FEES,
          outcome: "YES",
          price: "0.62",
          quantity: SHARES,
          timeInForce: "IOC",
          leverage: "3",
        }),
        201,
      );
      expect(bought.body).toMatchObject({ status: "filled", filledQuantity: SHARES });
      expect(dec(LOAN0)).toBe("82.666666");
      const loan = accrueTo(1);
      // A jump to 0.37 leaves 74 of 82.666666: 8.666666 × 0.07/24 / 0.75 + 82.666666 × 0.0005 × (1 + 0.041333/0.9) / 24
      expect(expected.fees[0]).toBe("0.035506");
      expect(await leveraged("carol", FEES)).toMatchObject({
        yes: SHARES,
        loan: dec(loan),
        status: "healthy",
      });
      expect(await pool(FEES)).toMatchObject({
        lent: dec(loan),
        cash: dec(POOL_CASH),
        assets: dec(POOL_CASH.plus(loan)),
        feesEarned: "0",
      });
    });

    it("given the loan, when the clock moves a day, then the 24 intervals that started since were charged and the loan equals the documented formula applied interval by interval", async () => {
      // Just before her second interval starts nothing more is due: she has paid up to OPEN + 1 h.
      await clock(OPEN + HOUR - 1);
      expect((await leveraged("carol", FEES))!.loan).toBe(dec(expected.loan));
      // At OPEN + 1 day, intervals 1 … 24 have started: paid up to OPEN + 25 h.
      await clock(OPEN + DAY);
      const loan = accrueTo(25);
      expect((await leveraged("carol", FEES))!.loan).toBe(dec(loan));
      expect(await pool(FEES)).toMatchObject({ lent: dec(loan), cash: dec(POOL_CASH), feesEarned: "0" });
      // Half an interval more charges nothing: the next interval starts at OPEN + 25 h.
      await mark(FEES, MARKS[1]!);
      await clock(OPEN + DAY + 30 * MINUTE);
      expect((await leveraged("carol", FEES))!.loan).toBe(dec(loan));
    });

    it("given a new mark on day 2 and another on day 3, when the clock reaches OPEN + 72 h, then 73 intervals are paid and the loan equals the formula to the last decimal place", async () => {
      await clock(OPEN + 2 * DAY);
      expect((await leveraged("carol", FEES))!.loan).toBe(dec(accrueTo(49)));
      await mark(FEES, MARKS[2]!);
      await clock(OPEN + 3 * DAY);
      const loan = accrueTo(73);
      expect(dec(loan), "82.666666 + 73 fees").toBe("85.893469");
      expect(expected.fees).toHaveLength(73);
      // Day one costs about 0.0355 an hour; the new mark is felt from the interval after each day's boundary (24 is
      // still at 0.62, 25 at 0.60; 48 at 0.60, 49 at 0.63). No resolution term (the first design's surcharge made
      // intervals 65–72 cost 0.91–2.91 and the loan 102.810455).
      expect([0, 1, 24, 25, 48, 49, 64, 65, 66, 72].map((k) => expected.fees[k])).toEqual([
        "0.035506",
        "0.035644",
        "0.038993",
        "0.054701",
        "0.05984",
        "0.036741",
        "0.038957",
        "0.039109",
        "0.039262",
        "0.040193",
      ]);
      const position = (await leveraged("carol", FEES))!;
      expect(position.loan).toBe(dec(loan));
      expect(position).toMatchObject({
        status: "healthy",
        equity: dec(floor6(new Decimal(SHARES).times("0.63")).minus(loan)),
      });
      expect((await pool(FEES)).lent).toBe(dec(loan));
    });

    it("given the fees charged, when carol repays the whole loan with added margin, then fees are repaid first: the pool earns them less floor6(fees × 0.25), which goes to the market's insurance fund", async () => {
      const loan = expected.loan;
      const fees = loan.minus(LOAN0);
      const toInsurance = floor6(fees.times(params.insuranceCut));
      const cashBefore = new Decimal((await account("carol")).cash);
      const repaid = await ok(
        await api.as(who.carol!, "POST", `/v1/positions/${FEES}/margin`, {
          outcome: "YES",
          amount: dec(loan),
          reference: "c-repay",
        }),
      );
      expect(lastCommand().find((e) => e.type === "LoanRepaid")!.data).toMatchObject({
        marketId: FEES,
        accountId: "carol",
        amount: dec(loan),
        feePart: dec(fees),
        toInsurance: dec(toInsurance),
        source: "margin",
      });
      expect(repaid.body.cash).toBe(dec(cashBefore.minus(loan)));
      expect(repaid.body.positions).toEqual([
        expect.objectContaining({ marketId: FEES, yes: SHARES, leveraged: false, loan: "0" }),
      ]);
      const assets = new Decimal(SUPPLY).plus(fees).minus(toInsurance);
      expect(await pool(FEES)).toMatchObject({
        lent: "0",
        cash: dec(assets),
        assets: dec(assets),
        feesEarned: dec(fees.minus(toInsurance)),
        losses: "0",
        // Just collected: the pool's share vests over feeVestingSeconds (1 day) before it raises the share value.
        shareValue: "1",
        value: dec(SUPPLY),
        feesVesting: dec(fees.minus(toInsurance)),
        feesUncollected: "0",
      });
      expect((await funds()).find((f) => f.fundId === `market:${FEES}`)!.balance).toBe(dec(toInsurance));
    });
  });

  // ---------------------------------------------------------------------------------------------------------
  describe("4. a gradual decline with resting bids liquidates before bankruptcy: no bad debt", () => {
    const LIQ = "liq";
    const RESOLVES = T0 + 60 * DAY;
    const params = SCENARIO_PARAMS;
    let t: number;
    let fundsBefore: FundView[];
    // 100 YES at 0.60 = 60 at 4x: principal 45, and the first interval's fee on it at once. A jump to 0.40 leaves 40
    // of 45: 5 × 0.05/24 / 0.8 + 45 × 0.0003 × (1 + 0.009/0.9) / 24 = 0.013588958… → 0.013589.
    const PRINCIPAL = "45";
    const FEE = "0.013589";
    const LOAN = "45.013589";
    const TO_INSURANCE = "0.002717"; // floor6(0.013589 × 0.2) when the loan is repaid; the pool keeps 0.010872

    it("given a pool, insurance and dave's 100 YES bought at 0.60 with 4x (loan 45 + the first interval's fee 0.013589), and a ladder of YES bids at 0.47 / 0.46 / 0.45 / 0.44", async () => {
      t = (await api.syncClock()) + MINUTE;
      await clock(t);
      await listMarket(LIQ, RESOLVES, {});
      await supply("lp", LIQ, "5000");
      await ok(
        await api.op("POST", `/v1/insurance/market:${LIQ}/deposits`, { amount: "50", reference: "seed-liq" }),
      );
      await mark(LIQ, "0.6");
      expect((await market(LIQ)).maxLeverage).toBe("4");
      await ok(
        await order("mm", {
          clientOrderId: "liq-ask",
          marketId: LIQ,
          outcome: "NO",
          price: "0.4",
          quantity: "100",
        }),
        201,
      );
      await ok(
        await order("dave", {
          clientOrderId: "d-long",
          marketId: LIQ,
          outcome: "YES",
          price: "0.6",
          quantity: "100",
          timeInForce: "IOC",
          leverage: "4",
        }),
        201,
      );
      expect(dec(loanFor("60", "4"))).toBe(PRINCIPAL);
      const fee = intervalFee(
        params,
        {
          loan: PRINCIPAL,
          shares: "100",
          q: "0.6",
          intervalSeconds: 3_600,
          nowMs: t,
          resolvesAtMs: RESOLVES,
          lent: PRINCIPAL,
          assets: "5000",
        },
        "dave's first interval",
      );
      expect(fee).toBe(FEE);
      expect(dec(new Decimal(PRINCIPAL).plus(fee))).toBe(LOAN);
      expectCharges(LIQ, "dave", t + HOUR);
      for (const [price, quantity] of [
        ["0.47", "30"],
        ["0.46", "30"],
        ["0.45", "40"],
        ["0.44", "100"],
      ] as const)
        await ok(
          await order("mm", {
            clientOrderId: `liq-bid-${price}`,
            marketId: LIQ,
            outcome: "YES",
            price,
            quantity,
          }),
          201,
        );
      expect(await leveraged("dave", LIQ)).toMatchObject({
        yes: "100",
        loan: LOAN,
        equity: "14.986411", // 60 − 45.013589
        maintenanceRequirement: "3",
        liquidationPrice: "0.473828", // 45.013589 / 95 = 0.4738272…, rounded up
        status: "healthy",
      });
      expect((await account("dave")).cash, "the fee is lent, not paid from cash").toBe("9985");
      expect(await pool(LIQ)).toMatchObject({ lent: LOAN, cash: "4955", assets: "5000.013589" });
      fundsBefore = await funds();
      expect(fundsBefore).toContainEqual({ fundId: `market:${LIQ}`, balance: "50", marketId: LIQ });
      expect(fundsBefore).toContainEqual({ fundId: "shared", balance: "100" });
    });

    it("given the mark steps down 0.60 → 0.56 → 0.52 → 0.49 (each move within the 0.1 band), then no auction starts and dave stays healthy", async () => {
      for (const [i, price, equity] of [
        [1, "0.56", "10.986411"],
        [2, "0.52", "6.986411"],
        [3, "0.49", "3.986411"],
      ] as const) {
        await clock(t + i * 10 * MINUTE);
        await mark(LIQ, price);
        expect(await market(LIQ)).toMatchObject({ phase: "continuous", markPrice: price });
        expect(await leveraged("dave", LIQ)).toMatchObject({ loan: LOAN, equity, status: "healthy" });
      }
    });

    it("given the mark at 0.47 (equity 1.986411 < maintenance 2.35, above the near-zero line 0.47), then dave gets a margin call with a 600 s deadline, and it still runs 5 minutes later", async () => {
      await clock(t + 40 * MINUTE);
      await mark(LIQ, "0.47");
      expect(await market(LIQ)).toMatchObject({ phase: "continuous", markPrice: "0.47" });
      expect(await leveraged("dave", LIQ)).toMatchObject({
        loan: LOAN,
        equity: "1.986411",
        maintenanceRequirement: "2.35",
        status: "margin_call",
        marginCallDeadline: iso(t + 50 * MINUTE),
      });
      await clock(t + 45 * MINUTE);
      expect(await leveraged("dave", LIQ)).toMatchObject({ status: "margin_call", equity: "1.986411" });
    });

    it("given the deadline passes (still inside the paid first interval), when the clock reaches it, then dave is liquidated through the book: 30 @ 0.47 + 30 @ 0.46 + 40 @ 0.45 = 45.9 repays 45.013589 (fee first), the penalty 0.459 goes to insurance and dave keeps 0.427411", async () => {
      await clock(t + 50 * MINUTE);
      const liquidation = lastCommand();
      const ofLiq = (type: string) => liquidation.filter((e) => e.type === type && e.data.marketId === LIQ);
      expect(ofLiq("FundingAccrued"), "paid up to t + 1 h").toEqual([]);
      expect(ofLiq("BadDebtRecorded")).toEqual([]);
      expect(ofLiq("InsuranceFundDrawn")).toEqual([]);
      expect(liquidation.find((e) => e.type === "LoanRepaid")!.data).toMatchObject({
        marketId: LIQ,
        accountId: "dave",
        amount: LOAN,
        feePart: FEE,
        toInsurance: TO_INSURANCE,
        source: "liquidation",
      });
      const acct = await account("dave");
      expect(acct.positions.filter((p) => p.marketId === LIQ)).toEqual([]);
      // 9985 after the purchase; proceeds 45.9 − loan 45.013589 − penalty ceil6(0.01 × 45.9) = 0.427411 to the owner.
      expect(acct.cash).toBe("9985.427411");
      expect(acct.reserved).toBe("0");
      const trades = await get<{ trades: { price: string; quantity: string; takerSide: string }[] }>(
        `/v1/markets/${LIQ}/trades?limit=3`,
      );
      expect(trades.trades.map((x) => [x.price, x.quantity, x.takerSide])).toEqual([
        ["0.45", "40", "sell"],
        ["0.46", "30", "sell"],
        ["0.47", "30", "sell"],
      ]);
      const book = await get<{ bids: { price: string; quantity: string }[] }>(`/v1/markets/${LIQ}/book`);
      expect(book.bids).toEqual([{ price: "0.44", quantity: "100" }]);
      expect((await account("mm")).positions.find((p) => p.marketId === LIQ)).toMatchObject({
        yes: "100",
        no: "100",
      });
    });

    it("then there was no bad debt: insurance changed only by the penalty and the fee's cut (no draw), the pool lost nothing and earned the rest of the fee", async () => {
      const after = await funds();
      // 50 + penalty 0.459 + the fee's insurance cut 0.002717
      const expectedFunds = fundsBefore.map((f) =>
        f.fundId === `market:${LIQ}` ? { ...f, balance: "50.461717" } : f,
      );
      expect(after).toEqual(expectedFunds);
      // 5000 + the fee's pool part 0.013589 − 0.002717 = 0.010872, vesting: the share value is still 1
      expect(await pool(LIQ)).toMatchObject({
        assets: "5000.010872",
        cash: "5000.010872",
        lent: "0",
        feesEarned: "0.010872",
        losses: "0",
        shareValue: "1",
        feesVesting: "0.010872",
      });
      await solvent();
    });
  });

  // ---------------------------------------------------------------------------------------------------------
  describe("5. accrual boundaries: each position is charged for its own intervals, from its opening, in advance", () => {
    const REFI = "refi";
    const RESOLVES = T0 + 90 * DAY;
    const params = SCENARIO_PARAMS;
    let s: number;
    const buy = async (clientOrderId: string) => {
      const res = await ok(
        await order("erin", {
          clientOrderId,
          marketId: REFI,
          outcome: "YES",
          price: "0.5",
          quantity: "100",
          timeInForce: "IOC",
          leverage: "4",
        }),
        201,
      );
      expect(res.body).toMatchObject({ status: "filled", filledQuantity: "100" });
    };
    const repay = async (amount: string, reference: string) =>
      ok(
        await api.as(who.erin!, "POST", `/v1/positions/${REFI}/margin`, {
          outcome: "YES",
          amount,
          reference,
        }),
      );
    /** One hourly interval of erin's YES at the mark 0.50, starting at `nowMs`, with the pool as given. */
    const erinFee = (loan: Num, shares: string, nowMs: number, lent: Num, assets: Num, what: string) =>
      intervalFee(
        params,
        {
          loan: dec(loan),
          shares,
          q: "0.5",
          intervalSeconds: 3_600,
          nowMs,
          resolvesAtMs: RESOLVES,
          lent: dec(lent),
          assets: dec(assets),
        },
        what,
      );
    const fundingOf = (events: LogEvent[]) =>
      events.filter((e) => e.type === "FundingAccrued" && e.data.marketId === REFI).map((e) => e.data);

    it("given erin borrows 37.5 (100 YES at 0.50, 4x) and repays the loan 59 minutes later, then she paid exactly the interval's jump-risk fee, charged at the purchase (docs: charged at the start of each interval, for that interval)", async () => {
      s = (await api.syncClock()) + HOUR;
      await clock(s);
      await listMarket(REFI, RESOLVES, {});
      await supply("lp", REFI, "5000");
      await mark(REFI, "0.5");
      await ok(
        await order("mm", {
          clientOrderId: "refi-ask",
          marketId: REFI,
          outcome: "NO",
          price: "0.5",
          quantity: "300",
        }),
        201,
      );
      await buy("e-refi-1");
      const fee = erinFee("37.5", "100", s, "37.5", "5000", "erin's first interval");
      // A jump to 0.30 destroys 7.5: 7.5 × 0.05/24 / 0.8 + 37.5 × 0.0003 × (1 + 0.0075/0.9) / 24 = 0.02000390…
      expect(fee).toBe("0.020004");
      const loan = dec(new Decimal("37.5").plus(fee));
      expect(loan).toBe("37.520004");
      expect(fundingOf(lastCommand())).toEqual([
        expect.objectContaining({ amount: fee, rate: rateOf(fee, "37.5"), loan, until: s + HOUR }),
      ]);
      expectCharges(REFI, "erin", s + HOUR);
      expect(await leveraged("erin", REFI)).toMatchObject({ loan, status: "healthy" });

      await clock(s + 59 * MINUTE);
      expect((await leveraged("erin", REFI))!.loan, "nothing more is due inside the paid interval").toBe(
        loan,
      );
      await repay(loan, "e-refi-repay-1");
      expect(await leveraged("erin", REFI)).toBeUndefined();
      // Fees first: all 0.020004 of them, floor6(0.020004 × 0.2) = 0.004 to the market's insurance fund.
      const toInsurance = floor6(new Decimal(fee).times(params.insuranceCut));
      expect(dec(toInsurance)).toBe("0.004");
      expect(await pool(REFI)).toMatchObject({
        lent: "0",
        cash: dec(new Decimal(5000).plus(fee).minus(toInsurance)),
        feesEarned: dec(new Decimal(fee).minus(toInsurance)),
        losses: "0",
      });
      const insurance = (await funds()).find((f) => f.fundId === `market:${REFI}`)!.balance;
      expect(insurance).toBe(dec(toInsurance));
      const feesPaid = new Decimal((await pool(REFI)).feesEarned).plus(insurance);
      expect(dec(feesPaid), "fees the pool and its insurance fund received for a loan held 59 minutes").toBe(
        fee,
      );
    });

    it("given the market had no loan for hours, when erin borrows again at +5 h, then the new loan is charged from its own opening: its first interval at once, the next at +6 h, none for the hours without a loan", async () => {
      expect(await leveraged("erin", REFI)).toBeUndefined();
      const idle = await pool(REFI);
      expect(idle).toMatchObject({ lent: "0", assets: "5000.016004" });

      await clock(s + 5 * HOUR);
      expect(await pool(REFI), "no loan, no fee").toMatchObject({ lent: "0", assets: idle.assets });
      await buy("e-refi-2");
      const fee1 = erinFee("37.5", "100", s + 5 * HOUR, "37.5", idle.assets, "the new loan's first interval");
      const loan1 = new Decimal("37.5").plus(fee1);
      expect(fundingOf(lastCommand())).toEqual([
        expect.objectContaining({ amount: fee1, loan: dec(loan1), until: s + 6 * HOUR }),
      ]);
      expect(await leveraged("erin", REFI)).toMatchObject({ loan: dec(loan1) });

      await clock(s + 6 * HOUR - 1);
      expect((await leveraged("erin", REFI))!.loan).toBe(dec(loan1));
      await clock(s + 6 * HOUR);
      const assets = new Decimal(idle.assets).plus(fee1);
      const fee2 = erinFee(loan1, "100", s + 6 * HOUR, loan1, assets, "the new loan's second interval");
      expect(fundingOf(lastCommand())).toEqual([
        expect.objectContaining({ amount: fee2, rate: rateOf(fee2, loan1), until: s + 7 * HOUR }),
      ]);
      expect((await leveraged("erin", REFI))!.loan).toBe(dec(loan1.plus(fee2)));
      expectCharges(REFI, "erin", s + 6 * HOUR, s + 7 * HOUR);
    });

    it("given erin's position is paid up to +7 h, when she buys 100 more YES at 4x at +6 h 30 min, then the added loan pays a full interval at once and the position keeps its schedule: the next interval, on the whole loan, at +7 h", async () => {
      await clock(s + 6 * HOUR + 30 * MINUTE);
      const before = await pool(REFI);
      const loan2 = new Decimal((await leveraged("erin", REFI))!.loan);
      await buy("e-refi-3");
      // On the added loan and the shares it bought, with the pool's utilization after it.
      const fee3 = erinFee(
        "37.5",
        "100",
        s + 6 * HOUR + 30 * MINUTE,
        new Decimal(before.lent).plus("37.5"),
        before.assets,
        "the added loan's interval",
      );
      const loan3 = loan2.plus("37.5").plus(fee3);
      expect(fundingOf(lastCommand())).toEqual([
        expect.objectContaining({
          amount: fee3,
          rate: rateOf(fee3, "37.5"),
          loan: dec(loan3),
          until: s + 7 * HOUR,
        }),
      ]);
      expect(await leveraged("erin", REFI)).toMatchObject({ yes: "200", loan: dec(loan3) });

      await clock(s + 7 * HOUR);
      const assets = new Decimal(before.assets).plus(fee3);
      const fee4 = erinFee(loan3, "200", s + 7 * HOUR, loan3, assets, "the whole position's next interval");
      expect((await leveraged("erin", REFI))!.loan).toBe(dec(loan3.plus(fee4)));
      expect((await pool(REFI)).lent).toBe(dec(loan3.plus(fee4)));
      expectCharges(REFI, "erin", s + 7 * HOUR, s + 8 * HOUR);
    });
  });

  // ---------------------------------------------------------------------------------------------------------
  it("given the session's log, then every FundingAccrued event has the schema's strings, the rate of the loan it was charged on, and the `until` of its position's own schedule", async () => {
    const log = readLog(gw.dbPath, ["LoanOpened", "FundingAccrued"]);
    const charges = log.filter((e) => e.type === "FundingAccrued");
    // Amounts and loans with at most 6 places, the rate with at most 12, `until` in whole ms.
    const six = /^(0|[1-9][0-9]*)(\.[0-9]{1,6})?$/;
    const twelve = /^(0|[1-9][0-9]*)(\.[0-9]{1,12})?$/;
    const offending = charges.filter((e) => {
      const d = e.data as Record<string, unknown>;
      return !(
        six.test(String(d.amount)) &&
        six.test(String(d.loan)) &&
        twelve.test(String(d.rate)) &&
        Number.isSafeInteger(d.until)
      );
    });
    expect(offending.slice(0, 1), `${offending.length} of ${charges.length} FundingAccrued events`).toEqual(
      [],
    );

    // The rate is the fee over the loan it was charged on, rounded down to 12 places: the new loan in the command
    // that opened it, else the whole loan before the fee. No interval is charged before it starts.
    const wrong = charges.flatMap((e) => {
      const d = e.data as {
        marketId: string;
        accountId: string;
        amount: string;
        rate: string;
        loan: string;
        until: number;
      };
      const opened = log.find(
        (o) =>
          o.type === "LoanOpened" &&
          o.seq === e.seq &&
          o.data.marketId === d.marketId &&
          o.data.accountId === d.accountId,
      );
      const base = opened ? String(opened.data.amount) : new Decimal(d.loan).minus(d.amount);
      const problems: string[] = [];
      if (d.rate !== rateOf(d.amount, base)) problems.push(`rate ${d.rate} ≠ ${rateOf(d.amount, base)}`);
      if (d.until - HOUR > e.at) problems.push(`interval ending ${d.until} charged early at ${e.at}`);
      return problems.map((p) => `#${e.position} ${d.marketId}/${d.accountId}: ${p}`);
    });
    expect(wrong).toEqual([]);

    // alice and bob have held their loans since T0: one interval per hour started since, the last one paid in advance.
    const now = await api.syncClock();
    const hours = Math.floor((now - T0) / HOUR) + 1;
    for (const name of ["alice", "bob"])
      expectCharges("cap", name, ...Array.from({ length: hours - 1 }, (_, k) => T0 + (k + 2) * HOUR));
    const untils = new Map<string, number[]>();
    for (const e of charges) {
      const key = `${e.data.marketId}/${e.data.accountId}`;
      untils.set(key, [...(untils.get(key) ?? []), e.data.until as number]);
    }
    expect(Object.fromEntries(untils)).toEqual(Object.fromEntries(schedule));
    expect(charges).toHaveLength(2 * hours + 73 + 1 + 1 + 2 + 2);
  });

  it("given the whole session on its SQLite file, when the gateway stops and pmx audit runs, then every command re-decides to its events and solvency held after every event", async () => {
    const h = await api.health();
    lastHealth = { head: h.head, events: h.events };
    expect(await gw.stop("SIGTERM")).toBe(0);
    stopped = true;
    const audited = await runPmx(["audit", "--store", gw.storeUrl, "--json"]);
    expect(audited.code, audited.stdout + audited.stderr).toBe(0);
    const report = JSON.parse(audited.stdout) as {
      ok: boolean;
      events: number;
      head: string;
      failure?: unknown;
    };
    expect(report).toMatchObject({ ok: true, events: h.events, head: h.head });
    expect(report.failure).toBeUndefined();
  });

  it("given the same file, when the gateway starts on it again, then it serves the same head and the same accounts", async () => {
    expect(stopped, "the previous test stopped the gateway").toBe(true);
    await gw.restart();
    stopped = false;
    const h = await api.health();
    expect({ head: h.head, events: h.events }).toEqual(lastHealth);
    expect((await account("dave")).cash).toBe("9985.427411");
    expect((await leveraged("alice", "cap"))!.status).toBe("healthy");
    await solvent();
  });
});
