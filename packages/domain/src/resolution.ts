// Resolution with a challenge window (issue 15): a proposal halts the market and pays nothing; any account may
// challenge it with a bond during the window; unchallenged it is final at `finalAt` (the first tick at or after it),
// challenged it waits for the operator's ruling. Only the final outcome (MarketResolved) pays.
import { RiskParams as Risk } from "@pmx/liquidation";
import { type Either, left, right } from "fp-ts/lib/Either.js";
import { closeIfDue, statusAt } from "./closing.js";
import type { Resolution } from "./codecs.js";
import type { CommandOf } from "./commands.js";
import { Draft } from "./draft.js";
import type { Event } from "./events.js";
import { type Money, money, toAmountString } from "./money.js";
import { type Rejection, reject } from "./rejection.js";
import { settleShortfalls } from "./risk.js";
import { settleMarket } from "./settlement.js";
import { type MarketState, type PendingResolution, referenceKey, type State } from "./state.js";

type Decision = Either<Rejection, Event[]>;

const iso = (ms: number): string => new Date(ms).toISOString();

/** RESOLUTION_PENDING: a proposal is in its window (or waits for its ruling); a second one is refused. */
export function resolutionPending(market: MarketState, pending: PendingResolution): Rejection {
  return reject(
    "RESOLUTION_PENDING",
    `market ${market.marketId} has a proposed resolution ${pending.proposed}, final at ${iso(pending.finalAt)}${
      pending.challenges.length > 0 && pending.ruling === null
        ? " once the operator rules on its challenges"
        : ""
    }`,
    { proposed: pending.proposed, finalAt: iso(pending.finalAt), challenges: pending.challenges.length },
  );
}

/** The smallest bond a challenge of this market takes (its challengeBond, else the default). */
export const challengeBondOfMarket = (market: MarketState): string => Risk.challengeBondOf(market.risk);

/**
 * The operator's resolution: final at once without a window (`challengeSeconds`, else the market's
 * challengeWindowSeconds, is 0); with one, a proposal: the market halts (an open one; one past resolvesAt closes
 * first), its orders rest until the outcome is final, and nothing is paid.
 */
export function resolve(c: CommandOf<"ResolveMarket">, state: State, market: MarketState): Decision {
  if (market.resolution !== null) return left(resolutionPending(market, market.resolution));
  const seconds = c.challengeSeconds ?? Risk.challengeWindowSecondsOf(market.risk);
  const draft = new Draft(state, c.at);
  if (seconds === 0) {
    settleMarket(draft, market, c.outcome);
    settleShortfalls(draft);
    return right(draft.events);
  }
  if (statusAt(market, c.at) === "closed") closeIfDue(draft, market);
  else if (market.status === "open") draft.emit({ type: "MarketHalted", marketId: market.marketId });
  draft.emit({
    type: "ResolutionProposed",
    marketId: market.marketId,
    outcome: c.outcome,
    proposedAt: c.at,
    finalAt: c.at + seconds * 1000,
  });
  return right(draft.events);
}

/** A challenge command of a market's or an event's proposal. */
interface ChallengeRequest {
  readonly accountId: string;
  readonly bond: string;
  readonly reference: string;
  readonly at: number;
}

/** What is being resolved, as a challenge or a ruling sees it. */
export interface ResolutionSubject<O> {
  /** "market m" or "event e", for messages. */
  readonly name: string;
  /** `{marketId}` or `{eventId}`, for the details of a refusal. */
  readonly ids: Record<string, string>;
  /** The final outcome when already resolved (printed), else null. */
  readonly resolved: string | null;
  readonly pending: PendingResolution<O> | null;
  readonly challengeBond: string;
  readonly print: (outcome: O) => string;
}

const alreadyResolved = <O>(subject: ResolutionSubject<O>): Rejection =>
  reject("MARKET_RESOLVED", `${subject.name} resolved ${subject.resolved}`, {
    outcome: subject.resolved ?? "",
  });

const nothingProposed = <O>(subject: ResolutionSubject<O>): Rejection =>
  reject("NO_PENDING_RESOLUTION", `${subject.name} has no proposed resolution`, subject.ids);

/**
 * Why a challenge is refused, "retry" for the same bond under the same reference again (a harmless retry), null when
 * it stands: during the window [proposedAt, finalAt), before any ruling, a bond ≥ challengeBond that the account's
 * free cash covers.
 */
export function challengeRefusal<O>(
  c: ChallengeRequest,
  state: State,
  subject: ResolutionSubject<O>,
): Rejection | "retry" | null {
  const account = state.accounts.get(c.accountId);
  if (!account) return reject("UNKNOWN_ACCOUNT", `no account ${c.accountId}`, { accountId: c.accountId });
  const bond = money(c.bond);
  if (!bond.gt(0)) return reject("INVALID_AMOUNT", "the amount must be greater than 0", { amount: c.bond });
  const previous = state.references.get(referenceKey("challenge", c.accountId, c.reference));
  if (previous !== undefined) {
    if (money(previous).eq(bond)) return "retry";
    return reject(
      "IDEMPOTENCY_CONFLICT",
      `reference ${c.reference} was already used with amount ${previous}`,
      {
        reference: c.reference,
        amount: previous,
      },
    );
  }
  if (subject.resolved !== null) return alreadyResolved(subject);
  const pending = subject.pending;
  if (pending === null) return nothingProposed(subject);
  if (pending.ruling !== null)
    return reject(
      "CHALLENGE_WINDOW_CLOSED",
      `the operator has ruled ${subject.print(pending.ruling.outcome)} on ${subject.name}`,
      { finalAt: iso(pending.finalAt) },
    );
  if (c.at >= pending.finalAt)
    return reject(
      "CHALLENGE_WINDOW_CLOSED",
      `the challenge window of ${subject.name} closed at ${iso(pending.finalAt)}`,
      { finalAt: iso(pending.finalAt) },
    );
  const minimum = money(subject.challengeBond);
  if (bond.lt(minimum))
    return reject(
      "BOND_TOO_SMALL",
      `a challenge of ${subject.name} bonds at least ${toAmountString(minimum)}`,
      {
        bond: c.bond,
        challengeBond: toAmountString(minimum),
      },
    );
  if (account.cash.lt(bond))
    return reject(
      "INSUFFICIENT_FUNDS",
      `free cash ${toAmountString(account.cash)} is less than ${toAmountString(bond)}`,
      { available: toAmountString(account.cash), required: toAmountString(bond) },
    );
  return null;
}

