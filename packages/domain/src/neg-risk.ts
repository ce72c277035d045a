// Events of several mutually exclusive outcomes: listing, converting NO of k outcomes, resolving all at once.
import { type Either, left, right } from "fp-ts/lib/Either.js";
import type { CommandOf } from "./commands.js";
import { Draft } from "./draft.js";
import type { Event, EventOf } from "./events.js";
import { listMarket, settleMarket } from "./listing.js";
import { money, toAmountString } from "./money.js";
import { type Rejection, reject } from "./rejection.js";
import { settleShortfalls } from "./risk.js";
import { conversionTerms, type EventGroupState, referenceKey, type State } from "./state.js";

type Decision = Either<Rejection, Event[]>;

const MAX_OUTCOMES = 100;
const MAX_QUANTITY = 1_000_000_000;

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

/**
 * Resolves every market of the event in one command: the winner YES, every other NO (INVALID: 0.5 a share everywhere,
 * refused once NO has been converted, since the event's escrow then backs one winner's YES only).
 */
export function resolveEvent(c: CommandOf<"ResolveEvent">, state: State): Decision {
  const found = eventGroupOf(state, c.eventId);
  if (found._tag === "Left") return found;
  const group = found.right;
  if (group.status === "resolved") return left(eventResolved(group));
  if ((c.winner === undefined) === (c.outcome === undefined))
    return left(invalidEvent("name the winner, or outcome INVALID (one of the two)"));
  if (c.winner !== undefined && !group.marketIds.includes(c.winner))
    return left(
      invalidEvent(`market ${c.winner} is not an outcome of event ${group.eventId}`, { marketId: c.winner }),
    );
  if (c.winner === undefined && group.unpairedYes > 0)
    return left(
      reject(
        "EVENT_CONVERTED",
        `event ${group.eventId} holds ${group.unpairedYes} converted YES a market, backed for one winner only: INVALID would pay them 0.5 in every market; resolve it to a winner`,
        { eventId: group.eventId, unpairedYes: group.unpairedYes },
      ),
    );
  const draft = new Draft(state, c.at);
  draft.emit(
    c.winner === undefined
      ? { type: "EventResolved", eventId: group.eventId, outcome: "INVALID" }
      : { type: "EventResolved", eventId: group.eventId, outcome: "WINNER", winner: c.winner },
  );
  for (const marketId of group.marketIds) {
    const market = state.markets.get(marketId)!;
    settleMarket(draft, market, c.winner === undefined ? "INVALID" : marketId === c.winner ? "YES" : "NO");
  }
  // The shared fund is shared among the event's markets defaulting now, as at a tick.
  settleShortfalls(draft);
  return right(draft.events);
}
