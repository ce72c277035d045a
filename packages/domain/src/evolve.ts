// The state transition: applies one event to the state (in place, for speed) and returns it. Trusts the event.
import { PoolValue, RiskParams as Risk } from "@pmx/liquidation";
import { amendTerms } from "./amend.js";
import type { Event, EventOf } from "./events.js";
import { ledger } from "./ledger.js";
import { amountOf, compact, HALF, type Money, money, ZERO } from "./money.js";
import { intentOf, priceStringOf, priceTicksOf } from "./prices.js";
import { invalidEventPayouts } from "./settlement.js";
import {
  type AccountState,
  conversionTerms,
  type EventGroupState,
  type EventOutcome,
  emptyLeveragedPosition,
  emptyPool,
  emptyPosition,
  type LeveragedPosition,
  leveragedKey,
  type MarketState,
  newBook,
  type OrderState,
  orderIdOf,
  type PendingResolution,
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
      ledger.cash(state, account, 1, amount);
      state.totals.deposits = state.totals.deposits.plus(amount);
      state.references.set(referenceKey("deposit", event.accountId, event.reference), event.amount);
      return state;
    }
    case "Withdrawn": {
      const account = accountOf(state, event.accountId);
      const amount = money(event.amount);
      ledger.cash(state, account, -1, amount);
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
        markPriceAt: null,
        riskMark: null,
        markIntervalStart: null,
        markAnchor: null,
        windowShares: 0,
        windowNotional: ZERO,
        volume: 0,
        trades: 0,
        risk: Risk.withDefaults(event.risk ?? {}),
        pool: emptyPool(),
        insurance: ZERO,
        leveraged: new Map(),
        auctionUntil: null,
        auctionOrders: [],
        backstops: new Map(),
        eventId: event.eventId ?? null,
        settlementPending: false,
        resolution: null,
      });
      return state;
    case "EventListed":
      state.eventGroups.set(event.eventId, {
        eventId: event.eventId,
        title: event.title,
        resolvesAt: event.resolvesAt,
        marketIds: [...event.marketIds],
        unpairedYes: 0,
        escrow: ZERO,
        status: "open",
        winner: null,
        resolution: null,
      });
      return state;
    case "PositionsConverted":
      return positionsConverted(state, event);
    case "EventResolved":
      return eventResolved(state, event);
    case "EventResolutionProposed":
      eventGroupOf(state, event.eventId).resolution = {
        proposed: eventOutcomeOf(event),
        proposedAt: event.proposedAt,
        finalAt: event.finalAt,
        challenges: [],
        ruling: null,
      };
      return state;
    case "EventResolutionChallenged":
      challenged(state, eventGroupOf(state, event.eventId).resolution!, event);
      return state;
    case "EventResolutionRuled": {
      const pending = eventGroupOf(state, event.eventId).resolution!;
      ruled(state, pending, event.bondsTo, (bond) => ledger.shared(state, state, 1, bond));
      pending.proposed = eventOutcomeOf(event);
      pending.ruling = { outcome: pending.proposed, bondsTo: event.bondsTo, at: event.at };
      return state;
    }
    case "SettlementContinues":
      marketOf(state, event.marketId).settlementPending = true;
      return state;
    case "SettlementCompleted":
      marketOf(state, event.marketId).settlementPending = false;
      return state;
    case "MarketHalted":
      marketOf(state, event.marketId).status = "halted";
      return state;
    case "MarketResumed":
      marketOf(state, event.marketId).status = "open";
      return state;
    case "MarketClosed": {
      const market = marketOf(state, event.marketId);
      market.status = "closed";
      market.auctionUntil = null;
      return state;
    }
    case "MarkPriceSet": {
      const market = marketOf(state, event.marketId);
      market.markPrice = event.price;
      market.markPriceAt = event.at ?? null;
      return state;
    }
    case "MarkIntervalStarted": {
      const market = marketOf(state, event.marketId);
      market.markIntervalStart = event.start;
      market.markAnchor = event.anchor;
      market.windowShares = 0;
      market.windowNotional = ZERO;
      return state;
    }
    case "MarkUpdated":
      marketOf(state, event.marketId).riskMark = event.price;
      return state;
    case "MarketResolved": {
      const market = marketOf(state, event.marketId);
      market.status = "resolved";
      market.outcome = event.outcome;
      market.resolution = null;
      return state;
    }
    case "ResolutionProposed": {
      const market = marketOf(state, event.marketId);
      market.resolution = {
        proposed: event.outcome,
        proposedAt: event.proposedAt,
        finalAt: event.finalAt,
        challenges: [],
        ruling: null,
      };
      return state;
    }
    case "ResolutionChallenged":
      challenged(state, marketOf(state, event.marketId).resolution!, event);
      return state;
    case "ResolutionRuled": {
      const market = marketOf(state, event.marketId);
      const pending = market.resolution!;
      ruled(state, pending, event.bondsTo, (bond) => ledger.insurance(state, market, 1, bond));
      pending.proposed = event.outcome;
      pending.ruling = { outcome: event.outcome, bondsTo: event.bondsTo, at: event.at };
      return state;
    }
    case "OrderAccepted":
      return orderAccepted(state, event);
    case "TradeExecuted":
      return tradeExecuted(state, event);
    case "OrderQueued": {
      const order = orderOf(state, event.orderId);
      marketOf(state, event.marketId).auctionOrders.push(order.number);
      return state;
    }
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
    case "OrderAmended":
      return orderAmended(state, event);
    case "PositionSettled": {
      const account = accountOf(state, event.accountId);
      const market = marketOf(state, event.marketId);
      const payout = money(event.payout);
      ledger.escrow(state, market, -1, payout);
      ledger.cash(state, account, 1, payout);
      account.positions.delete(event.marketId);
      // Pairs outstanding fall by the pairs this payout redeemed (INVALID: half of the shares on each side; in an
      // event, whose markets hold converted YES beyond their pairs, its NO shares).
      market.pairs -=
        event.outcome === "YES"
          ? event.yesShares
          : event.outcome === "NO" || market.eventId !== null
            ? event.noShares
            : HALF.times(event.yesShares + event.noShares).toNumber();
      return state;
    }
    case "PoolSupplied": {
      const account = accountOf(state, event.accountId);
      const pool = marketOf(state, event.marketId).pool;
      const amount = money(event.amount);
      const shares = money(event.shares);
      ledger.cash(state, account, -1, amount);
      ledger.poolCash(state, pool, 1, amount);
      pool.shares = pool.shares.plus(shares);
      pool.providers.set(event.accountId, (pool.providers.get(event.accountId) ?? ZERO).plus(shares));
      state.references.set(referenceKey("supply", event.accountId, event.reference), event.amount);
      return state;
    }
    case "PoolRedeemed": {
      const account = accountOf(state, event.accountId);
      const pool = marketOf(state, event.marketId).pool;
      const amount = money(event.amount);
      const shares = money(event.shares);
      ledger.poolCash(state, pool, -1, amount);
      pool.shares = pool.shares.minus(shares);
      const left = (pool.providers.get(event.accountId) ?? ZERO).minus(shares);
      if (left.isZero()) pool.providers.delete(event.accountId);
      else pool.providers.set(event.accountId, left);
      ledger.cash(state, account, 1, amount);
      state.references.set(referenceKey("redeem", event.accountId, event.reference), event.shares);
      return state;
    }
    case "InsuranceDeposited": {
      const amount = money(event.amount);
      if (event.fundId === "shared") ledger.shared(state, state, 1, amount);
      else {
        const market = marketOf(state, event.fundId.slice("market:".length));
        ledger.insurance(state, market, 1, amount);
      }
      state.totals.insuranceDeposits = state.totals.insuranceDeposits.plus(amount);
      state.references.set(referenceKey("insurance", event.fundId, event.reference), event.amount);
      return state;
    }
    case "LoanOpened": {
      const market = marketOf(state, event.marketId);
      const account = accountOf(state, event.accountId);
      const order = orderOf(state, event.orderId);
      const amount = money(event.amount);
      ledger.poolCash(state, market.pool, -1, amount);
      market.pool.lent = market.pool.lent.plus(amount);
      ledger.reserved(state, account, 1, amount);
      order.reservedCash = order.reservedCash.plus(amount);
      const position = leveragedOf(market, event.accountId, event.outcome, true);
      position.loan = position.loan.plus(amount);
      // New borrowing is paid for one interval from its opening (its fee, when not zero, follows in the command).
      if (position.paidUntil === null)
        position.paidUntil = event.at + market.risk.accrualIntervalSeconds * 1000;
      return state;
    }
    case "FundingAccrued": {
      const market = marketOf(state, event.marketId);
      const position = leveragedOf(market, event.accountId, event.outcome, false);
      const amount = money(event.amount);
      position.loan = position.loan.plus(amount);
      position.feesOwed = position.feesOwed.plus(amount);
      position.paidUntil = event.until;
      market.pool.lent = market.pool.lent.plus(amount);
      market.pool.feesUncollected = market.pool.feesUncollected.plus(amount);
      return state;
    }
    case "LoanRepaid": {
      const market = marketOf(state, event.marketId);
      const account = accountOf(state, event.accountId);
      const position = leveragedOf(market, event.accountId, event.outcome, false);
      const amount = money(event.amount);
      const feePart = money(event.feePart);
      const toInsurance = money(event.toInsurance);
      ledger.cash(state, account, -1, amount);
      position.loan = position.loan.minus(amount);
      position.feesOwed = position.feesOwed.minus(feePart);
      if (event.source === "margin") position.marginPaid = position.marginPaid.plus(amount);
      if (event.reference !== undefined)
        state.references.set(
          referenceKey("margin", event.accountId, event.reference),
          event.requested ?? event.amount,
        );
      market.pool.lent = market.pool.lent.minus(amount);
      ledger.poolCash(state, market.pool, 1, amount.minus(toInsurance));
      market.pool.feesEarned = market.pool.feesEarned.plus(feePart.minus(toInsurance));
      market.pool.feesUncollected = market.pool.feesUncollected.minus(feePart);
      if (event.at !== undefined && feePart.gt(toInsurance))
        vestFees(market, feePart.minus(toInsurance), event.at);
      ledger.insurance(state, market, 1, toInsurance);
      return state;
    }
    case "MarginCalled": {
      const position = leveragedOf(marketOf(state, event.marketId), event.accountId, event.outcome, false);
      position.status = "margin_call";
      position.deadline = event.deadline;
      return state;
    }
    case "MarginCallCleared": {
      const position = leveragedOf(marketOf(state, event.marketId), event.accountId, event.outcome, false);
      position.status = "healthy";
      position.deadline = null;
      return state;
    }
    case "LiquidationStarted": {
      const position = leveragedOf(marketOf(state, event.marketId), event.accountId, event.outcome, false);
      position.status = "liquidating";
      position.deadline = null;
      return state;
    }
    case "DeleverageCalled": {
      const position = leveragedOf(marketOf(state, event.marketId), event.accountId, event.outcome, false);
      position.deleverageDeadline = event.deadline;
      return state;
    }
    case "DeleverageCleared": {
      const position = leveragedOf(marketOf(state, event.marketId), event.accountId, event.outcome, false);
      position.deleverageDeadline = null;
      return state;
    }
    case "LiquidationStopped": {
      const position = leveragedOf(marketOf(state, event.marketId), event.accountId, event.outcome, false);
      position.status = "healthy";
      position.deadline = null;
      return state;
    }
    case "PositionTransferred": {
      const market = marketOf(state, event.marketId);
      const from = accountOf(state, event.fromAccountId);
      const to = accountOf(state, event.toAccountId);
      const position = leveragedOf(market, event.fromAccountId, event.outcome, false);
      const amount = money(event.amount);
      ledger.cash(state, to, -1, amount);
      ledger.cash(state, from, 1, amount);
      position.shares -= event.shares;
      // The backstop bid is used up by what it took over.
      const bidKey = leveragedKey(event.toAccountId, event.outcome);
      const bid = market.backstops.get(bidKey);
      if (bid) {
        if (bid.maxShares <= event.shares) market.backstops.delete(bidKey);
        else market.backstops.set(bidKey, { ...bid, maxShares: bid.maxShares - event.shares });
      }
      const bought = positionOf(to, event.marketId);
      if (event.outcome === "YES") bought.yes += event.shares;
      else bought.no += event.shares;
      return state;
    }
    case "LiquidationPenaltyCharged": {
      const market = marketOf(state, event.marketId);
      const account = accountOf(state, event.accountId);
      const amount = money(event.amount);
      ledger.cash(state, account, -1, amount);
      ledger.insurance(state, market, 1, amount);
      return state;
    }
    case "BadDebtRecorded": {
      // Fees never collected are written off: off the loan and the pool's books, paid by no one.
      if (event.feesWrittenOff === undefined) return state;
      const market = marketOf(state, event.marketId);
      const position = leveragedOf(market, event.accountId, event.outcome, false);
      const written = money(event.feesWrittenOff);
      position.loan = position.loan.minus(written);
      position.feesOwed = position.feesOwed.minus(written);
      market.pool.lent = market.pool.lent.minus(written);
      market.pool.feesUncollected = market.pool.feesUncollected.minus(written);
      return state;
    }
    case "ClockAdvanced":
      return state;
    case "InsuranceFundDrawn": {
      const market = marketOf(state, event.marketId);
      const position = leveragedOf(market, event.accountId, event.outcome, false);
      const amount = money(event.amount);
      if (event.fundId === "shared") ledger.shared(state, state, -1, amount);
      else ledger.insurance(state, market, -1, amount);
      ledger.poolCash(state, market.pool, 1, amount);
      market.pool.lent = market.pool.lent.minus(amount);
      position.loan = position.loan.minus(amount);
      const feePart = minOf(position.feesOwed, amount);
      position.feesOwed = position.feesOwed.minus(feePart);
      market.pool.feesUncollected = market.pool.feesUncollected.minus(feePart);
      return state;
    }
    case "LossSocialized": {
      const market = marketOf(state, event.marketId);
      const position = leveragedOf(market, event.accountId, event.outcome, false);
      const amount = money(event.amount);
      market.pool.lent = market.pool.lent.minus(amount);
      market.pool.losses = market.pool.losses.plus(amount);
      position.loan = position.loan.minus(amount);
      const feePart = minOf(position.feesOwed, amount);
      position.feesOwed = position.feesOwed.minus(feePart);
      market.pool.feesUncollected = market.pool.feesUncollected.minus(feePart);
      return state;
    }
    case "PositionClosed": {
      const market = marketOf(state, event.marketId);
      const key = leveragedKey(event.accountId, event.outcome);
      const position = market.leveraged.get(key);
      if (!position) throw new Error(`evolve: no leveraged position ${key} in ${event.marketId}`);
      if (position.shares > 0) {
        // Repaid in full: what is left of the pledge becomes ordinary shares of the owner.
        const free = positionOf(accountOf(state, event.accountId), event.marketId);
        if (event.outcome === "YES") free.yes += position.shares;
        else free.no += position.shares;
      }
      market.leveraged.delete(key);
      return state;
    }
    case "PledgedSharesRedeemed": {
      const market = marketOf(state, event.marketId);
      const account = accountOf(state, event.accountId);
      const position = leveragedOf(market, event.accountId, event.outcome, false);
      const payout = money(event.payout);
      ledger.escrow(state, market, -1, payout);
      ledger.cash(state, account, 1, payout);
      position.shares -= event.shares;
      return state;
    }
    case "BackstopBidSet": {
      const market = marketOf(state, event.marketId);
      const key = leveragedKey(event.accountId, event.outcome);
      if (event.maxShares === 0) market.backstops.delete(key);
      else
        market.backstops.set(key, {
          accountId: event.accountId,
          outcome: event.outcome,
          price: event.price,
          maxShares: event.maxShares,
          seq: state.orderCount,
        });
      return state;
    }
    case "AuctionStarted":
      marketOf(state, event.marketId).auctionUntil = event.until;
      return state;
    case "AuctionUncrossed": {
      const market = marketOf(state, event.marketId);
      market.auctionUntil = null;
      market.auctionOrders.length = 0;
      return state;
    }
    case "AccountKeyRegistered":
    case "AccountKeyRevoked":
      // Records for auditors (which key may sign an account's commands): no exchange state changes.
      return state;
    default:
      return assertNever(event);
  }
}

