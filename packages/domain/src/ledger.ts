// Balance changes of evolve, each kept in a running total too: the solvency identity is checked in O(1) after every event.
import { type Money, money } from "./money.js";
import type { AccountState, MarketState, PoolState, State } from "./state.js";

type Amount = Money | number | string;
const dec = (a: Amount): Money => (typeof a === "object" ? a : money(a));

/** sign × amount added to the field and to the state's running total of that kind of balance. */
export const ledger = {
  cash(state: State, account: AccountState, sign: 1 | -1, amount: Amount): void {
    const d = sign === 1 ? dec(amount) : dec(amount).negated();
    account.cash = account.cash.plus(d);
    state.held.cash = state.held.cash.plus(d);
  },
  reserved(state: State, account: AccountState, sign: 1 | -1, amount: Amount): void {
    const d = sign === 1 ? dec(amount) : dec(amount).negated();
    account.reserved = account.reserved.plus(d);
    state.held.reserved = state.held.reserved.plus(d);
  },
  escrow(state: State, market: MarketState, sign: 1 | -1, amount: Amount): void {
    const d = sign === 1 ? dec(amount) : dec(amount).negated();
    market.escrow = market.escrow.plus(d);
    state.held.escrow = state.held.escrow.plus(d);
  },
  insurance(state: State, market: MarketState, sign: 1 | -1, amount: Amount): void {
    const d = sign === 1 ? dec(amount) : dec(amount).negated();
    market.insurance = market.insurance.plus(d);
    state.held.insurance = state.held.insurance.plus(d);
  },
  shared(state: State, _: State, sign: 1 | -1, amount: Amount): void {
    const d = sign === 1 ? dec(amount) : dec(amount).negated();
    state.sharedInsurance = state.sharedInsurance.plus(d);
    state.held.insurance = state.held.insurance.plus(d);
  },
  poolCash(state: State, pool: PoolState, sign: 1 | -1, amount: Amount): void {
    const d = sign === 1 ? dec(amount) : dec(amount).negated();
    pool.cash = pool.cash.plus(d);
    state.held.poolCash = state.held.poolCash.plus(d);
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
  return { cash, reserved, escrow, insurance, poolCash };
}
