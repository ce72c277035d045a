import { describe, expect, it } from "vitest";
import {
  backstopFloor,
  bandFloor,
  bookSaleProceeds,
  breachesBand,
  chooseBackstopBid,
  isNearZeroEquity,
  liquidationRoute,
  planLiquidation,
  splitProceeds,
} from "../src/liquidation-plan.js";
import { equity, maintenanceRequirement } from "../src/position.js";
import {
  alice_long_100_yes_at_060_5x as alice,
  bob_long_200_no_at_030_3x as bob,
  carol_long_100_yes_at_060_1x as carol,
  d,
  params,
} from "./fixtures.js";

const NOW = Date.UTC(2025, 0, 10, 12);
const GRACE_MS = params.graceWindowSeconds * 1000;

/** The first design's machine: no liquidation delay (the delay has its own tests below). */
const atOnce = { ...params, liquidationDelaySeconds: 0 };

const aliceAt = (mark: string, nowMs: number, marginCallDeadlineMs: number | null, rules = atOnce) =>
  planLiquidation(rules, {
    equity: equity(alice.position, d(mark)),
    maintenance: maintenanceRequirement(params, alice.position, d(mark)),
    loan: alice.loan,
    nowMs,
    marginCallDeadlineMs,
  });

describe("Liquidation delay (second design): liquidation only after liquidationDelaySeconds below maintenance", () => {
  const DELAY_MS = params.liquidationDelaySeconds * 1000;
  it("near-zero equity without a running call gets a call, not a liquidation", () => {
    expect(aliceAt("0.40", NOW, null, params)).toEqual({
      kind: "margin_call",
      deadlineMs: NOW + GRACE_MS,
      isNew: true,
    });
  });
  it("near-zero equity called less than the delay ago is still a call; at the delay it is liquidated", () => {
    const calledAt = NOW;
    const deadline = calledAt + GRACE_MS;
    expect(aliceAt("0.40", calledAt + DELAY_MS - 1, deadline, params)).toMatchObject({ kind: "margin_call" });
    expect(aliceAt("0.40", calledAt + DELAY_MS, deadline, params)).toEqual({
      kind: "liquidate_now",
      reason: "EQUITY_NEAR_ZERO",
    });
  });
  it("a grace window shorter than the delay does not shorten it", () => {
    const short = { ...params, graceWindowSeconds: 60 };
    const deadline = NOW + 60_000;
    expect(aliceAt("0.5", NOW + 60_000, deadline, short)).toMatchObject({ kind: "margin_call" });
    expect(aliceAt("0.5", NOW + DELAY_MS, deadline, short)).toEqual({
      kind: "liquidate_now",
      reason: "GRACE_EXPIRED",
    });
  });
});

