// A market's listing and its settlement at resolution, shared by single markets and the outcomes of an event.
import { RiskParams as Risk } from "@pmx/liquidation";
import { type Either, left, right } from "fp-ts/lib/Either.js";
import type { Resolution } from "./codecs.js";
import { type CommandOf, RiskParamsInput } from "./commands.js";
import type { Draft } from "./draft.js";
import type { Event } from "./events.js";
import { cancelOpenOrders } from "./execute.js";
import { floor6, HALF, type Money, ONE, toAmountString, ZERO } from "./money.js";
import { type Rejection, reject } from "./rejection.js";
import { settleLeveraged } from "./risk.js";
import type { MarketState, State } from "./state.js";

type Decision = Either<Rejection, Event[]>;

export function listMarket(c: CommandOf<"ListMarket">, state: State): Decision {
  if (state.markets.has(c.marketId))
    return left(reject("MARKET_EXISTS", `market ${c.marketId} already exists`, { marketId: c.marketId }));
  // A market resolves after it is listed (Date.parse of the codec's ISO-8601 UTC form is deterministic).
  if (!(Date.parse(c.resolvesAt) > c.at))
    return left(
      reject("INVALID_RESOLVES_AT", "resolvesAt must be after the time of the listing", {
        resolvesAt: c.resolvesAt,
        at: c.at,
      }),
    );
  const question = c.question.trim();
  if (question.length === 0 || question.length > 500)
    return left(reject("INVALID_QUESTION", "the question must have 1 to 500 characters"));
  const overrides: Record<string, string | number> = {};
  for (const key of Object.keys(RiskParamsInput)) {
    const value = (c as Record<string, unknown>)[key];
    if (value !== undefined) overrides[key] = value as string | number;
  }
  const risk = Risk.withDefaults(overrides as Partial<Risk.RiskParams>);
  const problems = Risk.validateRiskParams(risk);
  if (problems.length > 0)
    return left(
      reject(
        "INVALID_RISK_PARAMS",
        problems.map((p: Risk.RiskParamsError) => `${p.field}: ${p.message}`).join("; "),
        {
          field: problems[0]!.field,
        },
      ),
    );
  return right([
    {
      type: "MarketListed",
      marketId: c.marketId,
      question,
      tickSize: c.tickSize,
      resolvesAt: c.resolvesAt,
      takerFeeBps: c.takerFeeBps ?? 0,
      risk,
      at: c.at,
    },
  ]);
}

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

/**
 * The market's resolution into the draft: MarketResolved, its open and queued orders cancelled (so every reserved
 * share is back with its owner), every holder paid (`payouts` a share: a single market's INVALID 0.5 each, an event's
 * INVALID 1/n and 1 − 1/n), pledged shares settled.
 */
export function settleMarket(
  draft: Draft,
  market: MarketState,
  outcome: Resolution,
  payouts: SharePayouts = payoutsOf(outcome),
): void {
  const state = draft.state;
  draft.emit({ type: "MarketResolved", marketId: market.marketId, outcome });
  cancelOpenOrders(draft, market, "MARKET_RESOLVED");
  for (const account of state.accounts.values()) {
    const position = account.positions.get(market.marketId);
    if (!position) continue;
    const yesShares = position.yes + position.yesReserved;
    const noShares = position.no + position.noReserved;
    if (yesShares === 0 && noShares === 0) continue;
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
  settleLeveraged(draft, market, payouts);
}
