// Memory check: 1,000,000 resting orders across 100 fast books (ticks 1000), then prints heap / RSS in MiB.
// usage (from the repo root, after building): node --expose-gc packages/matching/bench/memory.mjs
import { createOrderBook, Intent, TimeInForce } from "../dist/index.js";

const MiB = 1024 * 1024;
globalThis.gc?.();
const before = process.memoryUsage();
const books = [];
let id = 0;
for (let b = 0; b < 100; b++) {
  const book = createOrderBook({ ticks: 1000 });
  for (let i = 0; i < 10_000; i++) {
    const bid = i % 2 === 0;
    book.place({
      id: ++id,
      owner: 1 + (id % 5000),
      intent: bid ? Intent.BUY_YES : Intent.SELL_YES,
      priceTicks: bid ? 1 + (i % 499) : 501 + (i % 499),
      quantityLots: 1 + (i % 100),
      timeInForce: TimeInForce.GTC,
      postOnly: false,
    });
  }
  books.push(book);
}
globalThis.gc?.();
const after = process.memoryUsage();
const resting = books.reduce((n, b) => n + b.restingCount(), 0);
console.log(
  JSON.stringify({
    books: books.length,
    resting,
    heapUsedMiB: +((after.heapUsed - before.heapUsed) / MiB).toFixed(1),
    arrayBuffersMiB: +((after.arrayBuffers - before.arrayBuffers) / MiB).toFixed(1),
    rssMiB: +(after.rss / MiB).toFixed(1),
  }),
);