const minOf = (a: Money, b: Money): Money => (a.lt(b) ? a : b);

/** The pool's share of a collected fee joins what is still vesting; the whole vests afresh from `at`. */
function vestFees(market: MarketState, profit: Money, at: number): void {
  const pool = market.pool;
  const next = PoolValue.addToVesting(
    { amount: pool.vestingAmount, startMs: pool.vestingStart },
    profit,
    at,
    market.risk.feeVestingSeconds,
  );
  pool.vestingAmount = money(next.amount.toFixed());
  pool.vestingStart = next.startMs;
}

/** The account's leveraged position in the outcome; created (empty) when `create`, else it must exist. */
function leveragedOf(
  market: MarketState,
  accountId: string,
  outcome: "YES" | "NO",
  create: boolean,
): LeveragedPosition {
  const key = leveragedKey(accountId, outcome);
  let position = market.leveraged.get(key);
  if (!position) {
    if (!create) throw new Error(`evolve: no leveraged position ${key} in ${market.marketId}`);
    position = emptyLeveragedPosition(accountId, outcome);
    market.leveraged.set(key, position);
  }
  return position;
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
  const reservedCash = amountOf(event.reservedCash);
  ledger.cash(state, account, -1, reservedCash);
  ledger.reserved(state, account, 1, reservedCash);
  if (event.source && event.reservedShares > 0) {
    const pledged = leveragedOf(market, event.accountId, event.outcome, false);
    pledged.shares -= event.reservedShares;
    pledged.sharesReserved += event.reservedShares;
  } else if (event.reservedShares > 0) {
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
  state.orders.add({
    orderId: event.orderId,
    number,
    // The account's and market's own strings: a replayed event's are fresh copies, one per order.
    accountId: account.accountId,
    marketId: market.marketId,
    clientOrderId: event.clientOrderId,
    side: event.side,
    outcome: event.outcome,
    // The table's string, shared by every order at this price (the event's own string would be one per order).
    price: priceStringOf(check.ticks, market.ticks),
    priceTicks: check.ticks,
    quantity: event.quantity,
    timeInForce: event.timeInForce,
    postOnly: event.postOnly,
    at: event.at,
    leverage: event.leverage ?? null,
    source: event.source ?? null,
    filledQuantity: 0,
    status: "open",
    cancelReason: null,
    reservedCash: compact(reservedCash),
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
  released: string | undefined,
): void {
  const account = accountOf(state, order.accountId);
  const market = marketOf(state, order.marketId);
  if (side === "buy") {
    const paid = fee === "0" ? amountOf(amount) : amountOf(amount).plus(fee);
    order.reservedCash = compact(order.reservedCash.minus(paid));
    ledger.reserved(state, account, -1, paid);
    if (released !== undefined && released !== "0") {
      const back = money(released);
      order.reservedCash = compact(order.reservedCash.minus(back));
      ledger.reserved(state, account, -1, back);
      ledger.cash(state, account, 1, back);
    }
    if (order.leverage !== null) leveragedOf(market, order.accountId, outcome, false).shares += quantity;
    else {
      const position = positionOf(account, order.marketId);
      if (outcome === "YES") position.yes += quantity;
      else position.no += quantity;
    }
  } else {
    order.reservedShares -= quantity;
    if (order.source !== null)
      leveragedOf(market, order.accountId, outcome, false).sharesReserved -= quantity;
    else {
      const position = positionOf(account, order.marketId);
      if (outcome === "YES") position.yesReserved -= quantity;
      else position.noReserved -= quantity;
    }
    ledger.cash(state, account, 1, fee === "0" ? amountOf(amount) : amountOf(amount).minus(fee));
  }
  order.filledQuantity += quantity;
  if (order.filledQuantity === order.quantity) order.status = "filled";
}

function tradeExecuted(state: State, event: EventOf<"TradeExecuted">): State {
  const market = marketOf(state, event.marketId);
  const maker = orderOf(state, event.makerOrderId);
  const taker = orderOf(state, event.takerOrderId);
  if (market.book.get(maker.number)) market.book.reduce(maker.number, event.quantity);
  if (event.auction && market.book.get(taker.number)) market.book.reduce(taker.number, event.quantity);
  settleParty(
    state,
    maker,
    event.makerOutcome,
    event.makerSide,
    event.quantity,
    event.makerAmount,
    "0",
    event.makerReleased,
  );
  settleParty(
    state,
    taker,
    event.takerOutcome,
    event.takerSide,
    event.quantity,
    event.takerAmount,
    event.takerFee,
    event.takerReleased,
  );
  if (event.takerFee !== "0") state.totals.fees = state.totals.fees.plus(event.takerFee);
  if (event.kind === "MINT") {
    ledger.escrow(state, market, 1, event.quantity);
    market.pairs += event.quantity;
  } else if (event.kind === "MERGE") {
    ledger.escrow(state, market, -1, event.quantity);
    market.pairs -= event.quantity;
  }
  market.lastPrice = event.yesPrice;
  market.windowShares += event.quantity;
  market.windowNotional = market.windowNotional.plus(money(event.yesPrice).times(event.quantity));
  market.volume += event.quantity;
  market.trades += 1;
  state.tradeCount += 1;
  return state;
}

/**
 * The order's new price and quantity: kept in its place (a smaller quantity at the same price), or taken out and
 * rested at the back of its new level; its reservation moves to what the event says it now needs.
 */
function orderAmended(state: State, event: EventOf<"OrderAmended">): State {
  const order = orderOf(state, event.orderId) as { -readonly [K in keyof OrderState]: OrderState[K] };
  const account = accountOf(state, order.accountId);
  const market = marketOf(state, order.marketId);
  const remaining = order.quantity - order.filledQuantity;
  const newRemaining = event.quantity - order.filledQuantity;
  const check = priceTicksOf(event.price, market.ticks);
  if (!check.ok) throw new Error(`evolve: OrderAmended price ${event.price} is not on the market's ticks`);
  if (event.keptPriority) market.book.reduce(order.number, remaining - newRemaining);
  else {
    const resting = market.book.cancel(order.number)!;
    market.book.rest({ ...resting, priceTicks: check.ticks, remainingLots: newRemaining });
  }
  const reserved = amountOf(event.reservedCash);
  const more = reserved.minus(order.reservedCash);
  ledger.cash(state, account, -1, more);
  ledger.reserved(state, account, 1, more);
  order.reservedCash = compact(reserved);
  const moreShares = event.reservedShares - order.reservedShares;
  if (moreShares !== 0) {
    const position = positionOf(account, order.marketId);
    if (order.outcome === "YES") {
      position.yes -= moreShares;
      position.yesReserved += moreShares;
    } else {
      position.no -= moreShares;
      position.noReserved += moreShares;
    }
    order.reservedShares = event.reservedShares;
  }
  order.price = event.price;
  order.priceTicks = check.ticks;
  order.quantity = event.quantity;
  state.references.set(
    referenceKey("amend", order.accountId, event.clientRequestId),
    amendTerms(order.orderId, event.price, event.quantity),
  );
  return state;
}

function orderCancelled(state: State, event: EventOf<"OrderCancelled">): State {
  const order = orderOf(state, event.orderId);
  const account = accountOf(state, order.accountId);
  const market = marketOf(state, order.marketId);
  // A resting order leaves the book; a taker's unfilled remainder never reached it.
  if (market.book.get(order.number)) market.book.cancel(order.number);
  const cash = amountOf(event.releasedCash);
  if (!cash.isZero()) order.reservedCash = compact(order.reservedCash.minus(cash));
  ledger.reserved(state, account, -1, cash);
  ledger.cash(state, account, 1, cash);
  if (event.releasedShares > 0 && order.source !== null) {
    order.reservedShares -= event.releasedShares;
    const pledged = leveragedOf(market, order.accountId, order.outcome, false);
    pledged.sharesReserved -= event.releasedShares;
    pledged.shares += event.releasedShares;
  } else if (event.releasedShares > 0) {
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
  const queued = market.auctionOrders.indexOf(order.number);
  if (queued >= 0) market.auctionOrders.splice(queued, 1);
  return state;
}

/** A challenge's bond: free cash → reserved, and the challenge on the pending proposal (of a market or an event). */
function challenged(
  state: State,
  pending: PendingResolution<unknown>,
  event: { accountId: string; bond: string; reference: string; at: number },
): void {
  const account = accountOf(state, event.accountId);
  const bond = money(event.bond);
  ledger.cash(state, account, -1, bond);
  ledger.reserved(state, account, 1, bond);
  pending.challenges.push({ accountId: event.accountId, bond, reference: event.reference, at: event.at });
  state.references.set(referenceKey("challenge", event.accountId, event.reference), event.bond);
}

/** A ruling's bonds leave the challengers' reserved cash: back to their cash, or to the insurance fund named. */
function ruled(
  state: State,
  pending: PendingResolution<unknown>,
  bondsTo: "challengers" | "insurance",
  toInsurance: (bond: Money) => void,
): void {
  for (const challenge of pending.challenges) {
    const account = accountOf(state, challenge.accountId);
    ledger.reserved(state, account, -1, challenge.bond);
    if (bondsTo === "challengers") ledger.cash(state, account, 1, challenge.bond);
    else toInsurance(challenge.bond);
  }
}

const eventOutcomeOf = (event: { outcome: "WINNER" | "INVALID"; winner?: string }): EventOutcome =>
  event.outcome === "INVALID" ? { outcome: "INVALID" } : { outcome: "WINNER", winner: event.winner! };

/**
 * The event is final. Its escrow backs the converted YES: a winner's market pays them (1 each), so it all moves there;
 * INVALID pays each market's converted YES 1/n a share, so each market gets that much, and what rounding 1/n down to
 * 6 places leaves goes to the shared insurance fund.
 */
function eventResolved(state: State, event: EventOf<"EventResolved">): State {
  const group = eventGroupOf(state, event.eventId);
  group.status = "resolved";
  group.winner = event.winner ?? null;
  group.resolution = null;
  if (event.winner !== undefined) {
    const winner = marketOf(state, event.winner);
    ledger.eventEscrow(state, group, -1, group.escrow);
    ledger.escrow(state, winner, 1, money(group.unpairedYes));
    winner.pairs += group.unpairedYes;
  } else if (group.unpairedYes > 0) {
    const each = invalidEventPayouts(group.marketIds.length).yes.times(group.unpairedYes);
    for (const marketId of group.marketIds) {
      ledger.eventEscrow(state, group, -1, each);
      ledger.escrow(state, marketOf(state, marketId), 1, each);
    }
    ledger.shared(state, state, 1, group.escrow);
    ledger.eventEscrow(state, group, -1, group.escrow);
  }
  return state;
}

function eventGroupOf(state: State, eventId: string): EventGroupState {
  const group = state.eventGroups.get(eventId);
  if (!group) throw new Error(`evolve: no event ${eventId}`);
  return group;
}

/** k NO burned in the named markets (their pairs and escrow fall), one YES more in each other market, the difference paid out. */
function positionsConverted(state: State, event: EventOf<"PositionsConverted">): State {
  const group = eventGroupOf(state, event.eventId);
  const account = accountOf(state, event.accountId);
  const q = event.quantity;
  const burned = new Set(event.marketIds);
  for (const marketId of group.marketIds) {
    const market = marketOf(state, marketId);
    const position = positionOf(account, marketId);
    if (burned.has(marketId)) {
      position.no -= q;
      market.pairs -= q;
      ledger.escrow(state, market, -1, q);
    } else position.yes += q;
  }
  group.unpairedYes += q;
  ledger.eventEscrow(state, group, 1, q);
  ledger.cash(state, account, 1, event.released);
  state.references.set(
    referenceKey("convert", event.accountId, event.reference),
    conversionTerms(event.marketIds, q),
  );
  return state;
}