describe("Liquidation: the margin-call state machine for alice_long_100_yes_at_060_5x (grace 600 s, near zero < 20% of maintenance)", () => {
  it.each([
    // 0.60: equity 12 ≥ maintenance 3
    { name: "healthy at 0.60", mark: "0.6", now: NOW, deadline: null, expected: { kind: "healthy" } },
    // 0.50: equity 2 < maintenance 2.5, no call yet: a call with deadline now + 10 min
    {
      name: "first breach at 0.50: margin call",
      mark: "0.5",
      now: NOW,
      deadline: null,
      expected: { kind: "margin_call", deadlineMs: NOW + GRACE_MS, isNew: true },
    },
    // 0.50 five minutes into the call: still the same call
    {
      name: "during the grace window",
      mark: "0.5",
      now: NOW + GRACE_MS / 2,
      deadline: NOW + GRACE_MS,
      expected: { kind: "margin_call", deadlineMs: NOW + GRACE_MS, isNew: false },
    },
    // 0.50 at the deadline: liquidate
    {
      name: "deadline reached",
      mark: "0.5",
      now: NOW + GRACE_MS,
      deadline: NOW + GRACE_MS,
      expected: { kind: "liquidate_now", reason: "GRACE_EXPIRED" },
    },
    // back to 0.52 during the call: equity 4 ≥ 2.6, healthy again (the call is cleared)
    {
      name: "recovered to 0.52",
      mark: "0.52",
      now: NOW + 1000,
      deadline: NOW + GRACE_MS,
      expected: { kind: "healthy" },
    },
    // 0.485: equity 0.5 ≥ 20% × 2.425 = 0.485: a call, not yet near zero
    {
      name: "0.485: just above near zero",
      mark: "0.485",
      now: NOW,
      deadline: null,
      expected: { kind: "margin_call", deadlineMs: NOW + GRACE_MS, isNew: true },
    },
    // 0.484: equity 0.4 < 20% × 2.42 = 0.484: at once, no grace
    {
      name: "0.484: near zero",
      mark: "0.484",
      now: NOW,
      deadline: null,
      expected: { kind: "liquidate_now", reason: "EQUITY_NEAR_ZERO" },
    },
    // 0.40 after a jump: equity -8
    {
      name: "0.40: bankrupt",
      mark: "0.4",
      now: NOW,
      deadline: NOW + GRACE_MS,
      expected: { kind: "liquidate_now", reason: "EQUITY_NEAR_ZERO" },
    },
  ])("$name", ({ mark, now, deadline, expected }) => {
    expect(aliceAt(mark, now, deadline)).toEqual(expected);
  });

  it("carol_long_100_yes_at_060_1x is healthy at any price (guarantee 2)", () => {
    for (const mark of ["0.6", "0.1", "0.000001", "0"]) {
      const decision = planLiquidation(params, {
        equity: equity(carol.position, d(mark)),
        maintenance: maintenanceRequirement(params, carol.position, d(mark)),
        loan: carol.loan,
        nowMs: NOW,
        marginCallDeadlineMs: NOW - 1,
      });
      expect(decision).toEqual({ kind: "healthy" });
    }
  });

  it("equity ≤ 0 is always near zero", () => {
    expect(isNearZeroEquity(params, d("0"), d("0"))).toBe(true);
    expect(isNearZeroEquity(params, d("-0.000001"), d("0"))).toBe(true);
    expect(isNearZeroEquity(params, d("0.5"), d("2.425"))).toBe(false);
  });

  it("a continuous fall of 0.001 a minute liquidates alice while her equity is positive, without bad debt (guarantee 6)", () => {
    let deadline: number | null = null;
    let mark = d("0.6");
    for (let minute = 0; minute < 200; minute++, mark = mark.minus("0.001")) {
      const nowMs = NOW + minute * 60_000;
      const decision = aliceAt(mark.toFixed(), nowMs, deadline);
      if (decision.kind === "margin_call") deadline = decision.deadlineMs;
      if (decision.kind === "liquidate_now") {
        // first call at 0.505 (equity 2.5 < 2.525), ten minutes of grace: liquidated at 0.495 with equity 1.5
        expect(mark.toFixed()).toBe("0.495");
        expect(decision.reason).toBe("GRACE_EXPIRED");
        expect(equity(alice.position, mark).toFixed()).toBe("1.5");
        const split = splitProceeds(params, alice.shares.mul(mark), alice.loan);
        expect(split.badDebt.toFixed()).toBe("0");
        return;
      }
    }
    throw new Error("never liquidated");
  });
});

describe("Liquidation: price band", () => {
  it.each([
    { mark: "0.5", band: "0.1", floor: "0.4" },
    { mark: "0.05", band: "0.1", floor: "0" },
    { mark: "0.210527", band: "0.1", floor: "0.110527" },
  ])("floor of $mark with band $band is $floor", ({ mark, band, floor }) => {
    expect(bandFloor(d(mark), d(band)).toFixed()).toBe(floor);
  });

  it.each([
    { from: "0.5", to: "0.6", breach: false },
    { from: "0.5", to: "0.600001", breach: true },
    { from: "0.5", to: "0.39", breach: true },
    { from: "0.58", to: "0.71", breach: true },
  ])("$from → $to breaches the 0.1 band: $breach", ({ from, to, breach }) => {
    expect(breachesBand(d(from), d(to), d("0.1"))).toBe(breach);
  });
});

