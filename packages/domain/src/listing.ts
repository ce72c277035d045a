// A market's listing and its settlement at resolution, shared by single markets and the outcomes of an event.
import { RiskParams as Risk } from "@pmx/liquidation";
import { type Either, left, right } from "fp-ts/lib/Either.js";
import type { Resolution } from "./codecs.js";
import { type CommandOf, RiskParamsInput } from "./commands.js";
import type { Draft } from "./draft.js";
import type { Event } from "./events.js";
import { cancelOpenOrders } from "./execute.js";
import { HALF, money, toAmountString } from "./money.js";
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

/**
 * The market's resolution into the draft: MarketResolved, its open and queued orders cancelled (so every reserved
 * share is back with its owner), every holder paid (YES or NO 1 a share, INVALID 0.5 each), pledged shares settled.
 */
export function settleMarket(draft: Draft, market: MarketState, outcome: Resolution): void {
  const state = draft.state;
  draft.emit({ type: "MarketResolved", marketId: market.marketId, outcome });
  cancelOpenOrders(draft, market, "MARKET_RESOLVED");
  for (const account of state.accounts.values()) {
    const position = account.positions.get(market.marketId);
    if (!position) continue;
    const yesShares = position.yes + position.yesReserved;
    const noShares = position.no + position.noReserved;
    if (yesShares === 0 && noShares === 0) continue;
    const payout =
      outcome === "YES"
        ? money(yesShares)
        : outcome === "NO"
          ? money(noShares)
          : HALF.times(yesShares + noShares);
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
  settleLeveraged(draft, market, outcome);
}
