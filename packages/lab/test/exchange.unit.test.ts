// The per-event money check must be able to fail: a balance changed behind the decider's back is caught at the next
// event, in both modes, and the running totals agree with the domain's solvency(state) when nothing is wrong.
import { money } from "@pmx/domain";
import { describe, expect, it } from "vitest";
import { type CheckMode, LabExchange } from "../src/index.js";

const at = Date.parse("2024-11-05T00:00:00Z");

function funded(mode: CheckMode): LabExchange {
  const x = new LabExchange(mode, () => {});
  for (const accountId of ["alice", "bob"]) {
    x.run({ type: "OpenAccount", at, accountId });
    x.run({ type: "Deposit", at, accountId, amount: "100", reference: "d" });
  }
  return x;
}

describe("the per-event money check", () => {
  for (const mode of ["money", "full"] as const) {
    it(`${mode}: passes on honest events and catches cash created out of nothing`, () => {
      const x = funded(mode);
      x.finish();
      expect(x.tally.violationCount).toBe(0);
      expect(x.tally.checkedEvents).toBe(x.tally.events);
      const alice = x.state.accounts.get("alice")!;
      alice.cash = alice.cash.plus(money("0.000001"));
      x.run({ type: "Deposit", at, accountId: "bob", amount: "1", reference: "d2" });
      expect(x.tally.violationCount).toBeGreaterThan(0);
      // The lab's own sum (money) or the domain's walk of the balances against its running totals (full).
      expect(x.tally.violations[0]).toMatch(/solvency|running total/);
    });
  }

  it("money: catches a negative balance even when the totals still add up", () => {
    const x = funded("money");
    const alice = x.state.accounts.get("alice")!;
    const bob = x.state.accounts.get("bob")!;
    alice.cash = alice.cash.minus(150);
    bob.cash = bob.cash.plus(150);
    x.run({ type: "Deposit", at, accountId: "bob", amount: "1", reference: "d2" });
    expect(x.tally.violations.join("\n")).toMatch(/account alice: cash is negative/);
    expect(x.tally.violations.join("\n")).not.toMatch(/solvency/);
  });

  it("counts refusals by command and code instead of applying them", () => {
    const x = funded("money");
    const r = x.run({ type: "Withdraw", at, accountId: "alice", amount: "1000", reference: "w" });
    expect(r.ok).toBe(false);
    expect(x.rejections).toEqual({ "Withdraw:INSUFFICIENT_FUNDS": 1 });
  });
});
