// The risk mark inside a decision: rolls the mark interval, reads the sources, clamps to the band, and calls an auction on a large move.
import { Marks } from "@pmx/liquidation";
import type { Draft } from "./draft.js";
import { type Money, money, toAmountString } from "./money.js";
import type { MarketState } from "./state.js";

/** The YES mark the risk engine uses (margin, fees, caps, liquidation): the robust risk mark, null until a source counted. */
export function markOf(market: MarketState): Money | null {
  return market.riskMark === null ? null : money(market.riskMark);
}

/** An oracle price set in this very decision (its MarkPriceSet is not in the state yet). */
export interface NewOracle {
  readonly price: Money;
  readonly at: number;
}

// The market's best levels as mark inputs: YES price and the shares resting there.
function bestLevels(draft: Draft, market: MarketState): Pick<Marks.MarkInputs, "bestBid" | "bestAsk"> {
  const depth = draft.book(market).depth(1);
  const level = (l: { priceTicks: number; quantityLots: number } | undefined) =>
    l === undefined ? null : { price: money(l.priceTicks).div(market.ticks), shares: l.quantityLots };
  return { bestBid: level(depth.bids[0]), bestAsk: level(depth.asks[0]) };
}

// The oracle as a source: its price and age (an oracle the log did not time is taken as just set).
function oracleInput(draft: Draft, market: MarketState, fresh: NewOracle | null): Marks.MarkInputs["oracle"] {
  if (fresh !== null) return { price: fresh.price, ageSeconds: (draft.at - fresh.at) / 1000 };
  if (market.markPrice === null) return null;
  const at = market.markPriceAt ?? draft.at;
  return { price: money(market.markPrice), ageSeconds: (draft.at - at) / 1000 };
}

/**
 * Brings the market's risk mark up to the decision's time and answers it. A new interval starts (anchored at the
 * current mark, trades window emptied) once the running one is over. A fresh oracle is the mark (the operator's
 * word; a move of more than the band from the current mark starts a call auction). Without one, the median of the
 * current mark, a deep tight book's mid and the interval's traded volume (one source alone cannot move it) moves
 * the mark at most the price band from the interval's anchor, and sources further than the band start a call auction.
 */
export function refreshMark(
  draft: Draft,
  market: MarketState,
  newOracle: NewOracle | null = null,
): Money | null {
  const current = draft.riskMark(market);
  if (market.status === "resolved") return current;
  const risk = market.risk;
  const intervalMs = risk.markIntervalSeconds * 1000;
  let anchor = market.markAnchor === null ? current : money(market.markAnchor);
  let tradedShares = market.windowShares;
  let tradedNotional = market.windowNotional;
  const startInterval = (at: number, anchorPrice: Money) => {
    draft.emit({
      type: "MarkIntervalStarted",
      marketId: market.marketId,
      start: at,
      anchor: toAmountString(anchorPrice),
    });
    anchor = anchorPrice;
    tradedShares = 0;
    tradedNotional = money(0);
  };
  // A new interval, once the running one is over; its event is needed only when it changes something (trades to
  // forget, or an anchor that is not the mark): a quiet market's intervals pass without writing to the log.
  const intervalOver = market.markIntervalStart === null || draft.at >= market.markIntervalStart + intervalMs;
  if (current !== null && intervalOver && (tradedShares > 0 || anchor === null || !anchor.eq(current))) {
    const begun = market.markIntervalStart ?? draft.at;
    startInterval(begun + Math.floor((draft.at - begun) / intervalMs) * intervalMs, current);
  }
  const sources = Marks.markSources(risk, {
    oracle: oracleInput(draft, market, newOracle),
    ...bestLevels(draft, market),
    tradedShares,
    tradedNotional,
  });
  const candidate = Marks.markCandidate(sources, current);
  if (candidate === null) return current;
  const band = money(risk.priceBand);
  let next: Money;
  if (current === null || anchor === null) {
    startInterval(draft.at, candidate);
    next = candidate;
  } else {
    const from = sources.oracle !== null ? current : anchor;
    next = sources.oracle !== null ? candidate : Marks.clampToBand(candidate, anchor, band);
    const continuous = market.status === "open" && draft.auctionUntil(market) === null;
    if (continuous && Marks.sourcesBreachBand(candidate, from, band)) {
      const until = draft.at + risk.auctionDurationSeconds * 1000;
      draft.emit({ type: "AuctionStarted", marketId: market.marketId, until, reason: "PRICE_BAND" });
      draft.setAuctionUntil(market, until);
    }
  }
  if (current === null || !next.eq(current)) {
    draft.emit({
      type: "MarkUpdated",
      marketId: market.marketId,
      price: toAmountString(next),
      ...(sources.oracle !== null ? { oracle: toAmountString(sources.oracle) } : {}),
      ...(sources.mid !== null ? { mid: toAmountString(sources.mid) } : {}),
      ...(sources.trades !== null ? { trades: toAmountString(sources.trades) } : {}),
    });
    draft.setRiskMark(market, next);
  }
  return next;
}
