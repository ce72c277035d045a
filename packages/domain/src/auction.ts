// Call auctions in the decider: orders collected while the market is in auction uncross at one price when it ends.
import { Auction, Liquidation, Margin } from "@pmx/liquidation";
import { fillKindOf, type Intent } from "@pmx/matching";
import type { Draft } from "./draft.js";
import { cancellation, ceilToTick, KIND_OF, releaseRemainder } from "./execute.js";
import { type Money, money, toAmountString, ZERO } from "./money.js";
import { costOf, intentOf, ownPriceTicks, priceStringOf } from "./prices.js";
import { markOf, settleLiquidation } from "./risk.js";
import { type LeveragedPosition, type MarketState, type OrderState, orderIdOf, tradeIdOf } from "./state.js";

const isBid = (o: OrderState): boolean => (o.side === "buy") === (o.outcome === "YES");

/**
 * Uncrosses the auction: every resting and collected order takes part; all fills are at the single price that
 * maximizes matched volume (ties: least imbalance, then nearest the mark, then the lower price), makers being the
 * earlier orders, no taker fee. Buyers' reservations beyond the clearing price go back to free cash. Collected
 * orders' remainders then rest on the book.
 */
export function uncrossAuction(draft: Draft, market: MarketState): void {
  const state = draft.state;
  const orders = new Map<number, OrderState>();
  const remaining = new Map<number, number>();
  for (const r of market.book.restingOrders()) {
    orders.set(r.id, state.orders.byNumber(r.id)!);
    remaining.set(r.id, r.remainingLots);
  }
  for (const n of market.auctionOrders) {
    const o = state.orders.byNumber(n)!;
    orders.set(n, o);
    remaining.set(n, o.quantity - o.filledQuantity);
  }
  // Positions being liquidated take part too: each sells its pledged shares, no lower than the band floor.
  const liquidations = new Map<number, { position: LeveragedPosition; proceeds: Money }>();
  const mark0 = markOf(market);
  for (const position of market.leveraged.values()) {
    const p = draft.position(market, position);
    if (position.status !== "liquidating" || p.closed || p.shares === 0 || mark0 === null) continue;
    const floor = Liquidation.bandFloor(
      Margin.outcomePrice(position.outcome, mark0),
      money(market.risk.priceBand),
    );
    const priceTicks = ceilToTick(floor, market.ticks);
    const number = draft.orderCount + 1;
    draft.orderCount = number;
    const order: OrderState = {
      orderId: orderIdOf(number),
      number,
      accountId: position.accountId,
      marketId: market.marketId,
      clientOrderId: `liquidation-${number}`,
      side: "sell",
      outcome: position.outcome,
      price: priceStringOf(priceTicks, market.ticks),
      priceTicks,
      quantity: p.shares,
      timeInForce: "IOC",
      postOnly: false,
      at: draft.at,
      leverage: null,
      source: "liquidation",
      filledQuantity: 0,
      status: "open",
      cancelReason: null,
      reservedCash: ZERO,
      reservedShares: p.shares,
    };
    draft.emit(
      {
        type: "OrderAccepted",
        orderId: order.orderId,
        accountId: order.accountId,
        marketId: market.marketId,
        clientOrderId: order.clientOrderId,
        side: "sell",
        outcome: order.outcome,
        price: order.price,
        quantity: order.quantity,
        timeInForce: "IOC",
        postOnly: false,
        reservedCash: "0",
        reservedShares: order.quantity,
        at: draft.at,
        source: "liquidation",
        queued: true,
      },
      { type: "OrderQueued", orderId: order.orderId, marketId: market.marketId, quantity: order.quantity },
    );
    orders.set(number, order);
    remaining.set(number, order.quantity);
    liquidations.set(number, { position, proceeds: ZERO });
  }
  let bids: Auction.AuctionOrder[] = [];
  let asks: Auction.AuctionOrder[] = [];
  for (const [n, o] of orders) {
    const yesTicks = o.outcome === "YES" ? o.priceTicks : market.ticks - o.priceTicks;
    (isBid(o) ? bids : asks).push({ id: n, priceTicks: yesTicks, quantityLots: remaining.get(n)!, seq: n });
  }
  const mark = markOf(market);
  const reference =
    mark === null ? Math.floor(market.ticks / 2) : mark.times(market.ticks).round().toNumber();
  let result = Auction.uncross(bids, asks, reference);
  // Nothing is lent during an auction (the cap is 1): a resting leveraged buy the uncrossing would fill is cancelled
  // (LEVERAGE_NOT_AVAILABLE, its reservation released) and the auction computed again without it.
  const refused = new Set<number>();
  for (;;) {
    const leveraged = new Set<number>();
    for (const fill of result.fills)
      for (const id of [fill.bidId, fill.askId]) if (orders.get(id)!.leverage !== null) leveraged.add(id);
    if (leveraged.size === 0) break;
    for (const id of leveraged) {
      refused.add(id);
      draft.emit(
        releaseRemainder(draft, market, orders.get(id)!, remaining.get(id)!, "LEVERAGE_NOT_AVAILABLE"),
      );
    }
    bids = bids.filter((o) => !refused.has(o.id));
    asks = asks.filter((o) => !refused.has(o.id));
    result = Auction.uncross(bids, asks, reference);
  }
  let tradeNumber = draft.tradeCount;
  const released = (o: OrderState, own: number, quantity: number): Money =>
    o.side === "buy"
      ? costOf(o.priceTicks, quantity, market.ticks).minus(costOf(own, quantity, market.ticks))
      : ZERO;
  for (const fill of result.fills) {
    const [older, newer] = fill.bidId < fill.askId ? [fill.bidId, fill.askId] : [fill.askId, fill.bidId];
    const maker = orders.get(older)!;
    const taker = orders.get(newer)!;
    const makerOwn = ownPriceTicks(maker.outcome, fill.priceTicks, market.ticks);
    const takerOwn = ownPriceTicks(taker.outcome, fill.priceTicks, market.ticks);
    const kind = fillKindOf(
      intentOf(taker.side, taker.outcome) as Intent,
      intentOf(maker.side, maker.outcome) as Intent,
    );
    tradeNumber += 1;
    remaining.set(older, remaining.get(older)! - fill.quantityLots);
    remaining.set(newer, remaining.get(newer)! - fill.quantityLots);
    const makerAmount = costOf(makerOwn, fill.quantityLots, market.ticks);
    const takerAmount = costOf(takerOwn, fill.quantityLots, market.ticks);
    if (maker.side === "sell") draft.addCash(maker.accountId, makerAmount);
    if (taker.side === "sell") draft.addCash(taker.accountId, takerAmount);
    for (const [n, amount] of [
      [older, makerAmount],
      [newer, takerAmount],
    ] as const) {
      const liquidation = liquidations.get(n);
      if (liquidation) liquidation.proceeds = liquidation.proceeds.plus(amount);
    }
    draft.emit({
      type: "TradeExecuted",
      tradeId: tradeIdOf(tradeNumber),
      marketId: market.marketId,
      kind: KIND_OF[kind]!,
      yesPrice: priceStringOf(fill.priceTicks, market.ticks),
      quantity: fill.quantityLots,
      makerOrderId: maker.orderId,
      makerAccountId: maker.accountId,
      makerSide: maker.side,
      makerOutcome: maker.outcome,
      makerAmount: toAmountString(makerAmount),
      takerOrderId: taker.orderId,
      takerAccountId: taker.accountId,
      takerSide: taker.side,
      takerOutcome: taker.outcome,
      takerAmount: toAmountString(takerAmount),
      takerFee: "0",
      makerReleased: toAmountString(released(maker, makerOwn, fill.quantityLots)),
      takerReleased: toAmountString(released(taker, takerOwn, fill.quantityLots)),
      auction: true,
    });
  }
  draft.tradeCount = tradeNumber;
  // The book after the fills, to rest the collected remainders on (one that would still cross is cancelled).
  const book = draft.scratchBook(market);
  for (const id of refused) book.cancel(id);
  for (const fill of result.fills) {
    for (const id of [fill.bidId, fill.askId]) if (book.get(id)) book.reduce(id, fill.quantityLots);
  }
  for (const n of market.auctionOrders) {
    const o = orders.get(n)!;
    const left = remaining.get(n)!;
    if (left === 0) continue;
    const owner = state.accounts.get(o.accountId)!;
    try {
      book.rest({
        id: n,
        owner: owner.ordinal,
        intent: intentOf(o.side, o.outcome),
        priceTicks: o.priceTicks,
        remainingLots: left,
      });
      draft.emit({ type: "OrderRested", orderId: o.orderId, marketId: market.marketId, quantity: left });
    } catch {
      // After the fills a buy still reserves its limit price × what is left; a sell, the shares left.
      const reservedCash = o.side === "buy" ? costOf(o.priceTicks, left, market.ticks) : ZERO;
      draft.emit(
        cancellation(
          { ...o, reservedCash, reservedShares: o.side === "sell" ? left : 0 },
          "AUCTION_REMAINDER",
          left,
        ),
      );
    }
  }
  // A liquidation's unsold shares go back to the pledge (they are offered again in continuous trading).
  for (const n of liquidations.keys()) {
    const left = remaining.get(n)!;
    if (left > 0)
      draft.emit(cancellation({ ...orders.get(n)!, reservedShares: left }, "IOC_REMAINDER", left));
  }
  const volume = result.fills.reduce((n, f) => n + f.quantityLots, 0);
  draft.emit({
    type: "AuctionUncrossed",
    marketId: market.marketId,
    price: result.priceTicks === null ? null : priceStringOf(result.priceTicks, market.ticks),
    volume,
  });
  draft.setAuctionUntil(market, null);
  for (const [n, { position, proceeds }] of liquidations) {
    const sold = orders.get(n)!.quantity - remaining.get(n)!;
    if (sold > 0) settleLiquidation(draft, market, position, proceeds, sold, false);
  }
}
