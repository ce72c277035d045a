// Events of several mutually exclusive outcomes: listing, converting NO of k outcomes, resolving all at once (with
// a challenge window as for a single market: proposal, challenges, the operator's ruling).

import { RiskParams as Risk } from "@pmx/liquidation";
import { type Either, left, right } from "fp-ts/lib/Either.js";
import { closeIfDue, statusAt } from "./closing.js";
import type { CommandOf } from "./commands.js";
import { Draft } from "./draft.js";
import type { Event, EventOf } from "./events.js";
import { listMarket } from "./listing.js";
import { money, toAmountString } from "./money.js";
import { MAX_QUANTITY } from "./prices.js";
import { type Rejection, reject } from "./rejection.js";
import { bondsOfRuling, challengeRefusal, type ResolutionSubject, rulingRefusal } from "./resolution.js";
import { settleShortfalls } from "./risk.js";
import { settleMarket } from "./settlement.js";
import {
  conversionTerms,
  type EventGroupState,
  type EventOutcome,
  type MarketState,
  type PendingResolution,
  referenceKey,
  type State,
} from "./state.js";

type Decision = Either<Rejection, Event[]>;

const MAX_OUTCOMES = 100;

const invalidEvent = (message: string, details?: Record<string, string | number>): Rejection =>
  reject("INVALID_EVENT", message, details);

/** EventListed, then one MarketListed (naming the event) per outcome, each listed as a market of its own would be. */
export function listEvent(c: CommandOf<"ListEvent">, state: State): Decision {
  if (state.eventGroups.has(c.eventId))
    return left(reject("EVENT_EXISTS", `event ${c.eventId} already exists`, { eventId: c.eventId }));
  const title = c.title.trim();
  if (title.length === 0 || title.length > 500)
    return left(invalidEvent("the title must have 1 to 500 characters"));
  if (c.outcomes.length < 2 || c.outcomes.length > MAX_OUTCOMES)
    return left(
      invalidEvent(`an event has 2 to ${MAX_OUTCOMES} outcomes, not ${c.outcomes.length}`, {
        outcomes: c.outcomes.length,
      }),
    );
  const marketIds = c.outcomes.map((o) => o.marketId);
  const repeated = marketIds.find((id, i) => marketIds.indexOf(id) !== i);
  if (repeated !== undefined)
    return left(invalidEvent(`market ${repeated} is named twice`, { marketId: repeated }));
  const { eventId, title: _title, outcomes, type: _type, ...terms } = c;
  const listed: Event[] = [];
  for (const outcome of outcomes) {
    const decided = listMarket(
      { ...terms, type: "ListMarket", marketId: outcome.marketId, question: outcome.question },
      state,
    );
    if (decided._tag === "Left") return decided;
    for (const event of decided.right)
      listed.push(event.type === "MarketListed" ? { ...event, eventId } : event);
  }
  return right([{ type: "EventListed", eventId, title, resolvesAt: c.resolvesAt, marketIds }, ...listed]);
}

function eventGroupOf(state: State, eventId: string): Either<Rejection, EventGroupState> {
  const group = state.eventGroups.get(eventId);
  return group ? right(group) : left(reject("UNKNOWN_EVENT", `no event ${eventId}`, { eventId }));
}

const eventResolved = (group: EventGroupState): Rejection =>
  reject("EVENT_RESOLVED", `event ${group.eventId} is resolved`, { eventId: group.eventId });

/**
 * Burns `quantity` NO of each of the k named markets for (k − 1) × quantity collateral and `quantity` YES of each other
 * market: exactly one outcome wins, so k NO are worth k − 1 for sure and the YES of the others make up the last one.
 * Only free NO shares convert: shares pledged to a loan are its collateral in their own market (repay or reduce first).
 */
