// The exchange's commands: what operators and traders ask for, each stamped with the sequencer's time `at`.
import * as t from "io-ts";
import { AccountKeyCommand } from "./account-keys.js";
import {
  DecimalString,
  EpochMs,
  exactPartial,
  exactType,
  FeeBps,
  Identifier,
  IsoTime,
  Outcome,
  PriceString,
  QuantityString,
  Reference,
  Resolution,
  RiskParamsProps,
  RiskParamsV2Props,
  Seconds,
  Side,
  TickSize,
  TimeInForce,
} from "./codecs.js";

const command = <T extends string, P extends t.Props>(type: T, props: P) =>
  exactType({ type: t.literal(type), at: EpochMs, ...props }, type);

export const OpenAccount = command("OpenAccount", { accountId: Identifier });
export const Deposit = command("Deposit", {
  accountId: Identifier,
  amount: DecimalString,
  reference: Reference,
});
export const Withdraw = command("Withdraw", {
  accountId: Identifier,
  amount: DecimalString,
  reference: Reference,
});
/** Optional risk parameters of a market on its listing (decimal strings and whole seconds); any left out take the defaults. */
export const RiskParamsInput = { ...RiskParamsProps, ...RiskParamsV2Props };

export const ListMarket = exactPartial(
  {
    type: t.literal("ListMarket"),
    at: EpochMs,
    marketId: Identifier,
    question: t.string,
    tickSize: TickSize,
    resolvesAt: IsoTime,
  },
  { takerFeeBps: FeeBps, ...RiskParamsInput },
  "ListMarket",
);
/** One outcome of an event: a binary market of its own. */
export const EventOutcome = exactType({ marketId: Identifier, question: t.string }, "EventOutcome");
/** An event of 2–100 mutually exclusive outcomes, one binary market each, exactly one of which will resolve YES. */
export const ListEvent = exactPartial(
  {
    type: t.literal("ListEvent"),
    at: EpochMs,
    eventId: Identifier,
    title: t.string,
    tickSize: TickSize,
    resolvesAt: IsoTime,
    outcomes: t.array(EventOutcome),
  },
  { takerFeeBps: FeeBps, ...RiskParamsInput },
  "ListEvent",
);
/** Burns `quantity` NO of each named market of the event (k of them) for (k − 1) × quantity collateral and `quantity` YES of every other. */
export const ConvertPositions = command("ConvertPositions", {
  accountId: Identifier,
  eventId: Identifier,
  marketIds: t.array(Identifier),
  quantity: QuantityString,
  reference: Reference,
});
/**
 * Resolves every market of the event at once: the winner YES, every other NO; or INVALID everywhere. With a challenge
 * window (`challengeSeconds`, else its markets' challengeWindowSeconds) it is a proposal, as for a single market.
 */
export const ResolveEvent = exactPartial(
  { type: t.literal("ResolveEvent"), at: EpochMs, eventId: Identifier },
  { winner: Identifier, outcome: t.literal("INVALID"), challengeSeconds: Seconds },
  "ResolveEvent",
);
/** Any account disputes an event's proposed resolution during its window, reserving `bond` from its cash. */
export const ChallengeEventResolution = command("ChallengeEventResolution", {
  accountId: Identifier,
  eventId: Identifier,
  bond: DecimalString,
  reference: Reference,
});
/** The operator's ruling on a challenged event proposal: the final winner, or INVALID (the same confirms it). */
export const RuleEventResolution = exactPartial(
  { type: t.literal("RuleEventResolution"), at: EpochMs, eventId: Identifier },
  { winner: Identifier, outcome: t.literal("INVALID") },
  "RuleEventResolution",
);
/** The next piece of a resolved market's settlement (its SettlementContinues): the gateway sends it until completed. */
export const ContinueSettlement = command("ContinueSettlement", { marketId: Identifier });
export const HaltMarket = command("HaltMarket", { marketId: Identifier });
export const ResumeMarket = command("ResumeMarket", { marketId: Identifier });
export const SetMarkPrice = command("SetMarkPrice", { marketId: Identifier, price: PriceString });
/**
 * The operator's resolution. With a challenge window (`challengeSeconds`, else the market's challengeWindowSeconds;
 * 0 = final at once, as before the window existed) it is a proposal, final at `at` + the window unless challenged.
 */
