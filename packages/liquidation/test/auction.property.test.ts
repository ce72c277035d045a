import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AuctionOrder, executableAt, uncross } from "../src/auction.js";

const MAX_TICK = 100;

const orders = (idBase: number) =>
  fc
    .array(
      fc.record({
        priceTicks: fc.integer({ min: 1, max: MAX_TICK }),
        quantityLots: fc.integer({ min: 1, max: 50 }),
        seq: fc.integer({ min: 0, max: 30 }),
      }),
      {
        maxLength: 15,
      },
    )
    .map((rows) => rows.map((r, i): AuctionOrder => ({ ...r, id: idBase + i })));

const book = fc.record({
  bids: orders(1),
  asks: orders(1001),
  reference: fc.integer({ min: 1, max: MAX_TICK }),
});

describe("Auction properties (guarantee 9)", () => {
  it("clears where matched volume is maximal: no other price trades more", () => {
    fc.assert(
      fc.property(book, ({ bids, asks, reference }) => {
        const result = uncross(bids, asks, reference);
        let best = 0;
        for (let p = 1; p <= MAX_TICK; p++) best = Math.max(best, executableAt(bids, asks, p).volumeLots);
        expect(result.volumeLots).toBe(best);
        expect(result.priceTicks === null).toBe(best === 0);
        if (result.priceTicks !== null) {
          const at = executableAt(bids, asks, result.priceTicks);
          expect(at.volumeLots).toBe(best);
          // no price with the same volume has a smaller imbalance
          for (let p = 1; p <= MAX_TICK; p++) {
            const other = executableAt(bids, asks, p);
            if (other.volumeLots === best)
              expect(Math.abs(other.imbalanceLots)).toBeGreaterThanOrEqual(Math.abs(at.imbalanceLots));
          }
        }
      }),
    );
  });

  it("fills are at the one price, within limits and quantities, and add up to the volume", () => {
    fc.assert(
      fc.property(book, ({ bids, asks, reference }) => {
        const result = uncross(bids, asks, reference);
        const byId = new Map([...bids, ...asks].map((o) => [o.id, o]));
        const filled = new Map<number, number>();
        let total = 0;
        for (const f of result.fills) {
          expect(f.priceTicks).toBe(result.priceTicks);
          expect(f.quantityLots).toBeGreaterThan(0);
          expect(byId.get(f.bidId)!.priceTicks).toBeGreaterThanOrEqual(f.priceTicks);
          expect(byId.get(f.askId)!.priceTicks).toBeLessThanOrEqual(f.priceTicks);
          filled.set(f.bidId, (filled.get(f.bidId) ?? 0) + f.quantityLots);
          filled.set(f.askId, (filled.get(f.askId) ?? 0) + f.quantityLots);
          total += f.quantityLots;
        }
        expect(total).toBe(result.volumeLots);
        const remaining = new Map(
          [...result.remainingBids, ...result.remainingAsks].map((o) => [o.id, o.quantityLots]),
        );
        for (const o of [...bids, ...asks]) {
          expect((filled.get(o.id) ?? 0) + (remaining.get(o.id) ?? 0)).toBe(o.quantityLots);
        }
      }),
    );
  });

  it("no crossed orders remain: the best remaining bid is below the best remaining ask", () => {
    fc.assert(
      fc.property(book, ({ bids, asks, reference }) => {
        const result = uncross(bids, asks, reference);
        const bestBid = Math.max(0, ...result.remainingBids.map((b) => b.priceTicks));
        const bestAsk = Math.min(MAX_TICK + 1, ...result.remainingAsks.map((a) => a.priceTicks));
        expect(bestBid).toBeLessThan(bestAsk);
      }),
    );
  });

  it("price-time priority: an order gets lots only once every better-ranked order on its side is filled", () => {
    fc.assert(
      fc.property(book, ({ bids, asks, reference }) => {
        const result = uncross(bids, asks, reference);
        const price = result.priceTicks;
        if (price === null) return;
        // rank: better price first (higher bid, lower ask), then smaller seq, then smaller id
        const ranksBefore = (side: "bid" | "ask", a: AuctionOrder, b: AuctionOrder) => {
          const byPrice = side === "bid" ? b.priceTicks - a.priceTicks : a.priceTicks - b.priceTicks;
          return (byPrice || a.seq - b.seq || a.id - b.id) < 0;
        };
        const check = (
          side: "bid" | "ask",
          original: readonly AuctionOrder[],
          left: readonly AuctionOrder[],
        ) => {
          const leftIds = new Set(left.map((o) => o.id));
          const gotLots = new Set(result.fills.map((f) => (side === "bid" ? f.bidId : f.askId)));
          for (const served of original.filter((o) => gotLots.has(o.id))) {
            for (const better of original.filter((o) => ranksBefore(side, o, served))) {
              expect(leftIds.has(better.id)).toBe(false);
            }
          }
        };
        check("bid", bids, result.remainingBids);
        check("ask", asks, result.remainingAsks);
      }),
    );
  });

  it("is deterministic: the same orders in any input order give the same price and fills", () => {
    fc.assert(
      fc.property(book, ({ bids, asks, reference }) => {
        const a = uncross(bids, asks, reference);
        const b = uncross([...bids].reverse(), [...asks].reverse(), reference);
        expect(b.priceTicks).toBe(a.priceTicks);
        expect(b.fills).toEqual(a.fills);
      }),
    );
  });
});
