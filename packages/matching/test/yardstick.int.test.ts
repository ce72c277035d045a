// The shared order-book yardstick's workload (not in this repo: PMX_YARDSTICK names its folder) through the fast book: the end state
// (aggregated depth, resting count, traded lots, fill count) must equal the harness's own reference.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { createOrderBook, Intent, type NewOrder, TimeInForce } from "../src/index.js";

interface Workload {
  op: Uint8Array;
  side: Uint8Array;
  price: Uint16Array;
  size: Uint32Array;
  id: Uint32Array;
  expected: {
    bids: [number, number][];
    asks: [number, number][];
    restingOrders: number;
    tradedQty: number;
    fills: number;
  };
}
interface WorkloadModule {
  generate(options: { n: number; seed: number; ticks: number }): Workload;
  OP_LIMIT: number;
  OP_CANCEL: number;
}

// The yardstick is a separate tree (its bench/orderbook folder), named by PMX_YARDSTICK; without it this is skipped.
const workloadPath = process.env.PMX_YARDSTICK ? join(resolve(process.env.PMX_YARDSTICK), "workload.js") : "";
const present = workloadPath !== "" && existsSync(workloadPath);
const N = 200_000;

describe.skipIf(!present)(
  present
    ? "yardstick workload through the fast book"
    : "yardstick workload through the fast book — SKIPPED: set PMX_YARDSTICK to the shared order-book yardstick's bench/orderbook folder (not part of this repo) to run it",
  () => {
    // ticks 999 → prices 1..999 → a book of 1000 ticks; 9999 → 10000 ticks. Buy = BUY_YES, sell = SELL_YES,
    // one owner per order (no self-trade prevention), market = IOC at the extreme price.
    it.each([{ ticks: 999 }, { ticks: 9999 }])(
      `given the seeded ${N}-op workload at $ticks ticks, when every op is applied, then the end state is the reference's`,
      ({ ticks }) => {
        const wl = createRequire(import.meta.url)(workloadPath) as WorkloadModule;
        const w = wl.generate({ n: N, seed: 42, ticks });
        const book = createOrderBook({ ticks: ticks + 1 });
        const intent = [Intent.BUY_YES, Intent.SELL_YES] as const;
        let marketId = N;
        let traded = 0;
        let fills = 0;
        for (let i = 0; i < N; i++) {
          const op = w.op[i]!;
          if (op === wl.OP_CANCEL) {
            expect(book.cancel(w.id[i]!)).not.toBeNull(); // the harness only cancels resting orders
            continue;
          }
          const side = w.side[i]!;
          const isLimit = op === wl.OP_LIMIT;
          const id = isLimit ? w.id[i]! : ++marketId;
          const o: NewOrder = {
            id,
            owner: id,
            intent: intent[side]!,
            priceTicks: isLimit ? w.price[i]! : side === 0 ? ticks : 1,
            quantityLots: w.size[i]!,
            timeInForce: isLimit ? TimeInForce.GTC : TimeInForce.IOC,
            postOnly: false,
          };
          const r = book.place(o);
          for (const f of r.fills) traded += f.quantityLots;
          fills += r.fills.length;
          if ((i & 16383) === 0) book.validate();
        }
        book.validate();
        const d = book.depth();
        expect({
          bids: d.bids.map((l) => [l.priceTicks, l.quantityLots]),
          asks: d.asks.map((l) => [l.priceTicks, l.quantityLots]),
          restingOrders: book.restingCount(),
          tradedQty: traded,
          fills,
        }).toEqual(w.expected);
      },
    );
  },
);
