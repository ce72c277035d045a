// The credit layer's risk engine inside the decider: leverage caps, fee accrual, margin calls, liquidation, waterfall.
import { Funding, Liquidation, Margin, SocializedLoss, Waterfall } from "@pmx/liquidation";
import type { Outcome } from "./codecs.js";
import type { Draft } from "./draft.js";
import type { Event } from "./events.js";
import { ceilToTick, sellPledgedShares } from "./execute.js";
import { markOf } from "./mark.js";
import { type Money, money, toAmountString, ZERO } from "./money.js";
import type { LeveragedPosition, MarketState } from "./state.js";

export { accrueFunding, chargeFee, currentFundingRate, currentMaxLeverage, intervalFee } from "./fees.js";
export { markOf } from "./mark.js";

/**
 * Cash from the owner to the pool, fees with their insurance cut to the market's fund: an owner's repayment pays the
 * fees first; a liquidation's or a settlement's pays the principal first (a shortfall is then fees, written off).
 */
export function repayLoan(
  draft: Draft,
  market: MarketState,
  position: LeveragedPosition,
  amount: Money,
  source: "reduce" | "margin" | "liquidation" | "settlement" | "deleverage",
  margin?: { reference: string; requested: Money },
): void {
  if (amount.lte(0) && !margin) return;
  const p = draft.position(market, position);
  // A liquidation or settlement repays principal first: fees are the pool's last claim, so a shortfall is
  // uncollected fees (written off) before it is principal (which insurance covers). Owners repay fees first.
  const principal = p.loan.minus(p.feesOwed);
  const forced = source === "liquidation" || source === "settlement";
  const feePart = forced
    ? amount.gt(principal)
      ? amount.minus(principal)
      : ZERO
    : amount.lt(p.feesOwed)
      ? amount
      : p.feesOwed;
  const { toInsurance } = Funding.splitFee(feePart, money(market.risk.insuranceCut));
  p.loan = p.loan.minus(amount);
  p.feesOwed = p.feesOwed.minus(feePart);
  const pool = draft.pool(market);
  pool.lent = pool.lent.minus(amount);
  pool.cash = pool.cash.plus(amount.minus(toInsurance));
  draft.setMarketInsurance(market, draft.marketInsurance(market).plus(toInsurance));
  draft.addCash(position.accountId, amount.negated());
  draft.emit({
    type: "LoanRepaid",
    marketId: market.marketId,
    accountId: position.accountId,
    outcome: position.outcome,
    amount: toAmountString(amount),
    feePart: toAmountString(feePart),
    toInsurance: toAmountString(toInsurance),
    source,
    ...(margin ? { reference: margin.reference, requested: toAmountString(margin.requested) } : {}),
    at: draft.at,
  });
}

/**
 * Bad debt goes down the waterfall stated in advance: market insurance → shared insurance → pool providers. The
 * market's own fund pays at once; what it leaves is a shortfall the decision shares the shared fund among at its end
 * (settleShortfalls), so markets defaulting in one decision get fair shares whatever their order.
 */
export function coverBadDebt(
  draft: Draft,
  market: MarketState,
  position: LeveragedPosition,
  badDebt: Money,
): void {
  if (badDebt.lte(0)) return;
  const p = draft.position(market, position);
  const pool = draft.pool(market);
  // Fees never collected were never counted by lenders: they are written off first, paid by no one (not insurance).
  const feesWrittenOff = p.feesOwed.lt(badDebt) ? p.feesOwed : badDebt;
  p.loan = p.loan.minus(feesWrittenOff);
  p.feesOwed = p.feesOwed.minus(feesWrittenOff);
  pool.lent = pool.lent.minus(feesWrittenOff);
  draft.emit({
    type: "BadDebtRecorded",
    marketId: market.marketId,
    accountId: position.accountId,
    outcome: position.outcome,
    amount: toAmountString(badDebt),
    ...(feesWrittenOff.isZero() ? {} : { feesWrittenOff: toAmountString(feesWrittenOff) }),
  });
  const principal = badDebt.minus(feesWrittenOff);
  if (principal.isZero()) return;
  // The position's own margin was applied first: it is part of the proceeds that already repaid the loan.
  const fromMarketFund = Waterfall.allocateBadDebt(principal, {
    positionMargin: ZERO,
    marketInsurance: draft.marketInsurance(market),
    sharedInsurance: ZERO,
    poolAssets: ZERO,
  });
  for (const step of fromMarketFund.steps)
    applyWaterfallStep(draft, market, position, step.source, step.amount);
  if (fromMarketFund.uncovered.gt(0))
    draft.shortfalls.push({ market, position, amount: fromMarketFund.uncovered, closing: null });
}

