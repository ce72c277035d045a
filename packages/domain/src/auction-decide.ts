// When a tick finds an auction due, it uncrosses (halted markets wait for their resumption).
import { uncrossAuction } from "./auction.js";
import type { Draft } from "./draft.js";
import type { MarketState } from "./state.js";

export function auctionDecisions(draft: Draft, market: MarketState): void {
  const until = draft.auctionUntil(market);
  if (until === null || market.status !== "open" || draft.at < until) return;
  uncrossAuction(draft, market);
}
