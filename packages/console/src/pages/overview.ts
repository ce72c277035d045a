// Overview: markets and events (phase, mark, best bid/ask, volume, open interest, maxLeverage, fees, pool
// utilization), insurance funds, health, log position, chain head and solvency; trades arrive live on the stream.
import { get, getAll, type Json, noteGatewayTime } from "../api.js";
import { badge, dec, facts, fill, h, percent, section, table } from "../dom.js";
import type { Page } from "../page.js";

export const overview: Page = (root, ctx) => {
  const health = h("div", { id: "health" });
  const markets = h("div", { id: "markets" });
  const funds = h("div", { id: "insurance" });
  const live = h("ol", { id: "live-trades", class: "live", "aria-live": "polite" });
  fill(
    root,
    h("h1", {}, "Overview"),
    h(
      "div",
      { class: "grid" },
      section("Exchange", health),
      section("Insurance funds", funds),
      section("Live trades", h("p", { class: "hint" }, "From the WebSocket stream, newest first."), live),
    ),
    section("Markets", markets),
  );

  let stopped = false;
  const eventOf = new Map<string, string>();
  const refresh = async () => {
    const [hl, markets_, insurance, events] = await Promise.all([
      get("/v1/health"),
      getAll("/v1/markets?limit=1000", "markets"),
      get("/v1/insurance"),
      get("/v1/events"),
    ]);
    const [state, solvency] = await Promise.all([get("/v1/audit/state"), get("/v1/audit/solvency")]);
    const pools = await Promise.all(
      markets_.map((m: Json) => get(`/v1/markets/${encodeURIComponent(m.marketId)}/pool`)),
    );
    if (stopped) return;
    noteGatewayTime(hl.time);
    for (const e of events.events) for (const m of e.markets) eventOf.set(m.marketId, e.title);
    fill(
      health,
      facts([
        ["status", badge(hl.status)],
        ["role", hl.role],
        ["log position", h("span", { id: "log-position" }, `${hl.events} events · seq ${hl.sequence}`)],
        ["chain head", h("code", { class: "hash", title: hl.head }, String(hl.head).slice(0, 16))],
        [
          "state hash",
          h("code", { class: "hash", title: state.stateHash }, String(state.stateHash).slice(0, 16)),
        ],
        ["solvency", badge(solvency.balanced ? "balanced" : "UNBALANCED", solvency.balanced ? "ok" : "bad")],
        ["clock", `${hl.clock} · ${hl.time}`],
        ["writable", hl.writable ? "yes" : "no"],
      ]),
    );
    fill(
      funds,
      table(
        "Insurance fund balances",
        ["fund", "balance"],
        insurance.funds.map((f: Json) => [f.fundId, dec(f.balance)]),
      ),
    );
    fill(
      markets,
      table(
        "Markets and events",
        [
          "market",
          "event",
          "phase",
          "mark",
          "bid",
          "ask",
          "volume",
          "open interest",
          "max lev.",
          "taker fee",
          "funding /h",
          "pool util.",
        ],
        markets_.map((m: Json, i: number) => [
          h("a", { href: `#/market/${encodeURIComponent(m.marketId)}`, title: m.question }, m.marketId),
          eventOf.get(m.marketId) ?? "",
          badge(m.phase),
          dec(m.riskMark ?? m.markPrice),
          dec(m.bestBid),
          dec(m.bestAsk),
          m.volume,
          m.openInterest,
          `${m.maxLeverage}x`,
          `${m.takerFeeBps} bps`,
          percent(m.fundingRate),
          percent(pools[i].utilization),
        ]),
        { id: "markets-table" },
      ),
    );
    for (const m of markets_) ctx.stream.subscribe("trades", m.marketId);
  };
  const unlisten = ctx.stream.listen((msg) => {
    if (msg.channel !== "trades" || msg.data?.type !== "trade") return;
    const t = msg.data.trade;
    live.prepend(
      h(
        "li",
        { class: "trade", "data-market": msg.marketId },
        h("strong", {}, msg.marketId),
        ` ${t.quantity} @ ${t.price} `,
        h("span", { class: "muted" }, `${t.takerSide} ${t.takerOutcome} · ${t.at}`),
      ),
    );
    while (live.children.length > 20) live.lastElementChild?.remove();
    void refresh().catch(ctx.report);
  });
  ctx.every(2000, refresh);
  return () => {
    stopped = true;
    unlisten();
  };
};
