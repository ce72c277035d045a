// Margin: value, equity, requirements and trigger prices of a leveraged long position in one outcome.
import { ceil6, Decimal, divCeil6, floor6, min, ONE, ZERO } from "./decimal.js";
import type { RiskParams } from "./params.js";

/** The two outcomes of a binary market. A position is always long one of them. */
export type Outcome = "YES" | "NO";

/**
 * A long position in one outcome, with the loan that financed part of it. `shares` pays 1 each if the
 * outcome wins; `loan` is owed to the market's pool (0 for a 1x position). Both ≥ 0, at most 6 dp.
 */
export interface LeveragedPosition {
  readonly shares: Decimal;
  readonly loan: Decimal;
}

// A YES holder's mark is the YES price p; a NO holder's is 1 − p (exact: prices have at most 6 dp).
export function outcomePrice(outcome: Outcome, yesPrice: Decimal): Decimal {
  return outcome === "YES" ? yesPrice : ONE.minus(yesPrice);
}

// The YES price at which an outcome trades at `price`: itself for YES, 1 − price for NO (exact).
export function yesPriceOf(outcome: Outcome, price: Decimal): Decimal {
  return outcome === "YES" ? price : ONE.minus(price);
}

// Borrowing at leverage L finances cost × (1 − 1/L), rounded down: the trader pays the rounding as margin.
export function loanForPurchase(cost: Decimal, leverage: Decimal): Decimal {
  return floor6(cost.mul(leverage.minus(1)).div(leverage));
}

// The trader's own margin for a purchase is cost − loan, so margin and loan sum to the cost exactly.
export function marginForPurchase(cost: Decimal, leverage: Decimal): Decimal {
  return cost.minus(loanForPurchase(cost, leverage));
}

// Position value = shares × outcome mark, rounded down (it is credited to the trader).
export function positionValue(position: LeveragedPosition, price: Decimal): Decimal {
  return floor6(position.shares.mul(price));
}

// Equity = value − loan; negative when the pledged shares no longer cover the loan (bankrupt).
export function equity(position: LeveragedPosition, price: Decimal): Decimal {
  return positionValue(position, price).minus(position.loan);
}

// Maintenance requirement = maintenance fraction × shares × mark, rounded up; zero without a loan (1x is never liquidated).
export function maintenanceRequirement(
  params: RiskParams,
  position: LeveragedPosition,
  price: Decimal,
): Decimal {
  if (position.loan.isZero()) return ZERO;
  return ceil6(new Decimal(params.maintenanceMarginFraction).mul(position.shares).mul(price));
}

// Initial requirement = value / the market's current max leverage, rounded up; zero without a loan. More borrowing or a margin withdrawal needs equity ≥ it.
export function initialRequirement(
  position: LeveragedPosition,
  price: Decimal,
  maxLeverage: Decimal,
): Decimal {
  if (position.loan.isZero()) return ZERO;
  return divCeil6(position.shares.mul(price), maxLeverage);
}

// Liquidatable when the position has a loan and its equity is below the maintenance requirement.
export function isBelowMaintenance(params: RiskParams, position: LeveragedPosition, price: Decimal): boolean {
  if (position.loan.isZero()) return false;
  return equity(position, price).lt(maintenanceRequirement(params, position, price));
}

// Meets the initial requirement when equity ≥ value / max leverage (always true without a loan).
export function meetsInitial(position: LeveragedPosition, price: Decimal, maxLeverage: Decimal): boolean {
  return equity(position, price).gte(initialRequirement(position, price, maxLeverage));
}

// Liquidation price: the outcome price where equity = maintenance, loan / (shares × (1 − mmf)), rounded up, capped at 1; null without a loan.
export function liquidationPrice(params: RiskParams, position: LeveragedPosition): Decimal | null {
  if (position.loan.isZero()) return null;
  const keep = ONE.minus(params.maintenanceMarginFraction);
  if (position.shares.isZero()) return ONE;
  return min(ONE, divCeil6(position.loan, position.shares.mul(keep)));
}

// Bankruptcy price: the outcome price where equity = 0, loan / shares, rounded up, capped at 1; null without a loan.
export function bankruptcyPrice(position: LeveragedPosition): Decimal | null {
  if (position.loan.isZero()) return null;
  if (position.shares.isZero()) return ONE;
  return min(ONE, divCeil6(position.loan, position.shares));
}

// Effective leverage = value / equity (1 without a loan); null when equity ≤ 0 (no margin left).
export function effectiveLeverage(position: LeveragedPosition, price: Decimal): Decimal | null {
  if (position.loan.isZero()) return ONE;
  const eq = equity(position, price);
  if (eq.lte(0)) return null;
  return positionValue(position, price).div(eq);
}
