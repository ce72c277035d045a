import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Decimal, floor6 } from "../src/decimal.js";
import { maxLeverage } from "../src/leverage.js";
import { chooseBackstopBid, planLiquidation, splitProceeds } from "../src/liquidation-plan.js";
import { DEFAULT_RISK_PARAMS as params } from "../src/params.js";
import { bankruptcyPrice, equity, loanForPurchase, maintenanceRequirement } from "../src/position.js";
import { amount, nowMs, price, RESOLVES_AT_MS } from "./arbitraries.js";

const GRACE_MS = params.graceWindowSeconds * 1000;

const planInputs = fc.record({
  equity: amount(0, 1000).chain((e) => fc.constantFrom(e, e.neg())),
  maintenance: amount(0, 1000),
  loan: amount(0, 1000),
  nowMs: nowMs(),
  marginCallDeadlineMs: fc.option(nowMs(), { nil: null }),
});

describe("Liquidation properties (guarantees 2, 6 and 10)", () => {
  it("only a position with a loan below maintenance is ever called or liquidated, and only as the rules say", () => {
    fc.assert(
      fc.property(planInputs, (inputs) => {
        const decision = planLiquidation(params, inputs);
        const below = !inputs.loan.isZero() && inputs.equity.lt(inputs.maintenance);
        if (!below) expect(decision).toEqual({ kind: "healthy" });
        switch (decision.kind) {
          case "healthy":
            expect(below).toBe(false);
            break;
          case "margin_call":
            expect(decision.deadlineMs).toBeGreaterThan(inputs.nowMs - (decision.isNew ? 0 : 1));
            if (decision.isNew) expect(decision.deadlineMs).toBe(inputs.nowMs + GRACE_MS);
            break;
          case "liquidate_now": {
            const nearZero =
              inputs.equity.lt(inputs.maintenance.mul(params.nearZeroEquityFraction)) || inputs.equity.lte(0);
            const expired =
              inputs.marginCallDeadlineMs !== null && inputs.nowMs >= inputs.marginCallDeadlineMs;
            expect(decision.reason === "EQUITY_NEAR_ZERO" ? nearZero : expired).toBe(true);
            break;
          }
          default: {
            const exhaustive: never = decision;
            throw new Error(`unexpected ${JSON.stringify(exhaustive)}`);
          }
        }
      }),
    );
  });

  it("on a continuous fall, a position bought at the market cap is liquidated with equity ≥ 0 and leaves no bad debt", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 15, max: 85 }).map((cents) => new Decimal(cents).div(100)),
        amount(1, 10_000),
        fc.infiniteStream(
          fc.record({
            stepShare: fc.integer({ min: 0, max: 1000 }),
            seconds: fc.integer({ min: 1, max: 300 }),
          }),
        ),
        (entry, shares, moves) => {
          const cap = maxLeverage(params, {
            nowMs: RESOLVES_AT_MS - 30 * 86_400_000,
            resolvesAtMs: RESOLVES_AT_MS,
            markPrice: entry,
            poolAssets: new Decimal(1_000_000),
            poolLent: new Decimal(0),
          });
          const position = { shares, loan: loanForPurchase(shares.mul(entry), cap) };
          if (position.loan.isZero()) return;
          // "continuous": no single move is larger than the near-zero buffer at the bankruptcy price
          const maxStep = floor6(
            bankruptcyPrice(position)!
              .mul(params.nearZeroEquityFraction)
              .mul(params.maintenanceMarginFraction),
          );
          let mark = entry;
          let now = 0;
          let deadline: number | null = null;
          for (const move of moves) {
            mark = Decimal.max(0, mark.minus(floor6(maxStep.mul(move.stepShare).div(1000))));
            now += move.seconds * 1000;
            const decision = planLiquidation(params, {
              equity: equity(position, mark),
              maintenance: maintenanceRequirement(params, position, mark),
              loan: position.loan,
              nowMs: now,
              marginCallDeadlineMs: deadline,
            });
            if (decision.kind === "healthy") deadline = null;
            if (decision.kind === "margin_call") deadline = decision.deadlineMs;
            if (decision.kind === "liquidate_now") {
              expect(equity(position, mark).gte(0)).toBe(true);
              expect(splitProceeds(params, floor6(shares.mul(mark)), position.loan).badDebt.isZero()).toBe(
                true,
              );
              return;
            }
            if (mark.isZero()) throw new Error("reached 0 without liquidation");
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it("proceeds: loan first, then penalty, then owner; exact sums; bad debt only when nothing is left", () => {
    fc.assert(
      fc.property(amount(0, 100_000), amount(0, 100_000), (proceeds, loan) => {
        const s = splitProceeds(params, proceeds, loan);
        expect(s.repayLoan.plus(s.penalty).plus(s.toOwner).eq(proceeds)).toBe(true);
        expect(s.repayLoan.plus(s.badDebt).eq(loan)).toBe(true);
        for (const part of [s.repayLoan, s.penalty, s.toOwner, s.badDebt]) expect(part.gte(0)).toBe(true);
        if (s.badDebt.gt(0)) expect(s.penalty.isZero() && s.toOwner.isZero()).toBe(true);
      }),
    );
  });

  it("the chosen backstop bid pays at least the minimum and no acceptable bid pays more", () => {
    const bids = fc.array(
      fc.record({
        bidderId: fc.string({ maxLength: 3 }),
        price: price(),
        seq: fc.integer({ min: 0, max: 20 }),
      }),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(bids, amount(1, 1000), amount(0, 1000), (offers, shares, minProceeds) => {
        const chosen = chooseBackstopBid(offers, shares, minProceeds);
        const pays = (p: Decimal) => floor6(shares.mul(p));
        const acceptable = offers.filter((b) => pays(b.price).gte(minProceeds));
        if (chosen === null) {
          expect(acceptable).toEqual([]);
          return;
        }
        expect(pays(chosen.price).gte(minProceeds)).toBe(true);
        for (const b of acceptable) expect(b.price.lte(chosen.price)).toBe(true);
      }),
    );
  });
});
