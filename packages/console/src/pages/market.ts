// Market page: depth and price charts, recent trades (live), pool with its share value over time, leveraged
// positions by distance to liquidation, margin calls with countdowns, the auction's indicative price and the
// default waterfall of every bad debt.
import type uPlot from "uplot";
import { gatewayNow, get, type Json, noteGatewayTime } from "../api.js";
import { depthChart, priceChart, shareValueChart } from "../charts.js";
import { badge, countdown, dec, facts, fill, h, percent, section, table } from "../dom.js";
import type { Page } from "../page.js";

export const marketPage: Page = (root, ctx) => {
  const id = ctx.param ?? "";
  const enc = encodeURIComponent(id);
  const head = h("div", { id: "market-head" });
  const depth = h("div", { class: "chart", id: "depth-chart" });
  const price = h("div", { class: "chart", id: "price-chart" });
  const trades = h("div", { id: "trades" });
  const pool = h("div", { id: "pool" });
  const shareChart = h("div", { class: "chart", id: "share-chart" });
  const positions = h("div", { id: "positions" });
  const calls = h("div", { id: "margin-calls" });
  const auction = h("div", { id: "auction" });
  const waterfall = h("div", { id: "waterfall" });
  fill(
    root,
    h("h1", {}, "Market ", h("code", {}, id)),
    head,
    h("div", { class: "grid" }, section("Depth", depth), section("Price", price)),
    h("div", { class: "grid" }, section("Recent trades", trades), section("Pool", pool, shareChart)),
    section("Margin calls", calls),
    section("Leveraged positions by distance to liquidation", positions),
    h("div", { class: "grid" }, section("Call auction", auction), section("Default waterfall", waterfall)),
  );

  let stopped = false;
  const charts: Record<string, { key: string; chart: uPlot | null }> = {};
  /** Redraws a chart only when its data changed. */
  const chart = (name: string, el: HTMLElement, data: unknown, make: () => uPlot) => {
    const key = JSON.stringify(data);
    const c = charts[name];
    if (c && c.key === key) return;
    c?.chart?.destroy();
    fill(el);
    charts[name] = { key, chart: make() };
  };
  let marginCalls: Json[] = [];
  const renderCalls = () =>
    fill(
      calls,
      table(
        "Running margin calls (deadline on the gateway's clock)",
        ["account", "outcome", "equity", "maintenance", "deadline", "time left"],
        marginCalls.map((p) => [
          p.accountId,
          p.outcome,
          dec(p.equity),
          dec(p.maintenanceRequirement),
          p.marginCallDeadline,
          h("span", { class: "countdown" }, countdown(p.marginCallDeadline, gatewayNow())),
        ]),
        { id: "margin-calls-table" },
      ),
    );

  const refresh = async () => {
    const [hl, m, book, tradeList, candles, poolView, history, risk, auctionView, debts] = await Promise.all([
      get("/v1/health"),
      get(`/v1/markets/${enc}`),
      get(`/v1/markets/${enc}/book?depth=50`),
      get(`/v1/markets/${enc}/trades?limit=30`),
      get(`/v1/markets/${enc}/candles?interval=1m&limit=500`),
      get(`/v1/markets/${enc}/pool`),
      get(`/v1/markets/${enc}/pool/history?limit=500`),
      get(`/v1/risk/positions?marketId=${enc}&limit=200`),
      get(`/v1/markets/${enc}/auction`),
      get(`/v1/risk/bad-debts?marketId=${enc}&limit=100`),
    ]);
    if (stopped) return;
    noteGatewayTime(hl.time);
    fill(
      head,
      h("p", { class: "question" }, m.question),
      facts([
        ["phase", badge(m.phase)],
        ["status", m.status],
        ["mark (risk)", dec(m.riskMark)],
        ["oracle mark", dec(m.markPrice)],
        ["last", dec(m.lastPrice)],
        ["best bid / ask", `${dec(m.bestBid)} / ${dec(m.bestAsk)}`],
        ["volume", m.volume],
        ["open interest", m.openInterest],
        ["max leverage", `${m.maxLeverage}x`],
        ["funding /h", percent(m.fundingRate)],
        ["taker fee", `${m.takerFeeBps} bps`],
        ["insurance", dec(m.insurance)],
        ["resolves at", m.resolvesAt],
        ["outcome", m.outcome ?? "—"],
      ]),
      h("p", {}, h("a", { href: `#/actions/${enc}` }, "Actions on this market…")),
    );
    chart("depth", depth, book, () => depthChart(depth, book));
    chart("price", price, [candles.candles, m.riskMark, m.markPrice], () =>
      priceChart(price, candles.candles, m),
    );
    fill(
      trades,
      table(
        "Recent trades, newest first",
        ["time", "price (YES)", "qty", "taker"],
        tradeList.trades.map((t: Json) => [t.at, t.price, t.quantity, `${t.takerSide} ${t.takerOutcome}`]),
        { id: "trades-table" },
      ),
    );
    fill(
      pool,
      facts([
        ["assets", dec(poolView.assets)],
        ["lent", dec(poolView.lent)],
        ["cash", dec(poolView.cash)],
        ["utilization", percent(poolView.utilization)],
        ["share value", dec(poolView.shareValue)],
        ["losses", dec(poolView.losses)],
        ["fees earned", dec(poolView.feesEarned)],
      ]),
    );
    chart("share", shareChart, history.points, () => shareValueChart(shareChart, history.points));
    fill(
      positions,
      table(
        `Open leveraged positions (${risk.total}), nearest to liquidation first`,
        ["account", "outcome", "shares", "loan", "equity", "mark", "liq. price", "distance", "status"],
        risk.positions.map((p: Json) => [
          p.accountId,
          p.outcome,
          p.shares,
          dec(p.loan),
          dec(p.equity),
          dec(p.markPrice),
          dec(p.liquidationPrice),
          dec(p.distanceToLiquidation),
          badge(p.status),
        ]),
        { id: "positions-table" },
      ),
    );
    marginCalls = risk.positions.filter((p: Json) => p.status === "margin_call");
    renderCalls();
    fill(
      auction,
      auctionView.running
        ? facts([
            ["until", auctionView.until],
            ["collected orders", auctionView.collectedOrders],
            ["indicative price", h("span", { id: "indicative-price" }, dec(auctionView.indicativePrice))],
            ["indicative volume", auctionView.indicativeVolume],
            ["imbalance", auctionView.imbalance],
          ])
        : h("p", { class: "muted" }, "No call auction is running."),
    );
    fill(
      waterfall,
      debts.badDebts.length === 0
        ? h("p", { class: "muted" }, "No bad debt recorded.")
        : debts.badDebts.map((d: Json) => waterfallOf(d)),
    );
  };
  ctx.stream.subscribe("trades", id);
  ctx.stream.subscribe("book", id);
  const unlisten = ctx.stream.listen((msg) => {
    if (msg.marketId !== id) return;
    if ((msg.channel === "trades" && msg.data?.type === "trade") || msg.channel === "book")
      void refresh().catch(ctx.report);
  });
  const ticker = setInterval(renderCalls, 1000);
  ctx.every(2000, refresh);
  return () => {
    stopped = true;
    clearInterval(ticker);
    unlisten();
    for (const c of Object.values(charts)) c.chart?.destroy();
  };
};

