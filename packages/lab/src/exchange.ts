// The lab's exchange: the real decider (`decide`/`evolve` of @pmx/domain) on an in-memory state, with the money
// invariants checked after every single event. Nothing here models the exchange: it only feeds it commands.
import {
  type Command,
  decide,
  type Event,
  evolve,
  initialState,
  invariantViolations,
  type Money,
  type Rejection,
  type State,
  solvency,
} from "@pmx/domain";

/**
 * How thoroughly each event is checked.
 * - "money": the exact solvency identity and no negative balance anywhere (accounts, shares, escrow, insurance
 *   funds, pools, leveraged positions, and the orders the event touched), kept incrementally (see MoneyCheck) and
 *   cross-checked with the domain's `solvency(state)`; fast enough for every event of every run.
 * - "full": `invariantViolations(state, { betweenCommands: false })` after every event (walks every order ever
 *   placed, so slower), and also the between-commands invariants after every command.
 */
export type CheckMode = "money" | "full";

/** What the per-event checks found. `violations` keeps the first few, in words. */
export interface CheckTally {
  commands: number;
  events: number;
  /** Events after which the check ran (all of them). */
  checkedEvents: number;
  violationCount: number;
  violations: string[];
}

/** A command the decider refused, counted by command type and rejection code. */
export type RejectionTally = Record<string, number>;

