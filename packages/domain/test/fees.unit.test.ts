// Taker fees: fee = ceil to 6 places of (the taker's own execution price × quantity × bps / 10000), per fill.
// The maker pays none; a selling taker receives amount − fee; fees accrue in state.totals.fees.
import { describe, expect, it } from "vitest";
import type { Event } from "../src/events.js";
import { solvency } from "../src/invariants.js";
import { toAmountString } from "../src/money.js";
import {
  buy,
  cashOf,
  deposited,
  escrowOf,
  given,
  history,
  listed,
  opened,
  reservedOf,
  sell,
} from "./given.js";

/** alice, bob, carol with 1000 each; m1 ticks 0.01 with a 25 bps taker fee. */
const m1_with_25_bps_fee: Event[] = [
  ...opened("alice", "bob", "carol"),
  deposited("alice", "1000"),
  deposited("bob", "1000"),
  deposited("carol", "1000"),
  listed("m1", "0.01", 25),
];
/** The same traders; m1 ticks 0.001 with a 25 bps taker fee (fees then need rounding). */
const m1_ticks_0001_with_25_bps_fee: Event[] = [
  ...m1_with_25_bps_fee.slice(0, -1),
  listed("m1", "0.001", 25),
];
/**
 * 10 pairs minted at 0.60 on the 25 bps market: alice (maker) paid 6.00, bob (taker) 4.00 + fee 0.01.
 * alice 994 cash + 10 YES; bob 995.99 + 10 NO; fees 0.01.
 */
const alice_long_10_yes_bob_long_10_no_at_060_with_fee = history(
  m1_with_25_bps_fee,
  buy("alice", "YES", "0.60", 10),
  buy("bob", "NO", "0.40", 10),
);
const fees = (events: Event[]) => events.flatMap((e) => (e.type === "TradeExecuted" ? [e.takerFee] : []));