/** Why a ruling is refused (null: it stands): only on a pending proposal that was challenged and not ruled yet. */
export function rulingRefusal<O>(subject: ResolutionSubject<O>): Rejection | null {
  if (subject.resolved !== null) return alreadyResolved(subject);
  const pending = subject.pending;
  if (pending === null) return nothingProposed(subject);
  if (pending.ruling !== null)
    return reject(
      "ALREADY_RULED",
      `the operator has ruled ${subject.print(pending.ruling.outcome)}: final at ${iso(pending.finalAt)}`,
      { outcome: subject.print(pending.ruling.outcome), finalAt: iso(pending.finalAt) },
    );
  if (pending.challenges.length === 0)
    return reject(
      "NOT_CHALLENGED",
      `nobody challenged the proposed ${subject.print(pending.proposed)}: it is final at ${iso(pending.finalAt)}`,
      { proposed: subject.print(pending.proposed), finalAt: iso(pending.finalAt) },
    );
  return null;
}

/** Where a ruling sends the bonds, and how much they are: back to the challengers when it changes the proposal. */
export function bondsOfRuling<O>(
  pending: PendingResolution<O>,
  changed: boolean,
): { bondsTo: "challengers" | "insurance"; total: Money } {
  let total: Money = money(0);
  for (const ch of pending.challenges) total = total.plus(ch.bond);
  return { bondsTo: changed ? "challengers" : "insurance", total };
}

const marketSubject = (market: MarketState): ResolutionSubject<Resolution> => ({
  name: `market ${market.marketId}`,
  ids: { marketId: market.marketId },
  resolved: market.status === "resolved" ? (market.outcome ?? "") : null,
  pending: market.resolution,
  challengeBond: Risk.challengeBondOf(market.risk),
  print: (outcome) => outcome,
});

/**
 * A challenge during the window [proposedAt, finalAt): the bond (≥ the market's challengeBond) moves from the
 * account's cash to its reserved cash. Idempotent by reference: the same bond again is a harmless retry.
 */
export function challenge(c: CommandOf<"ChallengeResolution">, state: State): Decision {
  const market = state.markets.get(c.marketId);
  if (!market) return left(reject("UNKNOWN_MARKET", `no market ${c.marketId}`, { marketId: c.marketId }));
  if (market.eventId !== null) return left(eventMarket(market));
  const refusal = challengeRefusal(c, state, marketSubject(market));
  if (refusal === "retry") return right([]);
  if (refusal !== null) return left(refusal);
  return right([
    {
      type: "ResolutionChallenged",
      marketId: c.marketId,
      accountId: c.accountId,
      bond: toAmountString(money(c.bond)),
      reference: c.reference,
      at: c.at,
    },
  ]);
}

/** EVENT_MARKET: a market of an event resolves (and is challenged and ruled) with its event. */
export function eventMarket(market: MarketState): Rejection {
  return reject(
    "EVENT_MARKET",
    `market ${market.marketId} is an outcome of event ${market.eventId}: resolve, challenge and rule the event`,
    { eventId: market.eventId ?? "" },
  );
}

/**
 * The operator's ruling on a challenged proposal, at any time once challenged: another outcome returns the bonds to
 * the challengers, the proposed one pays them to the market's insurance fund. At or after finalAt the ruled outcome
 * is final at once; before it, it is final at finalAt (nothing is paid before finalAt), and no challenge comes after.
 */
export function rule(c: CommandOf<"RuleResolution">, state: State): Decision {
  const market = state.markets.get(c.marketId);
  if (!market) return left(reject("UNKNOWN_MARKET", `no market ${c.marketId}`, { marketId: c.marketId }));
  if (market.eventId !== null) return left(eventMarket(market));
  const refusal = rulingRefusal(marketSubject(market));
  if (refusal !== null) return left(refusal);
  const pending = market.resolution!;
  const { bondsTo, total } = bondsOfRuling(pending, c.outcome !== pending.proposed);
  const draft = new Draft(state, c.at);
  draft.emit({ type: "ResolutionRuled", marketId: c.marketId, outcome: c.outcome, bondsTo, at: c.at });
  for (const ch of pending.challenges) if (bondsTo === "challengers") draft.addCash(ch.accountId, ch.bond);
  if (bondsTo === "insurance") draft.setMarketInsurance(market, draft.marketInsurance(market).plus(total));
  if (c.at >= pending.finalAt) {
    settleMarket(draft, market, c.outcome);
    settleShortfalls(draft);
  }
  return right(draft.events);
}

/**
 * At a tick: a proposal whose window has passed becomes final (unchallenged, or ruled before finalAt); a challenged
 * one without a ruling waits. True when the market resolved now (the tick does nothing else with it).
 */
export function finalizeIfDue(draft: Draft, market: MarketState): boolean {
  const pending = market.resolution;
  if (pending === null || draft.at < pending.finalAt) return false;
  if (pending.challenges.length > 0 && pending.ruling === null) return false;
  settleMarket(draft, market, pending.proposed);
  return true;
}
