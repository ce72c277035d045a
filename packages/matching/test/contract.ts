// The OrderBook contract: every implementation (fast, reference) must pass these cases.
//
// Plain numbers throughout: ticks = 100 unless a case says otherwise, so YES 60 is 0.60 and a NO order at 40
// sits on the YES book at 100 - 40 = 60. Owners are 1 (alice), 2 (bob), 3 (carol).
import { afterEach, describe, expect, it } from "vitest";
import {
  BookSide,
  CancelReason,
  type Fill,
  FillKind,
  Intent,
  type NewOrder,
  type OrderBook,
  type OrderBookOptions,
  TimeInForce,
} from "../src/index.js";
import { applyOutcome, given, order, snapshot, sumLots } from "./support.js";

export type CreateOrderBook = (options: OrderBookOptions) => OrderBook;

const { BUY_YES, SELL_YES, BUY_NO, SELL_NO } = Intent;
const { MINT, TRANSFER, MERGE } = FillKind;
const { IOC, FOK } = TimeInForce;
const ALICE = 1;
const BOB = 2;
const CAROL = 3;
const INTENT_NAME = ["BUY_YES", "SELL_YES", "BUY_NO", "SELL_NO"] as const;
const KIND_NAME = ["MINT", "TRANSFER", "MERGE"] as const;

