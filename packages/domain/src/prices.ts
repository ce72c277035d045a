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

/** A price must lie strictly between 0 and 1 and be a whole number of ticks (exact: decimal digits, no floats). */
export function priceTicksOf(price: string, ticksPerUnit: number): PriceCheck {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(price);
  if (!match) return { ok: false, code: "PRICE_OUT_OF_RANGE" };
  const whole = match[1]!;
  const fraction = (match[2] ?? "").replace(/0+$/, "");
  if (!/^0+$/.test(whole) || fraction.length === 0) return { ok: false, code: "PRICE_OUT_OF_RANGE" };
  // ticksPerUnit is 10^places: a price on the tick has at most `places` decimals.
  const places = String(ticksPerUnit).length - 1;
  if (fraction.length > places) return { ok: false, code: "PRICE_NOT_ON_TICK" };
  return { ok: true, ticks: Number(fraction.padEnd(places, "0")) };
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
