// Balance changes of evolve, each kept in a running total too: the solvency identity is checked in O(1) after every event.
import { type Money, money, ZERO } from "./money.js";
import type { AccountState, EventGroupState, MarketState, PoolState, State } from "./state.js";

type Amount = Money | number | string;
const dec = (a: Amount): Money => (typeof a === "object" ? a : a === "0" || a === 0 ? ZERO : money(a));
/** balance + sign × amount, without allocating a negated copy. */
const moved = (balance: Money, sign: 1 | -1, amount: Money): Money =>
  sign === 1 ? balance.plus(amount) : balance.minus(amount);

/** sign × amount added to the field and to the state's running total of that kind of balance. */
export const ledger = {
  cash(state: State, account: AccountState, sign: 1 | -1, amount: Amount): void {
    const d = dec(amount);
    if (d.isZero()) return;
    account.cash = moved(account.cash, sign, d);
    state.held.cash = moved(state.held.cash, sign, d);
  },
  reserved(state: State, account: AccountState, sign: 1 | -1, amount: Amount): void {
    const d = dec(amount);
    if (d.isZero()) return;
    account.reserved = moved(account.reserved, sign, d);
    state.held.reserved = moved(state.held.reserved, sign, d);
  },
  escrow(state: State, market: MarketState, sign: 1 | -1, amount: Amount): void {
    const d = dec(amount);
    if (d.isZero()) return;
    market.escrow = moved(market.escrow, sign, d);
    state.held.escrow = moved(state.held.escrow, sign, d);
  },
  eventEscrow(state: State, group: EventGroupState, sign: 1 | -1, amount: Amount): void {
    const d = dec(amount);
    if (d.isZero()) return;
    group.escrow = moved(group.escrow, sign, d);
    state.held.escrow = moved(state.held.escrow, sign, d);
  },
  insurance(state: State, market: MarketState, sign: 1 | -1, amount: Amount): void {
    const d = dec(amount);
    if (d.isZero()) return;
    market.insurance = moved(market.insurance, sign, d);
    state.held.insurance = moved(state.held.insurance, sign, d);
  },
  shared(state: State, _: State, sign: 1 | -1, amount: Amount): void {
    const d = dec(amount);
    if (d.isZero()) return;
    state.sharedInsurance = moved(state.sharedInsurance, sign, d);
    state.held.insurance = moved(state.held.insurance, sign, d);
  },
  poolCash(state: State, pool: PoolState, sign: 1 | -1, amount: Amount): void {
    const d = dec(amount);
    if (d.isZero()) return;
    pool.cash = moved(pool.cash, sign, d);
    state.held.poolCash = moved(state.held.poolCash, sign, d);
  },
};

/** The running totals recomputed by walking the state (for restored snapshots and self-checks). */
export function walkHeld(state: State): State["held"] {
  let cash = money(0);
  let reserved = money(0);
  let escrow = money(0);
  let insurance = state.sharedInsurance;
  let poolCash = money(0);
  for (const a of state.accounts.values()) {
    cash = cash.plus(a.cash);
    reserved = reserved.plus(a.reserved);
  }
  for (const m of state.markets.values()) {
    escrow = escrow.plus(m.escrow);
    insurance = insurance.plus(m.insurance);
    poolCash = poolCash.plus(m.pool.cash);
  }
  for (const g of state.eventGroups.values()) escrow = escrow.plus(g.escrow);
  return { cash, reserved, escrow, insurance, poolCash };
}