export function convertPositions(c: CommandOf<"ConvertPositions">, state: State): Decision {
  const account = state.accounts.get(c.accountId);
  if (!account)
    return left(reject("UNKNOWN_ACCOUNT", `no account ${c.accountId}`, { accountId: c.accountId }));
  const found = eventGroupOf(state, c.eventId);
  if (found._tag === "Left") return found;
  const group = found.right;
  if (group.status === "resolved") return left(eventResolved(group));
  const quantity = Number(c.quantity);
  if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY)
    return left(
      reject("INVALID_QUANTITY", `quantity must be a whole number from 1 to ${MAX_QUANTITY}`, {
        quantity: c.quantity,
      }),
    );
  if (c.marketIds.length === 0) return left(invalidEvent("name at least one market of the event"));
  for (const [i, marketId] of c.marketIds.entries()) {
    if (!group.marketIds.includes(marketId))
      return left(
        invalidEvent(`market ${marketId} is not an outcome of event ${group.eventId}`, { marketId }),
      );
    if (c.marketIds.indexOf(marketId) !== i)
      return left(invalidEvent(`market ${marketId} is named twice`, { marketId }));
  }
  const terms = conversionTerms(c.marketIds, quantity);
  const earlier = state.references.get(referenceKey("convert", c.accountId, c.reference));
  if (earlier !== undefined) {
    if (earlier === terms) return right([]);
    return left(
      reject("IDEMPOTENCY_CONFLICT", `reference ${c.reference} was already used for another conversion`, {
        reference: c.reference,
      }),
    );
  }
  for (const marketId of c.marketIds) {
    const free = account.positions.get(marketId)?.no ?? 0;
    if (free < quantity)
      return left(
        reject("INSUFFICIENT_SHARES", `${free} free NO shares of ${marketId}, ${quantity} to convert`, {
          marketId,
          available: free,
          requested: quantity,
        }),
      );
  }
  const converted: EventOf<"PositionsConverted"> = {
    type: "PositionsConverted",
    eventId: group.eventId,
    accountId: c.accountId,
    marketIds: [...c.marketIds],
    quantity,
    released: toAmountString(money((c.marketIds.length - 1) * quantity)),
    reference: c.reference,
  };
  return right([converted]);
}

/** The outcome a ResolveEvent or RuleEventResolution names: its winner, or INVALID (exactly one of the two). */
function outcomeNamed(
  c: { winner?: string; outcome?: "INVALID" },
  group: EventGroupState,
): Either<Rejection, EventOutcome> {
  if ((c.winner === undefined) === (c.outcome === undefined))
    return left(invalidEvent("name the winner, or outcome INVALID (one of the two)"));
  if (c.winner === undefined) return right({ outcome: "INVALID" });
  if (!group.marketIds.includes(c.winner))
    return left(
      invalidEvent(`market ${c.winner} is not an outcome of event ${group.eventId}`, { marketId: c.winner }),
    );
  return right({ outcome: "WINNER", winner: c.winner });
}

const printOutcome = (o: EventOutcome): string =>
  o.outcome === "INVALID" ? "INVALID" : `winner ${o.winner}`;
const sameOutcome = (a: EventOutcome, b: EventOutcome): boolean =>
  a.outcome === b.outcome && (a.outcome === "INVALID" || a.winner === (b as { winner: string }).winner);
/** The outcome's fields as an event carries them: `{outcome: "WINNER", winner}` or `{outcome: "INVALID"}`. */
const outcomeFields = (o: EventOutcome) =>
  o.outcome === "INVALID"
    ? { outcome: "INVALID" as const }
    : { outcome: "WINNER" as const, winner: o.winner };

/** The markets of an event share their risk terms: the first one's challenge window and bond are the event's. */
const firstMarketOf = (state: State, group: EventGroupState): MarketState =>
  state.markets.get(group.marketIds[0]!)!;

function eventSubject(state: State, group: EventGroupState): ResolutionSubject<EventOutcome> {
  return {
    name: `event ${group.eventId}`,
    ids: { eventId: group.eventId },
    resolved:
      group.status === "resolved" ? (group.winner === null ? "INVALID" : `winner ${group.winner}`) : null,
    pending: group.resolution,
    challengeBond: Risk.challengeBondOf(firstMarketOf(state, group).risk),
    print: printOutcome,
  };
}

/**
 * The event's final outcome into the draft: EventResolved, then every market settled (the winner YES, the others NO;
 * INVALID 1/n a YES share and 1 − 1/n a NO share everywhere), then the shared fund among the markets defaulting now.
 */
function settleEvent(draft: Draft, group: EventGroupState, outcome: EventOutcome): void {
  draft.emit({ type: "EventResolved", eventId: group.eventId, ...outcomeFields(outcome) });
  for (const marketId of group.marketIds) {
    const market = draft.state.markets.get(marketId)!;
    settleMarket(
      draft,
      market,
      outcome.outcome === "INVALID" ? "INVALID" : marketId === outcome.winner ? "YES" : "NO",
    );
  }
  settleShortfalls(draft);
}