/**
 * Ends a decision's waterfall: the shared fund is shared among the decision's shortfalls pro rata by market, each
 * market drawing at most sharedFundMarketCap × the fund as it was when the decision began (Waterfall.shareSharedFund);
 * what is left of each shortfall is a haircut of its pool's providers. Each held-back PositionClosed follows.
 */
export function settleShortfalls(draft: Draft): void {
  const byMarket = new Map<string, { market: MarketState; shortfall: Money }>();
  for (const { market, amount } of draft.shortfalls) {
    const entry = byMarket.get(market.marketId) ?? { market, shortfall: ZERO };
    byMarket.set(market.marketId, { market, shortfall: entry.shortfall.plus(amount) });
  }
  const markets = [...byMarket.values()];
  const shares = Waterfall.shareSharedFund(
    draft.state.sharedInsurance,
    markets.map(({ market, shortfall }) => ({
      shortfall,
      capFraction: money(market.risk.sharedFundMarketCap),
    })),
  );
  const budgets = new Map(markets.map(({ market }, i) => [market.marketId, shares[i]!]));
  for (const entry of draft.shortfalls.splice(0)) {
    const budget = budgets.get(entry.market.marketId)!;
    const fromShared = entry.amount.lt(budget) ? entry.amount : budget;
    budgets.set(entry.market.marketId, budget.minus(fromShared));
    applyWaterfallStep(draft, entry.market, entry.position, "shared_insurance", fromShared);
    const pool = draft.pool(entry.market);
    const rest = entry.amount.minus(fromShared);
    applyWaterfallStep(
      draft,
      entry.market,
      entry.position,
      "pool_haircut",
      rest.lt(pool.lent) ? rest : pool.lent,
    );
    if (entry.closing) draft.emit(entry.closing);
  }
}

/** One step of the waterfall for one position: the amount leaves its loan and is paid by (or written off against) the source. */
function applyWaterfallStep(
  draft: Draft,
  market: MarketState,
  position: LeveragedPosition,
  source: Waterfall.WaterfallSource,
  amount: Money,
): void {
  if (amount.isZero()) return;
  const p = draft.position(market, position);
  const pool = draft.pool(market);
  p.loan = p.loan.minus(amount);
  p.feesOwed = p.feesOwed.minus(p.feesOwed.lt(amount) ? p.feesOwed : amount);
  pool.lent = pool.lent.minus(amount);
  const base = {
    marketId: market.marketId,
    accountId: position.accountId,
    outcome: position.outcome,
    amount: toAmountString(amount),
  };
  switch (source) {
    case "position_margin":
      break;
    case "market_insurance":
      draft.setMarketInsurance(market, draft.marketInsurance(market).minus(amount));
      pool.cash = pool.cash.plus(amount);
      draft.emit({ type: "InsuranceFundDrawn", fundId: `market:${market.marketId}`, ...base });
      break;
    case "shared_insurance":
      draft.sharedInsurance = draft.sharedInsurance.minus(amount);
      pool.cash = pool.cash.plus(amount);
      draft.emit({ type: "InsuranceFundDrawn", fundId: "shared", ...base });
      break;
    case "pool_haircut": {
      const holdings = [...market.pool.providers.entries()].map(([provider, shares]) => ({
        provider,
        shares,
      }));
      const haircut = SocializedLoss.haircutPool(amount, holdings, pool.cash.plus(pool.lent).plus(amount));
      draft.emit({
        type: "LossSocialized",
        ...base,
        haircuts: haircut.perProvider.map((h) => ({
          accountId: h.provider,
          amount: toAmountString(h.amount),
        })),
      });
      break;
    }
  }
}

/**
 * Liquidates a position: to a backstop bidder paying no less than the book would and no less than the backstop floor
 * (outcome mark × (1 − backstopDiscount)), else through the book down to the band floor. Proceeds repay the loan;
 * once no pledged share is left, the penalty goes to insurance and any unpaid loan down the waterfall. Shares the book
 * could not take within the band stay pledged, to be sold at the next tick.
 */
