// Read models answered by the API: account, market, book depth, order; all from the domain state in decimal strings.
import { type MarketState, type OrderState, type State, ticksToPrice, toAmountString } from "@pmx/domain";

export interface PositionView {
  marketId: string;
  /** All YES shares held, including those reserved by open sell orders. */
  yes: string;
  no: string;
  yesReserved: string;
  noReserved: string;
}

export interface AccountView {
  accountId: string;
  /** Free cash. */
  cash: string;
  /** Cash reserved by open buy orders. */
  reserved: string;
  /** cash + reserved. */
  total: string;
  positions: PositionView[];
}

export function accountView(state: State, accountId: string): AccountView | null {
  const account = state.accounts.get(accountId);
  if (!account) return null;
  const positions: PositionView[] = [];
  for (const [marketId, p] of account.positions) {
    if (p.yes + p.no + p.yesReserved + p.noReserved === 0) continue;
    positions.push({
      marketId,
      yes: String(p.yes + p.yesReserved),
      no: String(p.no + p.noReserved),
      yesReserved: String(p.yesReserved),
      noReserved: String(p.noReserved),
    });
  }
  positions.sort((a, b) => (a.marketId < b.marketId ? -1 : 1));
  return {
    accountId,
    cash: toAmountString(account.cash),
    reserved: toAmountString(account.reserved),
    total: toAmountString(account.cash.plus(account.reserved)),
    positions,
  };
}

export interface MarketView {
  marketId: string;
  question: string;
  status: string;
  tickSize: string;
  resolvesAt: string;
  takerFeeBps: number;
  /** Best bid and ask in YES terms; null when that side is empty. */
  bestBid: string | null;
  bestAsk: string | null;
  lastPrice: string | null;
  markPrice: string | null;
  /** Shares traded. */
  volume: string;
  /** YES/NO pairs outstanding. */
  openInterest: string;
  /** Collateral held in escrow for the market. */
  escrow: string;
  outcome?: string;
}

export function marketView(market: MarketState): MarketView {
  const bid = market.book.bestBid();
  const ask = market.book.bestAsk();
  const view: MarketView = {
    marketId: market.marketId,
    question: market.question,
    status: market.status,
    tickSize: market.tickSize,
    resolvesAt: market.resolvesAt,
    takerFeeBps: market.takerFeeBps,
    bestBid: bid > 0 ? toAmountString(ticksToPrice(bid, market.ticks)) : null,
    bestAsk: ask < market.ticks ? toAmountString(ticksToPrice(ask, market.ticks)) : null,
    lastPrice: market.lastPrice,
    markPrice: market.markPrice,
    volume: String(market.volume),
    openInterest: String(market.pairs),
    escrow: toAmountString(market.escrow),
  };
  if (market.outcome) view.outcome = market.outcome;
  return view;
}

export interface BookView {
  marketId: string;
  bids: { price: string; quantity: string }[];
  asks: { price: string; quantity: string }[];
}

export function bookView(market: MarketState, depth: number): BookView {
  const d = market.book.depth(depth);
  const level = (l: { priceTicks: number; quantityLots: number }) => ({
    price: toAmountString(ticksToPrice(l.priceTicks, market.ticks)),
    quantity: String(l.quantityLots),
  });
  return { marketId: market.marketId, bids: d.bids.map(level), asks: d.asks.map(level) };
}

export interface OrderFillView {
  tradeId: string;
  /** Price of the order's own outcome. */
  price: string;
  quantity: string;
  liquidity: "maker" | "taker";
  fee: string;
}

export interface OrderView {
  orderId: string;
  clientOrderId: string;
  accountId: string;
  marketId: string;
  side: string;
  outcome: string;
  price: string;
  quantity: string;
  filledQuantity: string;
  status: string;
  cancelReason?: string;
  timeInForce: string;
  postOnly: boolean;
  createdAt: string;
  trades: OrderFillView[];
}

export function orderView(order: OrderState, trades: OrderFillView[]): OrderView {
  const view: OrderView = {
    orderId: order.orderId,
    clientOrderId: order.clientOrderId,
    accountId: order.accountId,
    marketId: order.marketId,
    side: order.side,
    outcome: order.outcome,
    price: order.price,
    quantity: String(order.quantity),
    filledQuantity: String(order.filledQuantity),
    status: order.status,
    timeInForce: order.timeInForce,
    postOnly: order.postOnly,
    createdAt: new Date(order.at).toISOString(),
    trades,
  };
  if (order.cancelReason) view.cancelReason = order.cancelReason;
  return view;
}
