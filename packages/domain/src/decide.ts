// The decider: turns a command and the current state into events, or a specific rejection. Never mutates state.
import { Leverage, Margin, SocializedLoss } from "@pmx/liquidation";
import { type Either, left, right } from "fp-ts/lib/Either.js";
import { decideAccountKey } from "./account-keys.js";
import { amendOrder } from "./amend.js";
import { auctionDecisions } from "./auction-decide.js";
import { exposureLimitBreach } from "./borrowing.js";
import { cancelAllOrders } from "./cancel-all.js";
import { closeIfDue, statusAt } from "./closing.js";
import type { Command, CommandOf, LogCommand } from "./commands.js";
import { deleverageSweep } from "./deleverage.js";
import { Draft } from "./draft.js";
import type { Event } from "./events.js";
import { cancellation, executeOrder } from "./execute.js";
import { listMarket } from "./listing.js";
import { markOf, refreshMark } from "./mark.js";
import { type Money, money, ONE, toAmountString } from "./money.js";
import {
  challengeEvent,
  convertPositions,
  finalizeEventIfDue,
  listEvent,
  resolveEvent,
  ruleEvent,
} from "./neg-risk.js";
import { poolValueAt } from "./pool-value.js";
import { costOf, MAX_QUANTITY, priceRefusal, priceStringOf, priceTicksOf, takerFeeOf } from "./prices.js";
import { type Rejection, reject } from "./rejection.js";
import { challenge, eventMarket, finalizeIfDue, resolutionPending, resolve, rule } from "./resolution.js";
import { accrueFunding, currentMaxLeverage, repayLoan, riskSweep, settleShortfalls } from "./risk.js";
import { hazardStartOf } from "./schedule.js";
import { continueSettlement } from "./settlement.js";
import {
  type AccountState,
  leveragedKey,
  type MarketState,
  orderIdOf,
  type ReferenceKind,
  referenceKey,
  type State,
} from "./state.js";

export type Decision = Either<Rejection, Event[]>;

/** Decides any command the log records: account-key records apart, the exchange's commands through `decide`. */
export function decideLogCommand(command: LogCommand, state: State): Decision {
  if (command.type === "RegisterAccountKey" || command.type === "RevokeAccountKey")
    return decideAccountKey(command, state);
  return decide(command, state);
}

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
    case "ListEvent":
      return listEvent(command, state);
    case "ConvertPositions":
      return convertPositions(command, state);
    case "ResolveEvent":
      return resolveEvent(command, state);
    case "ChallengeEventResolution":
      return challengeEvent(command, state);
    case "RuleEventResolution":
      return ruleEvent(command, state);
    case "ContinueSettlement":
      return continueSettlementOf(command, state);
    case "HaltMarket":
      return haltMarket(command, state);
    case "ResumeMarket":
      return resumeMarket(command, state);
    case "SetMarkPrice":
      return setMarkPrice(command, state);
    case "ResolveMarket":
      return resolveMarket(command, state);
    case "ChallengeResolution":
      return challenge(command, state);
    case "RuleResolution":
      return rule(command, state);
    case "PlaceOrder":
      return placeOrder(command, state);
    case "CancelOrder":
      return cancelOrder(command, state);
    case "AmendOrder":
      return amendOrder(command, state);
    case "CancelAllOrders":
      return cancelAllOrders(command, state);
    case "SupplyPool":
      return supplyPool(command, state);
    case "RedeemPool":
      return redeemPool(command, state);
    case "DepositInsurance":
      return depositInsurance(command, state);
    case "ReducePosition":
      return reducePosition(command, state);
    case "AddMargin":
      return addMargin(command, state);
    case "SetBackstopBid":
      return setBackstopBid(command, state);
    case "Tick":
      return tick(command, state);
    case "AdvanceClock": {
      const work = tick(command, state);
      return work._tag === "Left" ? work : right([{ type: "ClockAdvanced", at: command.at }, ...work.right]);
    }
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

function haltMarket(c: CommandOf<"HaltMarket">, state: State): Decision {
  const market = marketOf(state, c.marketId);
  if (market._tag === "Left") return market;
  if (statusAt(market.right, c.at) !== "open") return left(notOpen(market.right, c.at));
  return right([{ type: "MarketHalted", marketId: c.marketId }]);
}

