// The histories' paging and candles: positions strictly before a cursor, filters, the look-ahead that decides
// whether there is a next page, and candles aligned on UTC intervals with [from, to) bounds and a resume point.
import { describe, expect, it } from "vitest";
import { candlesOf, pageBackward, type TradeRecord } from "../src/history.js";

const at = (iso: string) => Date.parse(iso);
const trade = (sequence: number, when: string, price: string, quantity: number): TradeRecord => ({
  sequence,
  atMs: at(when),
  tradeId: `t-${sequence}`,
  marketId: "m",
  kind: "MINT",
  price,
  quantity,
  takerSide: "buy",
  takerOutcome: "YES",
  makerOrderId: "o-1",
  takerOrderId: "o-2",
  takerFee: "0",
});

describe("pageBackward", () => {
  const list = [2, 5, 9, 14, 20, 21].map((pos) => ({ pos }));
  const key = (x: { pos: number }) => x.pos;

  it("given no cursor, then the newest first, and next names the last one answered while more follow", () => {
    expect(pageBackward(list, key, 4, null)).toEqual({
      items: [21, 20, 14, 9].map((pos) => ({ pos })),
      next: 9,
    });
    expect(pageBackward(list, key, 6, null).next).toBeNull();
    expect(pageBackward([], key, 3, null)).toEqual({ items: [], next: null });
  });

  it("given a cursor, then strictly before it, whether or not an item sits at that position", () => {
    expect(pageBackward(list, key, 2, 9).items).toEqual([{ pos: 5 }, { pos: 2 }]);
    expect(pageBackward(list, key, 2, 9).next).toBeNull();
    expect(pageBackward(list, key, 2, 10).items).toEqual([{ pos: 9 }, { pos: 5 }]);
    expect(pageBackward(list, key, 2, 10).next).toBe(5);
    expect(pageBackward(list, key, 5, 2)).toEqual({ items: [], next: null });
  });

  it("given a filter, then only kept items count toward the limit and the look-ahead", () => {
    const even = (x: { pos: number }) => x.pos % 2 === 0;
    expect(pageBackward(list, key, 2, null, even)).toEqual({ items: [{ pos: 20 }, { pos: 14 }], next: 14 });
    expect(pageBackward(list, key, 2, 14, even)).toEqual({ items: [{ pos: 2 }], next: null });
  });
});

describe("candlesOf", () => {
  const trades = [
    trade(1, "2024-11-05T12:00:10Z", "0.5", 2),
    trade(2, "2024-11-05T12:00:50Z", "0.53", 1),
    trade(3, "2024-11-05T12:00:59.999Z", "0.49", 4),
    trade(4, "2024-11-05T12:01:00Z", "0.51", 3),
    trade(5, "2024-11-05T12:07:30Z", "0.52", 5),
    trade(6, "2024-11-06T00:00:00Z", "0.48", 1),
  ];
  const all = [0, Number.MAX_SAFE_INTEGER] as const;

  it("given 1m, then one candle per minute with a trade, OHLCV in log order, empty minutes left out", () => {
    expect(candlesOf(trades, 60_000, ...all, 100)).toEqual({
      candles: [
        {
          start: "2024-11-05T12:00:00.000Z",
          open: "0.5",
          high: "0.53",
          low: "0.49",
          close: "0.49",
          volume: "7",
        },
        {
          start: "2024-11-05T12:01:00.000Z",
          open: "0.51",
          high: "0.51",
          low: "0.51",
          close: "0.51",
          volume: "3",
        },
        {
          start: "2024-11-05T12:07:00.000Z",
          open: "0.52",
          high: "0.52",
          low: "0.52",
          close: "0.52",
          volume: "5",
        },
        {
          start: "2024-11-06T00:00:00.000Z",
          open: "0.48",
          high: "0.48",
          low: "0.48",
          close: "0.48",
          volume: "1",
        },
      ],
      next: null,
    });
  });

  it("given 5m and 1d, then intervals aligned on UTC", () => {
    expect(candlesOf(trades, 300_000, ...all, 100).candles.map((c) => [c.start, c.volume])).toEqual([
      ["2024-11-05T12:00:00.000Z", "10"],
      ["2024-11-05T12:05:00.000Z", "5"],
      ["2024-11-06T00:00:00.000Z", "1"],
    ]);
    expect(candlesOf(trades, 86_400_000, ...all, 100).candles.map((c) => [c.start, c.high, c.low])).toEqual([
      ["2024-11-05T00:00:00.000Z", "0.53", "0.49"],
      ["2024-11-06T00:00:00.000Z", "0.48", "0.48"],
    ]);
  });

  it("given from and to, then only trades in [from, to); given a limit, then next is the next candle's start", () => {
    const window = candlesOf(trades, 60_000, at("2024-11-05T12:00:50Z"), at("2024-11-05T12:07:30Z"), 100);
    expect(window.candles.map((c) => [c.start, c.open, c.volume])).toEqual([
      ["2024-11-05T12:00:00.000Z", "0.53", "5"],
      ["2024-11-05T12:01:00.000Z", "0.51", "3"],
    ]);
    const first = candlesOf(trades, 60_000, ...all, 2);
    expect(first.candles).toHaveLength(2);
    expect(first.next).toBe(at("2024-11-05T12:07:00Z"));
    const rest = candlesOf(trades, 60_000, first.next!, Number.MAX_SAFE_INTEGER, 2);
    expect(rest.candles.map((c) => c.start)).toEqual([
      "2024-11-05T12:07:00.000Z",
      "2024-11-06T00:00:00.000Z",
    ]);
    expect(rest.next).toBeNull();
  });
});