/** The decider threw: a bug to report, with the command that triggered it. */
export class DeciderError extends Error {
  constructor(
    readonly command: Command,
    override readonly cause: unknown,
  ) {
    super(`the decider threw on ${command.type}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

export type Decided = { ok: true; events: Event[] } | { ok: false; rejection: Rejection };

export class LabExchange {
  readonly state: State = initialState();
  readonly tally: CheckTally = {
    commands: 0,
    events: 0,
    checkedEvents: 0,
    violationCount: 0,
    violations: [],
  };
  readonly rejections: RejectionTally = {};
  private readonly money: MoneyCheck;

  constructor(
    private readonly mode: CheckMode,
    private readonly observe: (event: Event, command: Command) => void,
  ) {
    this.money = new MoneyCheck(this.state);
  }

  /** Decides the command on the current state and applies its events one by one, checking after each. */
  run(command: Command): Decided {
    let decision: ReturnType<typeof decide>;
    try {
      decision = decide(command, this.state);
    } catch (error) {
      throw new DeciderError(command, error);
    }
    this.tally.commands += 1;
    if (decision._tag === "Left") {
      const key = `${command.type}:${decision.left.code}`;
      this.rejections[key] = (this.rejections[key] ?? 0) + 1;
      return { ok: false, rejection: decision.left };
    }
    for (const event of decision.right) {
      try {
        evolve(this.state, event);
      } catch (error) {
        throw new DeciderError(command, error);
      }
      this.tally.events += 1;
      this.check(event, command);
      this.observe(event, command);
    }
    if (this.mode === "full" && decision.right.length > 0) {
      for (const problem of invariantViolations(this.state))
        this.violation(`after ${command.type}: ${problem}`);
    }
    return { ok: true, events: decision.right };
  }

  /** The last cross-check with the domain's `solvency(state)` (call at the end of a run). */
  finish(): void {
    if (this.mode === "money")
      for (const problem of this.money.crossCheck()) this.violation(`at the end: ${problem}`);
  }

  private violation(text: string): void {
    this.tally.violationCount += 1;
    if (this.tally.violations.length < 10) this.tally.violations.push(text);
  }

  private check(event: Event, command: Command): void {
    this.tally.checkedEvents += 1;
    const problems =
      this.mode === "full"
        ? invariantViolations(this.state, { betweenCommands: false })
        : this.money.violations(event);
    for (const problem of problems) this.violation(`${command.type} → ${event.type}: ${problem}`);
  }
}

/** Order ids an event names (its own, or a trade's maker and taker). */
function ordersOf(event: Event): string[] {
  switch (event.type) {
    case "OrderAccepted":
    case "OrderRested":
    case "OrderCancelled":
    case "OrderQueued":
      return [event.orderId];
    case "TradeExecuted":
      return [event.makerOrderId, event.takerOrderId];
    default:
      return [];
  }
}

/**
 * The money invariants of `invariantViolations` that must hold after every event, checked incrementally so that
 * every event of every run can afford them: the exact solvency identity (net deposits = Σ account cash + reserved +
 * escrow of markets and events + fee revenue + insurance funds + pool cash), no negative balance (accounts, shares, escrow, insurance,
 * pools, leveraged positions), Σ loans = pool lent, escrow = pairs, and no negative reservation on the orders the
 * event touched (no other order changed).
 *
 * Moneys are immutable Decimals that `evolve` replaces when they change, so a balance changed exactly when its
 * reference did: after each event every balance is compared by reference with the one seen last, and only the
 * differences are added. Every `crossCheckEvery` events (and by `finish`) the running total is compared with the
 * domain's own `solvency(state)`, which sums everything from scratch.
 */
export class MoneyCheck {
  /** The balance seen last, per holder object and field (no string keys: this runs after every event). */
  private readonly seen = new Map<object, Money[]>();
  private held: Money;
  private net: Money;
  private sinceCrossCheck = 0;

  constructor(
    private readonly state: State,
    private readonly crossCheckEvery = 500,
  ) {
    this.held = state.sharedInsurance.minus(state.sharedInsurance);
    this.net = this.held;
  }

  /** A balance's change since it was last seen (null when its reference is the same); a negative one is reported. */
  private delta(
    holder: object,
    field: number,
    value: Money,
    problems: string[],
    what: () => string,
  ): Money | null {
    let slots = this.seen.get(holder);
    if (slots === undefined) {
      slots = [];
      this.seen.set(holder, slots);
    }
    const before = slots[field];
    if (before === value) return null;
    slots[field] = value;
    if (value.isNegative()) problems.push(`${what()} is negative: ${value.toFixed()}`);
    return before === undefined ? value : value.minus(before);
  }

  private add(holder: object, field: number, value: Money, problems: string[], what: () => string): void {
    const d = this.delta(holder, field, value, problems, what);
    if (d !== null) this.held = this.held.plus(d);
  }

  violations(event: Event): string[] {
    const problems: string[] = [];
    const { state } = this;
    const totals = state.totals;
    const deposits = this.delta(totals, 0, totals.deposits, problems, () => "deposits");
    if (deposits !== null) this.net = this.net.plus(deposits);
    const insured = this.delta(totals, 1, totals.insuranceDeposits, problems, () => "insurance deposits");
    if (insured !== null) this.net = this.net.plus(insured);
    const withdrawn = this.delta(totals, 2, totals.withdrawals, problems, () => "withdrawals");
    if (withdrawn !== null) this.net = this.net.minus(withdrawn);
    this.add(totals, 3, totals.fees, problems, () => "fee revenue");
    this.add(totals, 4, state.sharedInsurance, problems, () => "the shared insurance fund");
    for (const account of state.accounts.values()) {
      this.add(account, 0, account.cash, problems, () => `account ${account.accountId}: cash`);
      this.add(account, 1, account.reserved, problems, () => `account ${account.accountId}: reserved`);
      for (const [marketId, p] of account.positions)
        if (p.yes < 0 || p.no < 0 || p.yesReserved < 0 || p.noReserved < 0)
          problems.push(`account ${account.accountId}: negative shares in ${marketId}`);
    }
    for (const market of state.markets.values()) {
      const id = market.marketId;
      const pool = market.pool;
      const escrowChanged = this.delta(market, 0, market.escrow, problems, () => `market ${id}: escrow`);
      if (escrowChanged !== null) this.held = this.held.plus(escrowChanged);
      this.add(market, 1, market.insurance, problems, () => `market ${id}: insurance fund`);
      this.add(pool, 0, pool.cash, problems, () => `market ${id}: pool cash`);
      if (escrowChanged !== null && market.status !== "resolved" && !market.escrow.eq(market.pairs))
        problems.push(`market ${id}: escrow ${market.escrow.toFixed()} ≠ ${market.pairs} pairs × 1`);
      let loansChanged = this.delta(pool, 1, pool.lent, problems, () => `market ${id}: pool lent`) !== null;
      for (const lp of market.leveraged.values()) {
        const what = () => `position ${id}|${lp.accountId}|${lp.outcome}`;
        if (this.delta(lp, 0, lp.loan, problems, what) !== null) loansChanged = true;
        this.delta(lp, 1, lp.feesOwed, problems, what);
        if (lp.shares < 0 || lp.sharesReserved < 0) problems.push(`${what()}: negative shares`);
        if (lp.feesOwed.gt(lp.loan)) problems.push(`${what()}: owes more fees than loan`);
      }
      if (loansChanged || event.type === "PositionClosed") {
        let loans = pool.lent.minus(pool.lent);
        for (const lp of market.leveraged.values()) loans = loans.plus(lp.loan);
        if (!loans.eq(pool.lent)) problems.push(`market ${id}: pool lent ${pool.lent.toFixed()} ≠ Σ loans`);
      }
      if (pool.shares.isNegative()) problems.push(`market ${id}: negative pool shares`);
    }
    // An event's escrow backs its converted YES (a conversion moves collateral from its markets' escrow to it).
    for (const group of state.eventGroups.values())
      this.add(group, 0, group.escrow, problems, () => `event ${group.eventId}: escrow`);
    if (!this.held.eq(this.net))
      problems.push(`solvency: net deposits ${this.net.toFixed()} ≠ held ${this.held.toFixed()}`);
    for (const orderId of ordersOf(event)) {
      const order = state.orders.get(orderId);
      if (!order) continue;
      if (order.reservedCash.isNegative()) problems.push(`order ${orderId}: negative reserved cash`);
      if (order.reservedShares < 0) problems.push(`order ${orderId}: negative reserved shares`);
      if (order.status !== "open" && (!order.reservedCash.isZero() || order.reservedShares !== 0))
        problems.push(`order ${orderId}: ${order.status} but still reserves`);
    }
    this.sinceCrossCheck += 1;
    if (this.sinceCrossCheck >= this.crossCheckEvery) problems.push(...this.crossCheck());
    return problems;
  }

  /** The running total against the domain's `solvency(state)`, summed from scratch. */
  crossCheck(): string[] {
    this.sinceCrossCheck = 0;
    const s = solvency(this.state);
    const problems: string[] = [];
    if (!s.balanced)
      problems.push(`solvency(state): net deposits ${s.totals.netDeposits} ≠ held ${s.totals.heldTotal}`);
    if (!this.held.eq(s.totals.heldTotal) || !this.net.eq(s.totals.netDeposits))
      problems.push(
        `the running totals (held ${this.held.toFixed()}, net ${this.net.toFixed()}) differ from solvency(state) (${s.totals.heldTotal}, ${s.totals.netDeposits})`,
      );
    return problems;
  }
}
