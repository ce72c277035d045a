// Charts on canvas through uPlot: the book's depth, the price (candles, mark, band) and a pool's share value.
import uPlot from "uplot";
import type { Json } from "./api.js";

const BID = "#1a7f37";
const ASK = "#cf222e";
const MARK = "#0969da";
const BAND = "#8250df";

function sized(el: HTMLElement, height: number): { width: number; height: number } {
  return { width: Math.max(280, Math.floor(el.clientWidth || 600)), height };
}

/** Keeps a chart as wide as its container. */
function followWidth(chart: uPlot, el: HTMLElement, height: number): void {
  const observer = new ResizeObserver(() => chart.setSize(sized(el, height)));
  observer.observe(el);
}

/** Cumulative depth: bids to the left of the spread, asks to the right, in YES terms. */
export function depthChart(el: HTMLElement, book: Json): uPlot {
  const bids = [...book.bids].map((l: Json) => ({ p: Number(l.price), q: Number(l.quantity) }));
  const asks = [...book.asks].map((l: Json) => ({ p: Number(l.price), q: Number(l.quantity) }));
  const points = new Map<number, [number | null, number | null]>();
  let cum = 0;
  for (const l of bids) {
    cum += l.q;
    points.set(l.p, [cum, null]);
  }
  cum = 0;
  for (const l of asks) {
    cum += l.q;
    points.set(l.p, [points.get(l.p)?.[0] ?? null, cum]);
  }
  const xs = [...points.keys()].sort((a, b) => a - b);
  const data: uPlot.AlignedData = [xs, xs.map((x) => points.get(x)![0]), xs.map((x) => points.get(x)![1])];
  const height = 220;
  const chart = new uPlot(
    {
      ...sized(el, height),
      title: "Depth (YES price → cumulative shares)",
      scales: { x: { time: false } },
      series: [
        { label: "price" },
        {
          label: "bids",
          stroke: BID,
          fill: "rgba(26,127,55,0.15)",
          paths: uPlot.paths.stepped!({ align: -1 }),
        },
        {
          label: "asks",
          stroke: ASK,
          fill: "rgba(207,34,46,0.15)",
          paths: uPlot.paths.stepped!({ align: 1 }),
        },
      ],
      axes: [{}, { size: 60 }],
    },
    data,
    el,
  );
  followWidth(chart, el, height);
  return chart;
}

/** Candles drawn under the series by a draw hook (uPlot has no candle type of its own). */
function candlePlugin(candles: { t: number; o: number; h: number; l: number; c: number }[]): uPlot.Plugin {
  return {
    hooks: {
      draw: (u: uPlot) => {
        const ctx = u.ctx;
        const width = Math.max(2, Math.min(12, (u.bbox.width / Math.max(candles.length, 1)) * 0.6));
        ctx.save();
        for (const k of candles) {
          const x = u.valToPos(k.t, "x", true);
          const up = k.c >= k.o;
          ctx.strokeStyle = ctx.fillStyle = up ? BID : ASK;
          ctx.beginPath();
          ctx.moveTo(x, u.valToPos(k.h, "y", true));
          ctx.lineTo(x, u.valToPos(k.l, "y", true));
          ctx.stroke();
          const top = u.valToPos(Math.max(k.o, k.c), "y", true);
          const bottom = u.valToPos(Math.min(k.o, k.c), "y", true);
          ctx.fillRect(x - width / 2, top - 1, width, Math.max(3, bottom - top + 2));
        }
        ctx.restore();
      },
    },
  };
}

/** Price chart: 1-minute candles of the trades, the mark and the band around it (mark ± priceBand). */
export function priceChart(el: HTMLElement, candles: Json[], market: Json): uPlot {
  const ks = candles.map((c: Json) => ({
    t: Date.parse(c.start) / 1000,
    o: Number(c.open),
    h: Number(c.high),
    l: Number(c.low),
    c: Number(c.close),
  }));
  const mark = market.riskMark ?? market.markPrice;
  const band = Number(market.risk?.priceBand ?? 0);
  const xs = ks.map((k) => k.t);
  if (xs.length === 0) {
    const now = Date.now() / 1000;
    xs.push(now - 60, now);
  }
  const flat = (v: number | null) => xs.map(() => v);
  const m = mark === null ? null : Number(mark);
  const data: uPlot.AlignedData = [
    xs,
    ks.length ? ks.map((k) => k.c) : flat(null),
    flat(m),
    flat(m === null ? null : Math.min(1, m + band)),
    flat(m === null ? null : Math.max(0, m - band)),
  ];
  const height = 240;
  const chart = new uPlot(
    {
      ...sized(el, height),
      title: "Price (YES): candles, mark and band",
      scales: { y: { range: [0, 1] } },
      series: [
        {},
        { label: "close", stroke: "rgba(0,0,0,0)", points: { show: false } },
        { label: "mark", stroke: MARK, width: 2 },
        { label: "band high", stroke: BAND, dash: [4, 4] },
        { label: "band low", stroke: BAND, dash: [4, 4] },
      ],
      plugins: [candlePlugin(ks)],
    },
    data,
    el,
  );
  followWidth(chart, el, height);
  return chart;
}

/** The pool's share value over time (each change). */
export function shareValueChart(el: HTMLElement, points: Json[]): uPlot {
  const xs = points.map((p: Json) => Date.parse(p.at) / 1000);
  const ys = points.map((p: Json) => Number(p.shareValue));
  const height = 180;
  const chart = new uPlot(
    {
      ...sized(el, height),
      title: "Pool share value",
      series: [
        {},
        { label: "share value", stroke: MARK, width: 2, paths: uPlot.paths.stepped!({ align: 1 }) },
      ],
      axes: [{}, { size: 60 }],
    },
    [xs, ys],
    el,
  );
  followWidth(chart, el, height);
  return chart;
}
