// The state transition: applies one event to the state (in place, for speed) and returns it. Trusts the event.
import type { Event, EventOf } from "./events.js";
import { HALF, money } from "./money.js";
import { intentOf, priceTicksOf } from "./prices.js";
import {
  type AccountState,
  emptyPosition,
  type MarketState,
  newBook,
  type OrderState,
  orderIdOf,
  type Position,
  referenceKey,
  type State,
  TICKS_PER_UNIT,
} from "./state.js";

/** Applies `event` to `state`. The state is owned by the caller and changed in place; `decide` never changes it. */
export function evolve(state: State, event: Event): State {
  switch (event.type) {
    case "AccountOpened":
      state.accounts.set(event.accountId, {
        accountId: event.accountId,
        ordinal: state.accounts.size + 1,
        cash: money(0),
        reserved: money(0),
        positions: new Map(),
        clientOrders: new Map(),
      });
      return state;
    case "Deposited": {
      const account = accountOf(state, event.accountId);
      const amount = money(event.amount);
      account.cash = account.cash.plus(amount);
      state.totals.deposits = state.totals.deposits.plus(amount);
      state.references.set(referenceKey("deposit", event.accountId, event.reference), event.amount);
      return state;
    }
    case "Withdrawn": {
      const account = accountOf(state, event.accountId);
      const amount = money(event.amount);
      account.cash = account.cash.minus(amount);
      state.totals.withdrawals = state.totals.withdrawals.plus(amount);
      state.references.set(referenceKey("withdrawal", event.accountId, event.reference), event.amount);
      return state;
    }
    case "MarketListed":
      state.markets.set(event.marketId, {
        marketId: event.marketId,
        question: event.question,
        tickSize: event.tickSize,
        ticks: TICKS_PER_UNIT[event.tickSize],
        resolvesAt: event.resolvesAt,
        takerFeeBps: event.takerFeeBps,
        status: "open",
        outcome: null,
        book: newBook(event.tickSize),
        escrow: money(0),
        pairs: 0,
        lastPrice: null,
        markPrice: null,
        volume: 0,
        trades: 0,
      });
      return state;
    case "MarketHalted":
      marketOf(state, event.marketId).status = "halted";
      return state;
    case "MarketResumed":
      marketOf(state, event.marketId).status = "open";
      return state;
    case "MarkPriceSet":
      marketOf(state, event.marketId).markPrice = event.price;
      return state;
    case "MarketResolved": {
      const market = marketOf(state, event.marketId);
      market.status = "resolved";
      market.outcome = event.outcome;
      return state;
    }
    case "OrderAccepted":
      return orderAccepted(state, event);
    case "TradeExecuted":
      return tradeExecuted(state, event);
    case "OrderRested": {
      const order = orderOf(state, event.orderId);
      marketOf(state, event.marketId).book.rest({
        id: order.number,
        owner: accountOf(state, order.accountId).ordinal,
        intent: intentOf(order.side, order.outcome),
        priceTicks: order.priceTicks,
        remainingLots: event.quantity,
      });
      return state;
    }
    case "OrderCancelled":
      return orderCancelled(state, event);
    case "PositionSettled": {
      const account = accountOf(state, event.accountId);
      const market = marketOf(state, event.marketId);
      const payout = money(event.payout);
      market.escrow = market.escrow.minus(payout);
      account.cash = account.cash.plus(payout);
      account.positions.delete(event.marketId);
      // Pairs outstanding fall by the pairs this payout redeemed (INVALID: half of the shares on each side).
      market.pairs -=
        event.outcome === "YES"
          ? event.yesShares
          : event.outcome === "NO"
            ? event.noShares
            : HALF.times(event.yesShares + event.noShares).toNumber();
      return state;
    }
    default:
      return assertNever(event);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled event: ${JSON.stringify(value)}`);
}

/** Folds events over a state (the initial one unless given). */
export function evolveAll(state: State, events: readonly Event[]): State {
  for (const event of events) evolve(state, event);
  return state;
}

function accountOf(state: State, accountId: string): AccountState {
  const account = state.accounts.get(accountId);
  if (!account) throw new Error(`evolve: unknown account ${accountId}`);
  return account;
}

function marketOf(state: State, marketId: string): MarketState {
  const market = state.markets.get(marketId);
  if (!market) throw new Error(`evolve: unknown market ${marketId}`);
  return market;
}

function orderOf(state: State, orderId: string): OrderState {
  const order = state.orders.get(orderId);
  if (!order) throw new Error(`evolve: unknown order ${orderId}`);
  return order;
}

function positionOf(account: AccountState, marketId: string): Position {
  let position = account.positions.get(marketId);
  if (!position) {
    position = emptyPosition();
    account.positions.set(marketId, position);
  }
  return position;
}

function orderAccepted(state: State, event: EventOf<"OrderAccepted">): State {
  const account = accountOf(state, event.accountId);
  const market = marketOf(state, event.marketId);
  const check = priceTicksOf(event.price, market.ticks);
  if (!check.ok) throw new Error(`evolve: order ${event.orderId} price ${event.price} is off the book`);
  const number = state.orderCount + 1;
  if (orderIdOf(number) !== event.orderId)
    throw new Error(`evolve: order ${event.orderId} out of sequence (expected ${orderIdOf(number)})`);
  state.orderCount = number;
  const reservedCash = money(event.reservedCash);
  account.cash = account.cash.minus(reservedCash);
  account.reserved = account.reserved.plus(reservedCash);
  if (event.reservedShares > 0) {
    const position = positionOf(account, event.marketId);
    if (event.outcome === "YES") {
      position.yes -= event.reservedShares;
      position.yesReserved += event.reservedShares;
    } else {
      position.no -= event.reservedShares;
      position.noReserved += event.reservedShares;
    }
  }
  account.clientOrders.set(event.clientOrderId, event.orderId);
  state.orders.set(event.orderId, {
    orderId: event.orderId,
    number,
    accountId: event.accountId,
    marketId: event.marketId,
    clientOrderId: event.clientOrderId,
    side: event.side,
    outcome: event.outcome,
    price: event.price,
    priceTicks: check.ticks,
    quantity: event.quantity,
    timeInForce: event.timeInForce,
    postOnly: event.postOnly,
    at: event.at,
    filledQuantity: 0,
    status: "open",
    cancelReason: null,
    reservedCash,
    reservedShares: event.reservedShares,
  });
  return state;
}

/** One party's side of a fill: a buyer pays from its order's reservation and gets shares; a seller the reverse. */
function settleParty(
  state: State,
  order: OrderState,
  outcome: "YES" | "NO",
  side: "buy" | "sell",
  quantity: number,
  amount: string,
  fee: string,
): void {
  const account = accountOf(state, order.accountId);
  const position = positionOf(account, order.marketId);
  if (side === "buy") {
    const paid = money(amount).plus(fee);
    order.reservedCash = order.reservedCash.minus(paid);
    account.reserved = account.reserved.minus(paid);
    if (outcome === "YES") position.yes += quantity;
    else position.no += quantity;
  } else {
    order.reservedShares -= quantity;
    if (outcome === "YES") position.yesReserved -= quantity;
    else position.noReserved -= quantity;
    account.cash = account.cash.plus(money(amount).minus(fee));
  }
  order.filledQuantity += quantity;
  if (order.filledQuantity === order.quantity) order.status = "filled";
}

function tradeExecuted(state: State, event: EventOf<"TradeExecuted">): State {
  const market = marketOf(state, event.marketId);
  const maker = orderOf(state, event.makerOrderId);
  const taker = orderOf(state, event.takerOrderId);
  market.book.reduce(maker.number, event.quantity);
  settleParty(state, maker, event.makerOutcome, event.makerSide, event.quantity, event.makerAmount, "0");
  settleParty(
    state,
    taker,
    event.takerOutcome,
    event.takerSide,
    event.quantity,
    event.takerAmount,
    event.takerFee,
  );
  state.totals.fees = state.totals.fees.plus(event.takerFee);
  if (event.kind === "MINT") {
    market.escrow = market.escrow.plus(event.quantity);
    market.pairs += event.quantity;
  } else if (event.kind === "MERGE") {
    market.escrow = market.escrow.minus(event.quantity);
    market.pairs -= event.quantity;
  }
  market.lastPrice = event.yesPrice;
  market.volume += event.quantity;
  market.trades += 1;
  state.tradeCount += 1;
  return state;
}

function orderCancelled(state: State, event: EventOf<"OrderCancelled">): State {
  const order = orderOf(state, event.orderId);
  const account = accountOf(state, order.accountId);
  const market = marketOf(state, order.marketId);
  // A resting order leaves the book; a taker's unfilled remainder never reached it.
  if (market.book.get(order.number)) market.book.cancel(order.number);
  const cash = money(event.releasedCash);
  order.reservedCash = order.reservedCash.minus(cash);
  account.reserved = account.reserved.minus(cash);
  account.cash = account.cash.plus(cash);
  if (event.releasedShares > 0) {
    order.reservedShares -= event.releasedShares;
    const position = positionOf(account, order.marketId);
    if (order.outcome === "YES") {
      position.yesReserved -= event.releasedShares;
      position.yes += event.releasedShares;
    } else {
      position.noReserved -= event.releasedShares;
      position.no += event.releasedShares;
    }
  }
  order.status = "cancelled";
  order.cancelReason = event.reason;
  return state;
}
