// The exchange's commands: what operators and traders ask for, each stamped with the sequencer's time `at`.
import * as t from "io-ts";
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
export const ListMarket = exactPartial(
  {
    type: t.literal("ListMarket"),
    at: EpochMs,
    marketId: Identifier,
    question: t.string,
    tickSize: TickSize,
    resolvesAt: IsoTime,
  },
  { takerFeeBps: FeeBps },
  "ListMarket",
);
export const HaltMarket = command("HaltMarket", { marketId: Identifier });
export const ResumeMarket = command("ResumeMarket", { marketId: Identifier });
export const SetMarkPrice = command("SetMarkPrice", { marketId: Identifier, price: PriceString });
export const ResolveMarket = command("ResolveMarket", { marketId: Identifier, outcome: Resolution });
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

export const Command = t.union([
  OpenAccount,
  Deposit,
  Withdraw,
  ListMarket,
  HaltMarket,
  ResumeMarket,
  SetMarkPrice,
  ResolveMarket,
  PlaceOrder,
  CancelOrder,
]);
export type Command = t.TypeOf<typeof Command>;
export type CommandType = Command["type"];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;
