// Property: random operation sequences give identical results on the fast and reference books, a third book
// replaying preview + primitives agrees with both, every invariant holds after every step, and lots are conserved.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createOrderBook,
  createReferenceBook,
  type Intent,
  type NewOrder,
  type OrderBook,
  type RestingOrder,
  type TimeInForce,
} from "../src/index.js";
import { applyOutcome, snapshot, sumLots } from "./support.js";

type Op =
  | {
      kind: "place";
      preview: boolean;
      owner: number;
      intent: Intent;
      offset: number;
      lots: number;
      tif: TimeInForce;
      postOnly: boolean;
      reuseId: number | null;
    }
  | { kind: "rest"; owner: number; intent: Intent; offset: number; lots: number }
  | { kind: "cancel"; pick: number }
  | { kind: "reduce"; pick: number; share: number };

const intentArb = fc.constantFrom<Intent>(0, 1, 2, 3);
// prices cluster around the middle of the book so that orders cross often; a few fall outside 1..ticks-1
const offsetArb = fc.oneof({ weight: 20, arbitrary: fc.integer({ min: -6, max: 6 }) }, fc.constant(1000));
const lotsArb = fc.oneof({ weight: 10, arbitrary: fc.integer({ min: 1, max: 12 }) }, fc.constant(0));
const ownerArb = fc.integer({ min: 1, max: 3 }); // three owners: self-trades are common

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("place" as const),
      preview: fc.integer({ min: 0, max: 4 }).map((n) => n === 0), // a fifth are only previewed
      owner: ownerArb,
      intent: intentArb,
      offset: offsetArb,
      lots: lotsArb,
      tif: fc.constantFrom<TimeInForce>(0, 0, 1, 2),
      postOnly: fc.boolean(),
      reuseId: fc.option(fc.nat(), { freq: 10 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("rest" as const),
      owner: ownerArb,
      intent: intentArb,
      offset: offsetArb,
      lots: lotsArb,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("reduce" as const),
      pick: fc.nat(),
      share: fc.double({ min: 0, max: 1.2, noNaN: true }),
    }),
  },
);

/** Runs `f` on a book; answers what it returned or the error class it threw. */
function attempt<T>(f: () => T): { ok: true; value: T } | { ok: false; error: string } {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    return { ok: false, error: (e as Error).constructor.name };
  }
}

function run(ticks: number, ops: readonly Op[]): void {
  const fast = createOrderBook({ ticks, initialCapacity: 1 });
  const ref = createReferenceBook({ ticks });
  const replay = createOrderBook({ ticks }); // driven only by preview + primitives
  const books: OrderBook[] = [fast, ref, replay];
  const ids: number[] = []; // every id used so far (cancel / reduce pick among them, and one unknown id)
  let nextId = 1;
  // lot ledger: every lot that entered the book went out through exactly one door, or still rests
  let lotsIn = 0;
  let lotsFilled = 0; // counted once per fill; each fill takes that many lots from taker and maker
  let lotsOut = 0; // cancelled remainders, self-trade removals, user cancels, reduces
  const mid = Math.floor(ticks / 2);
  const price = (intent: Intent, offset: number) => {
    if (offset === 1000) return ticks; // invalid on purpose
    const yes = Math.min(ticks - 1, Math.max(1, mid + offset));
    return intent >= 2 ? ticks - yes : yes;
  };
  const pick = (n: number) =>
    ids.length === 0 || n % (ids.length + 1) === ids.length ? 999_999 : ids[n % ids.length]!;

  for (const op of ops) {
    switch (op.kind) {
      case "place": {
        const id = op.reuseId !== null && ids.length > 0 ? pick(op.reuseId) : nextId++;
        const o: NewOrder = {
          id,
          owner: op.owner,
          intent: op.intent,
          priceTicks: price(op.intent, op.offset),
          quantityLots: op.lots,
          timeInForce: op.tif,
          postOnly: op.postOnly && op.tif === 0,
        };
        if (!ids.includes(id)) ids.push(id);
        const before = fast.restingOrders();
        const viaPreview = attempt(() => fast.preview(o));
        expect(attempt(() => ref.preview(o))).toEqual(viaPreview);
        expect(fast.restingOrders()).toEqual(before); // preview changed nothing
        if (op.preview) break;
        const placed = attempt(() => fast.place(o));
        expect(attempt(() => ref.place(o))).toEqual(placed);
        expect(placed).toEqual(viaPreview);
        if (placed.ok) {
          applyOutcome(replay, o, replay.preview(o));
          const r = placed.value;
          expect(sumLots(r.fills) + r.restingLots + r.cancelledLots).toBe(o.quantityLots);
          lotsIn += o.quantityLots;
          lotsFilled += sumLots(r.fills);
          lotsOut += r.cancelledLots + r.removed.reduce((n, x) => n + x.remainingLots, 0);
        } else {
          expect(fast.restingOrders()).toEqual(before); // a rejected order changed nothing
        }
        break;
      }
      case "rest": {
        const id = nextId++;
        ids.push(id);
        const o: RestingOrder = {
          id,
          owner: op.owner,
          intent: op.intent,
          priceTicks: price(op.intent, op.offset),
          remainingLots: op.lots,
        };
        const outcomes = books.map((b) => attempt(() => b.rest(o)));
        expect(outcomes[1]).toEqual(outcomes[0]);
        expect(outcomes[2]).toEqual(outcomes[0]);
        if (outcomes[0]!.ok) lotsIn += o.remainingLots;
        break;
      }
      case "cancel": {
        const id = pick(op.pick);
        const [a, b, c] = books.map((b) => b.cancel(id));
        expect(b).toEqual(a);
        expect(c).toEqual(a);
        if (a) lotsOut += a.remainingLots;
        break;
      }
      case "reduce": {
        const id = pick(op.pick);
        const left = fast.get(id)?.remainingLots ?? 1;
        const lots = Math.max(0, Math.round(op.share * left)); // sometimes 0 or more than left: must throw
        const outcomes = books.map((b) => attempt(() => b.reduce(id, lots)));
        expect(outcomes[1]).toEqual(outcomes[0]);
        expect(outcomes[2]).toEqual(outcomes[0]);
        if (outcomes[0]!.ok) lotsOut += lots;
        break;
      }
    }
    for (const b of books) b.validate();
    const s = snapshot(fast);
    expect(snapshot(ref)).toEqual(s);
    expect(snapshot(replay)).toEqual(s);
    const resting = s.orders.reduce((n, o) => n + o.remainingLots, 0);
    expect(lotsIn).toBe(2 * lotsFilled + lotsOut + resting);
  }
}

describe("fast book ≡ reference book on random operation sequences", () => {
  it.each([{ ticks: 10 }, { ticks: 100 }, { ticks: 10000 }])(
    "given ticks $ticks, when random places, previews, rests, cancels and reduces run, then both books agree step by step",
    ({ ticks }) => {
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 80 }), (ops) => run(ticks, ops)),
        { numRuns: 300 },
      );
    },
  );
});
