// Conversions between decimal prices, integer ticks and money amounts for a market's tick size.
import { Intent } from "@pmx/matching";
import type { Outcome, Side } from "./codecs.js";
import { ceil6, type Money, money } from "./money.js";

/** Price of `ticks` on a market with `ticksPerUnit` ticks (exact: ticksPerUnit is a power of ten). */
export const ticksToPrice = (ticks: number, ticksPerUnit: number): Money => money(ticks).div(ticksPerUnit);

/** Cash for `quantity` shares at `priceTicks` of the share's own outcome: price × quantity, exact. */
export const costOf = (priceTicks: number, quantity: number, ticksPerUnit: number): Money =>
  money(priceTicks).times(quantity).div(ticksPerUnit);

/** Taker fee: notional × bps / 10000, rounded up to 6 places (the trader pays the rounding). */
export const takerFeeOf = (notional: Money, feeBps: number): Money =>
  feeBps === 0 ? money(0) : ceil6(notional.times(feeBps).div(10000));

export type PriceCheck =
  | { ok: true; ticks: number }
  | { ok: false; code: "PRICE_OUT_OF_RANGE" | "PRICE_NOT_ON_TICK" };

/** A price must lie strictly between 0 and 1 and be a whole number of ticks. */
export function priceTicksOf(price: string, ticksPerUnit: number): PriceCheck {
  const p = money(price);
  if (p.lte(0) || p.gte(1)) return { ok: false, code: "PRICE_OUT_OF_RANGE" };
  const ticks = p.times(ticksPerUnit);
  if (!ticks.isInteger()) return { ok: false, code: "PRICE_NOT_ON_TICK" };
  return { ok: true, ticks: ticks.toNumber() };
}

export const intentOf = (side: Side, outcome: Outcome): Intent =>
  side === "buy"
    ? outcome === "YES"
      ? Intent.BUY_YES
      : Intent.BUY_NO
    : outcome === "YES"
      ? Intent.SELL_YES
      : Intent.SELL_NO;

export const sideOf = (intent: Intent): Side =>
  intent === Intent.BUY_YES || intent === Intent.BUY_NO ? "buy" : "sell";
export const outcomeOf = (intent: Intent): Outcome =>
  intent === Intent.BUY_YES || intent === Intent.SELL_YES ? "YES" : "NO";

/** The price of an order's own outcome, in ticks, given a YES price in ticks. */
export const ownPriceTicks = (outcome: Outcome, yesPriceTicks: number, ticksPerUnit: number): number =>
  outcome === "YES" ? yesPriceTicks : ticksPerUnit - yesPriceTicks;