/** A halted market reopens through a call auction: orders collect for the auction's duration, then uncross. */
function resumeMarket(c: CommandOf<"ResumeMarket">, state: State): Decision {
  const market = marketOf(state, c.marketId);
  if (market._tag === "Left") return market;
  if (market.right.resolution !== null) return left(resolutionPending(market.right, market.right.resolution));
  const status = statusAt(market.right, c.at);
  if (status !== "halted")
    return left(
      reject("MARKET_NOT_HALTED", `market ${c.marketId} is ${status}`, {
        status,
      }),
    );
  return right([
    { type: "MarketResumed", marketId: c.marketId },
    {
      type: "AuctionStarted",
      marketId: c.marketId,
      until: Math.max(c.at + market.right.risk.auctionDurationSeconds * 1000, market.right.auctionUntil ?? 0),
      reason: "REOPENING",
    },
  ]);
}

/** The oracle's mark: a source of the risk mark (a fresh oracle leads it, within the band); then every leveraged position is checked. */
function setMarkPrice(c: CommandOf<"SetMarkPrice">, state: State): Decision {
  const found = marketOf(state, c.marketId);
  if (found._tag === "Left") return found;
  const market = found.right;
  if (market.status === "resolved") return left(notOpen(market));
  const price = money(c.price);
  if (price.lte(0) || price.gte(1))
    return left(
      reject("PRICE_OUT_OF_RANGE", "a mark price lies strictly between 0 and 1", { price: c.price }),
    );
  const draft = new Draft(state, c.at);
  draft.emit({ type: "MarkPriceSet", marketId: c.marketId, price: toAmountString(price), at: c.at });
  // A closed market matches nothing: the oracle's price is recorded, no position is called or sold on it.
  if (closeIfDue(draft, market)) return right(draft.events);
  const riskMark = refreshMark(draft, market, { price, at: c.at });
  riskSweep(draft, market, riskMark);
  deleverageSweep(draft, market, riskMark);
  settleShortfalls(draft);
  return right(draft.events);
}