describe("Liquidation: route for alice at mark 0.50 (band floor 0.40)", () => {
  // the book bids 60 @ 0.49 and 100 @ 0.45: selling 100 gives 60 × 0.49 + 40 × 0.45 = 47.4
  const book = [
    { price: d("0.45"), shares: d("100") },
    { price: d("0.49"), shares: d("60") },
  ];

  it("the book would pay 47.4 for all 100 shares", () => {
    expect(bookSaleProceeds(book, alice.shares, d("0.4"))?.toFixed()).toBe("47.4");
  });

  it("bids below the band floor do not count: a book that cannot absorb the position gives null", () => {
    const thin = [
      { price: d("0.49"), shares: d("60") },
      { price: d("0.39"), shares: d("100") },
    ];
    expect(bookSaleProceeds(thin, alice.shares, d("0.4"))).toBeNull();
  });

  it("backstop first: the best bid paying at least the book's 47.4 wins, earlier seq on a tie", () => {
    // 0.47 pays 47 < 47.4 (refused); two bids at 0.48 pay 48: the earlier (seq 1) wins
    const bids = [
      { bidderId: "x-vault", price: d("0.47"), seq: 0 },
      { bidderId: "y-vault", price: d("0.48"), seq: 2 },
      { bidderId: "z-vault", price: d("0.48"), seq: 1 },
    ];
    const route = liquidationRoute(params, {
      shares: alice.shares,
      markPrice: d("0.5"),
      backstopBids: bids,
      bookProceeds: d("47.4"),
    });
    expect(route).toEqual({ kind: "backstop_transfer", bid: bids[2], proceeds: d("48") });
  });

  it("ties on price and seq go to the smaller bidder id", () => {
    const bids = [
      { bidderId: "b", price: d("0.48"), seq: 1 },
      { bidderId: "a", price: d("0.48"), seq: 1 },
    ];
    expect(chooseBackstopBid(bids, alice.shares, d("47.4"))?.bidderId).toBe("a");
  });

  it("with a thin book a backstop must pay at least the backstop floor ceil6(0.50 × (1 − 0.05)) = 0.475 for every share", () => {
    const bids = [
      { bidderId: "low", price: d("0.39"), seq: 0 },
      { bidderId: "ok", price: d("0.475"), seq: 1 },
    ];
    const route = liquidationRoute(params, {
      shares: alice.shares,
      markPrice: d("0.5"),
      backstopBids: bids,
      bookProceeds: null,
    });
    expect(route).toEqual({ kind: "backstop_transfer", bid: bids[1], proceeds: d("47.5") });
  });

  it("backstop floor: on a thin book a bid of 0.41 (above the band floor 0.40, below 0.475) takes nothing; the book sells", () => {
    // Before the floor a bid at 0.41 took all 100 shares for 41 while the mark said they were worth 50.
    const route = liquidationRoute(params, {
      shares: alice.shares,
      markPrice: d("0.5"),
      backstopBids: [{ bidderId: "vulture", price: d("0.41"), seq: 0 }],
      bookProceeds: null,
    });
    expect(route).toEqual({ kind: "book_sale", limitPrice: d("0.4") });
  });

  it("the backstop floor is rounded up to 6 dp (for the defaulter): mark 0.333333, discount 0.05 → 0.31666635 → 0.316667", () => {
    expect(backstopFloor(d("0.333333"), d("0.05")).toFixed()).toBe("0.316667");
    const bids = [
      { bidderId: "under", price: d("0.316666"), seq: 0 },
      { bidderId: "at", price: d("0.316667"), seq: 1 },
    ];
    const route = liquidationRoute(params, {
      shares: d("1"),
      markPrice: d("0.333333"),
      backstopBids: bids,
      bookProceeds: null,
    });
    expect(route).toMatchObject({ kind: "backstop_transfer", bid: bids[1] });
    expect(
      liquidationRoute(params, {
        shares: d("1"),
        markPrice: d("0.333333"),
        backstopBids: [bids[0]!],
        bookProceeds: null,
      }),
    ).toMatchObject({ kind: "book_sale" });
  });

  it("a market with backstopDiscount 0.2 accepts the 0.41 bid on a thin book (floor 0.40)", () => {
    const route = liquidationRoute(
      { ...params, backstopDiscount: "0.2" },
      {
        shares: alice.shares,
        markPrice: d("0.5"),
        backstopBids: [{ bidderId: "vulture", price: d("0.41"), seq: 0 }],
        bookProceeds: null,
      },
    );
    expect(route).toMatchObject({ kind: "backstop_transfer", proceeds: d("41") });
  });

  it("without an acceptable backstop bid, the book, limited to the band floor 0.40", () => {
    const route = liquidationRoute(params, {
      shares: alice.shares,
      markPrice: d("0.5"),
      backstopBids: [{ bidderId: "low", price: d("0.47"), seq: 0 }],
      bookProceeds: d("47.4"),
    });
    expect(route).toEqual({ kind: "book_sale", limitPrice: d("0.4") });
  });
});

