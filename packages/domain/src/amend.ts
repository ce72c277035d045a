// Amending a resting order in place (issue 13): a smaller quantity at the same price keeps its time priority; a new
// price or a larger quantity moves it to the back of its new level. An amend never trades: a price that would cross
// the book is refused (cancel and place a new order to take liquidity).
import { Intent } from "@pmx/matching";
import { type Either, left, right } from "fp-ts/lib/Either.js";
import { statusAt } from "./closing.js";
import type { CommandOf } from "./commands.js";
import type { Event } from "./events.js";
import { toAmountString } from "./money.js";
import {
  intentOf,
  MAX_QUANTITY,
  priceRefusal,
  priceStringOf,
  priceTicksOf,
  restingReserveOf,
} from "./prices.js";
import { type Rejection, reject } from "./rejection.js";
import { referenceKey, type State } from "./state.js";

type Decision = Either<Rejection, Event[]>;

/** What an amend's clientRequestId stands for (its retry must ask for the same). */
export const amendTerms = (orderId: string, price: string, quantity: number): string =>
  `${orderId}|${price}|${quantity}`;

/** True when an order of this intent at `priceTicks` (its own outcome's) would meet the other side of the book. */
function wouldCross(
  book: { bestBid(): number; bestAsk(): number },
  intent: Intent,
  priceTicks: number,
  ticks: number,
) {
  switch (intent) {
    case Intent.BUY_YES:
      return book.bestAsk() <= priceTicks;
    case Intent.SELL_YES:
      return book.bestBid() >= priceTicks;
    case Intent.BUY_NO:
      return book.bestBid() >= ticks - priceTicks;
    default:
      return book.bestAsk() <= ticks - priceTicks;
  }
}

export function amendOrder(c: CommandOf<"AmendOrder">, state: State): Decision {
  const account = state.accounts.get(c.accountId);
  if (!account)
    return left(reject("UNKNOWN_ACCOUNT", `no account ${c.accountId}`, { accountId: c.accountId }));
  const order = state.orders.get(c.orderId);
  if (!order) return left(reject("UNKNOWN_ORDER", `no order ${c.orderId}`, { orderId: c.orderId }));
  if (order.accountId !== c.accountId)
    return left(
      reject("NOT_ORDER_OWNER", `order ${c.orderId} belongs to another account`, { orderId: c.orderId }),
    );
  const market = state.markets.get(order.marketId)!;
  const key = referenceKey("amend", c.accountId, c.clientRequestId);
  const earlier = state.references.get(key);
  const price = c.price ?? order.price;
  const priceCheck = priceTicksOf(price, market.ticks);
  if (!priceCheck.ok) return left(priceRefusal(priceCheck, price, market.tickSize));
  const priceTicks = priceCheck.ticks;
  const quantity = c.quantity === undefined ? order.quantity : Number(c.quantity);
  const terms = amendTerms(order.orderId, priceStringOf(priceTicks, market.ticks), quantity);
  if (earlier !== undefined) {
    if (earlier === terms) return right([]);
    return left(
      reject(
        "IDEMPOTENCY_CONFLICT",
        `clientRequestId ${c.clientRequestId} was already used for another amend`,
        {
          clientRequestId: c.clientRequestId,
        },
      ),
    );
  }
  if (c.price === undefined && c.quantity === undefined)
    return left(reject("INVALID_ORDER_TERMS", "an amend names a new price, a new quantity, or both"));
  if (order.status !== "open" || !market.book.get(order.number))
    return left(
      reject("ORDER_NOT_OPEN", `order ${c.orderId} is not resting in the book (${order.status})`, {
        orderId: c.orderId,
        status: order.status,
      }),
    );
  if (order.source !== null)
    return left(
      reject(
        "INVALID_ORDER_TERMS",
        `order ${c.orderId} sells pledged shares: cancel it and reduce the position again`,
      ),
    );
  if (statusAt(market, c.at) !== "open" || market.auctionUntil !== null)
    return left(
      reject("MARKET_NOT_OPEN", `market ${market.marketId} is not matching (${statusAt(market, c.at)})`, {
        marketId: market.marketId,
        status: market.auctionUntil !== null ? "auction" : statusAt(market, c.at),
      }),
    );
  if (!Number.isSafeInteger(quantity) || quantity <= order.filledQuantity || quantity > MAX_QUANTITY)
    return left(
      reject(
        "INVALID_QUANTITY",
        `the new quantity is the order's whole quantity, more than the ${order.filledQuantity} already filled and at most ${MAX_QUANTITY}`,
        { quantity: c.quantity ?? "", filledQuantity: order.filledQuantity },
      ),
    );
  const remaining = order.quantity - order.filledQuantity;
  const newRemaining = quantity - order.filledQuantity;
  if (priceTicks === order.priceTicks && quantity === order.quantity) return right([]);
  const intent = intentOf(order.side, order.outcome) as Intent;
  if (priceTicks !== order.priceTicks && wouldCross(market.book, intent, priceTicks, market.ticks))
    return left(
      reject("AMEND_WOULD_CROSS", `at ${price} order ${c.orderId} would trade: an amend never does`, {
        price,
      }),
    );
  const reservedCash =
    order.side === "buy"
      ? restingReserveOf(priceTicks, newRemaining, market.ticks, order.leverage)
      : order.reservedCash;
  const reservedShares = order.side === "sell" ? newRemaining : 0;
  const moreCash = reservedCash.minus(order.reservedCash);
  if (moreCash.gt(account.cash))
    return left(
      reject(
        "INSUFFICIENT_FUNDS",
        `free cash ${toAmountString(account.cash)} is less than the ${toAmountString(moreCash)} more the order needs`,
        { available: toAmountString(account.cash), required: toAmountString(moreCash) },
      ),
    );
  if (order.side === "sell") {
    const position = account.positions.get(order.marketId);
    const free = (order.outcome === "YES" ? position?.yes : position?.no) ?? 0;
    if (newRemaining - order.reservedShares > free)
      return left(
        reject(
          "INSUFFICIENT_SHARES",
          `${free} free ${order.outcome} shares, ${newRemaining - order.reservedShares} more needed`,
          {
            available: free,
            requested: newRemaining - order.reservedShares,
          },
        ),
      );
  }
  return right([
    {
      type: "OrderAmended",
      orderId: order.orderId,
      accountId: order.accountId,
      marketId: order.marketId,
      price: priceStringOf(priceTicks, market.ticks),
      quantity,
      keptPriority: priceTicks === order.priceTicks && newRemaining < remaining,
      reservedCash: toAmountString(reservedCash),
      reservedShares,
      clientRequestId: c.clientRequestId,
    },
  ]);
}
