// A resolved market's settlement in bounded pieces: its open orders cancelled, every holder paid, pledged shares
// settled; at most a budget of those events in one command, the rest in the commands after it (SettlementContinues
// … SettlementCompleted), so that no append grows with the number of holders and each piece keeps the solvency identity.
import type { Resolution } from "./codecs.js";
import type { Draft } from "./draft.js";
import { cancelOpenOrders } from "./execute.js";
import { floor6, HALF, type Money, ONE, toAmountString, ZERO } from "./money.js";
import { settleLeveraged } from "./risk.js";
import type { MarketState, State } from "./state.js";

/** What one YES and one NO share of a market pay at its resolution. */
export interface SharePayouts {
  readonly yes: Money;
  readonly no: Money;
}

/** A market of its own: the winning side 1, the other 0; INVALID 0.5 each. */
export const payoutsOf = (outcome: Resolution): SharePayouts =>
  outcome === "YES"
    ? { yes: ONE, no: ZERO }
    : outcome === "NO"
      ? { yes: ZERO, no: ONE }
      : { yes: HALF, no: HALF };

/**
 * What one YES and one NO share of each of the n markets pay when the event is INVALID: 1/n and 1 − 1/n (1/n rounded
 * down to 6 places, so NO gets the rounding). Exactly one outcome was to win, so an INVALID event treats them alike: the
 * YES of all n markets together are worth 1, as a conversion assumed. The rule holds whether or not anybody converted
 * (a fixed rule: nobody can move the payouts by converting), and for n = 2 it is 0.5 each, as for a single market.
 */
export function invalidEventPayouts(n: number): SharePayouts {
  const yes = floor6(ONE.dividedBy(n));
  return { yes, no: ONE.minus(yes) };
}

/** What a share of the market pays for `outcome`: an event's INVALID is 1/n, everything else as a market of its own. */
export function payoutsOfMarket(state: State, market: MarketState, outcome: Resolution): SharePayouts {
  const group = market.eventId === null ? undefined : state.eventGroups.get(market.eventId);
  return outcome === "INVALID" && group ? invalidEventPayouts(group.marketIds.length) : payoutsOf(outcome);
}

/**
 * The market's resolution into the draft: MarketResolved, then as much of its settlement as the budget allows (its
 * open and queued orders cancelled, so every reserved share is back with its owner; every holder paid; pledged shares
 * settled); what is left is for ContinueSettlement.
 */
export function settleMarket(draft: Draft, market: MarketState, outcome: Resolution): void {
  draft.emit({ type: "MarketResolved", marketId: market.marketId, outcome });
  settleSome(draft, market, outcome, false);
}

/** The next piece of a resolved market's settlement (`market.settlementPending`), within the budget. */
export function continueSettlement(draft: Draft, market: MarketState): void {
  settleSome(draft, market, market.outcome!, true);
}

/**
 * Orders first (a holder is paid for the shares its orders reserved, so none may still be open), then holders in
 * account order, then leveraged positions (all at once, with the waterfall, once every holder is paid). A settlement
 * that does not finish says so (SettlementContinues); one that finishes after that says so too (SettlementCompleted).
 */
function settleSome(draft: Draft, market: MarketState, outcome: Resolution, pending: boolean): void {
  const payouts = payoutsOfMarket(draft.state, market, outcome);
  const done =
    cancelOpenOrders(draft, market, "MARKET_RESOLVED") && payHolders(draft, market, outcome, payouts);
  if (done) {
    settleLeveraged(draft, market, payouts);
    if (pending) draft.emit({ type: "SettlementCompleted", marketId: market.marketId });
  } else if (!pending) draft.emit({ type: "SettlementContinues", marketId: market.marketId });
}

/** PositionSettled for each holder left, in account order, while the budget lasts; true when none is left. */
function payHolders(draft: Draft, market: MarketState, outcome: Resolution, payouts: SharePayouts): boolean {
  for (const account of draft.state.accounts.values()) {
    const position = account.positions.get(market.marketId);
    if (!position) continue;
    const yesShares = position.yes + position.yesReserved;
    const noShares = position.no + position.noReserved;
    if (yesShares === 0 && noShares === 0) continue;
    if (!draft.budget.take()) return false;
    const payout = payouts.yes.times(yesShares).plus(payouts.no.times(noShares));
    draft.emit({
      type: "PositionSettled",
      accountId: account.accountId,
      marketId: market.marketId,
      outcome,
      yesShares,
      noShares,
      payout: toAmountString(payout),
    });
  }
  return true;
}