export function liquidate(
  draft: Draft,
  market: MarketState,
  position: LeveragedPosition,
  outcomeMark: Money,
): void {
  const p = draft.position(market, position);
  if (p.closed) return;
  if (p.shares === 0) {
    // Nothing left to sell: what is still owed is bad debt now, not later.
    coverBadDebt(draft, market, position, p.loan);
    closePosition(draft, market, position, "LIQUIDATED");
    return;
  }
  const owner = draft.state.accounts.get(position.accountId)!;
  const floorPrice = Liquidation.bandFloor(outcomeMark, money(market.risk.priceBand));
  const limitTicks = ceilToTick(floorPrice, market.ticks);
  // What the book would give for the whole position within the band, net of the taker fee.
  const probe = draft.book(market).preview({
    id: draft.orderCount + 1,
    owner: owner.ordinal,
    intent: position.outcome === "YES" ? 1 : 3,
    priceTicks: limitTicks,
    quantityLots: p.shares,
    timeInForce: 1,
    postOnly: false,
  });
  const filledByBook = probe.fills.reduce((n, f) => n + f.quantityLots, 0);
  const bookProceeds = filledByBook === p.shares ? proceedsOf(market, position.outcome, probe.fills) : null;
  const bids = [...market.backstops.values()]
    .filter(
      (b) =>
        b.outcome === position.outcome &&
        b.accountId !== position.accountId &&
        b.maxShares - (draft.backstopUsed.get(`${market.marketId}|${b.accountId}|${b.outcome}`) ?? 0) >=
          p.shares,
    )
    .filter((b) => draft.freeCash(b.accountId).gte(money(b.price).times(p.shares)))
    .map((b) => ({ bidderId: b.accountId, price: money(b.price), seq: b.seq }));
  const route = Liquidation.liquidationRoute(market.risk, {
    shares: money(p.shares),
    markPrice: outcomeMark,
    backstopBids: bids,
    bookProceeds,
  });
  let proceeds: Money;
  let sold: number;
  if (route.kind === "backstop_transfer") {
    proceeds = route.proceeds;
    sold = p.shares;
    const usedKey = `${market.marketId}|${route.bid.bidderId}|${position.outcome}`;
    draft.backstopUsed.set(usedKey, (draft.backstopUsed.get(usedKey) ?? 0) + p.shares);
    draft.addCash(route.bid.bidderId, proceeds.negated());
    draft.addCash(position.accountId, proceeds);
    draft.emit({
      type: "PositionTransferred",
      marketId: market.marketId,
      fromAccountId: position.accountId,
      toAccountId: route.bid.bidderId,
      outcome: position.outcome,
      shares: p.shares,
      price: toAmountString(route.bid.price),
      amount: toAmountString(proceeds),
    });
  } else {
    const executed = sellPledgedShares(draft, market, position, limitTicks, p.shares, "liquidation");
    if (executed._tag === "Left") return;
    proceeds = executed.right.cash;
    sold = executed.right.filled;
  }
  settleLiquidation(draft, market, position, proceeds, sold, route.kind === "backstop_transfer");
}

/**
 * After a liquidation sold `sold` pledged shares for `proceeds`: the proceeds repay the loan; once no pledged share
 * is left (or the loan is repaid), the penalty goes to the market's insurance fund from what is left and any unpaid
 * loan goes down the waterfall, and the position is closed.
 */
export function settleLiquidation(
  draft: Draft,
  market: MarketState,
  position: LeveragedPosition,
  proceeds: Money,
  sold: number,
  transferred: boolean,
): void {
  const p = draft.position(market, position);
  p.shares -= sold;
  const repay = proceeds.lt(p.loan) ? proceeds : p.loan;
  repayLoan(draft, market, position, repay, "liquidation");
  if (p.shares > 0 && p.loan.gt(0)) return;
  // Penalty: ceil6(penalty fraction × proceeds), only from what is left after the loan (never creating a debt).
  const charge = Liquidation.splitProceeds(market.risk, proceeds, repay).penalty;
  if (charge.gt(0)) {
    draft.addCash(position.accountId, charge.negated());
    draft.setMarketInsurance(market, draft.marketInsurance(market).plus(charge));
    draft.emit({
      type: "LiquidationPenaltyCharged",
      marketId: market.marketId,
      accountId: position.accountId,
      amount: toAmountString(charge),
    });
  }
  coverBadDebt(draft, market, position, p.loan);
  closePosition(
    draft,
    market,
    position,
    transferred ? "TRANSFERRED" : p.shares > 0 ? "REPAID" : "LIQUIDATED",
  );
}

export function closePosition(
  draft: Draft,
  market: MarketState,
  position: LeveragedPosition,
  reason: "REPAID" | "LIQUIDATED" | "SETTLED" | "TRANSFERRED",
): void {
  draft.position(market, position).closed = true;
  const closing: Event = {
    type: "PositionClosed",
    marketId: market.marketId,
    accountId: position.accountId,
    outcome: position.outcome,
    reason,
  };
  // A position with a shortfall still owes it: it closes once settleShortfalls has covered it.
  const shortfall = draft.shortfalls.find((s) => s.market === market && s.position === position);
  if (shortfall) shortfall.closing = closing;
  else draft.emit(closing);
}

