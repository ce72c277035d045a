// A market's listing, shared by single markets and the outcomes of an event (its settlement: settlement.ts).
import { RiskParams as Risk } from "@pmx/liquidation";
import { type Either, left, right } from "fp-ts/lib/Either.js";
import { type CommandOf, RiskParamsInput } from "./commands.js";
import type { Event } from "./events.js";
import { type Rejection, reject } from "./rejection.js";
import type { State } from "./state.js";

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
