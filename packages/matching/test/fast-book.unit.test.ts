// The fast book against the OrderBook contract, plus what only the fast book has (slot pool growth).
import { describe, expect, it } from "vitest";
import { createOrderBook, Intent } from "../src/index.js";
import { runOrderBookContract } from "./contract.js";
import { order } from "./support.js";

runOrderBookContract("fast book", createOrderBook);

describe("fast book: slot pool", () => {
  it("given an initial capacity of 1, when 1000 orders rest and half are cancelled and re-placed, then it grows and reuses slots", () => {
    const b = createOrderBook({ ticks: 100, initialCapacity: 1 });
    for (let id = 1; id <= 1000; id++) b.place(order(id, id, Intent.BUY_YES, 1 + (id % 50), id));
    b.validate();
    for (let id = 1; id <= 1000; id += 2) b.cancel(id);
    for (let id = 1001; id <= 1500; id++) b.place(order(id, id, Intent.SELL_YES, 51 + (id % 48), 1));
    b.validate();
    expect(b.restingCount()).toBe(1000);
    // lots 2 + 4 + ... + 1000 on the bids (the even ids), 500 lots on the asks
    const total = (xs: readonly { quantityLots: number }[]) => xs.reduce((n, x) => n + x.quantityLots, 0);
    expect(total(b.depth().bids)).toBe(250_500);
    expect(total(b.depth().asks)).toBe(500);
  });
});
