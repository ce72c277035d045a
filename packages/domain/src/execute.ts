// Order execution shared by placement, position reduction and liquidation: reservation, matching, trade events.
import { Leverage, Margin } from "@pmx/liquidation";
import {
  CancelReason as BookCancelReason,
  TimeInForce as BookTif,
  type Fill,
  FillKind,
  type NewOrder,
  type OrderBook,
  type PlaceResult,
} from "@pmx/matching";
import { type Either, left, right } from "fp-ts/lib/Either.js";
import { type EarlierLoans, leveragedPositionOrNew, loanAllowedAtFill } from "./borrowing.js";
import type { Outcome, Side, TimeInForce } from "./codecs.js";
import type { Draft } from "./draft.js";
import type { CancelReason, Event, EventOf } from "./events.js";
import { chargeFee, intervalFee } from "./fees.js";
import { type Money, money, toAmountString, ZERO } from "./money.js";
import {
  costOf,
  intentOf,
  outcomeOf,
  ownPriceTicks,
  priceStringOf,
  restingReserveOf,
  sideOf,
  takerFeeOf,
} from "./prices.js";
import { type Rejection, reject } from "./rejection.js";
import {
  type LeveragedPosition,
  leveragedKey,
  type MarketState,
  type OrderState,
  orderIdOf,
  tradeIdOf,
} from "./state.js";

export interface OrderSpec {
  readonly accountId: string;
  readonly ordinal: number;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly outcome: Outcome;
  /** Limit in ticks of the order's own outcome. */
  readonly priceTicks: number;
  readonly quantity: number;
  readonly timeInForce: TimeInForce;
  readonly postOnly: boolean;
  /** Above 1: a leveraged buy that borrows from the pool (its taking part now, a resting remainder at its fills). */
  readonly leverage: Money | null;
  /** Sells of pledged shares. */
  readonly source: "position" | "liquidation" | null;
}

export interface Execution {
  readonly orderId: string;
  readonly filled: number;
  /** Buys: Σ price × quantity paid. Sells: Σ (price × quantity − fee) received. */
  readonly cash: Money;
  readonly loan: Money;
  /** What the order itself borrowed: its loan and the first interval's fee charged on it. */
  readonly borrowed: Money;
}

const BOOK_TIF = { GTC: BookTif.GTC, IOC: BookTif.IOC, FOK: BookTif.FOK } as const;

export const REASON_OF: Record<number, CancelReason> = {
  [BookCancelReason.USER]: "USER",
  [BookCancelReason.POST_ONLY_WOULD_CROSS]: "POST_ONLY_WOULD_CROSS",
  [BookCancelReason.IOC_REMAINDER]: "IOC_REMAINDER",
  [BookCancelReason.FOK_NOT_FILLABLE]: "FOK_NOT_FILLABLE",
  [BookCancelReason.SELF_TRADE]: "SELF_TRADE",
};

export const KIND_OF: Record<number, "MINT" | "TRANSFER" | "MERGE"> = {
  [FillKind.MINT]: "MINT",
  [FillKind.TRANSFER]: "TRANSFER",
  [FillKind.MERGE]: "MERGE",
};

