// Property: random traffic (several markets and accounts, all four intents, every time in force, cancels, halts,
// marks, resolutions) keeps every invariant after every single event, and decide never changes the state.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { drive, newStats, scenarioArbitrary } from "./model.js";

describe("the decider under random traffic", () => {
  it("given random command sequences, when each command is decided and its events applied one by one, then every invariant holds after every event", () => {
    const stats = newStats();
    fc.assert(
      fc.property(scenarioArbitrary(150), (scenario) => {
        drive(scenario, { check: true, stats });
      }),
      { numRuns: 100 },
    );

    // The traffic exercised what it is meant to: mostly accepted commands, every fill kind, every cancel reason.
    expect(stats.accepted / stats.commands).toBeGreaterThan(0.5);
    for (const key of [
      "TradeExecuted:MINT",
      "TradeExecuted:TRANSFER",
      "TradeExecuted:MERGE",
      "OrderRested",
      "OrderCancelled:USER",
      "OrderCancelled:SELF_TRADE",
      "OrderCancelled:IOC_REMAINDER",
      "OrderCancelled:FOK_NOT_FILLABLE",
      "OrderCancelled:POST_ONLY_WOULD_CROSS",
      "OrderCancelled:MARKET_RESOLVED",
      "MarketResolved:YES",
      "MarketResolved:NO",
      "MarketResolved:INVALID",
      "PositionSettled",
      "Withdrawn",
      "MarkPriceSet",
      "MarketHalted",
      "MarketResumed",
    ])
      expect(stats.events[key] ?? 0, key).toBeGreaterThan(0);
    for (const code of [
      "INSUFFICIENT_FUNDS",
      "INSUFFICIENT_SHARES",
      "IDEMPOTENCY_CONFLICT",
      "MARKET_NOT_OPEN",
      "ORDER_NOT_OPEN",
      "NOT_ORDER_OWNER",
      "UNKNOWN_ORDER",
      "PRICE_NOT_ON_TICK",
      "PRICE_OUT_OF_RANGE",
      "INVALID_QUANTITY",
      "INVALID_LEVERAGE",
      "LEVERAGE_TOO_HIGH",
      "INVALID_ORDER_TERMS",
      "UNKNOWN_ACCOUNT",
      "UNKNOWN_MARKET",
    ] as const)
      expect(stats.rejections[code] ?? 0, code).toBeGreaterThan(0);
  }, 120_000);
});
