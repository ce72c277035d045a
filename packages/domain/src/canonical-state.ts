// The canonical text of a state: everything that matters, in a fixed order, for the state hash.
import { canonicalJson } from "./canonical-json.js";
import { toAmountString } from "./money.js";
import type { State } from "./state.js";

const byKey = <V>(map: Map<string, V>): [string, V][] =>
  [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** A deterministic serialization of the whole state (accounts, markets with their books, orders, totals). */
export function canonicalState(state: State): string {
  return canonicalJson({
    accounts: byKey(state.accounts).map(([, a]) => ({
      accountId: a.accountId,
      ordinal: a.ordinal,
      cash: toAmountString(a.cash),
      reserved: toAmountString(a.reserved),
      positions: byKey(a.positions).map(([marketId, p]) => ({ marketId, ...p })),
      clientOrders: byKey(a.clientOrders),
    })),
    markets: byKey(state.markets).map(([, m]) => ({
      marketId: m.marketId,
      question: m.question,
      tickSize: m.tickSize,
      resolvesAt: m.resolvesAt,
      takerFeeBps: m.takerFeeBps,
      status: m.status,
      outcome: m.outcome,
      escrow: toAmountString(m.escrow),
      pairs: m.pairs,
      lastPrice: m.lastPrice,
      markPrice: m.markPrice,
      volume: m.volume,
      trades: m.trades,
      book: m.book.restingOrders(),
    })),
    orders: [...state.orders.values()]
      .sort((a, b) => a.number - b.number)
      .map((o) => ({ ...o, reservedCash: toAmountString(o.reservedCash) })),
    references: byKey(state.references),
    totals: {
      deposits: toAmountString(state.totals.deposits),
      withdrawals: toAmountString(state.totals.withdrawals),
      fees: toAmountString(state.totals.fees),
    },
    orderCount: state.orderCount,
    tradeCount: state.tradeCount,
  });
}