export function runOrderBookContract(name: string, create: CreateOrderBook): void {
  describe(`${name}: OrderBook contract`, () => {
    // Every book a case creates is validated when the case ends.
    let books: OrderBook[] = [];
    const book = (ticks = 100): OrderBook => {
      const b = create({ ticks });
      books.push(b);
      return b;
    };
    afterEach(() => {
      for (const b of books) b.validate();
      books = [];
    });

    describe("intents on the one YES book", () => {
      // buy YES 60 → bid 60; sell NO 40 → bid 100-40 = 60; sell YES 70 → ask 70; buy NO 30 → ask 100-30 = 70
      it.each([
        { intent: BUY_YES, price: 60, side: BookSide.BID, yes: 60 },
        { intent: SELL_NO, price: 40, side: BookSide.BID, yes: 60 },
        { intent: SELL_YES, price: 70, side: BookSide.ASK, yes: 70 },
        { intent: BUY_NO, price: 30, side: BookSide.ASK, yes: 70 },
      ])(
        "given an empty book, when intent $intent rests at $price, then it is on side $side at YES $yes",
        (c) => {
          const b = book();
          const r = b.place(order(1, ALICE, c.intent, c.price, 5));
          expect(r).toEqual({ fills: [], removed: [], restingLots: 5, cancelledLots: 0, cancelReason: null });
          const level = [{ priceTicks: c.yes, quantityLots: 5 }];
          expect(b.depth()).toEqual(
            c.side === BookSide.BID ? { bids: level, asks: [] } : { bids: [], asks: level },
          );
          expect(c.side === BookSide.BID ? b.bestBid() : b.bestAsk()).toBe(c.yes);
          // the resting order keeps its price in its own outcome's ticks
          expect(b.get(1)).toEqual({
            id: 1,
            owner: ALICE,
            intent: c.intent,
            priceTicks: c.price,
            remainingLots: 5,
          });
          expect(b.restingCount()).toBe(1);
        },
      );
    });

    describe("fill kinds and prices", () => {
      // The maker rests 10 lots, the taker (bob) crosses with 4. Execution is at the maker's YES price;
      // the NO leg pays 100 - yes.
      const cases = [
        // taker bids (buy YES, sell NO) hit makers on the ask (sell YES, buy NO)
        { maker: [SELL_YES, 60], taker: [BUY_YES, 65], kind: TRANSFER, yes: 60 }, // YES 60 changes hands
        { maker: [BUY_NO, 45], taker: [BUY_YES, 60], kind: MINT, yes: 55 }, // 55 + 45 = 100 mints a pair
        { maker: [SELL_YES, 60], taker: [SELL_NO, 35], kind: MERGE, yes: 60 }, // NO at 35 bids YES 65 ≥ 60
        { maker: [BUY_NO, 40], taker: [SELL_NO, 35], kind: TRANSFER, yes: 60 }, // NO 40 changes hands
        // taker asks (sell YES, buy NO) hit makers on the bid (buy YES, sell NO)
        { maker: [BUY_YES, 60], taker: [SELL_YES, 55], kind: TRANSFER, yes: 60 },
        { maker: [BUY_YES, 60], taker: [BUY_NO, 45], kind: MINT, yes: 60 }, // NO pays 40 (≤ its 45)
        { maker: [SELL_NO, 40], taker: [SELL_YES, 50], kind: MERGE, yes: 60 }, // YES 60 + NO 40 merge
        { maker: [SELL_NO, 40], taker: [BUY_NO, 45], kind: TRANSFER, yes: 60 }, // NO 40 changes hands
      ] as const;
      it.each(
        cases.map((c) => ({
          ...c,
          m: INTENT_NAME[c.maker[0]],
          t: INTENT_NAME[c.taker[0]],
          k: KIND_NAME[c.kind],
          no: 100 - c.yes,
        })),
      )(
        "given $m at $maker.1 resting, when $t at $taker.1 arrives, then a $k fill at YES $yes (NO $no)",
        (c) => {
          const b = given(book(), order(1, ALICE, c.maker[0], c.maker[1], 10));
          const r = b.place(order(2, BOB, c.taker[0], c.taker[1], 4));
          const fill: Fill = {
            kind: c.kind,
            makerId: 1,
            makerOwner: ALICE,
            makerIntent: c.maker[0],
            takerId: 2,
            takerIntent: c.taker[0],
            yesPriceTicks: c.yes,
            quantityLots: 4,
            makerDone: false,
          };
          expect(r).toEqual({
            fills: [fill],
            removed: [],
            restingLots: 0,
            cancelledLots: 0,
            cancelReason: null,
          });
          expect(b.ticks - r.fills[0]!.yesPriceTicks).toBe(c.no);
          expect(b.get(1)?.remainingLots).toBe(6); // 10 - 4
        },
      );
    });

    describe("price priority", () => {
      it("given asks at 62, 60 (a buy NO at 40) and 61, when a buy YES at 62 takes 30, then it fills 60, 61, 62", () => {
        const b = given(
          book(),
          order(1, ALICE, SELL_YES, 62, 10),
          order(2, ALICE, BUY_NO, 40, 10), // ask 60
          order(3, ALICE, SELL_YES, 61, 10),
        );
        const r = b.place(order(4, BOB, BUY_YES, 62, 30));
        expect(r.fills.map((f) => [f.makerId, f.yesPriceTicks, f.quantityLots, f.kind])).toEqual([
          [2, 60, 10, MINT],
          [3, 61, 10, TRANSFER],
          [1, 62, 10, TRANSFER],
        ]);
        expect(b.restingCount()).toBe(0);
        expect([b.bestBid(), b.bestAsk()]).toEqual([0, 100]);
      });

      it("given bids at 40, 42 (a sell NO at 58) and 41, when a sell YES at 40 takes 25, then it fills 42, 41, 40", () => {
        const b = given(
          book(),
          order(1, ALICE, BUY_YES, 40, 10),
          order(2, ALICE, SELL_NO, 58, 10), // bid 42
          order(3, ALICE, BUY_YES, 41, 10),
        );
        const r = b.place(order(4, BOB, SELL_YES, 40, 25));
        // 10 at 42, 10 at 41, 5 of 10 at 40
        expect(r.fills.map((f) => [f.makerId, f.yesPriceTicks, f.quantityLots, f.makerDone])).toEqual([
          [2, 42, 10, true],
          [3, 41, 10, true],
          [1, 40, 5, false],
        ]);
        expect(b.depth()).toEqual({ bids: [{ priceTicks: 40, quantityLots: 5 }], asks: [] });
      });

      it("given asks at 60, 61, 62 of 10 each, when a buy YES limited to 61 wants 30, then it takes 20 and rests 10 at 61", () => {
        const b = given(
          book(),
          order(1, ALICE, SELL_YES, 60, 10),
          order(2, ALICE, SELL_YES, 61, 10),
          order(3, ALICE, SELL_YES, 62, 10),
        );
        const r = b.place(order(4, BOB, BUY_YES, 61, 30));
        expect(sumLots(r.fills)).toBe(20);
        expect(r.restingLots).toBe(10);
        expect([b.bestBid(), b.bestAsk()]).toEqual([61, 62]);
        expect(b.get(4)).toEqual({ id: 4, owner: BOB, intent: BUY_YES, priceTicks: 61, remainingLots: 10 });
      });

      it("given a bid at 60, when a buy NO at 45 (ask 55) crosses it, then it executes at the maker's 60 (NO pays 40)", () => {
        const b = given(book(), order(1, ALICE, BUY_YES, 60, 10));
        const r = b.place(order(2, BOB, BUY_NO, 45, 10));
        expect(r.fills[0]).toMatchObject({
          kind: MINT,
          yesPriceTicks: 60,
          quantityLots: 10,
          makerDone: true,
        });
      });
    });

    describe("time priority within a level", () => {
      it("given sell YES 60 (#1), buy NO 40 (#2), sell YES 60 (#3) of 5 each, when a buy YES at 60 takes 12, then #1, #2 fill and #3 gives 2", () => {
        const b = given(
          book(),
          order(1, ALICE, SELL_YES, 60, 5),
          order(2, BOB, BUY_NO, 40, 5), // also YES 60: same queue, behind #1
          order(3, ALICE, SELL_YES, 60, 5),
        );
        const r = b.place(order(4, CAROL, BUY_YES, 60, 12));
        expect(r.fills.map((f) => [f.makerId, f.quantityLots, f.makerDone, f.kind])).toEqual([
          [1, 5, true, TRANSFER],
          [2, 5, true, MINT],
          [3, 2, false, TRANSFER],
        ]);
        expect(b.restingOrders()).toEqual([
          { id: 3, owner: ALICE, intent: SELL_YES, priceTicks: 60, remainingLots: 3 },
        ]);
      });

      it("given a partly filled maker, when more takers come, then it keeps its place at the head of the queue", () => {
        const b = given(book(), order(1, ALICE, SELL_YES, 60, 10), order(2, BOB, SELL_YES, 60, 10));
        const first = b.place(order(3, CAROL, BUY_YES, 60, 4)); // #1: 10 → 6
        expect(first.fills.map((f) => [f.makerId, f.quantityLots])).toEqual([[1, 4]]);
        const second = b.place(order(4, CAROL, BUY_YES, 60, 8)); // #1 gives 6, #2 gives 2
        expect(second.fills.map((f) => [f.makerId, f.quantityLots, f.makerDone])).toEqual([
          [1, 6, true],
          [2, 2, false],
        ]);
        expect(b.get(2)?.remainingLots).toBe(8);
      });

      it("given a resting remainder, when another order joins its level, then the remainder is ahead of it", () => {
        const b = given(
          book(),
          order(1, ALICE, SELL_YES, 60, 5),
          order(2, BOB, BUY_YES, 60, 8), // fills 5, rests 3 as a bid at 60
          order(3, CAROL, SELL_NO, 40, 4), // bid 60, behind #2
        );
        expect(b.restingOrders().map((o) => [o.id, o.remainingLots])).toEqual([
          [2, 3],
          [3, 4],
        ]);
        expect(b.depth()).toEqual({ bids: [{ priceTicks: 60, quantityLots: 7 }], asks: [] });
      });
    });

    describe("partial fills", () => {
      it("given an ask of 5 at 60, when a GTC buy YES at 65 wants 8, then it fills 5 and rests 3 at its own 65", () => {
        const b = given(book(), order(1, ALICE, SELL_YES, 60, 5));
        const r = b.place(order(2, BOB, BUY_YES, 65, 8));
        expect(r).toMatchObject({ restingLots: 3, cancelledLots: 0, cancelReason: null });
        expect(r.fills).toHaveLength(1);
        expect(r.fills[0]).toMatchObject({ makerId: 1, yesPriceTicks: 60, quantityLots: 5, makerDone: true });
        expect(b.depth()).toEqual({ bids: [{ priceTicks: 65, quantityLots: 3 }], asks: [] });
      });

      it("given a bid of 5 at 60, when a GTC buy NO at 45 wants 8, then it fills 5 and rests 3 as NO 45 (ask 55)", () => {
        const b = given(book(), order(1, ALICE, BUY_YES, 60, 5));
        const r = b.place(order(2, BOB, BUY_NO, 45, 8));
        expect(r.restingLots).toBe(3);
        expect(b.get(2)).toEqual({ id: 2, owner: BOB, intent: BUY_NO, priceTicks: 45, remainingLots: 3 });
        expect(b.depth()).toEqual({ bids: [], asks: [{ priceTicks: 55, quantityLots: 3 }] });
      });

      it("given an ask of 10 at 60, when a buy YES takes 3, then the maker rests with 7 and is not done", () => {
        const b = given(book(), order(1, ALICE, SELL_YES, 60, 10));
        const r = b.place(order(2, BOB, BUY_YES, 60, 3));
        expect(r.fills[0]?.makerDone).toBe(false);
        expect(b.get(1)?.remainingLots).toBe(7);
        expect(b.depth().asks).toEqual([{ priceTicks: 60, quantityLots: 7 }]);
      });
    });

    describe("IOC", () => {
      // ask 5 at 60 (bob); alice's IOC buys YES
      it.each([
        {
          when: "wants 8 at 60",
          price: 60,
          lots: 8,
          filled: 5,
          cancelled: 3,
          reason: CancelReason.IOC_REMAINDER,
        },
        { when: "wants 5 at 60", price: 60, lots: 5, filled: 5, cancelled: 0, reason: null },
        { when: "wants 3 at 61", price: 61, lots: 3, filled: 3, cancelled: 0, reason: null },
        {
          when: "wants 8 at 59",
          price: 59,
          lots: 8,
          filled: 0,
          cancelled: 8,
          reason: CancelReason.IOC_REMAINDER,
        },
      ])(
        "given an ask of 5 at 60, when an IOC buy YES $when, then $filled fill and $cancelled are cancelled",
        (c) => {
          const b = given(book(), order(1, BOB, SELL_YES, 60, 5));
          const r = b.place(order(2, ALICE, BUY_YES, c.price, c.lots, { timeInForce: IOC }));
          expect(sumLots(r.fills)).toBe(c.filled);
          expect(r).toMatchObject({ restingLots: 0, cancelledLots: c.cancelled, cancelReason: c.reason });
          expect(b.get(2)).toBeNull(); // an IOC never rests
          expect(b.bestBid()).toBe(0);
        },
      );
    });

    describe("FOK", () => {
      // asks: 5 at 60 (#1), 5 at 61 (#2), both bob's
      const asks = (b: OrderBook) => given(b, order(1, BOB, SELL_YES, 60, 5), order(2, BOB, BUY_NO, 39, 5));
      it.each([
        { when: "buys 10 up to 61", price: 61, lots: 10, fillable: true }, // 5 + 5 = 10
        { when: "buys 7 up to 61", price: 61, lots: 7, fillable: true }, // 5 + 2
        { when: "buys 11 up to 61", price: 61, lots: 11, fillable: false }, // only 10
        { when: "buys 10 up to 60", price: 60, lots: 10, fillable: false }, // only 5 at ≤ 60
        { when: "buys 1 up to 59", price: 59, lots: 1, fillable: false }, // nothing crosses
      ])("given asks of 5 at 60 and 61, when a FOK $when, then fillable = $fillable", (c) => {
        const b = asks(book());
        const before = snapshot(b);
        const r = b.place(order(3, ALICE, BUY_YES, c.price, c.lots, { timeInForce: FOK }));
        if (c.fillable) {
          expect(sumLots(r.fills)).toBe(c.lots);
          expect(r).toMatchObject({ removed: [], restingLots: 0, cancelledLots: 0, cancelReason: null });
        } else {
          expect(r).toEqual({
            fills: [],
            removed: [],
            restingLots: 0,
            cancelledLots: c.lots,
            cancelReason: CancelReason.FOK_NOT_FILLABLE,
          });
          expect(snapshot(b)).toEqual(before); // no partial state
        }
        expect(b.get(3)).toBeNull();
      });
    });

    describe("post-only", () => {
      // bid 5 at 40 (bob, buy YES), ask 5 at 60 (bob, buy NO at 40)
      const spread = (b: OrderBook) => given(b, order(1, BOB, BUY_YES, 40, 5), order(2, BOB, BUY_NO, 40, 5));
      it.each([
        { what: "buy YES at 59", intent: BUY_YES, price: 59, rests: true }, // bid 59 < ask 60
        { what: "buy YES at 60", intent: BUY_YES, price: 60, rests: false }, // touches ask 60
        { what: "sell NO at 41", intent: SELL_NO, price: 41, rests: true }, // bid 59
        { what: "sell NO at 40", intent: SELL_NO, price: 40, rests: false }, // bid 60 ≥ ask 60
        { what: "sell YES at 41", intent: SELL_YES, price: 41, rests: true }, // ask 41 > bid 40
        { what: "sell YES at 40", intent: SELL_YES, price: 40, rests: false },
        { what: "buy NO at 59", intent: BUY_NO, price: 59, rests: true }, // ask 41
        { what: "buy NO at 60", intent: BUY_NO, price: 60, rests: false }, // ask 40 ≤ bid 40
      ])("given a 40 / 60 market, when a post-only $what arrives, then rests = $rests", (c) => {
        const b = spread(book());
        const before = snapshot(b);
        const r = b.place(order(3, ALICE, c.intent, c.price, 7, { postOnly: true }));
        expect(r.fills).toEqual([]);
        expect(r.removed).toEqual([]);
        if (c.rests) {
          expect(r).toMatchObject({ restingLots: 7, cancelledLots: 0, cancelReason: null });
          expect(b.get(3)?.remainingLots).toBe(7);
        } else {
          expect(r).toMatchObject({
            restingLots: 0,
            cancelledLots: 7,
            cancelReason: CancelReason.POST_ONLY_WOULD_CROSS,
          });
          expect(snapshot(b)).toEqual(before);
        }
      });

      it("given the owner's own ask at 60, when its post-only buy YES at 60 arrives, then it is cancelled and nothing is removed", () => {
        const b = given(book(), order(1, ALICE, SELL_YES, 60, 5));
        const r = b.place(order(2, ALICE, BUY_YES, 60, 5, { postOnly: true }));
        expect(r).toEqual({
          fills: [],
          removed: [],
          restingLots: 0,
          cancelledLots: 5,
          cancelReason: CancelReason.POST_ONLY_WOULD_CROSS,
        });
        expect(b.get(1)?.remainingLots).toBe(5);
      });
    });

    describe("cancel", () => {
      it("given a partly filled order, when it is cancelled, then it answers the order with what was left and leaves", () => {
        const b = given(book(), order(1, ALICE, BUY_NO, 30, 10), order(2, BOB, BUY_YES, 70, 4)); // MINT 4 at 70
        expect(b.cancel(1)).toEqual({
          id: 1,
          owner: ALICE,
          intent: BUY_NO,
          priceTicks: 30,
          remainingLots: 6,
        });
        expect(b.get(1)).toBeNull();
        expect(b.restingCount()).toBe(0);
        expect([b.bestBid(), b.bestAsk()]).toEqual([0, 100]);
      });

      it.each([
        { when: "an unknown id", setup: [] as NewOrder[], id: 9 },
        { when: "an id already cancelled", setup: [order(1, ALICE, BUY_YES, 40, 5)], id: 1, twice: true },
        {
          when: "an id fully filled",
          setup: [order(1, ALICE, BUY_YES, 40, 5), order(2, BOB, SELL_YES, 40, 5)],
          id: 1,
        },
      ])("given $when, when it is cancelled, then the answer is null", (c) => {
        const b = given(book(), ...c.setup);
        if (c.twice) expect(b.cancel(c.id)).not.toBeNull();
        const before = snapshot(b);
        expect(b.cancel(c.id)).toBeNull();
        expect(snapshot(b)).toEqual(before);
      });

      it("given bids at 40 and 42 and asks at 60 and 58, when the best of each is cancelled, then the next best shows", () => {
        const b = given(
          book(),
          order(1, ALICE, BUY_YES, 40, 5),
          order(2, ALICE, BUY_YES, 42, 5),
          order(3, ALICE, SELL_YES, 60, 5),
          order(4, ALICE, BUY_NO, 42, 5), // ask 58
        );
        expect([b.bestBid(), b.bestAsk()]).toEqual([42, 58]);
        b.cancel(2);
        b.cancel(4);
        expect([b.bestBid(), b.bestAsk()]).toEqual([40, 60]);
      });

      it("given three orders at one level, when the middle one is cancelled, then the others keep their order", () => {
        const b = given(
          book(),
          order(1, ALICE, SELL_YES, 60, 1),
          order(2, BOB, SELL_YES, 60, 2),
          order(3, CAROL, SELL_YES, 60, 3),
        );
        b.cancel(2);
        expect(b.depth().asks).toEqual([{ priceTicks: 60, quantityLots: 4 }]); // 1 + 3
        const r = b.place(order(4, BOB, BUY_YES, 60, 4));
        expect(r.fills.map((f) => f.makerId)).toEqual([1, 3]);
      });
    });

    describe("self-trade prevention (cancel resting)", () => {
      it("given alice's and bob's asks interleaved, when alice buys, then her makers are removed and she fills against bob's", () => {
        const b = given(
          book(),
          order(1, ALICE, SELL_YES, 60, 5),
          order(2, BOB, SELL_YES, 60, 5),
          order(3, ALICE, BUY_NO, 39, 5), // ask 61
          order(4, BOB, SELL_YES, 61, 5),
        );
        const r = b.place(order(5, ALICE, BUY_YES, 61, 8));
        // #1 removed (5), #2 fills 5, #3 removed (5), #4 fills 3 and keeps 2
        expect(r.removed).toEqual([
          { id: 1, owner: ALICE, intent: SELL_YES, remainingLots: 5, reason: CancelReason.SELF_TRADE },
          { id: 3, owner: ALICE, intent: BUY_NO, remainingLots: 5, reason: CancelReason.SELF_TRADE },
        ]);
        expect(r.fills.map((f) => [f.makerId, f.yesPriceTicks, f.quantityLots])).toEqual([
          [2, 60, 5],
          [4, 61, 3],
        ]);
        expect(r).toMatchObject({ restingLots: 0, cancelledLots: 0, cancelReason: null });
        expect(b.restingOrders()).toEqual([
          { id: 4, owner: BOB, intent: SELL_YES, priceTicks: 61, remainingLots: 2 },
        ]);
      });

      it("given alice's ask behind bob's, when alice's buy is filled by bob's alone, then her ask stays", () => {
        const b = given(book(), order(1, BOB, SELL_YES, 60, 5), order(2, ALICE, SELL_YES, 60, 5));
        const r = b.place(order(3, ALICE, BUY_YES, 60, 5));
        expect(r.removed).toEqual([]);
        expect(r.fills.map((f) => f.makerId)).toEqual([1]);
        expect(b.get(2)?.remainingLots).toBe(5);
      });

      it("given only alice's crossing asks, when her GTC buy arrives, then they are removed and her order rests whole", () => {
        const b = given(book(), order(1, ALICE, SELL_YES, 60, 5), order(2, ALICE, SELL_YES, 62, 5));
        const r = b.place(order(3, ALICE, BUY_YES, 61, 8));
        expect(r.removed.map((x) => [x.id, x.remainingLots])).toEqual([[1, 5]]); // 62 does not cross 61
        expect(r).toMatchObject({ fills: [], restingLots: 8, cancelledLots: 0, cancelReason: null });
        expect([b.bestBid(), b.bestAsk()]).toEqual([61, 62]);
      });

      it("given only alice's crossing bid, when her IOC buy NO arrives, then the bid is removed and the IOC cancelled", () => {
        const b = given(book(), order(1, ALICE, BUY_YES, 60, 5));
        const r = b.place(order(2, ALICE, BUY_NO, 45, 3, { timeInForce: IOC })); // ask 55 crosses bid 60
        expect(r).toEqual({
          fills: [],
          removed: [
            { id: 1, owner: ALICE, intent: BUY_YES, remainingLots: 5, reason: CancelReason.SELF_TRADE },
          ],
          restingLots: 0,
          cancelledLots: 3,
          cancelReason: CancelReason.IOC_REMAINDER,
        });
        expect(b.restingCount()).toBe(0);
      });

      // asks: alice 5 at 60 (#1), bob 5 at 60 (#2); alice sends a FOK buy YES at 60
      it.each([
        { lots: 5, fillable: true }, // bob's 5 suffice; alice's #1 is removed on the way
        { lots: 6, fillable: false }, // 10 rest, but only bob's 5 count
      ])("given alice's and bob's 5 at 60, when alice's FOK buys $lots, then fillable = $fillable", (c) => {
        const b = given(book(), order(1, ALICE, SELL_YES, 60, 5), order(2, BOB, SELL_YES, 60, 5));
        const before = snapshot(b);
        const r = b.place(order(3, ALICE, BUY_YES, 60, c.lots, { timeInForce: FOK }));
        if (c.fillable) {
          expect(r.removed.map((x) => x.id)).toEqual([1]);
          expect(r.fills.map((f) => [f.makerId, f.quantityLots])).toEqual([[2, 5]]);
          expect(b.restingCount()).toBe(0);
        } else {
          expect(r).toMatchObject({ fills: [], removed: [], cancelReason: CancelReason.FOK_NOT_FILLABLE });
          expect(snapshot(b)).toEqual(before); // nothing removed either
        }
      });

      it("given other owners only, when orders cross, then nothing is ever removed", () => {
        const b = given(book(), order(1, ALICE, SELL_YES, 60, 5), order(2, BOB, SELL_YES, 60, 5));
        expect(b.place(order(3, CAROL, BUY_YES, 60, 10)).removed).toEqual([]);
      });
    });

    describe("depth and best prices", () => {
      it("given an empty book, then best bid is 0, best ask is ticks and depth is empty", () => {
        for (const ticks of [100, 1000, 10000]) {
          const b = book(ticks);
          expect([b.bestBid(), b.bestAsk(), b.restingCount()]).toEqual([0, ticks, 0]);
          expect(b.depth()).toEqual({ bids: [], asks: [] });
          expect(b.restingOrders()).toEqual([]);
        }
      });

      it("given orders of all four intents over a few prices, then depth aggregates per YES price, best first", () => {
        const b = given(
          book(),
          order(1, ALICE, BUY_YES, 40, 1), // bid 40
          order(2, BOB, SELL_NO, 60, 2), // bid 40
          order(3, ALICE, BUY_YES, 45, 4), // bid 45
          order(4, BOB, SELL_NO, 62, 8), // bid 38
          order(5, ALICE, SELL_YES, 55, 16), // ask 55
          order(6, BOB, BUY_NO, 45, 32), // ask 55
          order(7, CAROL, BUY_NO, 40, 64), // ask 60
        );
        expect(b.depth()).toEqual({
          bids: [
            { priceTicks: 45, quantityLots: 4 },
            { priceTicks: 40, quantityLots: 3 }, // 1 + 2
            { priceTicks: 38, quantityLots: 8 },
          ],
          asks: [
            { priceTicks: 55, quantityLots: 48 }, // 16 + 32
            { priceTicks: 60, quantityLots: 64 },
          ],
        });
        expect(b.depth(1)).toEqual({
          bids: [{ priceTicks: 45, quantityLots: 4 }],
          asks: [{ priceTicks: 55, quantityLots: 48 }],
        });
        expect(b.depth(0)).toEqual({ bids: [], asks: [] });
        expect([b.bestBid(), b.bestAsk()]).toEqual([45, 55]);
        // bids best first then time, then asks best first then time
        expect(b.restingOrders().map((o) => o.id)).toEqual([3, 1, 2, 4, 5, 6, 7]);
        expect(b.restingCount()).toBe(7);
      });

      it.each([
        { ticks: 1000, noPrice: 400, yes: 600 }, // 1000 - 400
        { ticks: 10000, noPrice: 1, yes: 9999 }, // the extreme prices are valid
        { ticks: 10000, noPrice: 9999, yes: 1 },
      ])("given ticks $ticks, when a buy NO at $noPrice rests, then its ask is YES $yes", (c) => {
        const b = book(c.ticks);
        b.place(order(1, ALICE, BUY_NO, c.noPrice, 3));
        expect(b.bestAsk()).toBe(c.yes);
        const r = b.place(order(2, BOB, BUY_YES, c.yes, 3));
        expect(r.fills[0]).toMatchObject({ kind: MINT, yesPriceTicks: c.yes, quantityLots: 3 });
      });
    });

    describe("preview", () => {
      // a book with both owners on both sides: bids 40 (alice 5), 42 (bob 5); asks 58 (alice 5), 60 (bob 5)
      const market = (b: OrderBook) =>
        given(
          b,
          order(1, ALICE, BUY_YES, 40, 5),
          order(2, BOB, SELL_NO, 58, 5), // bid 42
          order(3, ALICE, BUY_NO, 42, 5), // ask 58
          order(4, BOB, SELL_YES, 60, 5),
        );
      const probes = [
        { what: "a GTC buy that sweeps and rests", o: order(9, CAROL, BUY_YES, 61, 12) },
        { what: "an IOC sell NO", o: order(9, CAROL, SELL_NO, 40, 7, { timeInForce: IOC }) }, // bid 60
        { what: "a fillable FOK", o: order(9, CAROL, SELL_YES, 40, 10, { timeInForce: FOK }) },
        { what: "an unfillable FOK", o: order(9, CAROL, SELL_YES, 41, 10, { timeInForce: FOK }) },
        { what: "a post-only that rests", o: order(9, CAROL, BUY_YES, 57, 3, { postOnly: true }) },
        { what: "a post-only that crosses", o: order(9, CAROL, BUY_YES, 58, 3, { postOnly: true }) },
        { what: "a self-trading buy", o: order(9, ALICE, BUY_YES, 60, 8) }, // removes #3, fills #4
        { what: "a self-trading FOK", o: order(9, BOB, BUY_NO, 60, 5, { timeInForce: FOK }) }, // removes #2
      ];
      it.each(probes)(
        "given a two-sided book, when $what is previewed, then the book is unchanged",
        ({ o }) => {
          const b = market(book());
          const before = snapshot(b);
          const previewed = b.preview(o);
          expect(snapshot(b)).toEqual(before);
          expect(b.preview(o)).toEqual(previewed); // and previewing again says the same
          expect(b.place(o)).toEqual(previewed);
        },
      );

      it.each(probes)(
        "given a two-sided book, when $what is placed, then it equals preview + primitives",
        ({ o }) => {
          const placed = market(book());
          const replayed = market(book());
          const r = placed.place(o);
          applyOutcome(replayed, o, replayed.preview(o));
          expect(snapshot(replayed)).toEqual(snapshot(placed));
          expect(replayed.restingOrders()).toEqual(placed.restingOrders());
          expect(r).toEqual(market(book()).preview(o));
        },
      );

      it("given a sequence of orders, when one book places them and another replays previews, then they agree at every step", () => {
        const placed = book();
        const replayed = book();
        const flow = [
          order(1, ALICE, BUY_YES, 40, 10), // bid 40
          order(2, BOB, SELL_YES, 55, 10), // ask 55
          order(3, CAROL, BUY_NO, 50, 4), // ask 50
          order(4, BOB, SELL_NO, 48, 6), // bid 52: takes carol's 4 at 50, rests 2
          order(5, ALICE, SELL_YES, 39, 20, { timeInForce: IOC }), // bob's 2 at 52, alice's own bid 40 removed
          order(6, CAROL, BUY_YES, 55, 10, { timeInForce: FOK }), // bob's 10 at 55
          order(7, ALICE, BUY_NO, 50, 3, { postOnly: true }), // ask 50 on an empty book: rests
        ];
        for (const o of flow) {
          const r = placed.place(o);
          expect(replayed.preview(o)).toEqual(r);
          applyOutcome(replayed, o, r);
          expect(replayed.restingOrders()).toEqual(placed.restingOrders());
          placed.validate();
          replayed.validate();
        }
        expect(placed.restingOrders()).toEqual([
          { id: 7, owner: ALICE, intent: BUY_NO, priceTicks: 50, remainingLots: 3 },
        ]);
      });
    });

    describe("primitives", () => {
      it("given a level with one order, when another is rested there, then it goes to the back of the queue", () => {
        const b = given(book(), order(1, ALICE, SELL_YES, 60, 5));
        b.rest({ id: 2, owner: BOB, intent: BUY_NO, priceTicks: 40, remainingLots: 3 });
        expect(b.restingOrders().map((o) => o.id)).toEqual([1, 2]);
        expect(b.depth().asks).toEqual([{ priceTicks: 60, quantityLots: 8 }]);
      });

      it("given a resting order of 10, when it is reduced by 4 and then by 6, then it keeps its place and then leaves", () => {
        const b = given(book(), order(1, ALICE, BUY_YES, 40, 10), order(2, BOB, BUY_YES, 40, 10));
        b.reduce(1, 4);
        expect(b.restingOrders().map((o) => [o.id, o.remainingLots])).toEqual([
          [1, 6],
          [2, 10],
        ]);
        b.reduce(1, 6);
        expect(b.get(1)).toBeNull();
        expect(b.depth().bids).toEqual([{ priceTicks: 40, quantityLots: 10 }]);
      });

      it.each([
        { what: "more than remaining", id: 1, lots: 11 },
        { what: "zero lots", id: 1, lots: 0 },
        { what: "fractional lots", id: 1, lots: 1.5 },
        { what: "an unknown id", id: 7, lots: 1 },
      ])("given a resting order of 10, when reduce takes $what, then it throws and changes nothing", (c) => {
        const b = given(book(), order(1, ALICE, BUY_YES, 40, 10));
        const before = snapshot(b);
        expect(() => b.reduce(c.id, c.lots)).toThrow(RangeError);
        expect(snapshot(b)).toEqual(before);
      });

      it.each([
        {
          what: "a duplicate id",
          o: { id: 1, owner: BOB, intent: BUY_YES, priceTicks: 30, remainingLots: 1 },
        },
        {
          what: "a crossing bid",
          o: { id: 2, owner: BOB, intent: BUY_YES, priceTicks: 60, remainingLots: 1 },
        },
        {
          what: "a crossing NO ask",
          o: { id: 2, owner: BOB, intent: BUY_NO, priceTicks: 60, remainingLots: 1 },
        },
        { what: "zero lots", o: { id: 2, owner: BOB, intent: BUY_YES, priceTicks: 30, remainingLots: 0 } },
        { what: "price 0", o: { id: 2, owner: BOB, intent: BUY_YES, priceTicks: 0, remainingLots: 1 } },
      ] as const)("given a 40 / 60 book, when rest gets $what, then it throws and changes nothing", (c) => {
        const b = given(book(), order(1, ALICE, BUY_YES, 40, 5), order(3, ALICE, SELL_YES, 60, 5));
        const before = snapshot(b);
        expect(() => b.rest(c.o)).toThrow(RangeError);
        expect(snapshot(b)).toEqual(before);
      });
    });

    describe("invalid input", () => {
      it.each([
        { what: "price 0", o: { priceTicks: 0 } },
        { what: "price = ticks (100)", o: { priceTicks: 100 } },
        { what: "fractional price", o: { priceTicks: 50.5 } },
        { what: "zero lots", o: { quantityLots: 0 } },
        { what: "negative lots", o: { quantityLots: -3 } },
        { what: "fractional lots", o: { quantityLots: 2.5 } },
        { what: "NaN lots", o: { quantityLots: Number.NaN } },
        { what: "lots beyond 2^53", o: { quantityLots: 2 ** 53 } },
        { what: "id 0", o: { id: 0 } },
        { what: "owner 0", o: { owner: 0 } },
        { what: "an unknown intent", o: { intent: 4 as Intent } },
        { what: "an unknown time in force", o: { timeInForce: 3 as TimeInForce } },
        { what: "post-only IOC", o: { postOnly: true, timeInForce: IOC } },
        { what: "post-only FOK", o: { postOnly: true, timeInForce: FOK } },
        { what: "the id of a resting order", o: { id: 1 } },
      ])(
        "given a resting order #1, when an order with $what is placed or previewed, then RangeError",
        (c) => {
          const b = given(book(), order(1, ALICE, SELL_YES, 60, 5));
          const before = snapshot(b);
          const bad = { ...order(2, BOB, BUY_YES, 60, 5), ...c.o };
          expect(() => b.place(bad)).toThrow(RangeError);
          expect(() => b.preview(bad)).toThrow(RangeError);
          expect(snapshot(b)).toEqual(before);
        },
      );

      it("given a filled and gone order #1, when a new order reuses id 1, then it is accepted (only resting ids clash)", () => {
        const b = given(book(), order(1, ALICE, SELL_YES, 60, 5), order(2, BOB, BUY_YES, 60, 5));
        expect(b.place(order(1, ALICE, SELL_YES, 61, 5)).restingLots).toBe(5);
      });

      it.each([{ ticks: 1 }, { ticks: 0 }, { ticks: 100.5 }, { ticks: Number.NaN }])(
        "given ticks $ticks, when a book is created, then RangeError",
        ({ ticks }) => {
          expect(() => create({ ticks })).toThrow(RangeError);
        },
      );

      it("given a book, when depth is asked for -1 levels, then RangeError", () => {
        expect(() => book().depth(-1)).toThrow(RangeError);
      });
    });

    describe("many orders", () => {
      it("given 1000 orders on each side, when a sweep crosses half of the asks, then totals and best prices add up", () => {
        const b = book(1000);
        let id = 0;
        // bids at 100..499 and asks at 501..900, 2 or 3 orders per level, 1..3 lots
        for (let i = 0; i < 1000; i++) {
          b.place(order(++id, 1 + (i % 3), BUY_YES, 100 + (i % 400), 1 + (i % 3)));
          b.place(order(++id, 1 + (i % 3), SELL_YES, 501 + (i % 400), 1 + (i % 3)));
        }
        const bids = sumLots(b.depth().bids);
        const asks = sumLots(b.depth().asks);
        b.validate();
        const r = b.place(order(++id, 9, BUY_YES, 700, 1e9, { timeInForce: IOC }));
        expect(sumLots(r.fills) + sumLots(b.depth().asks)).toBe(asks);
        expect(r.fills.every((f, i) => i === 0 || f.yesPriceTicks >= r.fills[i - 1]!.yesPriceTicks)).toBe(
          true,
        );
        expect(b.bestAsk()).toBe(701);
        for (let i = 1; i <= id; i += 2) b.cancel(i); // every bid
        expect([b.bestBid(), sumLots(b.depth().bids), bids > 0]).toEqual([0, 0, true]);
      });
    });
  });
}
