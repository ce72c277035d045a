// A decision in progress: the events so far and scratch copies of what they change, for commands with many steps.
import { createOrderBook, type OrderBook } from "@pmx/matching";
import type { Event } from "./events.js";
import { type Money, money, ZERO } from "./money.js";
import { type LeveragedPosition, leveragedKey, type MarketState, type State } from "./state.js";
import { WorkBudget } from "./work-budget.js";

/** The parts of a leveraged position a decision may change before its events are applied. */
export interface PositionScratch {
  shares: number;
  loan: Money;
  feesOwed: Money;
  /** Set once this decision emitted the position's PositionClosed. */
  closed: boolean;
}

/** Bad debt of one position left after its market's insurance fund, and its PositionClosed, held back until it is covered. */
export interface Shortfall {
  readonly market: MarketState;
  readonly position: LeveragedPosition;
  readonly amount: Money;
  closing: Event | null;
}

/** The Map operations a draft uses, backed by a Map allocated on the first write. */
class LazyMap<K, V> {
  private map: Map<K, V> | null = null;
  get(key: K): V | undefined {
    return this.map?.get(key);
  }
  has(key: K): boolean {
    return this.map?.has(key) ?? false;
  }
  set(key: K, value: V): this {
    (this.map ??= new Map()).set(key, value);
    return this;
  }
}

/**
 * Commands such as a tick or a mark may liquidate several positions one after another, each trading
 * against the book the previous one left. `decide` never changes the state, so a Draft keeps scratch
 * copies (a cloned book, pool and fund balances, positions, free-cash changes) that later steps read.
 */
export class Draft {
  readonly events: Event[] = [];
  /** The bounded work (cancellations, payouts) this decision may still do: the rest waits for the next command. */
  readonly budget = new WorkBudget();
  orderCount: number;
  tradeCount: number;
  // Scratch maps are created on first use: most decisions (a plain order) need one or none of them.
  private readonly books = new LazyMap<string, OrderBook>();
  private readonly cashDelta = new LazyMap<string, Money>();
  private readonly pools = new LazyMap<string, { cash: Money; lent: Money }>();
  private readonly insurance = new LazyMap<string, Money>();
  private readonly positions = new LazyMap<string, PositionScratch>();
  private readonly auctions = new LazyMap<string, number | null>();
  private readonly riskMarks = new LazyMap<string, Money | null>();
  /** Loans opened in this decision, by `marketId|accountId`. */
  private readonly loans = new LazyMap<string, Money>();
  sharedInsurance: Money;
  /** Shares each backstop bid (`marketId|accountId|outcome`) has taken over in this decision. */
  readonly backstopUsed = new LazyMap<string, number>();
  /** Bad debt each market's own fund left uncovered in this decision, in order: the shared fund is shared among them at the end. */
  readonly shortfalls: Shortfall[] = [];

  constructor(
    readonly state: State,
    readonly at: number,
  ) {
    this.orderCount = state.orderCount;
    this.tradeCount = state.tradeCount;
    this.sharedInsurance = state.sharedInsurance;
  }

  emit(...events: Event[]): void {
    this.events.push(...events);
  }

  /** The book as the draft's trades left it: the real one until a step needs to trade, then a private copy. */
  book(market: MarketState): OrderBook {
    return this.books.get(market.marketId) ?? market.book;
  }

  /** A private copy of the market's book that later steps of this decision trade against. */
  scratchBook(market: MarketState): OrderBook {
    let book = this.books.get(market.marketId);
    if (!book) {
      book = createOrderBook({ ticks: market.ticks });
      for (const order of market.book.restingOrders()) book.rest(order);
      this.books.set(market.marketId, book);
    }
    return book;
  }

  freeCash(accountId: string): Money {
    const account = this.state.accounts.get(accountId);
    return (account?.cash ?? ZERO).plus(this.cashDelta.get(accountId) ?? ZERO);
  }

  addCash(accountId: string, delta: Money): void {
    this.cashDelta.set(accountId, (this.cashDelta.get(accountId) ?? ZERO).plus(delta));
  }

  pool(market: MarketState): { cash: Money; lent: Money } {
    let pool = this.pools.get(market.marketId);
    if (!pool) {
      pool = { cash: market.pool.cash, lent: market.pool.lent };
      this.pools.set(market.marketId, pool);
    }
    return pool;
  }

  /** A loan the decision opens: out of the pool's cash into what it has lent, counted against the borrower. */
  openLoan(market: MarketState, accountId: string, amount: Money): void {
    const pool = this.pool(market);
    pool.cash = pool.cash.minus(amount);
    pool.lent = pool.lent.plus(amount);
    const key = `${market.marketId}|${accountId}`;
    this.loans.set(key, (this.loans.get(key) ?? ZERO).plus(amount));
  }

  /** What the decision has lent the account in the market so far (loans opened; fees and repayments not counted). */
  lentTo(market: MarketState, accountId: string): Money {
    return this.loans.get(`${market.marketId}|${accountId}`) ?? ZERO;
  }

  marketInsurance(market: MarketState): Money {
    return this.insurance.get(market.marketId) ?? market.insurance;
  }

  setMarketInsurance(market: MarketState, value: Money): void {
    this.insurance.set(market.marketId, value);
  }

  position(market: MarketState, position: LeveragedPosition): PositionScratch {
    const key = `${market.marketId}|${leveragedKey(position.accountId, position.outcome)}`;
    let scratch = this.positions.get(key);
    if (!scratch) {
      scratch = { shares: position.shares, loan: position.loan, feesOwed: position.feesOwed, closed: false };
      this.positions.set(key, scratch);
    }
    return scratch;
  }

  /** End of the market's running auction as of this draft (null in continuous trading). */
  auctionUntil(market: MarketState): number | null {
    return this.auctions.has(market.marketId) ? this.auctions.get(market.marketId)! : market.auctionUntil;
  }

  setAuctionUntil(market: MarketState, until: number | null): void {
    this.auctions.set(market.marketId, until);
  }

  /** The market's risk mark as of this draft (a MarkUpdated emitted earlier in the decision counts). */
  riskMark(market: MarketState): Money | null {
    if (this.riskMarks.has(market.marketId)) return this.riskMarks.get(market.marketId)!;
    return market.riskMark === null ? null : money(market.riskMark);
  }

  setRiskMark(market: MarketState, mark: Money): void {
    this.riskMarks.set(market.marketId, mark);
  }
}