export const ResolveMarket = exactPartial(
  { type: t.literal("ResolveMarket"), at: EpochMs, marketId: Identifier, outcome: Resolution },
  { challengeSeconds: Seconds },
  "ResolveMarket",
);
/** Any account disputes a proposed outcome during its window, reserving `bond` (≥ the market's challengeBond) from its cash. */
export const ChallengeResolution = command("ChallengeResolution", {
  accountId: Identifier,
  marketId: Identifier,
  bond: DecimalString,
  reference: Reference,
});
/** The operator's ruling on a challenged proposal: the final outcome (the same confirms the proposal). */
export const RuleResolution = command("RuleResolution", { marketId: Identifier, outcome: Resolution });
export const PlaceOrder = command("PlaceOrder", {
  accountId: Identifier,
  marketId: Identifier,
  clientOrderId: Reference,
  side: Side,
  outcome: Outcome,
  price: PriceString,
  quantity: QuantityString,
  timeInForce: TimeInForce,
  postOnly: t.boolean,
  leverage: DecimalString,
});
export const CancelOrder = command("CancelOrder", { accountId: Identifier, orderId: t.string });
/** A resting order's new price and/or whole quantity (see amend.ts for when it keeps its time priority). */
export const AmendOrder = exactPartial(
  {
    type: t.literal("AmendOrder"),
    at: EpochMs,
    accountId: Identifier,
    orderId: t.string,
    clientRequestId: Reference,
  },
  { price: PriceString, quantity: QuantityString },
  "AmendOrder",
);
/** Cancels every open order of the account (only those of `marketId` when given), each with reason USER. */
export const CancelAllOrders = exactPartial(
  { type: t.literal("CancelAllOrders"), at: EpochMs, accountId: Identifier },
  { marketId: Identifier },
  "CancelAllOrders",
);
/** A liquidity provider lends collateral to a market's pool for pool shares. */
export const SupplyPool = command("SupplyPool", {
  accountId: Identifier,
  marketId: Identifier,
  amount: DecimalString,
  reference: Reference,
});
/** Pool shares back to collateral, only against the pool's cash not lent out. */
export const RedeemPool = command("RedeemPool", {
  accountId: Identifier,
  marketId: Identifier,
  shares: DecimalString,
  reference: Reference,
});
/** The operator seeds an insurance fund: `market:{marketId}` or `shared`. */
export const DepositInsurance = command("DepositInsurance", {
  fundId: t.string,
  amount: DecimalString,
  reference: Reference,
});
/**
 * Sells pledged shares of a leveraged position (IOC, at `price` or better); the proceeds repay the loan first.
 * `clientRequestId` (optional, so that older logs decode and re-decide as before) makes it idempotent: the sale is
 * the order `reduce:{clientRequestId}`, and the same id again is a repeat (same terms) or a conflict.
 */
export const ReducePosition = exactPartial(
  {
    type: t.literal("ReducePosition"),
    at: EpochMs,
    accountId: Identifier,
    marketId: Identifier,
    outcome: Outcome,
    quantity: QuantityString,
    price: PriceString,
  },
  { clientRequestId: Reference },
  "ReducePosition",
);
/** Pays cash into a leveraged position: it repays the loan (and can lift a margin call). */
export const AddMargin = command("AddMargin", {
  accountId: Identifier,
  marketId: Identifier,
  outcome: Outcome,
  amount: DecimalString,
  reference: Reference,
});
/** A standing offer to take over whole liquidated positions of `outcome` at `price` per share, up to `maxShares` ("0" withdraws it). */
export const SetBackstopBid = command("SetBackstopBid", {
  accountId: Identifier,
  marketId: Identifier,
  outcome: Outcome,
  price: PriceString,
  maxShares: QuantityString,
});
/** Time passes: accrue jump-risk fees, enforce margin-call deadlines, end auctions. */
export const Tick = command("Tick", {});
/** The operator's manual clock moved to `at`: recorded (so time survives restarts), then the same work as a Tick. */
export const AdvanceClock = command("AdvanceClock", {});

export const Command = t.union([
  OpenAccount,
  Deposit,
  Withdraw,
  ListMarket,
  ListEvent,
  ConvertPositions,
  ResolveEvent,
  ChallengeEventResolution,
  RuleEventResolution,
  ContinueSettlement,
  HaltMarket,
  ResumeMarket,
  SetMarkPrice,
  ResolveMarket,
  ChallengeResolution,
  RuleResolution,
  PlaceOrder,
  CancelOrder,
  AmendOrder,
  CancelAllOrders,
  SupplyPool,
  RedeemPool,
  DepositInsurance,
  ReducePosition,
  AddMargin,
  SetBackstopBid,
  Tick,
  AdvanceClock,
]);
export type Command = t.TypeOf<typeof Command>;
export type CommandType = Command["type"];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;

/** Every command the log may record: the exchange's own and the account-key records (account-keys.ts). */
export const LogCommand = t.union([Command, AccountKeyCommand]);
export type LogCommand = t.TypeOf<typeof LogCommand>;
