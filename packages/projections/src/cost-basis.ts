// Cost basis and P&L per account, market and outcome (issue 13), built from the log: what the shares held cost
// (fees included), what selling, settling and converting them realized, and what they would realize at the mark.
import {
  type Event,
  type Money,
  markOf,
  money,
  type Outcome,
  payoutsOfMarket,
  type State,
  toAmountString,
  ZERO,
} from "@pmx/domain";

/** One account's shares of one outcome of one market: how many, what they cost in all, what was realized. */
interface Holding {
  readonly marketId: string;
  readonly outcome: Outcome;
  quantity: number;
  cost: Money;
  realized: Money;
}

export interface HoldingView {
  marketId: string;
  outcome: Outcome;
  /** Shares held (free, reserved by sell orders, and pledged to a loan). */
  quantity: string;
  /** Cost basis per share, fees included (6 places, half to even); null when none is held. */
  averagePrice: string | null;
  /** Cost basis of the shares held. */
  cost: string;
  /** What selling, settling and converting shares realized, less their cost basis, trading fees and jump-risk fees. */
  realizedPnl: string;
  /** quantity × the mark of this outcome − cost (6 places); null without a mark. */
  unrealizedPnl: string | null;
}

export type CostBasisSnapshot = [string, [string, Outcome, number, string, string][]][];

const keyOf = (marketId: string, outcome: Outcome) => `${marketId}|${outcome}`;

/**
 * The rules, applied to every event in log order:
 * - a buy adds its shares at what it paid (+ the taker fee); a sell realizes its proceeds (− fee) less the average cost
 *   of the shares sold (a MINT is two buys, a MERGE two sells, a TRANSFER one of each);
 * - a backstop transfer is a sale for the owner and a purchase for the backstop at the transfer price;
 * - settlement realizes the payout of the shares less their cost (pledged shares too);
 * - a conversion sells the burned NO shares for the collateral released; the YES it mints come at no cost;
 * - jump-risk fees (when paid, as part of a loan repayment) and liquidation penalties are realized losses.
 */
export class CostBasis {
  private readonly byAccount = new Map<string, Map<string, Holding>>();

  private holding(accountId: string, marketId: string, outcome: Outcome): Holding {
    let mine = this.byAccount.get(accountId);
    if (!mine) this.byAccount.set(accountId, (mine = new Map()));
    const key = keyOf(marketId, outcome);
    let h = mine.get(key);
    if (!h) mine.set(key, (h = { marketId, outcome, quantity: 0, cost: ZERO, realized: ZERO }));
    return h;
  }

  private buy(accountId: string, marketId: string, outcome: Outcome, quantity: number, paid: Money): void {
    const h = this.holding(accountId, marketId, outcome);
    h.quantity += quantity;
    h.cost = h.cost.plus(paid);
  }

  private sell(
    accountId: string,
    marketId: string,
    outcome: Outcome,
    quantity: number,
    received: Money,
  ): void {
    const h = this.holding(accountId, marketId, outcome);
    const part = h.quantity <= quantity ? h.cost : h.cost.times(quantity).div(h.quantity);
    h.quantity = Math.max(0, h.quantity - quantity);
    h.cost = h.cost.minus(part);
    h.realized = h.realized.plus(received).minus(part);
  }

  private charge(accountId: string, marketId: string, outcome: Outcome, amount: Money): void {
    const h = this.holding(accountId, marketId, outcome);
    h.realized = h.realized.minus(amount);
  }

