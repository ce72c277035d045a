import { describe, expect, it } from "vitest";
import { type AuctionOrder, clearingPrice, executableAt, uncross } from "../src/auction.js";

const order = (id: number, priceTicks: number, quantityLots: number, seq = id): AuctionOrder => ({
  id,
  priceTicks,
  quantityLots,
  seq,
});

describe("Auction: uncrossing after a jump (prices in ticks of 0.01, lots of 1 share)", () => {
  // bids 10 @ 55, 5 @ 52; asks 8 @ 50 (a liquidation), 6 @ 54
  const bids = [order(1, 55, 10), order(2, 52, 5)];
  const asks = [order(3, 50, 8), order(4, 54, 6)];

  it("executable volume per price: 8 up to 53, 10 at 54 and 55", () => {
    const volumes = [50, 51, 52, 53, 54, 55].map((p) => executableAt(bids, asks, p).volumeLots);
    expect(volumes).toEqual([8, 8, 8, 8, 10, 10]);
  });

  it("clears at 54: volume 10 at 54 and 55 with the same imbalance 4, and 54 is closer to the reference 53", () => {
    const result = uncross(bids, asks, 53);
    expect(result.priceTicks).toBe(54);
    expect(result.volumeLots).toBe(10);
    expect(result.imbalanceLots).toBe(-4);
    // price priority: the 55 bid takes the 50 ask's 8, then 2 of the 54 ask
    expect(result.fills).toEqual([
      { bidId: 1, askId: 3, priceTicks: 54, quantityLots: 8 },
      { bidId: 1, askId: 4, priceTicks: 54, quantityLots: 2 },
    ]);
    expect(result.remainingBids).toEqual([order(2, 52, 5)]);
    expect(result.remainingAsks).toEqual([order(4, 54, 4)]);
  });

  it("with the reference at 60 it clears at 55, the closer of the two", () => {
    expect(uncross(bids, asks, 60).priceTicks).toBe(55);
  });
});

describe("Auction: tie-breaks", () => {
  it("minimum imbalance beats closeness to the reference", () => {
    // bid 10 @ 52; asks 10 @ 50, 4 @ 51: volume 10 everywhere in 50..52, imbalance 0 at 50, -4 at 51 and 52
    const result = uncross([order(1, 52, 10)], [order(2, 50, 10), order(3, 51, 4)], 52);
    expect(result.priceTicks).toBe(50);
    expect(result.imbalanceLots).toBe(0);
  });

  it("closest to the reference among equal volume and imbalance", () => {
    // bid 10 @ 60, ask 10 @ 50: every price 50..60 trades 10 with imbalance 0
    expect(uncross([order(1, 60, 10)], [order(2, 50, 10)], 57).priceTicks).toBe(57);
    expect(uncross([order(1, 60, 10)], [order(2, 50, 10)], 40).priceTicks).toBe(50);
    expect(uncross([order(1, 60, 10)], [order(2, 50, 10)], 99).priceTicks).toBe(60);
  });

  it("the lower price when two are equally close (a reference between ticks)", () => {
    expect(uncross([order(1, 60, 10)], [order(2, 50, 10)], 55.5).priceTicks).toBe(55);
  });
});

describe("Auction: time priority at one price", () => {
  it("equal bids fill in seq order, the later one partly", () => {
    const bids = [order(1, 55, 5, 20), order(2, 55, 5, 10)];
    const result = uncross(bids, [order(3, 50, 7)], 52);
    expect(result.fills).toEqual([
      { bidId: 2, askId: 3, priceTicks: 52, quantityLots: 5 },
      { bidId: 1, askId: 3, priceTicks: 52, quantityLots: 2 },
    ]);
    expect(result.remainingBids).toEqual([order(1, 55, 3, 20)]);
    // demand 10 ≥ supply 7 from 50 to 55; imbalance 3 everywhere: the reference 52 decides
    expect(result.priceTicks).toBe(52);
  });
});

describe("Auction: nothing to uncross", () => {
  it("no crossing orders: no price, no fills, everything stays", () => {
    const bids = [order(1, 40, 10)];
    const asks = [order(2, 50, 10)];
    expect(uncross(bids, asks, 45)).toEqual({
      priceTicks: null,
      volumeLots: 0,
      imbalanceLots: 0,
      fills: [],
      remainingBids: bids,
      remainingAsks: asks,
    });
    expect(clearingPrice([], asks, 45)).toBeNull();
  });

  it("refuses malformed orders", () => {
    expect(() => uncross([order(1, 0, 1)], [], 1)).toThrow(RangeError);
    expect(() => uncross([order(1, 10, 1.5)], [], 1)).toThrow(RangeError);
    expect(() => uncross([order(1, 10, 1), order(1, 11, 1)], [], 1)).toThrow(RangeError);
  });
});