/** MARKET_NOT_OPEN with the market's status at `at` (closed once resolvesAt has passed, before any tick said so). */
function notOpen(market: MarketState, at?: number): Rejection {
  const status = at === undefined ? market.status : statusAt(market, at);
  const why = status === "closed" ? ` (resolvesAt ${market.resolvesAt} has passed)` : "";
  return reject("MARKET_NOT_OPEN", `market ${market.marketId} is ${status}${why}`, {
    marketId: market.marketId,
    status,
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
  if (market.eventId !== null) return left(eventMarket(market));
  // At once without a challenge window (the default), else a proposal: resolution.ts.
  return resolve(c, state, market);
}

/** The next piece of a resolved market's settlement in pieces (the gateway sends these until SettlementCompleted). */
function continueSettlementOf(c: CommandOf<"ContinueSettlement">, state: State): Decision {
  const found = marketOf(state, c.marketId);
  if (found._tag === "Left") return found;
  const market = found.right;
  if (!market.settlementPending)
    return left(
      reject("NOTHING_TO_SETTLE", `market ${c.marketId} has no settlement in progress`, {
        marketId: c.marketId,
        status: market.status,
      }),
    );
  const draft = new Draft(state, c.at);
  continueSettlement(draft, market);
  settleShortfalls(draft);
  return right(draft.events);
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

function placeOrder(c: CommandOf<"PlaceOrder">, state: State): Decision {
  const found = accountOf(state, c.accountId);
  if (found._tag === "Left") return found;
  const account = found.right;
  const foundMarket = marketOf(state, c.marketId);
  if (foundMarket._tag === "Left") return foundMarket;
  const market = foundMarket.right;

  const priceCheck = priceTicksOf(c.price, market.ticks);
  if (!priceCheck.ok) return left(priceRefusal(priceCheck, c.price, market.tickSize));
  const priceTicks = priceCheck.ticks;
  const price = priceStringOf(priceTicks, market.ticks);
  const quantity = Number(c.quantity);
  if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY)
    return left(
      reject("INVALID_QUANTITY", `quantity must be a whole number from 1 to ${MAX_QUANTITY}`, {
        quantity: c.quantity,
      }),
    );
  if (c.postOnly && c.timeInForce !== "GTC")
    return left(
      reject(
        "INVALID_ORDER_TERMS",
        `a post-only order rests or is cancelled: it cannot be ${c.timeInForce}`,
        {
          timeInForce: c.timeInForce,
        },
      ),
    );

  const leverage = c.leverage === "1" ? ONE : money(c.leverage);
  if (leverage.lt(1))
    return left(reject("INVALID_LEVERAGE", "leverage is at least 1", { leverage: c.leverage }));
  if (c.side === "sell" && !leverage.eq(1))
    return left(reject("INVALID_LEVERAGE", "leverage applies to buy orders only", { leverage: c.leverage }));
  const leveraged = leverage.gt(1);

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
      order.postOnly === c.postOnly &&
      (order.leverage ?? "1") === toAmountString(leverage);
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

  if (statusAt(market, c.at) !== "open") return left(notOpen(market, c.at));

  if (leveraged) {
    const cap = market.auctionUntil !== null ? money(1) : currentMaxLeverage(market, c.at, market.pool);
    if (leverage.gt(cap))
      return left(
        reject(
          "LEVERAGE_TOO_HIGH",
          `leverage ${c.leverage} is above the market's maximum of ${toAmountString(cap)}`,
          {
            leverage: c.leverage,
            maxLeverage: toAmountString(cap),
          },
        ),
      );
  }

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
    // Up-front check: the whole order at its limit price (its own part of it when leveraged) plus the largest taker fee.
    const limitCost = costOf(priceTicks, quantity, market.ticks);
    const own = leveraged ? limitCost.minus(Margin.loanForPurchase(limitCost, leverage)) : limitCost;
    const upFront = own.plus(takerFeeOf(limitCost, market.takerFeeBps));
    if (account.cash.lt(upFront)) return left(insufficientFunds(account, upFront));
  }

  if (market.auctionUntil !== null) return queueForAuction(c, state, market, priceTicks, price, quantity);

  const draft = new Draft(state, c.at);
  const executed = executeOrder(
    draft,
    market,
    {
      accountId: c.accountId,
      ordinal: account.ordinal,
      clientOrderId: c.clientOrderId,
      side: c.side,
      outcome: c.outcome,
      priceTicks,
      quantity,
      timeInForce: c.timeInForce,
      postOnly: c.postOnly,
      leverage: leveraged ? leverage : null,
      source: null,
    },
    false,
  );
  if (executed._tag === "Left") return executed;
  if (leveraged && executed.right.filled > 0) {
    // New borrowing must not leave the position liquidatable at the mark: equity ≥ maintenance requirement.
    const mark = markOf(market);
    const existing = market.leveraged.get(leveragedKey(c.accountId, c.outcome));
    if (mark !== null) {
      const position = {
        shares: money((existing ? existing.shares + existing.sharesReserved : 0) + executed.right.filled),
        loan: (existing?.loan ?? money(0)).plus(executed.right.loan),
      };
      const q = Margin.outcomePrice(c.outcome, mark);
      if (Margin.isBelowMaintenance(market.risk, position, q))
        return left(
          reject(
            "INSUFFICIENT_MARGIN",
            "after this buy the position's equity at the mark would be below its maintenance requirement",
            {
              equity: toAmountString(Margin.equity(position, q)),
              maintenanceRequirement: toAmountString(Margin.maintenanceRequirement(market.risk, position, q)),
              markPrice: toAmountString(mark),
            },
          ),
        );
    }
  }
  if (leveraged) {
    // The pool as this order found it: resting leveraged buys it filled have drawn their loans first.
    const after = draft.pool(market);
    const pool = {
      cash: after.cash.plus(executed.right.loan),
      lent: after.lent.minus(executed.right.borrowed),
    };
    const room = Leverage.maxBorrow(market.risk, {
      poolAssets: pool.cash.plus(pool.lent),
      poolLent: pool.lent,
    });
    if (executed.right.loan.gt(room))
      return left(
        reject(
          "INSUFFICIENT_POOL_LIQUIDITY",
          `the pool can lend ${toAmountString(room)}, the order needs ${toAmountString(executed.right.loan)}`,
          {
            available: toAmountString(room),
            required: toAmountString(executed.right.loan),
          },
        ),
      );
    const exposure = exposureLimitBreach(market, c.accountId, executed.right.borrowed, pool);
    if (exposure !== null) return left(exposure);
  }
  return right(draft.events);
}

/** During a call auction a limit order is collected (reserving its limit cost; auctions charge no taker fee). */
function queueForAuction(
  c: CommandOf<"PlaceOrder">,
  state: State,
  market: MarketState,
  priceTicks: number,
  price: string,
  quantity: number,
): Decision {
  if (c.timeInForce !== "GTC" || c.postOnly || !money(c.leverage).eq(1))
    return left(
      reject(
        "MARKET_IN_AUCTION",
        "the market is in a call auction: it collects GTC limit orders until it uncrosses",
        {
          auctionUntil: market.auctionUntil ?? 0,
        },
      ),
    );
  const orderId = orderIdOf(state.orderCount + 1);
  return right([
    {
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
      reservedCash: c.side === "buy" ? toAmountString(costOf(priceTicks, quantity, market.ticks)) : "0",
      reservedShares: c.side === "sell" ? quantity : 0,
      at: c.at,
      queued: true,
    },
    { type: "OrderQueued", orderId, marketId: c.marketId, quantity },
  ]);
}

// ---- the credit layer ----

function referenceRepeat(
  state: State,
  kind: ReferenceKind,
  owner: string,
  reference: string,
  value: Money,
): Decision | null {
  return repeatedReference(state, referenceKey(kind, owner, reference), value, reference);
}

/** Supplying buys pool shares at the current share value (rounded down, against the supplier). */
function supplyPool(c: CommandOf<"SupplyPool">, state: State): Decision {
  const account = accountOf(state, c.accountId);
  if (account._tag === "Left") return account;
  const found = marketOf(state, c.marketId);
  if (found._tag === "Left") return found;
  const amount = positiveAmount(c.amount);
  if (amount._tag === "Left") return amount;
  const repeat = referenceRepeat(state, "supply", c.accountId, c.reference, amount.right);
  if (repeat) return repeat;
  const market = found.right;
  if (market.status === "resolved") return left(notOpen(market));
  if (account.right.cash.lt(amount.right)) return left(insufficientFunds(account.right, amount.right));
  const pool = market.pool;
  const shares = SocializedLoss.sharesForDeposit(amount.right, poolValueAt(market, c.at), pool.shares);
  if (shares === null || shares.lte(0))
    return left(
      reject("POOL_INSOLVENT", "the pool's shares are worth nothing: it takes no new supply", {
        marketId: c.marketId,
      }),
    );
  return right([
    {
      type: "PoolSupplied",
      marketId: c.marketId,
      accountId: c.accountId,
      amount: toAmountString(amount.right),
      shares: toAmountString(shares),
      reference: c.reference,
    },
  ]);
}

/** Redeeming pays the shares' value, only out of the pool's cash: what is lent out cannot be taken. */
function redeemPool(c: CommandOf<"RedeemPool">, state: State): Decision {
  const account = accountOf(state, c.accountId);
  if (account._tag === "Left") return account;
  const found = marketOf(state, c.marketId);
  if (found._tag === "Left") return found;
  const shares = positiveAmount(c.shares);
  if (shares._tag === "Left") return shares;
  const repeat = referenceRepeat(state, "redeem", c.accountId, c.reference, shares.right);
  if (repeat) return repeat;
  const pool = found.right.pool;
  const held = pool.providers.get(c.accountId) ?? money(0);
  if (held.lt(shares.right))
    return left(
      reject("INSUFFICIENT_POOL_SHARES", `${toAmountString(held)} pool shares held, ${c.shares} to redeem`, {
        available: toAmountString(held),
      }),
    );
  const market = found.right;
  const hazardStart = hazardStartOf(market);
  if (c.at >= hazardStart && pool.lent.gt(0))
    return left(
      reject(
        "POOL_REDEMPTION_LOCKED",
        `inside the hazard window (from ${new Date(hazardStart).toISOString()}) lenders cannot leave while loans are open`,
        { hazardWindowStart: new Date(hazardStart).toISOString(), lent: toAmountString(pool.lent) },
      ),
    );
  const amount = SocializedLoss.assetsForRedeem(shares.right, poolValueAt(market, c.at), pool.shares);
  // No lender run: what stays lent must stay within the lending limit of what is left, lent ≤ uMax × assets.
  const limit = ONE.minus(found.right.risk.utilizationBuffer);
  const room = Leverage.maxRedeemable(pool.cash, pool.lent, limit);
  if (amount.gt(pool.cash))
    return left(
      reject(
        "POOL_CASH_LENT_OUT",
        `the shares are worth ${toAmountString(amount)} but the pool holds only ${toAmountString(pool.cash)} in cash: at most ${toAmountString(room)} can be redeemed now`,
        {
          value: toAmountString(amount),
          poolCash: toAmountString(pool.cash),
          maxRedeemable: toAmountString(room),
        },
      ),
    );
  if (amount.gt(room))
    return left(
      reject(
        "POOL_UTILIZATION_LIMIT",
        `redeeming ${toAmountString(amount)} would take utilization past ${toAmountString(limit)}: at most ${toAmountString(room)} can be redeemed now`,
        { value: toAmountString(amount), maxRedeemable: toAmountString(room) },
      ),
    );
  return right([
    {
      type: "PoolRedeemed",
      marketId: c.marketId,
      accountId: c.accountId,
      shares: toAmountString(shares.right),
      amount: toAmountString(amount),
      reference: c.reference,
    },
  ]);
}

function depositInsurance(c: CommandOf<"DepositInsurance">, state: State): Decision {
  if (c.fundId !== "shared") {
    const marketId = c.fundId.startsWith("market:") ? c.fundId.slice("market:".length) : null;
    if (marketId === null || !state.markets.has(marketId))
      return left(
        reject("UNKNOWN_FUND", `no insurance fund ${c.fundId}: funds are "shared" and "market:{marketId}"`, {
          fundId: c.fundId,
        }),
      );
  }
  const amount = positiveAmount(c.amount);
  if (amount._tag === "Left") return amount;
  const repeat = referenceRepeat(state, "insurance", c.fundId, c.reference, amount.right);
  if (repeat) return repeat;
  return right([
    {
      type: "InsuranceDeposited",
      fundId: c.fundId,
      amount: toAmountString(amount.right),
      reference: c.reference,
    },
  ]);
}

function leveragedPositionOf(market: MarketState, accountId: string, outcome: "YES" | "NO") {
  const position = market.leveraged.get(leveragedKey(accountId, outcome));
  return position
    ? right(position)
    : left(
        reject(
          "NO_POSITION",
          `account ${accountId} has no leveraged ${outcome} position in ${market.marketId}`,
        ),
      );
}

/** Sells pledged shares (IOC at `price` or better); the proceeds repay the loan first; a repaid loan frees the rest. */
function reducePosition(c: CommandOf<"ReducePosition">, state: State): Decision {
  const account = accountOf(state, c.accountId);
  if (account._tag === "Left") return account;
  const found = marketOf(state, c.marketId);
  if (found._tag === "Left") return found;
  const market = found.right;
  const clientOrderId = c.clientRequestId === undefined ? null : `reduce:${c.clientRequestId}`;
  const earlier = clientOrderId === null ? undefined : account.right.clientOrders.get(clientOrderId);
  if (earlier !== undefined) {
    const order = state.orders.get(earlier)!;
    const ticks = priceTicksOf(c.price, market.ticks);
    const same =
      order.marketId === c.marketId &&
      order.outcome === c.outcome &&
      order.quantity === Number(c.quantity) &&
      ticks.ok &&
      order.price === priceStringOf(ticks.ticks, market.ticks);
    if (same) return right([]);
    return left(
      reject(
        "IDEMPOTENCY_CONFLICT",
        `clientRequestId ${c.clientRequestId} was already used for a different reduction`,
        { clientRequestId: c.clientRequestId!, orderId: earlier },
      ),
    );
  }
  if (statusAt(market, c.at) !== "open" || market.auctionUntil !== null) return left(notOpen(market, c.at));
  const position = leveragedPositionOf(market, c.accountId, c.outcome);
  if (position._tag === "Left") return position;
  const quantity = Number(c.quantity);
  if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > position.right.shares)
    return left(
      reject("INVALID_QUANTITY", `the position holds ${position.right.shares} pledged shares`, {
        quantity: c.quantity,
      }),
    );
  const check = priceTicksOf(c.price, market.ticks);
  if (!check.ok)
    return left(
      reject(check.code, `price ${c.price} is not a valid price on this market`, { price: c.price }),
    );
  const draft = new Draft(state, c.at);
  const executed = executeOrder(
    draft,
    market,
    {
      accountId: c.accountId,
      ordinal: account.right.ordinal,
      clientOrderId: clientOrderId ?? `reduce-${draft.orderCount + 1}`,
      side: "sell",
      outcome: c.outcome,
      priceTicks: check.ticks,
      quantity,
      timeInForce: "IOC",
      postOnly: false,
      leverage: null,
      source: "position",
    },
    true,
  );
  if (executed._tag === "Left") return executed;
  const p = draft.position(market, position.right);
  p.shares -= executed.right.filled;
  const proceeds = executed.right.cash;
  if (p.shares === 0 && proceeds.lt(p.loan))
    return left(
      reject(
        "LOAN_NOT_COVERED",
        "selling every pledged share must repay the loan: add margin first, or sell fewer",
        {
          proceeds: toAmountString(proceeds),
          loan: toAmountString(p.loan),
        },
      ),
    );
  repayLoan(draft, market, position.right, proceeds.lt(p.loan) ? proceeds : p.loan, "reduce");
  if (p.loan.isZero())
    draft.emit({
      type: "PositionClosed",
      marketId: c.marketId,
      accountId: c.accountId,
      outcome: c.outcome,
      reason: "REPAID",
    });
  return right(draft.events);
}

