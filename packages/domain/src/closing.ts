// A market's close at `resolvesAt`: from then on nothing matches; resting and queued orders are cancelled.
import type { Draft } from "./draft.js";
import { cancelOpenOrders } from "./execute.js";
import type { MarketState, MarketStatus } from "./state.js";

/** The market's status at `at`: an open or halted market is closed once `resolvesAt` has passed, before any tick says so. */
export function statusAt(market: MarketState, at: number): MarketStatus {
  if ((market.status === "open" || market.status === "halted") && at >= Date.parse(market.resolvesAt))
    return "closed";
  return market.status;
}

/**
 * Closes the market if `resolvesAt` has passed and no event said so yet: MarketClosed, then its resting and queued
 * orders cancelled with MARKET_CLOSED (what they reserved goes back) while the draft's budget lasts; a closed market's orders
 * left over are cancelled by the next ticks. True when the market is closed (now or before).
 */
export function closeIfDue(draft: Draft, market: MarketState): boolean {
  if (market.status === "closed") {
    cancelOpenOrders(draft, market, "MARKET_CLOSED");
    return true;
  }
  if (statusAt(market, draft.at) !== "closed") return false;
  draft.emit({ type: "MarketClosed", marketId: market.marketId, at: draft.at });
  cancelOpenOrders(draft, market, "MARKET_CLOSED");
  return true;
}
