// Guarantee 11 for the credit layer: re-deciding the recorded commands on a fresh state gives the same events,
// byte for byte; replaying the log gives the same state, credit layer included; and the state hash
// (canonicalState) sees the credit layer.
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../src/canonical-json.js";
import { canonicalState } from "../src/canonical-state.js";
import { decide } from "../src/decide.js";
import type { Event } from "../src/events.js";
import { evolve, evolveAll } from "../src/evolve.js";
import { initialState } from "../src/state.js";
import {
  a_credit_day_on_m1,
  alice_long_100_yes_at_050_5x,
  HOUR,
  loanOf,
  snapshot,
  T0,
  tick,
  typesOf,
} from "./credit-fixtures.js";
import { creditStateText } from "./given.js";

describe("guarantee 11: deterministic", () => {
  it("re-deciding a_credit_day_on_m1's recorded commands on a fresh state gives identical events, command by command", () => {
    const day = a_credit_day_on_m1();
    expect(typesOf(day.events)).toEqual(
      expect.arrayContaining([
        "LoanOpened",
        "FundingAccrued",
        "MarginCallCleared",
        "AuctionUncrossed",
        "PositionTransferred",
        "BadDebtRecorded",
        "InsuranceFundDrawn",
        "LossSocialized",
        "PledgedSharesRedeemed",
        "PoolRedeemed",
      ]),
    );
    const state = initialState();
    const again: Event[] = [];
    const rejections: string[] = [];
    for (const command of day.commands) {
      const decision = decide(command, state);
      if (decision._tag === "Left") {
        rejections.push(decision.left.code);
        continue;
      }
      for (const event of decision.right) {
        evolve(state, event);
        again.push(event);
      }
    }
    expect(canonicalJson(again)).toBe(canonicalJson(day.events));
    expect(rejections).toEqual(["POOL_CASH_LENT_OUT", "LEVERAGE_TOO_HIGH", "MARKET_IN_AUCTION"]);
    expect(snapshot(state)).toBe(snapshot(day.state));
  });

  it("replaying a_credit_day_on_m1's log from scratch gives the same state, settlement and credit layers", () => {
    const day = a_credit_day_on_m1();
    const replayed = evolveAll(initialState(), day.events);
    expect(canonicalState(replayed)).toBe(canonicalState(day.state));
    expect(creditStateText(replayed)).toBe(creditStateText(day.state));
  });

  it("the state hash sees the credit layer: a tick that accrued a fee changes canonicalState", () => {
    // One hour into alice_long_100_yes_at_050_5x the second hour's fee is charged: the loan goes from 40.026564
    // to 40.053198 and nothing else changes. canonicalState is what projections hash (stateHash) and what
    // `replay --verify` compares.
    const x = alice_long_100_yes_at_050_5x();
    const before = canonicalState(x.state);
    x.run(tick(T0 + HOUR));
    expect(loanOf(x.state, "alice", "YES")).toBe("40.053198");
    expect(canonicalState(x.state), "canonicalState omits loans, pools, insurance funds").not.toBe(before);
  });
});
