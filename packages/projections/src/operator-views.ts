// Read models of the operator's risk views: leveraged positions across accounts by distance to liquidation, a call
// auction's indicative uncross, each bad debt's waterfall and a pool's share value over time.

import {
  type MarketState,
  type Money,
  markOf,
  ONE,
  positionRisk,
  priceStringOf,
  type State,
  toAmountString,
  ZERO,
} from "@pmx/domain";
import { Auction } from "@pmx/liquidation";
import type { BadDebtRecord, ShareValuePoint } from "./risk-record.js";

export type LeveragedStatus = "healthy" | "margin_call" | "liquidating";

/** One leveraged position as the operator sees it across accounts. */
export interface RiskPositionView {
  accountId: string;
  marketId: string;
  outcome: string;
  /** Pledged shares (including those held by the position's own sell orders). */
  shares: string;
  loan: string;
  equity: string | null;
  maintenanceRequirement: string;
  /** The outcome's price at the risk mark; null before the market has one. */
  markPrice: string | null;
  /** The outcome price at which equity falls to the maintenance requirement. */
  liquidationPrice: string | null;
  /** markPrice − liquidationPrice (≤ 0: at or past it); null when either is unknown. */
  distanceToLiquidation: string | null;
  status: LeveragedStatus;
  marginCallDeadline?: string;
  deleverageDeadline?: string;
}

/**
 * Every open leveraged position (of one market, of one status, when named), nearest to liquidation first: by
 * distance ascending, those without a distance last, then by market and account.
 */
export function riskPositionsView(
  state: State,
  filter: { marketId?: string; status?: LeveragedStatus },
): RiskPositionView[] {
  const rows: { view: RiskPositionView; distance: Money | null }[] = [];
  const markets =
    filter.marketId === undefined
      ? [...state.markets.values()]
      : [state.markets.get(filter.marketId)].filter((m): m is MarketState => m !== undefined);
  for (const market of markets) {
    const mark = markOf(market);
    for (const lp of market.leveraged.values()) {
      if (filter.status !== undefined && lp.status !== filter.status) continue;
      const risk = positionRisk(market, lp);
      const outcomeMark = mark === null ? null : lp.outcome === "YES" ? mark : ONE.minus(mark);
      const distance =
        outcomeMark === null || risk.liquidationPrice === null
          ? null
          : outcomeMark.minus(risk.liquidationPrice);
      const view: RiskPositionView = {
        accountId: lp.accountId,
        marketId: market.marketId,
        outcome: lp.outcome,
        shares: String(lp.shares + lp.sharesReserved),
        loan: toAmountString(lp.loan),
        equity: risk.equity === null ? null : toAmountString(risk.equity),
        maintenanceRequirement: toAmountString(risk.maintenance ?? ZERO),
        markPrice: outcomeMark === null ? null : toAmountString(outcomeMark),
        liquidationPrice: risk.liquidationPrice === null ? null : toAmountString(risk.liquidationPrice),
        distanceToLiquidation: distance === null ? null : toAmountString(distance),
        status: lp.status,
      };
      if (lp.deadline !== null) view.marginCallDeadline = new Date(lp.deadline).toISOString();
      if (lp.deleverageDeadline !== null)
        view.deleverageDeadline = new Date(lp.deleverageDeadline).toISOString();
      rows.push({ view, distance });
    }
  }
  rows.sort((a, b) => {
    if (a.distance !== null && b.distance !== null && !a.distance.eq(b.distance))
      return a.distance.lt(b.distance) ? -1 : 1;
    if ((a.distance === null) !== (b.distance === null)) return a.distance === null ? 1 : -1;
    const m = a.view.marketId.localeCompare(b.view.marketId);
    return m !== 0 ? m : a.view.accountId.localeCompare(b.view.accountId);
  });
  return rows.map((r) => r.view);
}

/** A market's call auction now: while one runs, where its orders would uncross if it ended now. */
export interface AuctionView {
  marketId: string;
  running: boolean;
  /** End of the running auction (ISO time); null when none runs. */
  until: string | null;
  /** Orders collected by the running auction. */
  collectedOrders: number;
  /** YES price the collected and resting 1x orders would uncross at now; null when they do not cross. */
  indicativePrice: string | null;
  /** Shares that would trade at it. */
  indicativeVolume: string;
  /** Demand − supply at it (positive: buyers left over). */
  imbalance: string;
}

/**
 * The indicative uncross: the auction's own clearing rule (Auction.clearingPrice, reference = the risk mark) over the
 * resting and collected orders, leveraged buys left out (nothing is lent in an auction); the sales of positions being
 * liquidated join only when it ends.
 */
export function auctionView(state: State, market: MarketState): AuctionView {
  const view: AuctionView = {
    marketId: market.marketId,
    running: market.auctionUntil !== null,
    until: market.auctionUntil === null ? null : new Date(market.auctionUntil).toISOString(),
    collectedOrders: market.auctionOrders.length,
    indicativePrice: null,
    indicativeVolume: "0",
    imbalance: "0",
  };
  if (market.auctionUntil === null) return view;
  const bids: Auction.AuctionOrder[] = [];
  const asks: Auction.AuctionOrder[] = [];
  const add = (n: number, lots: number) => {
    const o = state.orders.byNumber(n);
    if (!o || o.leverage !== null || lots <= 0) return;
    const yesTicks = o.outcome === "YES" ? o.priceTicks : market.ticks - o.priceTicks;
    const isBid = (o.side === "buy") === (o.outcome === "YES");
    (isBid ? bids : asks).push({ id: n, priceTicks: yesTicks, quantityLots: lots, seq: n });
  };
  for (const r of market.book.restingOrders()) add(r.id, r.remainingLots);
  for (const n of market.auctionOrders) {
    const o = state.orders.byNumber(n);
    if (o) add(n, o.quantity - o.filledQuantity);
  }
  const mark = markOf(market);
  const reference =
    mark === null ? Math.floor(market.ticks / 2) : mark.times(market.ticks).round().toNumber();
  const clearing = Auction.clearingPrice(bids, asks, reference);
  if (clearing === null) return view;
  view.indicativePrice = priceStringOf(clearing.priceTicks, market.ticks);
  view.indicativeVolume = String(clearing.executable.volumeLots);
  view.imbalance = String(clearing.executable.imbalanceLots);
  return view;
}

/** One bad debt on the wire: the record with its time as ISO text. */
export type BadDebtView = Omit<BadDebtRecord, "atMs"> & { at: string };

export function badDebtView(r: BadDebtRecord): BadDebtView {
  const { atMs, haircuts, ...rest } = r;
  return { ...rest, at: new Date(atMs).toISOString(), haircuts: haircuts.map((h) => ({ ...h })) };
}

export function shareValuePointView(p: ShareValuePoint): {
  at: string;
  sequence: number;
  shareValue: string;
} {
  return { at: new Date(p.atMs).toISOString(), sequence: p.sequence, shareValue: p.shareValue };
}