/**
 * Resolves every market of the event in one command. Without a challenge window (`challengeSeconds`, else its markets'
 * challengeWindowSeconds, is 0) it is final at once; with one it is a proposal: every open market halts (one past
 * resolvesAt closes), nothing is paid until the window has passed unchallenged or the operator has ruled.
 */
export function resolveEvent(c: CommandOf<"ResolveEvent">, state: State): Decision {
  const found = eventGroupOf(state, c.eventId);
  if (found._tag === "Left") return found;
  const group = found.right;
  if (group.status === "resolved") return left(eventResolved(group));
  if (group.resolution !== null) return left(eventResolutionPending(group, group.resolution));
  const named = outcomeNamed(c, group);
  if (named._tag === "Left") return named;
  const seconds = c.challengeSeconds ?? Risk.challengeWindowSecondsOf(firstMarketOf(state, group).risk);
  const draft = new Draft(state, c.at);
  if (seconds === 0) {
    settleEvent(draft, group, named.right);
    return right(draft.events);
  }
  for (const marketId of group.marketIds) {
    const market = state.markets.get(marketId)!;
    if (statusAt(market, c.at) === "closed") closeIfDue(draft, market);
    else if (market.status === "open") draft.emit({ type: "MarketHalted", marketId });
  }
  draft.emit({
    type: "EventResolutionProposed",
    eventId: group.eventId,
    ...outcomeFields(named.right),
    proposedAt: c.at,
    finalAt: c.at + seconds * 1000,
  });
  return right(draft.events);
}

/** RESOLUTION_PENDING: the event has a proposal in its window (or waiting for its ruling); a second is refused. */
function eventResolutionPending(group: EventGroupState, pending: PendingResolution<EventOutcome>): Rejection {
  return reject(
    "RESOLUTION_PENDING",
    `event ${group.eventId} has a proposed resolution (${printOutcome(pending.proposed)}), final at ${new Date(pending.finalAt).toISOString()}`,
    { proposed: printOutcome(pending.proposed), finalAt: new Date(pending.finalAt).toISOString() },
  );
}

/** A challenge of the event's proposal during its window, the bond (≥ its markets' challengeBond) reserved from cash. */
export function challengeEvent(c: CommandOf<"ChallengeEventResolution">, state: State): Decision {
  const found = eventGroupOf(state, c.eventId);
  if (found._tag === "Left") return found;
  const refusal = challengeRefusal(c, state, eventSubject(state, found.right));
  if (refusal === "retry") return right([]);
  if (refusal !== null) return left(refusal);
  return right([
    {
      type: "EventResolutionChallenged",
      eventId: c.eventId,
      accountId: c.accountId,
      bond: toAmountString(money(c.bond)),
      reference: c.reference,
      at: c.at,
    },
  ]);
}

/**
 * The operator's ruling on a challenged event proposal: another outcome returns the bonds, the proposed one pays them
 * to the shared insurance fund. At or after finalAt it is final at once, before it at finalAt (as for a market).
 */
export function ruleEvent(c: CommandOf<"RuleEventResolution">, state: State): Decision {
  const found = eventGroupOf(state, c.eventId);
  if (found._tag === "Left") return found;
  const group = found.right;
  const refusal = rulingRefusal(eventSubject(state, group));
  if (refusal !== null) return left(refusal);
  const named = outcomeNamed(c, group);
  if (named._tag === "Left") return named;
  const pending = group.resolution!;
  const { bondsTo, total } = bondsOfRuling(pending, !sameOutcome(named.right, pending.proposed));
  const draft = new Draft(state, c.at);
  draft.emit({
    type: "EventResolutionRuled",
    eventId: group.eventId,
    ...outcomeFields(named.right),
    bondsTo,
    at: c.at,
  });
  for (const ch of pending.challenges) if (bondsTo === "challengers") draft.addCash(ch.accountId, ch.bond);
  if (bondsTo === "insurance") draft.sharedInsurance = draft.sharedInsurance.plus(total);
  if (c.at >= pending.finalAt) settleEvent(draft, group, named.right);
  return right(draft.events);
}

/**
 * At a tick: an event proposal whose window has passed becomes final (unchallenged, or ruled before finalAt); a
 * challenged one without a ruling waits. True when the event resolved now (its markets need nothing else this tick).
 */
export function finalizeEventIfDue(draft: Draft, group: EventGroupState): boolean {
  const pending = group.resolution;
  if (group.status === "resolved" || pending === null || draft.at < pending.finalAt) return false;
  if (pending.challenges.length > 0 && pending.ruling === null) return false;
  settleEvent(draft, group, pending.proposed);
  return true;
}
