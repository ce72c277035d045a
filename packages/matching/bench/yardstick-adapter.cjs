// Yardstick adapter (the shared order-book yardstick, not in this repo: PMX_YARDSTICK): drives the BUILT fast book (../dist) with the harness's workload.
//
// The harness speaks plain limit/market/cancel on prices 1..T (T = 999 or 9999); we map it onto pmx:
//   side 0 = buy = BUY_YES bid, side 1 = sell = SELL_YES ask; the book gets ticks = T + 1 so 1..T are valid;
//   a market order is an IOC at the extreme price (T for a buy, 1 for a sell) under an id above the harness's ids;
//   every order has its own owner (owner = id), so self-trade prevention never fires.
// Build first: `npx tsc -p packages/matching/tsconfig.json` (from the repo root). Node >= 20.19 loads the ESM build.
const { createOrderBook, Intent, TimeInForce } = require("../dist/index.js");

const { GTC, IOC } = TimeInForce;
const INTENT = [Intent.BUY_YES, Intent.SELL_YES];

module.exports = {
  name: "pmx-matching",
  version: () => require("../package.json").version,
  create(ticks, maxOrderId) {
    const book = createOrderBook({ ticks: ticks + 1, initialCapacity: 4096 });
    let marketId = maxOrderId; // market orders take ids maxOrderId + 1, + 2, ... (never resting, never clashing)
    return {
      limit(id, side, priceTicks, size) {
        book.place({
          id,
          owner: id,
          intent: INTENT[side],
          priceTicks,
          quantityLots: size,
          timeInForce: GTC,
          postOnly: false,
        });
      },
      cancel(id) {
        book.cancel(id);
      },
      market(side, size) {
        const id = ++marketId;
        book.place({
          id,
          owner: id,
          intent: INTENT[side],
          priceTicks: side === 0 ? ticks : 1,
          quantityLots: size,
          timeInForce: IOC,
          postOnly: false,
        });
      },
      depth() {
        const d = book.depth();
        return {
          bids: d.bids.map((l) => [l.priceTicks, l.quantityLots]),
          asks: d.asks.map((l) => [l.priceTicks, l.quantityLots]),
        };
      },
    };
  },
};
