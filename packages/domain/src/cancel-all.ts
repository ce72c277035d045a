// CancelAllOrders: every open order of an account (in one market, or all), cancelled by one command.
import { type Either, left, right } from "fp-ts/lib/Either.js";
import type { CommandOf } from "./commands.js";
import type { Event } from "./events.js";
import { cancellation } from "./execute.js";
import { type Rejection, reject } from "./rejection.js";
import type { State } from "./state.js";

/**
 * One OrderCancelled (reason USER) per open order of the account, in order-number order; none (and no rejection)
 * when it has no open order. Orders the exchange placed to liquidate a position are not the owner's to cancel and
 * are left alone. Unknown account or market: the same rejections as elsewhere.
 */
export function cancelAllOrders(c: CommandOf<"CancelAllOrders">, state: State): Either<Rejection, Event[]> {
  const account = state.accounts.get(c.accountId);
  if (!account)
    return left(reject("UNKNOWN_ACCOUNT", `no account ${c.accountId}`, { accountId: c.accountId }));
  if (c.marketId !== undefined && !state.markets.has(c.marketId))
    return left(reject("UNKNOWN_MARKET", `no market ${c.marketId}`, { marketId: c.marketId }));
  const events: Event[] = [];
  // clientOrders holds every order the account ever placed, in placement (= number) order.
  for (const orderId of account.clientOrders.values()) {
    const order = state.orders.get(orderId);
    if (order?.status !== "open" || order.source === "liquidation") continue;
    if (c.marketId !== undefined && order.marketId !== c.marketId) continue;
    events.push(cancellation(order, "USER", order.quantity - order.filledQuantity));
  }
  return right(events);
}
