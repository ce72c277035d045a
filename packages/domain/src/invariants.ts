// Self-checks of the state: the solvency identity, no negative balance, escrow backing, book ↔ orders agreement.
import { type Money, money, toAmountString, ZERO } from "./money.js";
import { orderIdOf, type State } from "./state.js";

/** Every unit of collateral, by where it sits (decimal strings). */
export interface SolvencyTotals {
  deposits: string;
  withdrawals: string;
  /** deposits − withdrawals: what the exchange owes in total. */
  netDeposits: string;
  accountCash: string;
  accountReserved: string;
  marketEscrow: string;
  feeRevenue: string;
  /** accountCash + accountReserved + marketEscrow + feeRevenue. */
  heldTotal: string;
}

export interface Solvency {
  /** True only when netDeposits = heldTotal exactly. */
  balanced: boolean;
  totals: SolvencyTotals;
}

/** The identity: deposits − withdrawals = Σ account cash + Σ reserved + Σ market escrow + fee revenue. */
export function solvency(state: State): Solvency {
  let cash: Money = ZERO;
  let reserved: Money = ZERO;
  let escrow: Money = ZERO;
  for (const account of state.accounts.values()) {
    cash = cash.plus(account.cash);
    reserved = reserved.plus(account.reserved);
  }
  for (const market of state.markets.values()) escrow = escrow.plus(market.escrow);
  const net = state.totals.deposits.minus(state.totals.withdrawals);
  const held = cash.plus(reserved).plus(escrow).plus(state.totals.fees);
  return {
    balanced: net.eq(held),
    totals: {
      deposits: toAmountString(state.totals.deposits),
      withdrawals: toAmountString(state.totals.withdrawals),
      netDeposits: toAmountString(net),
      accountCash: toAmountString(cash),
      accountReserved: toAmountString(reserved),
      marketEscrow: toAmountString(escrow),
      feeRevenue: toAmountString(state.totals.fees),
      heldTotal: toAmountString(held),
    },
  };
}

/** Every violated invariant, in words; empty when the state is sound. Walks everything: for tests and audits. */
export function invariantViolations(state: State): string[] {
  const problems: string[] = [];
  const s = solvency(state);
  if (!s.balanced)
    problems.push(`solvency: net deposits ${s.totals.netDeposits} ≠ held ${s.totals.heldTotal}`);
  if (state.totals.fees.isNegative()) problems.push("fee revenue is negative");

  const reservedByAccount = new Map<string, Money>();
  const sharesReserved = new Map<string, number>();
  for (const order of state.orders.values()) {
    if (order.reservedCash.isNegative()) problems.push(`order ${order.orderId}: negative reserved cash`);
    if (order.reservedShares < 0) problems.push(`order ${order.orderId}: negative reserved shares`);
    if (order.status !== "open") {
      if (!order.reservedCash.isZero() || order.reservedShares !== 0)
        problems.push(`order ${order.orderId}: ${order.status} but still reserves`);
      continue;
    }
    reservedByAccount.set(
      order.accountId,
      (reservedByAccount.get(order.accountId) ?? ZERO).plus(order.reservedCash),
    );
    const key = `${order.accountId}|${order.marketId}|${order.outcome}`;
    sharesReserved.set(key, (sharesReserved.get(key) ?? 0) + order.reservedShares);
    const market = state.markets.get(order.marketId)!;
    const resting = market.book.get(order.number);
    const remaining = order.quantity - order.filledQuantity;
    if (!resting || resting.remainingLots !== remaining)
      problems.push(
        `order ${order.orderId}: open with ${remaining} left but the book holds ${resting?.remainingLots ?? 0}`,
      );
    const expected = order.side === "buy" ? money(order.priceTicks).times(remaining).div(market.ticks) : null;
    if (expected && !expected.eq(order.reservedCash))
      problems.push(
        `order ${order.orderId}: reserves ${toAmountString(order.reservedCash)}, its remainder costs ${toAmountString(expected)}`,
      );
    if (order.side === "sell" && order.reservedShares !== remaining)
      problems.push(`order ${order.orderId}: reserves ${order.reservedShares} shares for ${remaining} left`);
  }

  for (const account of state.accounts.values()) {
    const id = account.accountId;
    if (account.cash.isNegative())
      problems.push(`account ${id}: negative cash ${toAmountString(account.cash)}`);
    if (account.reserved.isNegative()) problems.push(`account ${id}: negative reserved`);
    if (!account.reserved.eq(reservedByAccount.get(id) ?? ZERO))
      problems.push(
        `account ${id}: reserved ${toAmountString(account.reserved)} ≠ its open buy orders' reservations`,
      );
    for (const [marketId, p] of account.positions) {
      if (p.yes < 0 || p.no < 0 || p.yesReserved < 0 || p.noReserved < 0)
        problems.push(`account ${id}: negative shares in ${marketId}`);
      if (p.yesReserved !== (sharesReserved.get(`${id}|${marketId}|YES`) ?? 0))
        problems.push(`account ${id}: reserved YES in ${marketId} ≠ its open sell orders`);
      if (p.noReserved !== (sharesReserved.get(`${id}|${marketId}|NO`) ?? 0))
        problems.push(`account ${id}: reserved NO in ${marketId} ≠ its open sell orders`);
    }
  }

  for (const market of state.markets.values()) {
    if (market.escrow.isNegative()) problems.push(`market ${market.marketId}: negative escrow`);
    let yes = 0;
    let no = 0;
    for (const account of state.accounts.values()) {
      const p = account.positions.get(market.marketId);
      if (p) {
        yes += p.yes + p.yesReserved;
        no += p.no + p.noReserved;
      }
    }
    if (market.status !== "resolved") {
      if (yes !== market.pairs || no !== market.pairs)
        problems.push(`market ${market.marketId}: ${yes} YES and ${no} NO shares for ${market.pairs} pairs`);
      if (!market.escrow.eq(market.pairs))
        problems.push(
          `market ${market.marketId}: escrow ${toAmountString(market.escrow)} ≠ ${market.pairs} pairs × 1`,
        );
    }
    try {
      market.book.validate();
    } catch (error) {
      problems.push(`market ${market.marketId}: book: ${(error as Error).message}`);
    }
    for (const resting of market.book.restingOrders()) {
      const order = state.orders.get(orderIdOf(resting.id));
      if (order?.status !== "open")
        problems.push(`market ${market.marketId}: book holds order ${resting.id} that is not open`);
    }
  }
  return problems;
}