function proceedsOf(
  market: MarketState,
  outcome: Outcome,
  fills: readonly { yesPriceTicks: number; quantityLots: number }[],
): Money {
  let total = ZERO;
  for (const f of fills) {
    const own = outcome === "YES" ? f.yesPriceTicks : market.ticks - f.yesPriceTicks;
    const amount = money(own).times(f.quantityLots).div(market.ticks);
    const fee =
      market.takerFeeBps === 0 ? ZERO : amount.times(market.takerFeeBps).div(10000).toDecimalPlaces(6, 0);
    total = total.plus(amount.minus(fee));
  }
  return total;
}

/**
 * Checks every leveraged position at the mark: margin call (with deadline) below maintenance, liquidation once the
 * deadline passed or at once near zero equity, a cleared call when equity recovers. During an auction or a halt,
 * liquidations are started but their sales wait for continuous trading.
 */
export function riskSweep(draft: Draft, market: MarketState, yesMark: Money | null): void {
  if (yesMark === null || market.status === "resolved") return;
  const continuous = market.status === "open" && draft.auctionUntil(market) === null;
  for (const position of [...market.leveraged.values()]) {
    const p = draft.position(market, position);
    if (p.closed || (p.loan.isZero() && p.shares === 0)) continue;
    const q = Margin.outcomePrice(position.outcome, yesMark);
    const view = { shares: money(p.shares), loan: p.loan };
    const equity = Margin.equity(view, q);
    const maintenance = Margin.maintenanceRequirement(market.risk, view, q);
    const base = { marketId: market.marketId, accountId: position.accountId, outcome: position.outcome };
    if (position.status === "liquidating") {
      if (equity.gte(maintenance)) {
        // The mark recovered before the sale: the liquidation stops, the position keeps its shares and loan.
        draft.emit({
          type: "LiquidationStopped",
          ...base,
          equity: toAmountString(equity),
          maintenance: toAmountString(maintenance),
        });
        continue;
      }
      if (continuous) liquidate(draft, market, position, q);
      continue;
    }
    const decision = Liquidation.planLiquidation(market.risk, {
      equity,
      maintenance,
      loan: p.loan,
      nowMs: draft.at,
      marginCallDeadlineMs: position.status === "margin_call" ? position.deadline : null,
    });
    switch (decision.kind) {
      case "healthy":
        if (position.status === "margin_call")
          draft.emit({ type: "MarginCallCleared", ...base, equity: toAmountString(equity) });
        break;
      case "margin_call":
        if (decision.isNew)
          draft.emit({
            type: "MarginCalled",
            ...base,
            equity: toAmountString(equity),
            maintenance: toAmountString(maintenance),
            deadline: decision.deadlineMs,
          });
        break;
      case "liquidate_now":
        draft.emit({
          type: "LiquidationStarted",
          ...base,
          reason: decision.reason,
          equity: toAmountString(equity),
          maintenance: toAmountString(maintenance),
          shares: p.shares,
          loan: toAmountString(p.loan),
        });
        if (continuous) liquidate(draft, market, position, q);
        break;
    }
  }
}

/** At resolution: pledged shares are redeemed, the payout repays the loan first, any shortfall goes down the waterfall. */
export function settleLeveraged(
  draft: Draft,
  market: MarketState,
  payouts: { readonly yes: Money; readonly no: Money },
): void {
  for (const position of [...market.leveraged.values()]) {
    const p = draft.position(market, position);
    if (p.closed) continue;
    const perShare = position.outcome === "YES" ? payouts.yes : payouts.no;
    const payout = perShare.times(p.shares);
    if (p.shares > 0)
      draft.emit({
        type: "PledgedSharesRedeemed",
        marketId: market.marketId,
        accountId: position.accountId,
        outcome: position.outcome,
        shares: p.shares,
        payout: toAmountString(payout),
      });
    draft.addCash(position.accountId, payout);
    p.shares = 0;
    repayLoan(draft, market, position, payout.lt(p.loan) ? payout : p.loan, "settlement");
    coverBadDebt(draft, market, position, p.loan);
    closePosition(draft, market, position, "SETTLED");
  }
}

/** A leveraged position at the current mark: equity, maintenance requirement and the outcome price that triggers liquidation. */
export function positionRisk(
  market: MarketState,
  position: LeveragedPosition,
): { equity: Money | null; maintenance: Money | null; liquidationPrice: Money | null; value: Money | null } {
  const mark = markOf(market);
  const view = { shares: money(position.shares + position.sharesReserved), loan: position.loan };
  const liquidationPrice = Margin.liquidationPrice(market.risk, view);
  if (mark === null) return { equity: null, maintenance: null, liquidationPrice, value: null };
  const q = Margin.outcomePrice(position.outcome, mark);
  return {
    equity: Margin.equity(view, q),
    maintenance: Margin.maintenanceRequirement(market.risk, view, q),
    liquidationPrice,
    value: Margin.positionValue(view, q),
  };
}
