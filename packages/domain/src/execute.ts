// Order execution shared by placement, position reduction and liquidation: reservation, matching, trade events.
import { Leverage, Margin } from "@pmx/liquidation";
import {
  CancelReason as BookCancelReason,
  TimeInForce as BookTif,
  FillKind,
  type PlaceResult,
} from "@pmx/matching";
import { type Either, left, right } from "fp-ts/lib/Either.js";
import type { Outcome, Side, TimeInForce } from "./codecs.js";
import type { Draft } from "./draft.js";
import type { CancelReason, Event, EventOf } from "./events.js";
import { type Money, money, toAmountString, ZERO } from "./money.js";
import { costOf, intentOf, outcomeOf, ownPriceTicks, priceStringOf, sideOf, takerFeeOf } from "./prices.js";
import { type Rejection, reject } from "./rejection.js";
import { chargeFee, intervalFee } from "./risk.js";
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
  /** Above 1: a leveraged buy (IOC or FOK) that borrows from the pool. */
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
 * Matches the order against the draft's book of the market and appends its events: OrderAccepted (with the
 * exact reservation its fills and resting remainder use), LoanOpened for leveraged buys, SELF_TRADE
 * cancellations, TradeExecuted per fill, then OrderRested or OrderCancelled for the remainder.
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
  const order = {
    id: number,
    owner: spec.ordinal,
    intent: intentOf(spec.side, spec.outcome),
    priceTicks: spec.priceTicks,
    quantityLots: spec.quantity,
    timeInForce: BOOK_TIF[spec.timeInForce],
    postOnly: spec.postOnly,
  };
  const result: PlaceResult = trade
    ? draft.scratchBook(market).place(order)
    : draft.book(market).preview(order);

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

  for (const removed of result.removed) {
    // What a resting order still reserves follows from what is left of it (earlier steps of this decision may
    // have filled part of it): a buy its limit price × the lots left, a sell the lots left.
    const maker = draft.state.orders.byNumber(removed.id)!;
    const reservedCash =
      maker.side === "buy" ? costOf(maker.priceTicks, removed.remainingLots, market.ticks) : ZERO;
    const reservedShares = maker.side === "sell" ? removed.remainingLots : 0;
    events.push(
      cancellation({ ...maker, reservedCash, reservedShares }, "SELF_TRADE", removed.remainingLots),
    );
    draft.addCash(maker.accountId, reservedCash);
  }

  let paid: Money = ZERO; // buys: Σ amount
  let fees: Money = ZERO;
  let received: Money = ZERO; // sells: Σ (amount − fee)
  let filled = 0;
  let tradeNumber = draft.tradeCount;
  const trades: Event[] = [];
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
    const restCost =
      result.restingLots > 0 ? costOf(spec.priceTicks, result.restingLots, market.ticks) : ZERO;
    const own = paid.minus(loan).plus(fees).plus(restCost);
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
  if (loan.gt(0)) {
    const pool = draft.pool(market);
    pool.cash = pool.cash.minus(loan);
    pool.lent = pool.lent.plus(loan);
    events.push({
      type: "LoanOpened",
      marketId: market.marketId,
      accountId: spec.accountId,
      outcome: spec.outcome,
      orderId,
      amount: toAmountString(loan),
      leverage: toAmountString(spec.leverage!),
      at: draft.at,
    });
  }
  events.push(...trades);
  draft.orderCount = number;
  draft.tradeCount = tradeNumber;
  const firstFee = loan.gt(0) ? firstIntervalFee(draft, market, spec, filled, loan) : null;

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
  if (firstFee) chargeFee(draft, market, firstFee.position, firstFee.fee, loan, firstFee.until);
  return right({ orderId, filled, cash: spec.side === "buy" ? paid : received, loan });
}

/** The fee of one interval from now on the new loan; the position stays paid up to its own date if it has one. */
function firstIntervalFee(draft: Draft, market: MarketState, spec: OrderSpec, shares: number, loan: Money) {
  const existing = market.leveraged.get(leveragedKey(spec.accountId, spec.outcome));
  const position: LeveragedPosition = existing ?? {
    accountId: spec.accountId,
    outcome: spec.outcome,
    shares: 0,
    sharesReserved: 0,
    loan: ZERO,
    feesOwed: ZERO,
    marginPaid: ZERO,
    status: "healthy",
    deadline: null,
    paidUntil: null,
    deleverageDeadline: null,
  };
  const p = draft.position(market, position);
  p.loan = p.loan.plus(loan);
  p.shares += shares;
  const pool = draft.pool(market);
  const utilization = Leverage.utilization(pool.cash.plus(pool.lent), pool.lent);
  const fee = intervalFee(market, loan, shares, spec.outcome, draft.at, utilization);
  const until = existing?.paidUntil ?? draft.at + market.risk.accrualIntervalSeconds * 1000;
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
