// The operator's risk record folded from the log: each bad debt with what every tier of the waterfall paid,
// liquidations and margin calls counted per market, and each market's pool share value over time.
import { type Event, money, type State, shareValueAt, toAmountString } from "@pmx/domain";

/** One bad debt and how the default waterfall covered it (decimal strings; `at` in ms). */
export interface BadDebtRecord {
  /** Log position (event revision) of its BadDebtRecorded. */
  sequence: number;
  atMs: number;
  marketId: string;
  accountId: string;
  outcome: string;
  /** The loan left after the position's own value was applied. */
  amount: string;
  /** Fees never collected, written off the loan (paid by no one). */
  feesWrittenOff: string;
  marketInsurance: string;
  sharedInsurance: string;
  poolHaircut: string;
  /** What each pool provider lost to the haircut. */
  haircuts: { accountId: string; amount: string }[];
}

/** One change of a pool's share value (what one share redeems for), at the time of the command that made it. */
export interface ShareValuePoint {
  atMs: number;
  sequence: number;
  shareValue: string;
}

/** Counts since the market was listed. */
export interface MarketRiskCounts {
  marginCalls: number;
  liquidations: number;
  badDebts: number;
  /** Σ BadDebtRecorded amounts. */
  badDebt: string;
}

export interface RiskRecordSnapshot {
  badDebts: BadDebtRecord[];
  shareValues: [string, ShareValuePoint[]][];
  counts: [string, MarketRiskCounts][];
}

/** How many share-value changes are kept per market (the oldest are dropped beyond). */
export const SHARE_VALUE_POINTS = 5000;

/** Events after which a pool's share value may differ. */
const POOL_EVENTS = new Set<Event["type"]>([
  "PoolSupplied",
  "PoolRedeemed",
  "LoanOpened",
  "LoanRepaid",
  "FundingAccrued",
  "BadDebtRecorded",
  "InsuranceFundDrawn",
  "LossSocialized",
  "MarketListed",
]);

export class RiskRecord {
  private readonly badDebts: BadDebtRecord[] = [];
  private readonly shareValues = new Map<string, ShareValuePoint[]>();
  private readonly counts = new Map<string, MarketRiskCounts>();
  private readonly poolsTouched = new Set<string>();

  toSnapshot(): RiskRecordSnapshot {
    return {
      badDebts: this.badDebts,
      shareValues: [...this.shareValues.entries()],
      counts: [...this.counts.entries()],
    };
  }

  static fromSnapshot(s: RiskRecordSnapshot): RiskRecord {
    const r = new RiskRecord();
    r.badDebts.push(...s.badDebts);
    for (const [k, v] of s.shareValues) r.shareValues.set(k, v);
    for (const [k, v] of s.counts) r.counts.set(k, v);
    return r;
  }

  /** Folds one event (already evolved into the state) at log position `sequence`, time `atMs`. */
  apply(event: Event, sequence: number, atMs: number): void {
    if (POOL_EVENTS.has(event.type)) this.poolsTouched.add((event as { marketId: string }).marketId);
    switch (event.type) {
      case "MarginCalled":
        this.countsFor(event.marketId).marginCalls += 1;
        break;
      case "LiquidationStarted":
        this.countsFor(event.marketId).liquidations += 1;
        break;
      case "BadDebtRecorded": {
        const c = this.countsFor(event.marketId);
        c.badDebts += 1;
        c.badDebt = toAmountString(money(c.badDebt).plus(event.amount));
        this.badDebts.push({
          sequence,
          atMs,
          marketId: event.marketId,
          accountId: event.accountId,
          outcome: event.outcome,
          amount: event.amount,
          feesWrittenOff: event.feesWrittenOff ?? "0",
          marketInsurance: "0",
          sharedInsurance: "0",
          poolHaircut: "0",
          haircuts: [],
        });
        break;
      }
      case "InsuranceFundDrawn": {
        const debt = this.openDebt(event);
        if (!debt) break;
        if (event.fundId === "shared") debt.sharedInsurance = plus(debt.sharedInsurance, event.amount);
        else debt.marketInsurance = plus(debt.marketInsurance, event.amount);
        break;
      }
      case "LossSocialized": {
        const debt = this.openDebt(event);
        if (!debt) break;
        debt.poolHaircut = plus(debt.poolHaircut, event.amount);
        debt.haircuts.push(...event.haircuts);
        break;
      }
      default:
        break;
    }
  }

  /** At the end of a command: the share value of every pool it touched, when it changed. */
  closeCommand(state: State, sequence: number, atMs: number): void {
    for (const marketId of this.poolsTouched) {
      const market = state.markets.get(marketId);
      if (!market) continue;
      const shareValue = toAmountString(shareValueAt(market, atMs));
      let points = this.shareValues.get(marketId);
      if (!points) this.shareValues.set(marketId, (points = []));
      if (points.length > 0 && points[points.length - 1]!.shareValue === shareValue) continue;
      points.push({ atMs, sequence, shareValue });
      if (points.length > SHARE_VALUE_POINTS) points.splice(0, points.length - SHARE_VALUE_POINTS);
    }
    this.poolsTouched.clear();
  }

  /** Bad debts, oldest first (optionally of one market). */
  badDebtsOf(marketId?: string): readonly BadDebtRecord[] {
    return marketId === undefined ? this.badDebts : this.badDebts.filter((d) => d.marketId === marketId);
  }

  shareValuesOf(marketId: string): readonly ShareValuePoint[] {
    return this.shareValues.get(marketId) ?? [];
  }

  /** The market's counts (zeros for a market without any). */
  countsOf(marketId: string): Readonly<MarketRiskCounts> {
    return this.counts.get(marketId) ?? NO_COUNTS;
  }

  private countsFor(marketId: string): MarketRiskCounts {
    let c = this.counts.get(marketId);
    if (!c) this.counts.set(marketId, (c = { marginCalls: 0, liquidations: 0, badDebts: 0, badDebt: "0" }));
    return c;
  }

  /** The latest bad debt of the position a waterfall step names (the steps follow it in the same command). */
  private openDebt(e: { marketId: string; accountId: string; outcome: string }): BadDebtRecord | undefined {
    for (let i = this.badDebts.length - 1; i >= 0; i--) {
      const d = this.badDebts[i]!;
      if (d.marketId === e.marketId && d.accountId === e.accountId && d.outcome === e.outcome) return d;
    }
    return undefined;
  }
}

const NO_COUNTS: Readonly<MarketRiskCounts> = { marginCalls: 0, liquidations: 0, badDebts: 0, badDebt: "0" };
const plus = (a: string, b: string): string => toAmountString(money(a).plus(b));
