// Intent geometry on the single YES-price book: which side an intent sits on, its YES price, a fill's kind.
import { BookSide, FillKind, Intent } from "./types.js";

/** Buy YES and sell NO are bids; sell YES and buy NO are asks. */
export function bookSideOf(intent: Intent): BookSide {
  return intent === Intent.BUY_YES || intent === Intent.SELL_NO ? BookSide.BID : BookSide.ASK;
}

/** True for BUY_YES and BUY_NO. */
export function isBuy(intent: Intent): boolean {
  return intent === Intent.BUY_YES || intent === Intent.BUY_NO;
}

/** True for BUY_NO and SELL_NO: their prices are in NO ticks. */
export function isNo(intent: Intent): boolean {
  return intent === Intent.BUY_NO || intent === Intent.SELL_NO;
}

/** An order's price on the YES book: a YES price as is, a NO price p at `ticks - p`. */
export function yesPriceOf(intent: Intent, priceTicks: number, ticks: number): number {
  return isNo(intent) ? ticks - priceTicks : priceTicks;
}

/** The inverse of yesPriceOf: a YES-book price in the order's own outcome's ticks. */
export function ownPriceOf(intent: Intent, yesPriceTicks: number, ticks: number): number {
  return isNo(intent) ? ticks - yesPriceTicks : yesPriceTicks;
}

/**
 * Two buyers MINT a pair (YES + NO), two sellers MERGE a pair back into collateral, and a buyer meeting a
 * seller of the same outcome is a TRANSFER. (Orders on opposite sides of the book are always one of these.)
 */
export function fillKindOf(takerIntent: Intent, makerIntent: Intent): FillKind {
  const buys = (isBuy(takerIntent) ? 1 : 0) + (isBuy(makerIntent) ? 1 : 0);
  return buys === 2 ? FillKind.MINT : buys === 0 ? FillKind.MERGE : FillKind.TRANSFER;
}