/** One bad debt: a bar of what each tier paid (widths by share of the amount) and the exact figures. */
function waterfallOf(d: Json): HTMLElement {
  const amount = Number(d.amount) || 1;
  const tiers: [string, string, string][] = [
    ["fees written off", d.feesWrittenOff, "fees"],
    ["market insurance", d.marketInsurance, "market"],
    ["shared insurance", d.sharedInsurance, "shared"],
    ["pool haircut", d.poolHaircut, "pool"],
  ];
  const bar = h("div", { class: "waterfall-bar", role: "img", "aria-label": "share of each tier" });
  for (const [label, value, kind] of tiers) {
    if (Number(value) === 0) continue;
    const part = h("span", { class: `tier t-${kind}`, title: `${label}: ${value}` });
    // CSSOM, not an inline style attribute: allowed by the Content-Security-Policy.
    part.style.width = `${(Number(value) / amount) * 100}%`;
    bar.append(part);
  }
  return h(
    "article",
    { class: "bad-debt" },
    h(
      "h3",
      {},
      `${d.accountId} ${d.outcome}: bad debt ${d.amount}`,
      h("span", { class: "muted" }, ` · ${d.at}`),
    ),
    bar,
    table(
      "What each tier paid",
      ["tier", "paid"],
      tiers.map(([label, value]) => [label, value]),
      { class: "waterfall-table" },
    ),
  );
}
