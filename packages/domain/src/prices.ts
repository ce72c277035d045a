// Conversions between decimal prices, integer ticks and money amounts for a market's tick size.
import { Margin } from "@pmx/liquidation";
import { Intent } from "@pmx/matching";
import type { Outcome, Side } from "./codecs.js";
import { ceil6, type Money, money, toAmountString, ZERO } from "./money.js";
import { type Rejection, reject } from "./rejection.js";

/**
 * What a tick size's prices are, computed once per tick size (at most 10,001 entries): each price as a Money and
 * as its canonical string, and the string of every price on the tick back to its ticks. The hot path of order
 * placement looks prices up here instead of parsing and dividing decimals for every order and fill.
 */
interface PriceTable {
  readonly prices: readonly Money[];
  readonly strings: readonly string[];
  readonly ticksOf: ReadonlyMap<string, PriceCheck>;
  /** The tick size as a Money: 1 / ticksPerUnit. */
  readonly tick: Money;
}

const PRICE_TABLES = new Map<number, PriceTable>();

function priceTable(ticksPerUnit: number): PriceTable {
  let table = PRICE_TABLES.get(ticksPerUnit);
  if (!table) {
    const prices: Money[] = [];
    const strings: string[] = [];
    const ticksOf = new Map<string, PriceCheck>();
    for (let ticks = 0; ticks <= ticksPerUnit; ticks++) {
      const price = money(ticks).div(ticksPerUnit);
      prices.push(price);
      strings.push(toAmountString(price));
      if (ticks > 0 && ticks < ticksPerUnit) ticksOf.set(toAmountString(price), { ok: true, ticks });
    }
    table = { prices, strings, ticksOf, tick: money(1).div(ticksPerUnit) };
    PRICE_TABLES.set(ticksPerUnit, table);
  }
  return table;
}

const isTickIndex = (ticks: number, ticksPerUnit: number): boolean =>
  Number.isInteger(ticks) && ticks >= 0 && ticks <= ticksPerUnit;

/** Price of `ticks` on a market with `ticksPerUnit` ticks (exact: ticksPerUnit is a power of ten). */
export const ticksToPrice = (ticks: number, ticksPerUnit: number): Money =>
  isTickIndex(ticks, ticksPerUnit) ? priceTable(ticksPerUnit).prices[ticks]! : money(ticks).div(ticksPerUnit);

/** The canonical decimal string of the price of `ticks` ("0.5", "0.537"). */
export const priceStringOf = (ticks: number, ticksPerUnit: number): string =>
  isTickIndex(ticks, ticksPerUnit)
    ? priceTable(ticksPerUnit).strings[ticks]!
    : toAmountString(money(ticks).div(ticksPerUnit));

/**
 * Cash for `quantity` shares at `priceTicks` of the share's own outcome: price × quantity, exact. The integer
 * product ticks × lots is formed first (one multiplication by the tick size instead of a multiplication and a
 * division); beyond 2^53 it is left to decimals.
 */
export function costOf(priceTicks: number, quantity: number, ticksPerUnit: number): Money {
  const tickLots = priceTicks * quantity;
  return Number.isSafeInteger(tickLots)
    ? money(tickLots).times(priceTable(ticksPerUnit).tick)
    : money(priceTicks).times(quantity).div(ticksPerUnit);
}

/**
 * What a resting buy reserves for `lots` at its limit: the whole cost at 1x; a leveraged one (`leverage` above 1)
 * only its own part, cost − Margin.loanForPurchase(cost, leverage), the loan being drawn from the pool at each fill.
 * A fill of q of r lots left uses ownOf(r) − ownOf(r − q) of it: over all fills exactly what was reserved.
 */
export function restingReserveOf(
  priceTicks: number,
  lots: number,
  ticksPerUnit: number,
  leverage: Money | string | null,
): Money {
  const cost = costOf(priceTicks, lots, ticksPerUnit);
  return leverage === null
    ? cost
    : Margin.marginForPurchase(cost, typeof leverage === "string" ? money(leverage) : leverage);
}

const BASIS_POINT = money("0.0001");

/** Taker fee: notional × bps / 10000, rounded up to 6 places (the trader pays the rounding). */
export const takerFeeOf = (notional: Money, feeBps: number): Money =>
  feeBps === 0 || notional.isZero() ? ZERO : ceil6(notional.times(feeBps).times(BASIS_POINT));

/** The most shares one order (or conversion) may name: every share count stays an exact integer in a JS number. */
export const MAX_QUANTITY = 1_000_000_000;

/** The rejection of a price that failed `priceTicksOf` (out of range, or not on the market's tick). */
export function priceRefusal(
  check: { readonly code: "PRICE_OUT_OF_RANGE" | "PRICE_NOT_ON_TICK" },
  price: string,
  tickSize: string,
): Rejection {
  return check.code === "PRICE_OUT_OF_RANGE"
    ? reject("PRICE_OUT_OF_RANGE", "a price lies strictly between 0 and 1", { price })
    : reject("PRICE_NOT_ON_TICK", `price ${price} is not a multiple of the tick size ${tickSize}`, {
        price,
        tickSize,
      });
}

export type PriceCheck =
  | { readonly ok: true; readonly ticks: number }
  | { readonly ok: false; readonly code: "PRICE_OUT_OF_RANGE" | "PRICE_NOT_ON_TICK" };

/** A price must lie strictly between 0 and 1 and be a whole number of ticks (exact: decimal digits, no floats). */
export function priceTicksOf(price: string, ticksPerUnit: number): PriceCheck {
  // Canonical prices (what events and most clients send) are looked up; any other spelling is parsed.
  const known = priceTable(ticksPerUnit).ticksOf.get(price);
  if (known) return known;
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
