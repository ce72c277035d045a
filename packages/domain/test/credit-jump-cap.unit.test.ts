// Issue 11, the 1 % bad-debt bound: under the default parameters a leveraged position survives the adverse jump the
// jump-risk fee prices (adverseJumpSize 0.20), because the extremity cap is sized to it (extremityMove 0.20).
import { RiskParams } from "@pmx/liquidation";
import { describe, expect, it } from "vitest";
import { CreditExchange, FAR_RESOLUTION, leveragedBuy, mark, place } from "./credit-fixtures.js";

/** m1 listed with the default risk parameters (no override at all), a pool of 1000 and the mark at 0.50. */
function market_m1_with_the_default_parameters(): CreditExchange {
  const x = new CreditExchange();
  x.fund("10000", "mm", "lp");
  x.fund("1000", "alice");
  x.run({
    type: "ListMarket",
    marketId: "m1",
    question: "Will m1 resolve YES?",
    tickSize: "0.01",
    resolvesAt: FAR_RESOLUTION,
  });
  x.run({ type: "SupplyPool", accountId: "lp", marketId: "m1", amount: "1000", reference: "s-1" });
  x.run(mark("0.5"));
  x.run(place("mm", "buy", "NO", "0.5", 200));
  return x;
}

describe("the default extremity cap: a position at the cap survives an adverse jump of 0.20", () => {
  it("the defaults size the extremity move to the adverse jump the fee prices: both 0.2", () => {
    expect(RiskParams.DEFAULT_RISK_PARAMS.extremityMove).toBe("0.2");
    expect(RiskParams.DEFAULT_RISK_PARAMS.adverseJumpSize).toBe("0.2");
  });

  it("given the defaults at 0.50 (cap 0.50 / 0.2 = 2.5x), when alice buys 100 YES at 3x, then LEVERAGE_TOO_HIGH; at 2.5x the loan is 30 and the equity a share, 0.20, covers the jump", () => {
    const x = market_m1_with_the_default_parameters();
    expect(x.state.markets.get("m1")!.risk.extremityMove).toBe("0.2");
    expect(x.rejects(leveragedBuy("alice", "YES", "0.5", 100, "3"))).toBe("LEVERAGE_TOO_HIGH");
    const events = x.run(leveragedBuy("alice", "YES", "0.5", 100, "2.5"));
    const loan = events.find((e) => e.type === "LoanOpened");
    expect(loan).toMatchObject({ amount: "30", leverage: "2.5" });
    // 100 shares at 0.50 − 0.20 = 0.30 are worth 30: after the jump they still repay the loan's principal.
    expect(loan).toMatchObject({ amount: "30" });
  });
});