/** Added margin repays the loan from free cash (at most the whole loan); equity back above maintenance clears a call. */
function addMargin(c: CommandOf<"AddMargin">, state: State): Decision {
  const account = accountOf(state, c.accountId);
  if (account._tag === "Left") return account;
  const found = marketOf(state, c.marketId);
  if (found._tag === "Left") return found;
  const market = found.right;
  const amount = positiveAmount(c.amount);
  if (amount._tag === "Left") return amount;
  const repeat = referenceRepeat(state, "margin", c.accountId, c.reference, amount.right);
  if (repeat) return repeat;
  const position = leveragedPositionOf(market, c.accountId, c.outcome);
  if (position._tag === "Left") return position;
  if (account.right.cash.lt(amount.right)) return left(insufficientFunds(account.right, amount.right));
  const pay = amount.right.gt(position.right.loan) ? position.right.loan : amount.right;
  const draft = new Draft(state, c.at);
  repayLoan(draft, market, position.right, pay, "margin", {
    reference: c.reference,
    requested: amount.right,
  });
  const p = draft.position(market, position.right);
  if (p.loan.isZero())
    draft.emit({
      type: "PositionClosed",
      marketId: c.marketId,
      accountId: c.accountId,
      outcome: c.outcome,
      reason: "REPAID",
    });
  else riskSweep(draft, market, markOf(market));
  settleShortfalls(draft);
  return right(draft.events);
}

