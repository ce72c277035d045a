// The yardstick's operation stream (workload.js of the shared order-book yardstick, PMX_YARDSTICK) turned into pmx commands.
//
// Mapping (documented in docs/performance.md):
//   LIMIT side 0 (buy)  -> PlaceOrder buy YES at p = price/T, GTC
//   LIMIT side 1 (sell) -> PlaceOrder buy NO at 1 - p, GTC (on the YES book a NO bid at 1 - p is a YES ask at p,
//                          so the book sees exactly the yardstick's order; no pre-minted inventory is needed,
//                          and a cross between the two is a MINT fill)
//   MARKET side 0       -> PlaceOrder buy YES at the highest price (T-1)/T, IOC
//   MARKET side 1       -> PlaceOrder buy NO at (T-1)/T (a YES ask at 1 tick), IOC
//   CANCEL id           -> CancelOrder of the order that LIMIT id became, by the account that placed it
// Operation i is sent by account a{i mod accounts} (round robin); every account is funded before timing.
import { createRequire } from "node:module";
import { yardstick } from "./common.mjs";

const require = createRequire(import.meta.url);
export const workloadModule = () => require(`${yardstick()}/workload.js`);

export const MARKET_ID = "bench";
export const AT = Date.parse("2030-01-01T00:00:00Z");
export const TAKER_FEE_BPS = 10;

export const tickSizeOf = (ticks) => {
  if (ticks === 999) return "0.001";
  if (ticks === 9999) return "0.0001";
  if (ticks === 99) return "0.01";
  throw new Error(`no tick size with ${ticks} ticks`);
};

/** "0.532" for 532 of 1000: the canonical decimal string of ticks / (ticks + 1). */
export function priceStringOf(priceTicks, ticksPerUnit) {
  const digits = String(ticksPerUnit).length - 1;
  const s = String(priceTicks).padStart(digits, "0").replace(/0+$/, "");
  return s === "" ? "0" : `0.${s}`;
}

export const accountIdOf = (k) => `a${k}`;

/** Setup commands: `accounts` accounts opened and funded, the market(s) listed. */
export function setupCommands({ accounts, ticks, markets = [MARKET_ID], deposit = "1000000000", at = AT }) {
  const out = [];
  for (const marketId of markets)
    out.push({
      type: "ListMarket",
      at,
      marketId,
      question: `benchmark market ${marketId}`,
      tickSize: tickSizeOf(ticks),
      resolvesAt: "2099-01-01T00:00:00Z",
      takerFeeBps: TAKER_FEE_BPS,
    });
  for (let k = 0; k < accounts; k++) {
    const accountId = accountIdOf(k);
    out.push({ type: "OpenAccount", at, accountId });
    out.push({ type: "Deposit", at, accountId, amount: deposit, reference: `d-${k}` });
  }
  return out;
}

/**
 * The workload's n operations as commands. `firstOrderNumber` is the number the first PlaceOrder will get
 * (orders placed before the stream shift it). Answers the commands and the generated workload.
 */
export function streamCommands({
  n,
  ticks,
  seed = 42,
  accounts = 1000,
  firstOrderNumber = 1,
  at = AT,
  marketId = MARKET_ID,
  clientPrefix = "c",
  workload = null,
}) {
  const w = workload ?? workloadModule().generate({ n, ticks, seed });
  const { OP_LIMIT, OP_CANCEL } = workloadModule();
  const T = ticks + 1;
  const prices = new Array(T);
  for (let p = 1; p < T; p++) prices[p] = priceStringOf(p, T);
  const top = prices[T - 1];
  const accountIds = new Array(accounts);
  for (let k = 0; k < accounts; k++) accountIds[k] = accountIdOf(k);
  // harness id -> [orderId, accountId]
  const orderIdOf = new Array(n + 1);
  const ownerOf = new Array(n + 1);
  let number = firstOrderNumber;
  const commands = new Array(n);
  for (let i = 0; i < n; i++) {
    const o = w.op[i];
    if (o === OP_CANCEL) {
      const id = w.id[i];
      commands[i] = { type: "CancelOrder", at, accountId: ownerOf[id], orderId: orderIdOf[id] };
      continue;
    }
    const accountId = accountIds[i % accounts];
    const buyYes = w.side[i] === 0;
    const limit = o === OP_LIMIT;
    const price = limit ? (buyYes ? prices[w.price[i]] : prices[T - w.price[i]]) : top;
    commands[i] = {
      type: "PlaceOrder",
      at,
      accountId,
      marketId,
      clientOrderId: `${clientPrefix}${i}`,
      side: "buy",
      outcome: buyYes ? "YES" : "NO",
      price,
      quantity: String(w.size[i]),
      timeInForce: limit ? "GTC" : "IOC",
      postOnly: false,
      leverage: "1",
    };
    if (limit) {
      orderIdOf[w.id[i]] = `o-${number}`;
      ownerOf[w.id[i]] = accountId;
    }
    number += 1;
  }
  return { commands, workload: w, nextOrderNumber: number };
}

/** Aggregated YES depth of a pmx book, in the yardstick's shape, for the end-state check. */
export function depthOf(book) {
  const d = book.depth();
  return {
    bids: d.bids.map((l) => [l.priceTicks, l.quantityLots]),
    asks: d.asks.map((l) => [l.priceTicks, l.quantityLots]),
  };
}
