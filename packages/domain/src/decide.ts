// The decider: turns a command and the current state into events, or a specific rejection. Never mutates state.
import {
  CancelReason as BookCancelReason,
  TimeInForce as BookTif,
  FillKind,
  type PlaceResult,
} from "@pmx/matching";
import { type Either, left, right } from "fp-ts/lib/Either.js";
import type { Command, CommandOf } from "./commands.js";
import type { CancelReason, Event, EventOf } from "./events.js";
import { HALF, type Money, money, toAmountString, ZERO } from "./money.js";
import {
  costOf,
  intentOf,
  outcomeOf,
  ownPriceTicks,
  priceTicksOf,
  sideOf,
  takerFeeOf,
  ticksToPrice,
} from "./prices.js";
import { type Rejection, reject } from "./rejection.js";
import {
  type AccountState,
  type MarketState,
  orderIdOf,
  referenceKey,
  type State,
  tradeIdOf,
} from "./state.js";

export type Decision = Either<Rejection, Event[]>;

/** Largest order size in shares: keeps every share count an exact integer in a JS number. */
export const MAX_QUANTITY = 1_000_000_000;

export function decide(command: Command, state: State): Decision {
  switch (command.type) {
    case "OpenAccount":
      return openAccount(command, state);
    case "Deposit":
      return deposit(command, state);
    case "Withdraw":
      return withdraw(command, state);
    case "ListMarket":
      return listMarket(command, state);
    case "HaltMarket":
      return haltMarket(command, state);
    case "ResumeMarket":
      return resumeMarket(command, state);
    case "SetMarkPrice":
      return setMarkPrice(command, state);
    case "ResolveMarket":
      return resolveMarket(command, state);
    case "PlaceOrder":
      return placeOrder(command, state);
    case "CancelOrder":
      return cancelOrder(command, state);
    default:
      return assertNever(command);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled: ${JSON.stringify(value)}`);
}

function accountOf(state: State, accountId: string): Either<Rejection, AccountState> {
  const account = state.accounts.get(accountId);
  return account ? right(account) : left(reject("UNKNOWN_ACCOUNT", `no account ${accountId}`, { accountId }));
}

function marketOf(state: State, marketId: string): Either<Rejection, MarketState> {
  const market = state.markets.get(marketId);
  return market ? right(market) : left(reject("UNKNOWN_MARKET", `no market ${marketId}`, { marketId }));
}

function positiveAmount(amount: string): Either<Rejection, Money> {
  const value = money(amount);
  return value.gt(0)
    ? right(value)
    : left(reject("INVALID_AMOUNT", "the amount must be greater than 0", { amount }));
}

function openAccount(c: CommandOf<"OpenAccount">, state: State): Decision {
  if (state.accounts.has(c.accountId))
    return left(
      reject("ACCOUNT_EXISTS", `account ${c.accountId} already exists`, { accountId: c.accountId }),
    );
  return right([{ type: "AccountOpened", accountId: c.accountId }]);
}

/** A movement already made under the same reference: the same amount is a harmless retry, another is a conflict. */
function repeatedReference(state: State, key: string, amount: Money, reference: string): Decision | null {
  const previous = state.references.get(key);
  if (previous === undefined) return null;
  if (money(previous).eq(amount)) return right([]);
  return left(
    reject("IDEMPOTENCY_CONFLICT", `reference ${reference} was already used with amount ${previous}`, {
      reference,
      amount: previous,
    }),
  );
}

function deposit(c: CommandOf<"Deposit">, state: State): Decision {
  const account = accountOf(state, c.accountId);
  if (account._tag === "Left") return account;
  const amount = positiveAmount(c.amount);
  if (amount._tag === "Left") return amount;
  const repeat = repeatedReference(
    state,
    referenceKey("deposit", c.accountId, c.reference),
    amount.right,
    c.reference,
  );
  if (repeat) return repeat;
  return right([
    {
      type: "Deposited",
      accountId: c.accountId,
      amount: toAmountString(amount.right),
      reference: c.reference,
    },
  ]);
}

function withdraw(c: CommandOf<"Withdraw">, state: State): Decision {
  const account = accountOf(state, c.accountId);
  if (account._tag === "Left") return account;
  const amount = positiveAmount(c.amount);
  if (amount._tag === "Left") return amount;
  const repeat = repeatedReference(
    state,
    referenceKey("withdrawal", c.accountId, c.reference),
    amount.right,
    c.reference,
  );
  if (repeat) return repeat;
  const free = account.right.cash;
  if (free.lt(amount.right))
    return left(
      reject(
        "INSUFFICIENT_FUNDS",
        `free cash ${toAmountString(free)} is less than ${toAmountString(amount.right)}`,
        {
          available: toAmountString(free),
          reserved: toAmountString(account.right.reserved),
          requested: toAmountString(amount.right),
        },
      ),
    );
  return right([
    {
      type: "Withdrawn",
      accountId: c.accountId,
      amount: toAmountString(amount.right),
      reference: c.reference,
    },
  ]);
}

function listMarket(c: CommandOf<"ListMarket">, state: State): Decision {
  if (state.markets.has(c.marketId))
    return left(reject("MARKET_EXISTS", `market ${c.marketId} already exists`, { marketId: c.marketId }));
  const question = c.question.trim();
  if (question.length === 0 || question.length > 500)
    return left(reject("INVALID_QUESTION", "the question must have 1 to 500 characters"));
  return right([
    {
      type: "MarketListed",
      marketId: c.marketId,
      question,
      tickSize: c.tickSize,
      resolvesAt: c.resolvesAt,
      takerFeeBps: c.takerFeeBps ?? 0,
    },
  ]);
}

function haltMarket(c: CommandOf<"HaltMarket">, state: State): Decision {
  const market = marketOf(state, c.marketId);
  if (market._tag === "Left") return market;
  if (market.right.status !== "open") return left(notOpen(market.right));
  return right([{ type: "MarketHalted", marketId: c.marketId }]);
}

function resumeMarket(c: CommandOf<"ResumeMarket">, state: State): Decision {
  const market = marketOf(state, c.marketId);
  if (market._tag === "Left") return market;
  if (market.right.status !== "halted")
    return left(
      reject("MARKET_NOT_HALTED", `market ${c.marketId} is ${market.right.status}`, {
        status: market.right.status,
      }),
    );
  return right([{ type: "MarketResumed", marketId: c.marketId }]);
}

function setMarkPrice(c: CommandOf<"SetMarkPrice">, state: State): Decision {
  const market = marketOf(state, c.marketId);
  if (market._tag === "Left") return market;
  if (market.right.status === "resolved") return left(notOpen(market.right));
  const price = money(c.price);
  if (price.lte(0) || price.gte(1))
    return left(
      reject("PRICE_OUT_OF_RANGE", "a mark price lies strictly between 0 and 1", { price: c.price }),
    );
  return right([{ type: "MarkPriceSet", marketId: c.marketId, price: toAmountString(price) }]);
}

function notOpen(market: MarketState): Rejection {
  return reject("MARKET_NOT_OPEN", `market ${market.marketId} is ${market.status}`, {
    marketId: market.marketId,
    status: market.status,
  });
}

function resolveMarket(c: CommandOf<"ResolveMarket">, state: State): Decision {
  const found = marketOf(state, c.marketId);
  if (found._tag === "Left") return found;
  const market = found.right;
  if (market.status === "resolved")
    return left(
      reject("MARKET_RESOLVED", `market ${c.marketId} resolved ${market.outcome}`, {
        outcome: market.outcome ?? "",
      }),
    );
  const events: Event[] = [{ type: "MarketResolved", marketId: c.marketId, outcome: c.outcome }];
  // Open orders are cancelled first, so every reserved share is back with its owner when positions settle.
  for (const resting of market.book.restingOrders()) {
    const order = state.orders.get(orderIdOf(resting.id))!;
    events.push(cancellation(order, "MARKET_RESOLVED", resting.remainingLots));
  }
  for (const account of state.accounts.values()) {
    const position = account.positions.get(c.marketId);
    if (!position) continue;
    const yesShares = position.yes + position.yesReserved;
    const noShares = position.no + position.noReserved;
    if (yesShares === 0 && noShares === 0) continue;
    const payout =
      c.outcome === "YES"
        ? money(yesShares)
        : c.outcome === "NO"
          ? money(noShares)
          : HALF.times(yesShares + noShares);
    events.push({
      type: "PositionSettled",
      accountId: account.accountId,
      marketId: c.marketId,
      outcome: c.outcome,
      yesShares,
      noShares,
      payout: toAmountString(payout),
    });
  }
  return right(events);
}

function cancellation(
  order: {
    orderId: string;
    accountId: string;
    marketId: string;
    reservedCash: Money;
    reservedShares: number;
  },
  reason: CancelReason,
  quantity: number,
): EventOf<"OrderCancelled"> {
  return {
    type: "OrderCancelled",
    orderId: order.orderId,
    accountId: order.accountId,
    marketId: order.marketId,
    reason,
    quantity,
    releasedCash: toAmountString(order.reservedCash),
    releasedShares: order.reservedShares,
  };
}

function cancelOrder(c: CommandOf<"CancelOrder">, state: State): Decision {
  const account = accountOf(state, c.accountId);
  if (account._tag === "Left") return account;
  const order = state.orders.get(c.orderId);
  if (!order) return left(reject("UNKNOWN_ORDER", `no order ${c.orderId}`, { orderId: c.orderId }));
  if (order.accountId !== c.accountId)
    return left(
      reject("NOT_ORDER_OWNER", `order ${c.orderId} belongs to another account`, { orderId: c.orderId }),
    );
  if (order.status !== "open")
    return left(
      reject("ORDER_NOT_OPEN", `order ${c.orderId} is ${order.status}`, {
        orderId: c.orderId,
        status: order.status,
      }),
    );
  return right([cancellation(order, "USER", order.quantity - order.filledQuantity)]);
}

const BOOK_TIF = { GTC: BookTif.GTC, IOC: BookTif.IOC, FOK: BookTif.FOK } as const;

const REASON_OF: Record<number, CancelReason> = {
  [BookCancelReason.USER]: "USER",
  [BookCancelReason.POST_ONLY_WOULD_CROSS]: "POST_ONLY_WOULD_CROSS",
  [BookCancelReason.IOC_REMAINDER]: "IOC_REMAINDER",
  [BookCancelReason.FOK_NOT_FILLABLE]: "FOK_NOT_FILLABLE",
  [BookCancelReason.SELF_TRADE]: "SELF_TRADE",
};

const KIND_OF: Record<number, "MINT" | "TRANSFER" | "MERGE"> = {
  [FillKind.MINT]: "MINT",
  [FillKind.TRANSFER]: "TRANSFER",
  [FillKind.MERGE]: "MERGE",
};

function placeOrder(c: CommandOf<"PlaceOrder">, state: State): Decision {
  const found = accountOf(state, c.accountId);
  if (found._tag === "Left") return found;
  const account = found.right;
  const foundMarket = marketOf(state, c.marketId);
  if (foundMarket._tag === "Left") return foundMarket;
  const market = foundMarket.right;

  const priceCheck = priceTicksOf(c.price, market.ticks);
  if (!priceCheck.ok)
    return left(
      priceCheck.code === "PRICE_OUT_OF_RANGE"
        ? reject("PRICE_OUT_OF_RANGE", "a price lies strictly between 0 and 1", { price: c.price })
        : reject(
            "PRICE_NOT_ON_TICK",
            `price ${c.price} is not a multiple of the tick size ${market.tickSize}`,
            {
              price: c.price,
              tickSize: market.tickSize,
            },
          ),
    );
  const priceTicks = priceCheck.ticks;
  const price = toAmountString(ticksToPrice(priceTicks, market.ticks));
  const quantity = Number(c.quantity);
  if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY)
    return left(
      reject("INVALID_QUANTITY", `quantity must be a whole number from 1 to ${MAX_QUANTITY}`, {
        quantity: c.quantity,
      }),
    );

  if (c.postOnly && c.timeInForce !== "GTC")
    return left(
      reject("INVALID_ORDER_TERMS", `a post-only order rests or is cancelled: it cannot be ${c.timeInForce}`, {
        timeInForce: c.timeInForce,
      }),
    );

  const leverage = money(c.leverage);
  if (leverage.lt(1))
    return left(reject("INVALID_LEVERAGE", "leverage is at least 1", { leverage: c.leverage }));
  if (c.side === "sell" && !leverage.eq(1))
    return left(reject("INVALID_LEVERAGE", "leverage applies to buy orders only", { leverage: c.leverage }));
  if (leverage.gt(1))
    return left(
      reject("LEVERAGE_TOO_HIGH", `leverage ${c.leverage} is above the market's maximum of 1`, {
        leverage: c.leverage,
        maxLeverage: "1",
      }),
    );

  const existing = account.clientOrders.get(c.clientOrderId);
  if (existing !== undefined) {
    const order = state.orders.get(existing)!;
    const same =
      order.marketId === c.marketId &&
      order.side === c.side &&
      order.outcome === c.outcome &&
      order.price === price &&
      order.quantity === quantity &&
      order.timeInForce === c.timeInForce &&
      order.postOnly === c.postOnly;
    if (same) return right([]);
    return left(
      reject(
        "IDEMPOTENCY_CONFLICT",
        `clientOrderId ${c.clientOrderId} was already used for a different order`,
        {
          clientOrderId: c.clientOrderId,
          orderId: existing,
        },
      ),
    );
  }

  if (market.status !== "open") return left(notOpen(market));

  if (c.side === "sell") {
    const position = account.positions.get(c.marketId);
    const free = position ? (c.outcome === "YES" ? position.yes : position.no) : 0;
    if (free < quantity)
      return left(
        reject("INSUFFICIENT_SHARES", `${free} free ${c.outcome} shares, ${quantity} to sell`, {
          available: free,
          requested: quantity,
        }),
      );
  } else {
    // Up-front check: the whole order at its limit price plus the largest taker fee it could pay.
    const limitCost = costOf(priceTicks, quantity, market.ticks);
    const upFront = limitCost.plus(takerFeeOf(limitCost, market.takerFeeBps));
    if (account.cash.lt(upFront)) return left(insufficientFunds(account, upFront));
  }

  const number = state.orderCount + 1;
  const orderId = orderIdOf(number);
  const result: PlaceResult = market.book.preview({
    id: number,
    owner: account.ordinal,
    intent: intentOf(c.side, c.outcome),
    priceTicks,
    quantityLots: quantity,
    timeInForce: BOOK_TIF[c.timeInForce],
    postOnly: c.postOnly,
  });

  const events: Event[] = [];
  const accepted: EventOf<"OrderAccepted"> = {
    type: "OrderAccepted",
    orderId,
    accountId: c.accountId,
    marketId: c.marketId,
    clientOrderId: c.clientOrderId,
    side: c.side,
    outcome: c.outcome,
    price,
    quantity,
    timeInForce: c.timeInForce,
    postOnly: c.postOnly,
    reservedCash: "0",
    reservedShares: 0,
    at: c.at,
  };
  events.push(accepted);

  for (const removed of result.removed) {
    const maker = state.orders.get(orderIdOf(removed.id))!;
    events.push(cancellation(maker, "SELF_TRADE", removed.remainingLots));
  }

  let takerCash: Money = ZERO;
  let takerShares = 0;
  let tradeNumber = state.tradeCount;
  for (const fill of result.fills) {
    const maker = state.orders.get(orderIdOf(fill.makerId))!;
    const makerOutcome = outcomeOf(fill.makerIntent);
    const takerOutcome = outcomeOf(fill.takerIntent);
    const makerAmount = costOf(
      ownPriceTicks(makerOutcome, fill.yesPriceTicks, market.ticks),
      fill.quantityLots,
      market.ticks,
    );
    const takerAmount = costOf(
      ownPriceTicks(takerOutcome, fill.yesPriceTicks, market.ticks),
      fill.quantityLots,
      market.ticks,
    );
    const takerFee = takerFeeOf(takerAmount, market.takerFeeBps);
    if (c.side === "buy") takerCash = takerCash.plus(takerAmount).plus(takerFee);
    else takerShares += fill.quantityLots;
    tradeNumber += 1;
    events.push({
      type: "TradeExecuted",
      tradeId: tradeIdOf(tradeNumber),
      marketId: c.marketId,
      kind: KIND_OF[fill.kind]!,
      yesPrice: toAmountString(ticksToPrice(fill.yesPriceTicks, market.ticks)),
      quantity: fill.quantityLots,
      makerOrderId: maker.orderId,
      makerAccountId: maker.accountId,
      makerSide: sideOf(fill.makerIntent),
      makerOutcome,
      makerAmount: toAmountString(makerAmount),
      takerOrderId: orderId,
      takerAccountId: c.accountId,
      takerSide: c.side,
      takerOutcome,
      takerAmount: toAmountString(takerAmount),
      takerFee: toAmountString(takerFee),
    });
  }

  if (result.restingLots > 0) {
    if (c.side === "buy") takerCash = takerCash.plus(costOf(priceTicks, result.restingLots, market.ticks));
    else takerShares += result.restingLots;
    events.push({ type: "OrderRested", orderId, marketId: c.marketId, quantity: result.restingLots });
  }
  if (result.cancelledLots > 0) {
    events.push({
      type: "OrderCancelled",
      orderId,
      accountId: c.accountId,
      marketId: c.marketId,
      reason: REASON_OF[result.cancelReason ?? BookCancelReason.IOC_REMAINDER]!,
      quantity: result.cancelledLots,
      releasedCash: "0",
      releasedShares: 0,
    });
  }
  // Rounding of per-fill fees can exceed the up-front bound by a few millionths: the exact need must fit too.
  if (c.side === "buy" && account.cash.lt(takerCash)) return left(insufficientFunds(account, takerCash));
  accepted.reservedCash = toAmountString(takerCash);
  accepted.reservedShares = takerShares;
  return right(events);
}

function insufficientFunds(account: AccountState, required: Money): Rejection {
  return reject(
    "INSUFFICIENT_FUNDS",
    `free cash ${toAmountString(account.cash)} is less than ${toAmountString(required)}`,
    {
      available: toAmountString(account.cash),
      required: toAmountString(required),
    },
  );
}