function setBackstopBid(c: CommandOf<"SetBackstopBid">, state: State): Decision {
  const account = accountOf(state, c.accountId);
  if (account._tag === "Left") return account;
  const found = marketOf(state, c.marketId);
  if (found._tag === "Left") return found;
  const maxShares = Number(c.maxShares);
  const price = money(c.price);
  if (maxShares > 0 && (price.lte(0) || price.gte(1)))
    return left(
      reject("PRICE_OUT_OF_RANGE", "a backstop price lies strictly between 0 and 1", { price: c.price }),
    );
  return right([
    {
      type: "BackstopBidSet",
      marketId: c.marketId,
      accountId: c.accountId,
      outcome: c.outcome,
      price: toAmountString(price),
      maxShares,
    },
  ]);
}

/** Time passes for every market: auctions that are due uncross, scheduled deleveraging sells, jump-risk fees accrue, margin-call deadlines bite, bad debts share the shared fund. */
function tick(c: { at: number }, state: State): Decision {
  const draft = new Draft(state, c.at);
  // An event's proposal whose window has passed (unchallenged, or ruled) resolves all of its markets first.
  const resolvedNow = new Set<string>();
  for (const group of state.eventGroups.values())
    if (finalizeEventIfDue(draft, group)) for (const marketId of group.marketIds) resolvedNow.add(marketId);
  for (const market of state.markets.values()) {
    // A closed market waits for its resolution: no auction, sale or fee (none accrues after resolvesAt anyway).
    // A proposed resolution whose window has passed (unchallenged, or ruled) becomes final first.
    // A settlement in pieces goes on at each tick too (the gateway's ContinueSettlement commands are the fast path).
    if (market.settlementPending) continueSettlement(draft, market);
    if (
      market.status === "resolved" ||
      resolvedNow.has(market.marketId) ||
      finalizeIfDue(draft, market) ||
      closeIfDue(draft, market)
    )
      continue;
    auctionDecisions(draft, market);
    const mark = refreshMark(draft, market);
    // Scheduled sales first: a loan repaid at this instant (at the hazard window's start, or at a cap call's
    // deadline) is not charged for the interval starting now; the fee is on what stays lent.
    deleverageSweep(draft, market, mark);
    accrueFunding(draft, market);
    riskSweep(draft, market, mark);
  }
  // The shared fund is shared among all the markets defaulting at this tick, not taken by the first listed.
  settleShortfalls(draft);
  return right(draft.events);
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
