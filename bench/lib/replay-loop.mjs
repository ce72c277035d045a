// The work of `pmx replay --verify` per event (ExchangeProjection.applyStored over the store's pages: chain hash,
// decoding, evolve, views) without the final state hash, for logs on which the CLI cannot finish (see target 5).
// usage: node --max-old-space-size=16384 bench/lib/replay-loop.mjs <sqlite file>   -> one JSON line
import { openSqliteStore } from "@pmx/eventstore";
import { ExchangeProjection } from "@pmx/projections";

const store = openSqliteStore(process.argv[2]);
const projection = new ExchangeProjection();
const t0 = performance.now();
let bad = null;
for await (const stored of store.read("pmx", 0)) {
  const r = projection.applyStored(stored);
  if (!r.ok) {
    bad = { revision: stored.revision, problem: r.problem };
    break;
  }
}
const ms = Math.round(performance.now() - t0);
await store.close();
console.log(
  JSON.stringify({
    ok: bad === null,
    bad,
    events: projection.eventCount,
    commands: projection.lastSeq,
    head: projection.head,
    ordersInState: projection.state.orders.size,
    ms,
    mode: "applyStored loop, no final state hash",
  }),
);
