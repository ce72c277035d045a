import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Decimal, ZERO } from "../src/decimal.js";
import { assetsForRedeem, haircutPool, sharesForDeposit } from "../src/socialized-loss.js";
import { amount, microAmount } from "./arbitraries.js";

const MICRO = new Decimal("0.000001");

const holdings = fc
  .uniqueArray(
    fc.record({ provider: fc.string({ minLength: 1, maxLength: 6 }), shares: microAmount(10_000_000_000) }),
    {
      minLength: 1,
      maxLength: 12,
      selector: (h) => h.provider,
    },
  )
  .filter((rows) => rows.some((r) => r.shares.gt(0)));

describe("SocializedLoss properties", () => {
  it("the haircut sums exactly to the loss and is pro rata within 0.000001", () => {
    fc.assert(
      fc.property(holdings, fc.integer({ min: 0, max: 1_000_000 }), (rows, lossPermille) => {
        const assets = new Decimal("5000");
        const loss = assets.mul(lossPermille).div(1_000_000).toDecimalPlaces(6, Decimal.ROUND_FLOOR);
        const total = rows.reduce((sum, r) => sum.plus(r.shares), ZERO);
        const { perProvider, assetsAfter } = haircutPool(loss, rows, assets);
        expect(perProvider.reduce((sum, p) => sum.plus(p.amount), ZERO).eq(loss)).toBe(true);
        expect(assetsAfter.eq(assets.minus(loss))).toBe(true);
        for (const p of perProvider) {
          const exact = loss.mul(p.shares).div(total);
          expect(p.amount.gte(0)).toBe(true);
          expect(p.amount.minus(exact).abs().lt(MICRO)).toBe(true);
        }
      }),
    );
  });

  it("does not depend on the order the holdings are listed in", () => {
    const listedTwice = holdings.chain((rows) =>
      fc.tuple(
        fc.constant(rows),
        fc.shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length }),
      ),
    );
    fc.assert(
      fc.property(listedTwice, amount(0, 1000), ([rows, shuffled], loss) => {
        const byId = (list: readonly { provider: string; amount: Decimal }[]) =>
          Object.fromEntries(list.map((p) => [p.provider, p.amount.toFixed()]));
        expect(byId(haircutPool(loss, shuffled, new Decimal(1000)).perProvider)).toEqual(
          byId(haircutPool(loss, rows, new Decimal(1000)).perProvider),
        );
      }),
    );
  });

  it("a deposit never dilutes the existing holders and a round trip never pays the depositor more than they put in", () => {
    fc.assert(
      fc.property(
        amount(1, 1_000_000),
        amount(1, 1_000_000),
        amount(0, 100_000),
        (assets, shares, deposit) => {
          const minted = sharesForDeposit(deposit, assets, shares)!;
          const valueBefore = assets.div(shares);
          const valueAfter = assets.plus(deposit).div(shares.plus(minted));
          expect(valueAfter.gte(valueBefore)).toBe(true);
          const back = assetsForRedeem(minted, assets.plus(deposit), shares.plus(minted));
          expect(back.lte(deposit)).toBe(true);
        },
      ),
    );
  });
});
