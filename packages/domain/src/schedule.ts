// A market's credit schedule: when the hazard window and the scheduled deleveraging before it begin (ms).
import type { MarketState } from "./state.js";

/** When the hazard window begins: from then on nothing is lent, and lenders cannot leave while loans are open. */
export const hazardStartOf = (market: MarketState): number =>
  Date.parse(market.resolvesAt) - market.risk.hazardWindowSeconds * 1000;

/** When the scheduled deleveraging begins: every loan is called, due at the hazard window's start; no new loan. */
export const deleverageStartOf = (market: MarketState): number =>
  hazardStartOf(market) - market.risk.deleverageGraceSeconds * 1000;
