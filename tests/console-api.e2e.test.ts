// End to end through the real gateway (SQLite, manual clock): what the operator console reads. A leveraged position
// goes into a margin call on a mark move and defaults at the end of its grace window; then
// 1. GET /v1/risk/positions lists it nearest to liquidation with its deadline, GET /v1/risk/bad-debts shows its
//    waterfall (market fund, shared fund, pool haircut) equal to the log's events, the pool's share value history
//    ends at the pool's share value, and a reopening auction answers an indicative price — each answer checked
//    against the OpenAPI document;
// 2. /metrics (prom-client) carries the process and event-loop defaults and the business gauges, equal to the
//    read models' figures, and the old metric names;
// 3. the operator routes refuse a wrong token (401) and an account key (403).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, type Credential, expectApiError } from "./support/client.js";
import { buyer, leveragedMarket, ok, openFunded, TRADERS } from "./support/default-scenario.js";
import { type Gateway, readEvents, startGateway, stopAllGateways, T0 } from "./support/gateway.js";
import { Decimal } from "./support/ledger.js";
import { OpenApiChecker } from "./support/openapi.js";

const GRACE = 10 * 60_000;

/** The sample of `name{labels}` in a Prometheus text, as a number. */
function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  if (!line) throw new Error(`no ${series} in the metrics`);
  return Number(line.slice(series.length + 1));
}