/** An order's cancellation event releasing whatever it still reserves. */
export function cancellation(
  order: Pick<OrderState, "orderId" | "accountId" | "marketId" | "reservedCash" | "reservedShares">,
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

/**
 * The market's resting and queued (call auction) orders cancelled for `reason`, releasing what they reserve, one
 * unit of the draft's budget each (the rest wait for the next command); true when none is left open.
 */
export function cancelOpenOrders(draft: Draft, market: MarketState, reason: CancelReason): boolean {
  for (const resting of market.book.restingOrders()) {
    if (!draft.budget.take()) return false;
    const order = draft.state.orders.byNumber(resting.id)!;
    draft.emit(cancellation(order, reason, resting.remainingLots));
  }
  for (const n of market.auctionOrders) {
    if (!draft.budget.take()) return false;
    const order = draft.state.orders.byNumber(n)!;
    draft.emit(cancellation(order, reason, order.quantity - order.filledQuantity));
  }
  return true;
}

/**
 * Matches the order against the draft's book of the market and appends its events: OrderAccepted (with the
 * exact reservation its fills and resting remainder use), LEVERAGE_NOT_AVAILABLE cancellations of resting leveraged
 * buys it would fill but the limits of the moment no longer allow, SELF_TRADE cancellations, LoanOpened for a
 * leveraged taker, TradeExecuted per fill (a resting leveraged buy's LoanOpened just before its own), then
 * OrderRested or OrderCancelled for the remainder, then the new loans' first fees.
 * `trade` = true changes the draft's private book (multi-step decisions); false only previews the real one.
 */
export function executeOrder(
  draft: Draft,
  market: MarketState,
  spec: OrderSpec,
  trade: boolean,
): Either<Rejection, Execution> {
  const number = draft.orderCount + 1;
  const orderId = orderIdOf(number);
  const order: NewOrder = {
    id: number,
    owner: spec.ordinal,
    intent: intentOf(spec.side, spec.outcome),
    priceTicks: spec.priceTicks,
    quantityLots: spec.quantity,
    timeInForce: BOOK_TIF[spec.timeInForce],
    postOnly: spec.postOnly,
  };

  const events: Event[] = [];
  const accepted: EventOf<"OrderAccepted"> = {
    type: "OrderAccepted",
    orderId,
    accountId: spec.accountId,
    marketId: market.marketId,
    clientOrderId: spec.clientOrderId,
    side: spec.side,
    outcome: spec.outcome,
    price: priceStringOf(spec.priceTicks, market.ticks),
    quantity: spec.quantity,
    timeInForce: spec.timeInForce,
    postOnly: spec.postOnly,
    reservedCash: "0",
    reservedShares: 0,
    at: draft.at,
  };
  if (spec.leverage) accepted.leverage = toAmountString(spec.leverage);
  if (spec.source) accepted.source = spec.source;
  events.push(accepted);
  const { result, makerLoans } = matchOrder(draft, market, order, trade, events);

  for (const removed of result.removed) {
    // What a resting order still reserves follows from what is left of it (earlier steps of this decision may
    // have filled part of it): a buy its limit price × the lots left (its own part when leveraged), a sell the lots left.
    const maker = draft.state.orders.byNumber(removed.id)!;
    events.push(releaseRemainder(draft, market, maker, removed.remainingLots, "SELF_TRADE"));
  }

  let paid: Money = ZERO; // buys: Σ amount
  let fees: Money = ZERO;
  let received: Money = ZERO; // sells: Σ (amount − fee)
  let filled = 0;
  let tradeNumber = draft.tradeCount;
  const trades: Event[] = [];
  const borrowers: Borrower[] = [];
  for (const fill of result.fills) {
    const maker = draft.state.orders.byNumber(fill.makerId)!;
    const makerOutcome = outcomeOf(fill.makerIntent);
    const makerAmount = costOf(
      ownPriceTicks(makerOutcome, fill.yesPriceTicks, market.ticks),
      fill.quantityLots,
      market.ticks,
    );
    const takerAmount = costOf(
      ownPriceTicks(spec.outcome, fill.yesPriceTicks, market.ticks),
      fill.quantityLots,
      market.ticks,
    );
    const takerFee = takerFeeOf(takerAmount, market.takerFeeBps);
    if (spec.side === "buy") paid = paid.plus(takerAmount);
    else received = received.plus(takerAmount.minus(takerFee));
    fees = fees.plus(takerFee);
    filled += fill.quantityLots;
    if (sideOf(fill.makerIntent) === "sell") draft.addCash(maker.accountId, makerAmount);
    const makerLoan = makerLoans?.get(fill.makerId);
    if (makerLoan !== undefined) {
      const borrower = { accountId: maker.accountId, outcome: maker.outcome, shares: fill.quantityLots };
      trades.push(openLoan(draft, market, borrower, maker.orderId, makerLoan, money(maker.leverage!)));
      borrowers.push({ ...borrower, loan: makerLoan });
    }
    tradeNumber += 1;
    trades.push({
      type: "TradeExecuted",
      tradeId: tradeIdOf(tradeNumber),
      marketId: market.marketId,
      kind: KIND_OF[fill.kind]!,
      yesPrice: priceStringOf(fill.yesPriceTicks, market.ticks),
      quantity: fill.quantityLots,
      makerOrderId: maker.orderId,
      makerAccountId: maker.accountId,
      makerSide: sideOf(fill.makerIntent),
      makerOutcome,
      makerAmount: toAmountString(makerAmount),
      takerOrderId: orderId,
      takerAccountId: spec.accountId,
      takerSide: spec.side,
      takerOutcome: spec.outcome,
      takerAmount: toAmountString(takerAmount),
      takerFee: toAmountString(takerFee),
    });
  }

  let loan: Money = ZERO;
  if (spec.side === "buy") {
    if (spec.leverage && paid.gt(0)) loan = Margin.loanForPurchase(paid, spec.leverage);
    // A leveraged remainder reserves only its own part: its loan is drawn at each of its fills.
    const rest =
      result.restingLots > 0
        ? restingReserveOf(spec.priceTicks, result.restingLots, market.ticks, spec.leverage)
        : ZERO;
    const own = paid.minus(loan).plus(fees).plus(rest);
    const free = draft.freeCash(spec.accountId);
    if (free.lt(own))
      return left(
        reject(
          "INSUFFICIENT_FUNDS",
          `free cash ${toAmountString(free)} is less than ${toAmountString(own)}`,
          {
            available: toAmountString(free),
            required: toAmountString(own),
          },
        ),
      );
    accepted.reservedCash = toAmountString(own);
    draft.addCash(spec.accountId, own.negated());
  } else {
    accepted.reservedShares = filled + result.restingLots;
    draft.addCash(spec.accountId, received);
  }
  // A leveraged buyer that bought borrows (its loan opens its leveraged position, which its shares go into).
  const takerBorrows = spec.leverage !== null && filled > 0;
  if (takerBorrows) {
    const taker = { accountId: spec.accountId, outcome: spec.outcome, shares: filled };
    events.push(openLoan(draft, market, taker, orderId, loan, spec.leverage!));
    borrowers.unshift({ ...taker, loan });
  }
  events.push(...trades);
  draft.orderCount = number;
  draft.tradeCount = tradeNumber;
  const firstFees = borrowers.map((b) => firstIntervalFee(draft, market, b));

  if (result.restingLots > 0)
    events.push({ type: "OrderRested", orderId, marketId: market.marketId, quantity: result.restingLots });
  if (result.cancelledLots > 0)
    events.push({
      type: "OrderCancelled",
      orderId,
      accountId: spec.accountId,
      marketId: market.marketId,
      reason: REASON_OF[result.cancelReason ?? BookCancelReason.IOC_REMAINDER]!,
      quantity: result.cancelledLots,
      releasedCash: "0",
      releasedShares: 0,
    });
  draft.emit(...events);
  // New borrowing pays its first interval's jump-risk fee up front (charged in advance, so no loan goes unpriced).
  let borrowed = loan;
  firstFees.forEach((first, i) => {
    if (!first) return;
    chargeFee(draft, market, first.position, first.fee, borrowers[i]!.loan, first.until);
    if (i === 0 && takerBorrows) borrowed = borrowed.plus(first.fee);
  });
  return right({ orderId, filled, cash: spec.side === "buy" ? paid : received, loan, borrowed });
}

/** One new loan of an execution: who borrows, for which outcome, the shares it buys and the amount. */
interface Borrower {
  readonly accountId: string;
  readonly outcome: Outcome;
  readonly shares: number;
  readonly loan: Money;
}

/** The LoanOpened of a new loan (the pool's cash lent out in the draft). */
function openLoan(
  draft: Draft,
  market: MarketState,
  borrower: Omit<Borrower, "loan">,
  orderId: string,
  amount: Money,
  leverage: Money,
): EventOf<"LoanOpened"> {
  draft.openLoan(market, borrower.accountId, amount);
  return {
    type: "LoanOpened",
    marketId: market.marketId,
    accountId: borrower.accountId,
    outcome: borrower.outcome,
    orderId,
    amount: toAmountString(amount),
    leverage: toAmountString(leverage),
    at: draft.at,
  };
}

/** A resting order's cancellation releasing what its `lots` left still reserve (its cash back to free in the draft). */
export function releaseRemainder(
  draft: Draft,
  market: MarketState,
  order: OrderState,
  lots: number,
  reason: CancelReason,
): EventOf<"OrderCancelled"> {
  const reservedCash =
    order.side === "buy" ? restingReserveOf(order.priceTicks, lots, market.ticks, order.leverage) : ZERO;
  draft.addCash(order.accountId, reservedCash);
  return cancellation(
    { ...order, reservedCash, reservedShares: order.side === "sell" ? lots : 0 },
    reason,
    lots,
  );
}

/**
 * The match of the order against the book as the decision left it. A resting leveraged buy draws its loan at its
 * fill, under the limits of that moment (loanAllowedAtFill): the first one the match would fill that they no longer
 * allow is cancelled whole (LEVERAGE_NOT_AVAILABLE, its reservation released) and the match runs again without it,
 * until every leveraged maker it fills may borrow (at most once per leveraged maker). `makerLoans`: each such
 * maker's loan for its fill, by order number (null when the match fills none).
 */
function matchOrder(
  draft: Draft,
  market: MarketState,
  order: NewOrder,
  trade: boolean,
  events: Event[],
): { result: PlaceResult; makerLoans: Map<number, Money> | null } {
  for (;;) {
    const book = draft.book(market);
    const preview = book.preview(order);
    const plan = planMakerLoans(draft, market, book, preview.fills);
    if (plan.refused === null) {
      // The book's place ≡ its preview: the fills planned are the fills made.
      const result = trade ? draft.scratchBook(market).place(order) : preview;
      return { result, makerLoans: plan.loans };
    }
    const lots = draft.scratchBook(market).cancel(plan.refused.number)!.remainingLots;
    events.push(releaseRemainder(draft, market, plan.refused, lots, "LEVERAGE_NOT_AVAILABLE"));
  }
}

/**
 * The loans the fills' resting leveraged buys would draw, in fill order, each checked against the limits of the
 * moment with the loans before it counted; or the first maker refused. A maker always trades at its own limit, so
 * with r lots left before a fill of q its own part is ownOf(r) − ownOf(r − q) of its reservation (ownOf =
 * restingReserveOf) and its loan the rest of the fill's cost: the own parts of all its fills add up to exactly what
 * it reserved, never more.
 */
function planMakerLoans(
  draft: Draft,
  market: MarketState,
  book: OrderBook,
  fills: readonly Fill[],
): { loans: Map<number, Money> | null; refused: OrderState | null } {
  let loans: Map<number, Money> | null = null;
  let earlier: EarlierLoans | null = null;
  for (const fill of fills) {
    const maker = draft.state.orders.byNumber(fill.makerId)!;
    if (maker.leverage === null) continue;
    const leverage = money(maker.leverage);
    const before = book.get(fill.makerId)!.remainingLots;
    const after = before - fill.quantityLots;
    const own = restingReserveOf(maker.priceTicks, before, market.ticks, leverage).minus(
      restingReserveOf(maker.priceTicks, after, market.ticks, leverage),
    );
    const loan = costOf(maker.priceTicks, fill.quantityLots, market.ticks).minus(own);
    if (earlier === null) {
      const pool = draft.pool(market);
      earlier = { pool: { cash: pool.cash, lent: pool.lent }, byAccount: new Map(), byPosition: new Map() };
    }
    if (!loanAllowedAtFill(draft, market, maker, leverage, loan, fill.quantityLots, earlier))
      return { loans, refused: maker };
    (loans ??= new Map()).set(fill.makerId, loan);
    earlier.pool = { cash: earlier.pool.cash.minus(loan), lent: earlier.pool.lent.plus(loan) };
    earlier.byAccount.set(maker.accountId, (earlier.byAccount.get(maker.accountId) ?? ZERO).plus(loan));
    const key = leveragedKey(maker.accountId, maker.outcome);
    const position = earlier.byPosition.get(key) ?? { shares: 0, loan: ZERO };
    earlier.byPosition.set(key, {
      shares: position.shares + fill.quantityLots,
      loan: position.loan.plus(loan),
    });
  }
  return { loans, refused: null };
}

/**
 * A new loan goes into the borrower's leveraged position in the draft, and pays the fee of one interval from now;
 * the position stays paid up to its own date if it has one. Null when there is no fee to charge.
 */
function firstIntervalFee(draft: Draft, market: MarketState, borrower: Borrower) {
  const position = leveragedPositionOrNew(market, borrower.accountId, borrower.outcome);
  const p = draft.position(market, position);
  p.loan = p.loan.plus(borrower.loan);
  p.shares += borrower.shares;
  if (borrower.loan.isZero()) return null;
  const pool = draft.pool(market);
  const utilization = Leverage.utilization(pool.cash.plus(pool.lent), pool.lent);
  const fee = intervalFee(market, borrower.loan, borrower.shares, borrower.outcome, draft.at, utilization);
  const until = position.paidUntil ?? draft.at + market.risk.accrualIntervalSeconds * 1000;
  return fee.isZero() ? null : { position, fee, until };
}

/** Lifts an outcome price to the nearest tick at or above it (a seller's floor), within 1..ticks-1. */
export function ceilToTick(price: Money, ticksPerUnit: number): number {
  const ticks = price.times(ticksPerUnit).ceil().toNumber();
  return Math.min(ticksPerUnit - 1, Math.max(1, ticks));
}

export { money };

/** An IOC sale of a leveraged position's pledged shares no lower than `priceTicks` (own outcome), by the exchange. */
export function sellPledgedShares(
  draft: Draft,
  market: MarketState,
  position: LeveragedPosition,
  priceTicks: number,
  quantity: number,
  purpose: "liquidation" | "deleverage",
): Either<Rejection, Execution> {
  const owner = draft.state.accounts.get(position.accountId)!;
  return executeOrder(
    draft,
    market,
    {
      accountId: position.accountId,
      ordinal: owner.ordinal,
      clientOrderId: `${purpose}-${draft.orderCount + 1}`,
      side: "sell",
      outcome: position.outcome,
      priceTicks,
      quantity,
      timeInForce: "IOC",
      postOnly: false,
      leverage: null,
      source: "liquidation",
    },
    true,
  );
}