describe("Liquidation: proceeds split (loan first, 1% penalty to insurance, rest to the owner)", () => {
  it.each([
    // alice sold at 0.50: 50 → loan 48, penalty 0.5, owner 1.5
    {
      name: "alice at 0.50",
      proceeds: "50",
      loan: alice.loan,
      repay: "48",
      penalty: "0.5",
      owner: "1.5",
      bad: "0",
    },
    // alice sold at 0.485: 48.5 → loan 48, penalty 0.485, owner 0.015
    {
      name: "alice at 0.485",
      proceeds: "48.5",
      loan: alice.loan,
      repay: "48",
      penalty: "0.485",
      owner: "0.015",
      bad: "0",
    },
    // alice sold at 0.481: 48.1 → loan 48, the penalty is capped at the 0.1 left, owner 0
    {
      name: "alice at 0.481",
      proceeds: "48.1",
      loan: alice.loan,
      repay: "48",
      penalty: "0.1",
      owner: "0",
      bad: "0",
    },
    // alice after a jump to 0.40: 40 → loan 40 repaid, 8 bad debt, no penalty
    {
      name: "alice at 0.40",
      proceeds: "40",
      loan: alice.loan,
      repay: "40",
      penalty: "0",
      owner: "0",
      bad: "8",
    },
    // bob sold at NO 0.21: 42 → loan 40, penalty 0.42, owner 1.58
    {
      name: "bob at NO 0.21",
      proceeds: "42",
      loan: bob.loan,
      repay: "40",
      penalty: "0.42",
      owner: "1.58",
      bad: "0",
    },
    // 0.000001 proceeds, no loan: the penalty ceil6(0.00000001) rounds up to 0.000001, all that is left
    {
      name: "dust",
      proceeds: "0.000001",
      loan: d("0"),
      repay: "0",
      penalty: "0.000001",
      owner: "0",
      bad: "0",
    },
  ])("$name", ({ proceeds, loan, repay, penalty, owner, bad }) => {
    const split = splitProceeds(params, d(proceeds), loan);
    expect(split.repayLoan.toFixed()).toBe(repay);
    expect(split.penalty.toFixed()).toBe(penalty);
    expect(split.toOwner.toFixed()).toBe(owner);
    expect(split.badDebt.toFixed()).toBe(bad);
  });
});
