// Self-checks of the state: the solvency identity, no negative balance, escrow backing, book ↔ orders agreement.

import { walkHeld } from "./ledger.js";
import { type Money, toAmountString, ZERO } from "./money.js";
import { restingReserveOf } from "./prices.js";
import type { State } from "./state.js";

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
  /** Collateral the operator put into insurance funds (part of netDeposits). */
  insuranceDeposits: string;
  /** Σ market insurance funds + the shared fund. */
  insuranceFunds: string;
  /** Σ pools' cash not lent out (what is lent sits in escrow, backing the pledged shares it bought). */
  poolCash: string;
  /** accountCash + accountReserved + marketEscrow + feeRevenue + insuranceFunds + poolCash. */
  heldTotal: string;
}

export interface Solvency {
  /** True only when netDeposits = heldTotal exactly. */
  balanced: boolean;
  totals: SolvencyTotals;
}

/**
 * The identity: deposits + insurance deposits − withdrawals = Σ account cash + Σ reserved + Σ market escrow
 * + fee revenue + Σ insurance funds + Σ pool cash. Loans are claims between accounts and pools, not collateral.
 */
export function solvency(state: State): Solvency {
  const { cash, reserved, escrow, insurance, poolCash } = state.held;
  const net = state.totals.deposits.plus(state.totals.insuranceDeposits).minus(state.totals.withdrawals);
  const held = cash.plus(reserved).plus(escrow).plus(state.totals.fees).plus(insurance).plus(poolCash);
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
      insuranceDeposits: toAmountString(state.totals.insuranceDeposits),
      insuranceFunds: toAmountString(insurance),
      poolCash: toAmountString(poolCash),
      heldTotal: toAmountString(held),
    },
  };
}

/**
 * Every violated invariant, in words; empty when the state is sound. Walks everything: for tests and audits.
 * Money invariants (solvency, no negatives, escrow, loans) hold after every event; with `betweenCommands`
 * (the default) orders and books must also agree, which holds once all of a command's events are applied.
 */