describe("taker fee", () => {
  it("given bob bids 7 NO at 0.67, when alice buys 7 YES at 0.33 (25 bps), then she pays 2.31 + fee 0.005775 and bob no fee", () => {
    // notional 7 × 0.33 = 2.31; fee 2.31 × 25 / 10000 = 0.005775; bob (maker) pays 7 × 0.67 = 4.69
    const bob_bids_7_no_at_067 = history(m1_with_25_bps_fee, buy("bob", "NO", "0.67", 7));
    const { state } = given(bob_bids_7_no_at_067)
      .when(buy("alice", "YES", "0.33", 7))
      .then([
        { type: "OrderAccepted", orderId: "o-2", reservedCash: "2.315775" },
        {
          type: "TradeExecuted",
          kind: "MINT",
          yesPrice: "0.33",
          quantity: 7,
          makerAccountId: "bob",
          makerAmount: "4.69",
          takerAccountId: "alice",
          takerAmount: "2.31",
          takerFee: "0.005775",
        },
      ]);
    expect(cashOf(state, "alice")).toBe("997.684225"); // 1000 − 2.315775
    expect(cashOf(state, "bob")).toBe("995.31"); // 1000 − 4.69, no fee
    expect([reservedOf(state, "alice"), reservedOf(state, "bob")]).toEqual(["0", "0"]);
    expect(toAmountString(state.totals.fees)).toBe("0.005775");
    expect(solvency(state)).toMatchObject({
      balanced: true,
      totals: {
        deposits: "3000",
        withdrawals: "0",
        netDeposits: "3000",
        accountCash: "2992.994225",
        accountReserved: "0",
        marketEscrow: "7",
        feeRevenue: "0.005775",
        heldTotal: "3000",
      },
    });
  });

  it("given alice bids 7 YES at 0.33, when bob buys 7 NO at 0.67, then the fee is on bob's own (NO) price: 0.011725", () => {
    // notional 7 × 0.67 = 4.69; fee 4.69 × 0.0025 = 0.011725
    const alice_bids_7_yes_at_033 = history(m1_with_25_bps_fee, buy("alice", "YES", "0.33", 7));
    const { state } = given(alice_bids_7_yes_at_033)
      .when(buy("bob", "NO", "0.67", 7))
      .then([
        { type: "OrderAccepted", reservedCash: "4.701725" },
        { type: "TradeExecuted", makerAmount: "2.31", takerAmount: "4.69", takerFee: "0.011725" },
      ]);
    expect(cashOf(state, "bob")).toBe("995.298275");
    expect(cashOf(state, "alice")).toBe("997.69");
  });

  it("given carol bids 10 YES at 0.40, when alice sells 10 YES at 0.40, then alice receives 4.00 − fee 0.01 = 3.99", () => {
    const carol_bids_10_yes_at_040 = history(
      alice_long_10_yes_bob_long_10_no_at_060_with_fee,
      buy("carol", "YES", "0.40", 10),
    );
    const { state } = given(carol_bids_10_yes_at_040)
      .when(sell("alice", "YES", "0.40", 10))
      .then([
        { type: "OrderAccepted", reservedShares: 10, reservedCash: "0" },
        {
          type: "TradeExecuted",
          kind: "TRANSFER",
          makerAmount: "4",
          takerSide: "sell",
          takerAmount: "4",
          takerFee: "0.01",
        },
      ]);
    expect(cashOf(state, "alice")).toBe("997.99"); // 994 + 3.99
    expect(cashOf(state, "carol")).toBe("996"); // the maker pays 4.00, no fee
    expect(toAmountString(state.totals.fees)).toBe("0.02"); // 0.01 from the mint + 0.01
  });

  it("given alice offers 10 YES at 0.55, when bob sells 10 NO at 0.45 (MERGE), then bob receives 4.50 − 0.01125 and the identity holds", () => {
    // alice (maker) receives 5.50; bob 4.50 − 4.50 × 0.0025 = 4.48875; escrow −10
    const alice_offers_10_yes_at_055 = history(
      alice_long_10_yes_bob_long_10_no_at_060_with_fee,
      sell("alice", "YES", "0.55", 10),
    );
    const { state } = given(alice_offers_10_yes_at_055)
      .when(sell("bob", "NO", "0.45", 10))
      .then([
        { type: "OrderAccepted" },
        { type: "TradeExecuted", kind: "MERGE", makerAmount: "5.5", takerAmount: "4.5", takerFee: "0.01125" },
      ]);
    expect(cashOf(state, "alice")).toBe("999.5");
    expect(cashOf(state, "bob")).toBe("1000.47875"); // 995.99 + 4.48875
    expect(escrowOf(state)).toBe("0");
    expect(toAmountString(state.totals.fees)).toBe("0.02125");
    // 999.5 + 1000.47875 + 1000 + 0 escrow + 0.02125 fees = 3000
    expect(solvency(state).totals.heldTotal).toBe("3000");
    expect(solvency(state).balanced).toBe(true);
  });

  it("given alice offers 10 YES at 0.60, when carol buys 10 YES at 0.65, then the fee is on the execution price: 0.015, not 0.01625", () => {
    const alice_offers_10_yes_at_060 = history(
      alice_long_10_yes_bob_long_10_no_at_060_with_fee,
      sell("alice", "YES", "0.60", 10),
    );
    const { state } = given(alice_offers_10_yes_at_060)
      .when(buy("carol", "YES", "0.65", 10))
      .then([
        { type: "OrderAccepted", reservedCash: "6.015" },
        { type: "TradeExecuted", takerAmount: "6", takerFee: "0.015" },
      ]);
    expect(cashOf(state, "carol")).toBe("993.985");
    expect(cashOf(state, "alice")).toBe("1000"); // 994 + 6, no fee
  });

  it("given alice offers 10 YES at 0.60, when carol buys 15 YES at 0.65, then 10 fill with a fee and the 5 resting reserve no fee", () => {
    // 10 × 0.60 = 6.00 + fee 0.015, plus 5 × 0.65 = 3.25 resting: 9.265 reserved at acceptance
    const alice_offers_10_yes_at_060 = history(
      alice_long_10_yes_bob_long_10_no_at_060_with_fee,
      sell("alice", "YES", "0.60", 10),
    );
    const { state } = given(alice_offers_10_yes_at_060)
      .when(buy("carol", "YES", "0.65", 15))
      .then([
        { type: "OrderAccepted", reservedCash: "9.265" },
        { type: "TradeExecuted", quantity: 10, takerFee: "0.015" },
        { type: "OrderRested", quantity: 5 },
      ]);
    expect([cashOf(state, "carol"), reservedOf(state, "carol")]).toEqual(["990.735", "3.25"]);
  });

  it("given carol bids 5 YES at 0.65 on a fee market, when alice sells 5 YES into her bid, then carol (maker) pays exactly 3.25 and alice the fee", () => {
    const carol_bids_5_yes_at_065 = history(
      alice_long_10_yes_bob_long_10_no_at_060_with_fee,
      buy("carol", "YES", "0.65", 5),
    );
    const { state } = given(carol_bids_5_yes_at_065)
      .when(sell("alice", "YES", "0.65", 5))
      .then([
        { type: "OrderAccepted" },
        { type: "TradeExecuted", makerAmount: "3.25", takerAmount: "3.25", takerFee: "0.008125" },
      ]);
    expect([cashOf(state, "carol"), reservedOf(state, "carol")]).toEqual(["996.75", "0"]);
    expect(cashOf(state, "alice")).toBe("997.241875"); // 994 + 3.25 − 0.008125
  });

  it("given bob bids 3 NO at 0.667 (ticks 0.001), when alice buys 3 YES at 0.333, then the fee 0.0024975 rounds up to 0.002498", () => {
    const bob_bids_3_no_at_0667 = history(m1_ticks_0001_with_25_bps_fee, buy("bob", "NO", "0.667", 3));
    const { state } = given(bob_bids_3_no_at_0667)
      .when(buy("alice", "YES", "0.333", 3))
      .then([
        { type: "OrderAccepted", reservedCash: "1.001498" },
        { type: "TradeExecuted", takerAmount: "0.999", takerFee: "0.002498" },
      ]);
    expect(toAmountString(state.totals.fees)).toBe("0.002498");
    expect(solvency(state).balanced).toBe(true);
  });

  it("given two makers of 1 at 0.333 (ticks 0.001), when alice buys 2 YES at 0.333, then each fill rounds its own fee up: 2 × 0.000833", () => {
    // per fill 0.333 × 0.0025 = 0.0008325 → 0.000833; one fill of 2 would have cost 0.001665
    const two_makers = history(
      m1_ticks_0001_with_25_bps_fee,
      buy("bob", "NO", "0.667", 1),
      buy("carol", "NO", "0.667", 1),
    );
    const { state, events } = given(two_makers)
      .when(buy("alice", "YES", "0.333", 2))
      .then([
        { type: "OrderAccepted", reservedCash: "0.667666" },
        { type: "TradeExecuted", makerAccountId: "bob", takerFee: "0.000833" },
        { type: "TradeExecuted", makerAccountId: "carol", takerFee: "0.000833" },
      ]);
    expect(fees(events)).toEqual(["0.000833", "0.000833"]);
    expect(toAmountString(state.totals.fees)).toBe("0.001666");
    expect(cashOf(state, "alice")).toBe("999.332334");
  });

  describe("funds for the fee", () => {
    const two_makers_and_dave = (cash: string) =>
      history(
        [...m1_ticks_0001_with_25_bps_fee, ...opened("dave"), deposited("dave", cash)],
        buy("bob", "NO", "0.667", 1),
        buy("carol", "NO", "0.667", 1),
      );

    it("given dave has 0.667665 (2 × 0.333 + one rounded fee), when he buys 2 YES from two makers, then INSUFFICIENT_FUNDS (the per-fill fees need 0.667666)", () => {
      given(two_makers_and_dave("0.667665"))
        .when(buy("dave", "YES", "0.333", 2))
        .thenRejects("INSUFFICIENT_FUNDS");
    });

    it("given dave has 0.667666, when he buys 2 YES from two makers, then both fill and he has 0 left", () => {
      const { state } = given(two_makers_and_dave("0.667666"))
        .when(buy("dave", "YES", "0.333", 2))
        .then([
          { type: "OrderAccepted", reservedCash: "0.667666" },
          { type: "TradeExecuted" },
          { type: "TradeExecuted" },
        ]);
      expect(cashOf(state, "dave")).toBe("0");
    });

    it("given dave has 6.00, when he bids 10 YES at 0.60 on a 25 bps market, then INSUFFICIENT_FUNDS (the fee it could pay, 0.015, is checked up front)", () => {
      given([...m1_with_25_bps_fee, ...opened("dave"), deposited("dave", "6")])
        .when(buy("dave", "YES", "0.60", 10))
        .thenRejects("INSUFFICIENT_FUNDS");
    });

    it("given dave has 6.015, when he bids 10 YES at 0.60 on an empty book, then it rests reserving 6.00 (a maker pays no fee)", () => {
      const { state } = given([...m1_with_25_bps_fee, ...opened("dave"), deposited("dave", "6.015")])
        .when(buy("dave", "YES", "0.60", 10))
        .then([
          { type: "OrderAccepted", reservedCash: "6" },
          { type: "OrderRested", quantity: 10 },
        ]);
      expect(cashOf(state, "dave")).toBe("0.015");
    });
  });

  it("given a 1000 bps (10%) market where carol bids 10 YES at 0.50, when alice sells 10 YES, then she receives 5.00 − 0.50", () => {
    const m1_10_percent = history(
      [...m1_with_25_bps_fee.slice(0, -1), listed("m1", "0.01", 1000)],
      buy("alice", "YES", "0.50", 10),
      buy("bob", "NO", "0.50", 10), // bob pays 5 + 0.50 fee
      buy("carol", "YES", "0.50", 10),
    );
    const { state } = given(m1_10_percent)
      .when(sell("alice", "YES", "0.50", 10))
      .then([{ type: "OrderAccepted" }, { type: "TradeExecuted", takerAmount: "5", takerFee: "0.5" }]);
    expect(cashOf(state, "alice")).toBe("999.5"); // 1000 − 5 + 4.5
    expect(cashOf(state, "bob")).toBe("994.5");
    expect(toAmountString(state.totals.fees)).toBe("1");
  });

  it("given a run of trades on a 25 bps market, when the last one executes, then totals.fees is the sum of their fees and the identity holds exactly", () => {
    const run = history(
      alice_long_10_yes_bob_long_10_no_at_060_with_fee, // fee 4.00 × 0.0025 = 0.01
      buy("carol", "YES", "0.37", 3),
      sell("alice", "YES", "0.30", 3), // 3 × 0.37 = 1.11; fee 0.002775
      sell("bob", "NO", "0.41", 4),
    );
    const { state, events } = given(run)
      .when(buy("carol", "NO", "0.43", 4)) // fills at NO 0.41: 4 × 0.41 = 1.64; fee 0.0041
      .then([
        { type: "OrderAccepted", reservedCash: "1.6441" },
        { type: "TradeExecuted", kind: "TRANSFER", takerFee: "0.0041" },
      ]);
    expect(fees([...run, ...events])).toEqual(["0.01", "0.002775", "0.0041"]);
    expect(toAmountString(state.totals.fees)).toBe("0.016875");
    const s = solvency(state);
    expect([s.balanced, s.totals.netDeposits, s.totals.heldTotal, s.totals.feeRevenue]).toEqual([
      true,
      "3000",
      "3000",
      "0.016875",
    ]);
  });
});