describe("the console's risk views and /metrics through the gateway", () => {
  let gw: Gateway;
  let api: Client;
  let openapi: OpenApiChecker;
  let who: Record<string, Credential> = {};
  const anon = (path: string) => api.send({ method: "GET", path, headers: {} });
  let buy: ReturnType<typeof buyer>;

  beforeAll(async () => {
    gw = await startGateway();
    api = new Client(gw.url, gw.token);
    openapi = new OpenApiChecker(api);
    await openapi.load();
    await api.setClock(T0);
    who = await openFunded(api, TRADERS);
    buy = buyer(api, who, "m1");
    ok(await api.op("POST", "/v1/markets", leveragedMarket("m1")), 201);
    ok(await api.as(who.lp!, "POST", "/v1/markets/m1/pool/supply", { amount: "1000", reference: "s-1" }));
    ok(await api.op("POST", "/v1/markets/m1/mark", { price: "0.5" }));
    ok(await buy("mm", "NO", "0.5", 100), 201);
    ok(await buy("alice", "YES", "0.5", 100, "5"), 201);
    ok(await buy("mm2", "YES", "0.32", 100), 201);
    ok(await api.op("POST", "/v1/insurance/market:m1/deposits", { amount: "2", reference: "seed-m1" }));
    ok(await api.op("POST", "/v1/insurance/shared/deposits", { amount: "1", reference: "seed-shared" }));
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    await stopAllGateways();
  });

  it("lists the leveraged position nearest to liquidation, then in a margin call with its deadline after a mark move", async () => {
    const before = openapi.check("GET", "/v1/risk/positions", ok(await api.op("GET", "/v1/risk/positions")));
    expect(before.body.positions).toHaveLength(1);
    const healthy = before.body.positions[0];
    expect(healthy).toMatchObject({ accountId: "alice", marketId: "m1", outcome: "YES", status: "healthy" });
    expect(healthy.distanceToLiquidation).toBe(
      new Decimal(healthy.markPrice).minus(healthy.liquidationPrice).toFixed(),
    );

    ok(await api.op("POST", "/v1/markets/m1/mark", { price: "0.42" }));
    const called = openapi.check(
      "GET",
      "/v1/risk/positions",
      ok(await api.op("GET", "/v1/risk/positions?marketId=m1&status=margin_call")),
    );
    expect(called.body.total).toBe(1);
    const p = called.body.positions[0];
    expect(p.status).toBe("margin_call");
    expect(p.marginCallDeadline).toBe(new Date(T0 + GRACE).toISOString());
    // Nearer to liquidation than before the move: the mark came down towards the liquidation price.
    expect(new Decimal(p.distanceToLiquidation).lt(healthy.distanceToLiquidation)).toBe(true);
    const account = ok(await api.op("GET", "/v1/accounts/alice")).body;
    const own = account.positions.find((x: { leveraged: boolean }) => x.leveraged);
    expect(p.liquidationPrice).toBe(own.liquidationPrice);
    expect(p.loan).toBe(own.loan);
    expect(ok(await api.op("GET", "/v1/risk/positions?status=liquidating")).body.positions).toEqual([]);
  });

  it("shows each bad debt's waterfall after the default, equal to the log's events", async () => {
    const logBefore = readEvents(gw.dbPath).length;
    await api.setClock(T0 + GRACE);
    const tick = readEvents(gw.dbPath).slice(logBefore);
    const recorded = tick.find((e) => e.type === "BadDebtRecorded")!.data as { amount: string };
    const paid = (type: string, fund?: string) =>
      tick
        .filter(
          (e) => e.type === type && (fund === undefined || (e.data as { fundId: string }).fundId === fund),
        )
        .reduce((sum, e) => sum.plus((e.data as { amount: string }).amount), new Decimal(0))
        .toFixed();

    const res = openapi.check("GET", "/v1/risk/bad-debts", ok(await api.op("GET", "/v1/risk/bad-debts")));
    expect(res.body.total).toBe(1);
    const debt = res.body.badDebts[0];
    expect(debt).toMatchObject({
      marketId: "m1",
      accountId: "alice",
      outcome: "YES",
      amount: recorded.amount,
    });
    expect(debt.marketInsurance).toBe(paid("InsuranceFundDrawn", "market:m1"));
    expect(debt.sharedInsurance).toBe(paid("InsuranceFundDrawn", "shared"));
    expect(debt.poolHaircut).toBe(paid("LossSocialized"));
    // All three tiers paid something here: the market's fund all of its 2, the shared fund its capped share, the LPs the rest.
    expect(debt.marketInsurance).toBe("2");
    expect(new Decimal(debt.sharedInsurance).gt(0)).toBe(true);
    expect(new Decimal(debt.poolHaircut).gt(0)).toBe(true);
    expect(
      new Decimal(debt.feesWrittenOff)
        .plus(debt.marketInsurance)
        .plus(debt.sharedInsurance)
        .plus(debt.poolHaircut)
        .toFixed(),
    ).toBe(debt.amount);
    expect(debt.haircuts).toEqual([{ accountId: "lp", amount: debt.poolHaircut }]);
    expect(ok(await api.op("GET", "/v1/risk/bad-debts?marketId=m1")).body.badDebts).toEqual([debt]);
    expect(ok(await api.op("GET", "/v1/risk/positions")).body.positions).toEqual([]);
  });

  it("answers the pool's share value over time, ending at the pool's share value now", async () => {
    const pool = ok(await anon("/v1/markets/m1/pool")).body;
    const history = openapi.check(
      "GET",
      "/v1/markets/{marketId}/pool/history",
      ok(await anon("/v1/markets/m1/pool/history")),
    );
    const points = history.body.points as { at: string; shareValue: string }[];
    expect(points.length).toBeGreaterThanOrEqual(2);
    expect(points[0]!.shareValue).toBe("1");
    expect(points[points.length - 1]!.shareValue).toBe(pool.shareValue);
    // The haircut lowered it.
    expect(new Decimal(pool.shareValue).lt(1)).toBe(true);
    expect(ok(await anon("/v1/markets/m1/pool/history?limit=1")).body.points).toEqual([
      points[points.length - 1],
    ]);
    expectApiError(await anon("/v1/markets/nope/pool/history"), 404, "UNKNOWN_MARKET");
  });

  it("answers a reopening auction's indicative price from the collected orders", async () => {
    const idle = openapi.check(
      "GET",
      "/v1/markets/{marketId}/auction",
      ok(await anon("/v1/markets/m1/auction")),
    );
    expect(idle.body).toMatchObject({ running: false, until: null, indicativePrice: null });
    ok(await api.op("POST", "/v1/markets/m1/halt"));
    ok(await api.op("POST", "/v1/markets/m1/resume"));
    // Collected: a YES bid at 0.35 for 50 and a NO bid at 0.7 (= a YES ask at 0.30) for 40: they cross for 40.
    ok(await buy("mm2", "YES", "0.35", 50), 201);
    const oneSided = ok(await anon("/v1/markets/m1/auction")).body;
    expect(oneSided).toMatchObject({ running: true, collectedOrders: 1, indicativePrice: null });
    ok(await buy("mm", "NO", "0.7", 40), 201);
    const running = openapi.check(
      "GET",
      "/v1/markets/{marketId}/auction",
      ok(await anon("/v1/markets/m1/auction")),
    );
    expect(running.body.collectedOrders).toBe(2);
    expect(running.body.indicativeVolume).toBe("40");
    expect(running.body.imbalance).toBe("10");
    const price = new Decimal(running.body.indicativePrice);
    expect(price.gte("0.30") && price.lte("0.35"), running.text).toBe(true);
  });

  it("exposes /metrics through prom-client: the old names, process and event-loop defaults, the business gauges", async () => {
    const res = ok(await anon("/metrics"));
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = res.text;
    for (const name of [
      "pmx_http_requests_total",
      "pmx_http_request_duration_seconds",
      "pmx_sequencer_queue_depth",
      "pmx_events_appended_total",
      "pmx_commands_committed_total",
      "pmx_group_commits_total",
      "pmx_log_events",
      "pmx_writes_stopped",
      "pmx_append_duration_seconds",
      "process_cpu_user_seconds_total",
      "process_resident_memory_bytes",
      "nodejs_eventloop_lag_seconds",
      "nodejs_heap_size_used_bytes",
    ])
      expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, "m"));
    expect(sample(text, "pmx_log_events")).toBe(readEvents(gw.dbPath).length);
    const pool = ok(await anon("/v1/markets/m1/pool")).body;
    expect(sample(text, 'pmx_pool_utilization{market="m1"}')).toBeCloseTo(Number(pool.utilization), 6);
    expect(sample(text, 'pmx_pool_lent{market="m1"}')).toBeCloseTo(Number(pool.lent), 6);
    const funds = ok(await anon("/v1/insurance")).body.funds as { fundId: string; balance: string }[];
    for (const f of funds)
      expect(sample(text, `pmx_insurance_balance{fund="${f.fundId}"}`)).toBeCloseTo(Number(f.balance), 6);
    const debt = ok(await api.op("GET", "/v1/risk/bad-debts")).body.badDebts[0];
    expect(sample(text, 'pmx_bad_debt_total{market="m1"}')).toBeCloseTo(Number(debt.amount), 6);
    const count = (type: string) => readEvents(gw.dbPath).filter((e) => e.type === type).length;
    expect(sample(text, 'pmx_margin_calls_total{market="m1"}')).toBe(count("MarginCalled"));
    expect(sample(text, 'pmx_liquidations_total{market="m1"}')).toBe(count("LiquidationStarted"));
    expect(count("LiquidationStarted")).toBeGreaterThan(0);
    expect(sample(text, 'pmx_margin_calls_open{market="m1"}')).toBe(0);
  });

  it("answers the same risk record after a restart from a snapshot (it is part of the projection's snapshot)", async () => {
    const before = {
      debts: ok(await api.op("GET", "/v1/risk/bad-debts")).body,
      history: ok(await anon("/v1/markets/m1/pool/history")).body,
    };
    ok(await api.op("POST", "/v1/admin/snapshot"));
    await gw.restart();
    // A snapshot it could not use would be named in a warning (and the log read from genesis instead).
    expect(gw.output()).not.toContain("ignoring a snapshot");
    expect(ok(await api.op("GET", "/v1/risk/bad-debts")).body).toEqual(before.debts);
    expect(ok(await anon("/v1/markets/m1/pool/history")).body).toEqual(before.history);
  });

  it("keeps the operator routes for the operator: a wrong token is 401, an account key 403", async () => {
    for (const path of ["/v1/risk/positions", "/v1/risk/bad-debts"]) {
      const wrong = await api.send({ method: "GET", path, headers: { authorization: "Bearer nope" } });
      expectApiError(openapi.check("GET", path, wrong), 401, "UNAUTHENTICATED");
      expectApiError(openapi.check("GET", path, await api.as(who.alice!, "GET", path)), 403, "FORBIDDEN");
    }
    expectApiError(await api.op("GET", "/v1/risk/positions?status=sleeping"), 400, "INVALID_REQUEST");
    expectApiError(await api.op("GET", "/v1/risk/bad-debts?marketId=nope"), 404, "UNKNOWN_MARKET");
  });
});