  /** Records the event (read with the state as it was before the event, which only settlement needs). */
  apply(event: Event, before: State): void {
    switch (event.type) {
      case "TradeExecuted": {
        const fee = money(event.takerFee);
        const parties = [
          [event.makerAccountId, event.makerSide, event.makerOutcome, money(event.makerAmount), ZERO],
          [event.takerAccountId, event.takerSide, event.takerOutcome, money(event.takerAmount), fee],
        ] as const;
        for (const [accountId, side, outcome, amount, paidFee] of parties)
          if (side === "buy")
            this.buy(accountId, event.marketId, outcome, event.quantity, amount.plus(paidFee));
          else this.sell(accountId, event.marketId, outcome, event.quantity, amount.minus(paidFee));
        return;
      }
      case "PositionTransferred": {
        const amount = money(event.amount);
        this.sell(event.fromAccountId, event.marketId, event.outcome, event.shares, amount);
        this.buy(event.toAccountId, event.marketId, event.outcome, event.shares, amount);
        return;
      }
      case "PositionSettled": {
        const market = before.markets.get(event.marketId)!;
        const { yes, no } = payoutsOfMarket(before, market, event.outcome);
        if (event.yesShares > 0)
          this.sell(event.accountId, event.marketId, "YES", event.yesShares, yes.times(event.yesShares));
        if (event.noShares > 0)
          this.sell(event.accountId, event.marketId, "NO", event.noShares, no.times(event.noShares));
        return;
      }
      case "PledgedSharesRedeemed":
        this.sell(event.accountId, event.marketId, event.outcome, event.shares, money(event.payout));
        return;
      case "PositionsConverted": {
        const group = before.eventGroups.get(event.eventId);
        const each = money(event.released).div(event.marketIds.length);
        for (const marketId of event.marketIds)
          this.sell(event.accountId, marketId, "NO", event.quantity, each);
        for (const marketId of group?.marketIds ?? [])
          if (!event.marketIds.includes(marketId))
            this.buy(event.accountId, marketId, "YES", event.quantity, ZERO);
        return;
      }
      case "LoanRepaid":
        if (event.feePart !== "0")
          this.charge(event.accountId, event.marketId, event.outcome, money(event.feePart));
        return;
      case "LiquidationPenaltyCharged": {
        const pledged = [...(before.markets.get(event.marketId)?.leveraged.values() ?? [])].find(
          (p) => p.accountId === event.accountId,
        );
        this.charge(event.accountId, event.marketId, pledged?.outcome ?? "YES", money(event.amount));
        return;
      }
      default:
        return;
    }
  }

  /** The account's holdings, by market then YES before NO; at the mark of the moment. */
  view(accountId: string, state: State): HoldingView[] {
    const mine = this.byAccount.get(accountId);
    if (!mine) return [];
    const views: HoldingView[] = [];
    for (const h of mine.values()) {
      const market = state.markets.get(h.marketId);
      const mark = market ? markOf(market) : null;
      const price = mark === null ? null : h.outcome === "YES" ? mark : money(1).minus(mark);
      views.push({
        marketId: h.marketId,
        outcome: h.outcome,
        quantity: String(h.quantity),
        averagePrice: h.quantity === 0 ? null : toAmountString(h.cost.div(h.quantity).toDecimalPlaces(6)),
        cost: toAmountString(h.cost.toDecimalPlaces(6)),
        realizedPnl: toAmountString(h.realized.toDecimalPlaces(6)),
        unrealizedPnl:
          h.quantity === 0
            ? "0"
            : price === null
              ? null
              : toAmountString(price.times(h.quantity).minus(h.cost).toDecimalPlaces(6)),
      });
    }
    return views.sort((a, b) =>
      a.marketId < b.marketId ? -1 : a.marketId > b.marketId ? 1 : a.outcome < b.outcome ? 1 : -1,
    );
  }

  toSnapshot(): CostBasisSnapshot {
    return [...this.byAccount].map(([accountId, mine]) => [
      accountId,
      [...mine.values()].map((h) => [
        h.marketId,
        h.outcome,
        h.quantity,
        h.cost.toFixed(),
        h.realized.toFixed(),
      ]),
    ]);
  }

  static fromSnapshot(s: CostBasisSnapshot): CostBasis {
    const c = new CostBasis();
    for (const [accountId, list] of s)
      for (const [marketId, outcome, quantity, cost, realized] of list) {
        const h = c.holding(accountId, marketId, outcome);
        h.quantity = quantity;
        h.cost = money(cost);
        h.realized = money(realized);
      }
    return c;
  }
}