export function invariantViolations(state: State, options: { betweenCommands?: boolean } = {}): string[] {
  const between = options.betweenCommands ?? true;
  const problems: string[] = [];
  const s = solvency(state);
  if (!s.balanced)
    problems.push(`solvency: net deposits ${s.totals.netDeposits} ≠ held ${s.totals.heldTotal}`);
  const walked = walkHeld(state);
  for (const k of ["cash", "reserved", "escrow", "insurance", "poolCash"] as const)
    if (!walked[k].eq(state.held[k]))
      problems.push(
        `running total of ${k} ${toAmountString(state.held[k])} ≠ the sum of balances ${toAmountString(walked[k])}`,
      );
  if (state.totals.fees.isNegative()) problems.push("fee revenue is negative");
  if (state.sharedInsurance.isNegative()) problems.push("the shared insurance fund is negative");

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
    if (order.source === null) sharesReserved.set(key, (sharesReserved.get(key) ?? 0) + order.reservedShares);
    const market = state.markets.get(order.marketId)!;
    if (!between || market.auctionOrders.includes(order.number)) continue;
    const resting = market.book.get(order.number);
    const remaining = order.quantity - order.filledQuantity;
    if (!resting || resting.remainingLots !== remaining)
      problems.push(
        `order ${order.orderId}: open with ${remaining} left but the book holds ${resting?.remainingLots ?? 0}`,
      );
    const expected =
      order.side === "buy"
        ? restingReserveOf(order.priceTicks, remaining, market.ticks, order.leverage)
        : null;
    if (expected && !expected.eq(order.reservedCash))
      problems.push(
        `order ${order.orderId}: reserves ${toAmountString(order.reservedCash)}, its remainder costs ${toAmountString(expected)}`,
      );
    if (order.side === "sell" && order.source === null && order.reservedShares !== remaining)
      problems.push(`order ${order.orderId}: reserves ${order.reservedShares} shares for ${remaining} left`);
  }

  // A challenge's bond (of a market's or an event's proposal) sits in its account's reserved cash until the ruling.
  const pendings = [...state.markets.values(), ...state.eventGroups.values()].map((s) => s.resolution);
  for (const pending of pendings) {
    if (pending === null || pending.ruling !== null) continue;
    for (const c of pending.challenges)
      reservedByAccount.set(c.accountId, (reservedByAccount.get(c.accountId) ?? ZERO).plus(c.bond));
  }

  for (const account of state.accounts.values()) {
    const id = account.accountId;
    if (account.cash.isNegative())
      problems.push(`account ${id}: negative cash ${toAmountString(account.cash)}`);
    if (account.reserved.isNegative()) problems.push(`account ${id}: negative reserved`);
    if (between && !account.reserved.eq(reservedByAccount.get(id) ?? ZERO))
      problems.push(
        `account ${id}: reserved ${toAmountString(account.reserved)} ≠ its open buy orders' reservations and challenge bonds`,
      );
    for (const [marketId, p] of account.positions) {
      if (p.yes < 0 || p.no < 0 || p.yesReserved < 0 || p.noReserved < 0)
        problems.push(`account ${id}: negative shares in ${marketId}`);
      if (between && p.yesReserved !== (sharesReserved.get(`${id}|${marketId}|YES`) ?? 0))
        problems.push(`account ${id}: reserved YES in ${marketId} ≠ its open sell orders`);
      if (between && p.noReserved !== (sharesReserved.get(`${id}|${marketId}|NO`) ?? 0))
        problems.push(`account ${id}: reserved NO in ${marketId} ≠ its open sell orders`);
    }
  }

  for (const group of state.eventGroups.values()) {
    // Whichever market wins pays the converted YES: exactly that much is held until the event resolves.
    if (group.status === "open" && !group.escrow.eq(group.unpairedYes))
      problems.push(
        `event ${group.eventId}: escrow ${toAmountString(group.escrow)} ≠ ${group.unpairedYes} converted YES × 1`,
      );
    if (group.escrow.isNegative()) problems.push(`event ${group.eventId}: negative escrow`);
  }
  for (const market of state.markets.values()) {
    if (market.escrow.isNegative()) problems.push(`market ${market.marketId}: negative escrow`);
    if (market.eventId !== null && !state.eventGroups.has(market.eventId))
      problems.push(`market ${market.marketId}: its event ${market.eventId} does not exist`);
    if (market.insurance.isNegative()) problems.push(`market ${market.marketId}: negative insurance fund`);
    const pool = market.pool;
    if (pool.cash.isNegative() || pool.lent.isNegative() || pool.shares.isNegative())
      problems.push(`market ${market.marketId}: negative pool balance`);
    let loans: Money = ZERO;
    let fees: Money = ZERO;
    let yes = 0;
    let no = 0;
    for (const lp of market.leveraged.values()) {
      if (lp.loan.isNegative() || lp.feesOwed.isNegative() || lp.shares < 0 || lp.sharesReserved < 0)
        problems.push(
          `market ${market.marketId}: position ${lp.accountId}|${lp.outcome} has a negative amount`,
        );
      if (lp.feesOwed.gt(lp.loan))
        problems.push(
          `market ${market.marketId}: position ${lp.accountId}|${lp.outcome} owes more fees than loan`,
        );
      loans = loans.plus(lp.loan);
      fees = fees.plus(lp.feesOwed);
      if (lp.outcome === "YES") yes += lp.shares + lp.sharesReserved;
      else no += lp.shares + lp.sharesReserved;
    }
    if (!loans.eq(pool.lent))
      problems.push(
        `market ${market.marketId}: pool lent ${toAmountString(pool.lent)} ≠ Σ loans ${toAmountString(loans)}`,
      );
    if (!fees.eq(pool.feesUncollected))
      problems.push(
        `market ${market.marketId}: pool fees uncollected ${toAmountString(pool.feesUncollected)} ≠ Σ fees owed ${toAmountString(fees)}`,
      );
    let providerShares: Money = ZERO;
    for (const shares of pool.providers.values()) providerShares = providerShares.plus(shares);
    if (!providerShares.eq(pool.shares))
      problems.push(`market ${market.marketId}: pool shares ≠ Σ providers' shares`);
    for (const account of state.accounts.values()) {
      const p = account.positions.get(market.marketId);
      if (p) {
        yes += p.yes + p.yesReserved;
        no += p.no + p.noReserved;
      }
    }
    // An event's markets each hold its converted YES beyond their pairs (backed by the event's escrow, below).
    const group = market.eventId === null ? null : state.eventGroups.get(market.eventId);
    if (market.status !== "resolved" && group?.status !== "resolved") {
      const unpaired = group?.unpairedYes ?? 0;
      if (yes !== market.pairs + unpaired || no !== market.pairs)
        problems.push(
          `market ${market.marketId}: ${yes} YES and ${no} NO shares for ${market.pairs} pairs and ${unpaired} converted YES`,
        );
      if (!market.escrow.eq(market.pairs))
        problems.push(
          `market ${market.marketId}: escrow ${toAmountString(market.escrow)} ≠ ${market.pairs} pairs × 1`,
        );
    }
    if (!between) continue;
    try {
      market.book.validate();
    } catch (error) {
      problems.push(`market ${market.marketId}: book: ${(error as Error).message}`);
    }
    for (const resting of market.book.restingOrders()) {
      const order = state.orders.byNumber(resting.id);
      if (order?.status !== "open")
        problems.push(`market ${market.marketId}: book holds order ${resting.id} that is not open`);
    }
  }
  return problems;
}
