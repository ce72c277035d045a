// SocializedLoss: the pro-rata haircut of a pool's liquidity providers, and pool share accounting (deposit, redeem, value).
import { Decimal, floor6, ONE, ZERO } from "./decimal.js";

const MICRO = new Decimal("0.000001");

/** One liquidity provider's pool shares (≥ 0, at most 6 dp). */
export interface PoolHolding {
  readonly provider: string;
  readonly shares: Decimal;
}

/** What one provider bears of a socialized loss. */
export interface ProviderHaircut {
  readonly provider: string;
  readonly shares: Decimal;
  readonly amount: Decimal;
}

/** Per-provider amounts in the order of the holdings given; Σ amount = loss exactly. */
export interface PoolHaircut {
  readonly perProvider: readonly ProviderHaircut[];
  /** Pool assets after the haircut: assets − loss. Shares are unchanged, so each share is worth less. */
  readonly assetsAfter: Decimal;
}

// A loss is shared pro rata to shares: floor6(loss × shares / total) each, then the leftover 0.000001 units one each to the largest remainders, ties by provider id ascending (then input order).
export function haircutPool(
  loss: Decimal,
  holdings: readonly PoolHolding[],
  poolAssets: Decimal,
): PoolHaircut {
  if (loss.isNegative() || loss.decimalPlaces() > 6)
    throw new RangeError("loss must be ≥ 0 with at most 6 dp");
  if (loss.gt(poolAssets)) throw new RangeError("a haircut cannot exceed the pool's assets");
  const total = holdings.reduce((sum, h) => sum.plus(h.shares), ZERO);
  if (holdings.some((h) => h.shares.isNegative())) throw new RangeError("shares must be ≥ 0");
  if (loss.isZero()) {
    return { perProvider: holdings.map((h) => ({ ...h, amount: ZERO })), assetsAfter: poolAssets };
  }
  if (total.isZero()) throw new RangeError("a pool without shares cannot be haircut");
  // floor_i = floor6(loss × s_i / T); the remainder's numerator loss × s_i − floor_i × T is exact and shares T.
  const rows = holdings.map((h, index) => {
    const numerator = loss.mul(h.shares);
    const floor = floor6(numerator.div(total));
    return { h, index, floor, remainder: numerator.minus(floor.mul(total)) };
  });
  const floored = rows.reduce((sum, r) => sum.plus(r.floor), ZERO);
  const units = loss.minus(floored).div(MICRO).toNumber();
  const byRemainder = [...rows].sort(
    (a, b) =>
      b.remainder.comparedTo(a.remainder) ||
      (a.h.provider < b.h.provider ? -1 : a.h.provider > b.h.provider ? 1 : 0) ||
      a.index - b.index,
  );
  const extra = new Set(byRemainder.slice(0, units).map((r) => r.index));
  const perProvider = rows.map((r) => ({
    provider: r.h.provider,
    shares: r.h.shares,
    amount: extra.has(r.index) ? r.floor.plus(MICRO) : r.floor,
  }));
  return { perProvider, assetsAfter: poolAssets.minus(loss) };
}

// Share value = assets / shares, rounded down to 6 dp (1 for a pool without shares); display only.
export function shareValue(assets: Decimal, shares: Decimal): Decimal {
  if (shares.isZero()) return ONE;
  return floor6(assets.div(shares));
}

// A deposit buys floor6(amount × shares / assets) shares (against the depositor), 1 per unit in an empty pool; null when shares exist but assets are 0 (worthless shares: deposits refused).
export function sharesForDeposit(amount: Decimal, assets: Decimal, totalShares: Decimal): Decimal | null {
  if (totalShares.isZero()) return floor6(amount);
  if (assets.lte(0)) return null;
  return floor6(amount.mul(totalShares).div(assets));
}

// Redeeming shares pays floor6(shares × assets / total shares) (against the redeemer); 0 from a pool without shares.
export function assetsForRedeem(shares: Decimal, assets: Decimal, totalShares: Decimal): Decimal {
  if (shares.gt(totalShares)) throw new RangeError("cannot redeem more shares than exist");
  if (totalShares.isZero()) return ZERO;
  return floor6(shares.mul(assets).div(totalShares));
}
