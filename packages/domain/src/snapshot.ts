// Snapshots of the state: a plain-JSON form that restores to an identical state (same canonicalState).
import { RiskParams as Risk } from "@pmx/liquidation";
import type { RestingOrder } from "@pmx/matching";
import type { Outcome, Resolution, TickSize } from "./codecs.js";
import type { CancelReason } from "./events.js";
import { walkHeld } from "./ledger.js";
import { compact, type Money, money, ZERO } from "./money.js";
import { OrderTable } from "./order-table.js";
import {
  type AccountState,
  type BackstopBid,
  type EventGroupState,
  type EventOutcome,
  type LeveragedPosition,
  type LeveragedStatus,
  type MarketState,
  type MarketStatus,
  newBook,
  type OrderState,
  type OrderStatus,
  type PendingResolution,
  type Position,
  type State,
  TICKS_PER_UNIT,
} from "./state.js";

/** Decimals as strings, Maps as arrays of entries, books as their resting orders in priority order. */
export interface StateSnapshot {
  version: 1;
  accounts: {
    accountId: string;
    ordinal: number;
    cash: string;
    reserved: string;
    positions: [string, Position][];
    clientOrders: [string, string][];
  }[];
  markets: (Omit<
    MarketState,
    | "book"
    | "escrow"
    | "insurance"
    | "pool"
    | "leveraged"
    | "backstops"
    | "ticks"
    | "auctionOrders"
    | "windowNotional"
    | "resolution"
    | "eventId"
    | "settlementPending"
  > & {
    /** Present only for a market of an event (absent keeps older snapshots and state hashes as they were). */
    eventId?: string;
    /** Present only while a proposed resolution is pending (older snapshots, and states without one, leave it out). */
    resolution?: PendingResolutionSnapshot<Resolution>;
    /** Present (true) only while a settlement in pieces is unfinished (absent keeps older state hashes as they were). */
    settlementPending?: true;
    windowNotional: string;
    book: RestingOrder[];
    escrow: string;
    insurance: string;
    pool: {
      cash: string;
      lent: string;
      shares: string;
      feesEarned: string;
      losses: string;
      feesUncollected: string;
      vestingAmount: string;
      vestingStart: number | null;
      providers: [string, string][];
    };
    leveraged: (Omit<LeveragedPosition, "loan" | "feesOwed" | "marginPaid"> & {
      loan: string;
      feesOwed: string;
      marginPaid: string;
    })[];
    backstops: BackstopBid[];
    auctionOrders: number[];
  })[];
  /** Events of several outcomes: present only when there is one (older snapshots and state hashes stay as they were). */
  eventGroups?: (Omit<EventGroupState, "escrow" | "marketIds" | "resolution"> & {
    escrow: string;
    marketIds: string[];
    /** Present only while a proposed resolution of the event is pending (absent keeps older hashes as they were). */
    resolution?: PendingResolutionSnapshot<EventOutcome>;
  })[];
  orders: (Omit<OrderState, "reservedCash"> & { reservedCash: string })[];
  references: [string, string][];
  totals: { deposits: string; insuranceDeposits: string; withdrawals: string; fees: string };
  sharedInsurance: string;
  orderCount: number;
  tradeCount: number;
}

const str = (m: Money): string => m.toFixed();

/** A pending resolution (of a market or an event) as a snapshot holds it: bonds as decimal strings. */
interface PendingResolutionSnapshot<O> {
  proposed: O;
  proposedAt: number;
  finalAt: number;
  challenges: { accountId: string; bond: string; reference: string; at: number }[];
  ruling: { outcome: O; bondsTo: "challengers" | "insurance"; at: number } | null;
}

const pendingToSnapshot = <O>(r: PendingResolution<O>): PendingResolutionSnapshot<O> => ({
  proposed: r.proposed,
  proposedAt: r.proposedAt,
  finalAt: r.finalAt,
  challenges: r.challenges.map((c) => ({ ...c, bond: str(c.bond) })),
  ruling: r.ruling === null ? null : { ...r.ruling },
});

const pendingFromSnapshot = <O>(r: PendingResolutionSnapshot<O>): PendingResolution<O> => ({
  proposed: r.proposed,
  proposedAt: r.proposedAt,
  finalAt: r.finalAt,
  challenges: r.challenges.map((c) => ({ ...c, bond: money(c.bond) })),
  ruling: r.ruling === null ? null : { ...r.ruling },
});

export function snapshotOf(state: State): StateSnapshot {
  return {
    version: 1,
    accounts: [...state.accounts.values()].map((a) => ({
      accountId: a.accountId,
      ordinal: a.ordinal,
      cash: str(a.cash),
      reserved: str(a.reserved),
      positions: [...a.positions.entries()].map(([k, p]) => [k, { ...p }]),
      clientOrders: [...a.clientOrders.entries()],
    })),
    markets: [...state.markets.values()].map((m) => ({
      marketId: m.marketId,
      question: m.question,
      tickSize: m.tickSize,
      resolvesAt: m.resolvesAt,
      takerFeeBps: m.takerFeeBps,
      status: m.status,
      outcome: m.outcome,
      ...(m.eventId === null ? {} : { eventId: m.eventId }),
      escrow: str(m.escrow),
      pairs: m.pairs,
      lastPrice: m.lastPrice,
      markPrice: m.markPrice,
      markPriceAt: m.markPriceAt,
      riskMark: m.riskMark,
      markIntervalStart: m.markIntervalStart,
      markAnchor: m.markAnchor,
      windowShares: m.windowShares,
      windowNotional: str(m.windowNotional),
      volume: m.volume,
      trades: m.trades,
      risk: m.risk,
      book: m.book.restingOrders(),
      insurance: str(m.insurance),
      pool: {
        cash: str(m.pool.cash),
        lent: str(m.pool.lent),
        shares: str(m.pool.shares),
        feesEarned: str(m.pool.feesEarned),
        losses: str(m.pool.losses),
        feesUncollected: str(m.pool.feesUncollected),
        vestingAmount: str(m.pool.vestingAmount),
        vestingStart: m.pool.vestingStart,
        providers: [...m.pool.providers.entries()].map(([k, v]) => [k, str(v)]),
      },
      leveraged: [...m.leveraged.values()].map((p) => ({
        ...p,
        loan: str(p.loan),
        feesOwed: str(p.feesOwed),
        marginPaid: str(p.marginPaid),
      })),
      auctionUntil: m.auctionUntil,
      auctionOrders: [...m.auctionOrders],
      backstops: [...m.backstops.values()],
      ...(m.resolution === null ? {} : { resolution: pendingToSnapshot(m.resolution) }),
      ...(m.settlementPending ? { settlementPending: true as const } : {}),
    })),
    ...(state.eventGroups.size === 0
      ? {}
      : {
          eventGroups: [...state.eventGroups.values()].map(({ resolution, ...g }) => ({
            ...g,
            marketIds: [...g.marketIds],
            escrow: str(g.escrow),
            ...(resolution === null ? {} : { resolution: pendingToSnapshot(resolution) }),
          })),
        }),
    orders: [...state.orders.values()].map((o) => ({ ...o, reservedCash: str(o.reservedCash) })),
    references: [...state.references.entries()],
    totals: {
      deposits: str(state.totals.deposits),
      insuranceDeposits: str(state.totals.insuranceDeposits),
      withdrawals: str(state.totals.withdrawals),
      fees: str(state.totals.fees),
    },
    sharedInsurance: str(state.sharedInsurance),
    orderCount: state.orderCount,
    tradeCount: state.tradeCount,
  };
}

/** The state a snapshot was taken of; throws when the snapshot is not of this version or is inconsistent. */
export function stateFromSnapshot(s: StateSnapshot): State {
  if (s.version !== 1) throw new Error(`snapshot version ${String(s.version)} is not supported`);
  const accounts = new Map<string, AccountState>();
  for (const a of s.accounts)
    accounts.set(a.accountId, {
      accountId: a.accountId,
      ordinal: a.ordinal,
      cash: money(a.cash),
      reserved: money(a.reserved),
      positions: new Map(a.positions.map(([k, p]) => [k, { ...p }])),
      clientOrders: new Map(a.clientOrders),
    });
  const markets = new Map<string, MarketState>();
  for (const m of s.markets) {
    const book = newBook(m.tickSize as TickSize);
    for (const r of m.book) book.rest(r);
    markets.set(m.marketId, {
      marketId: m.marketId,
      question: m.question,
      tickSize: m.tickSize,
      ticks: TICKS_PER_UNIT[m.tickSize],
      resolvesAt: m.resolvesAt,
      takerFeeBps: m.takerFeeBps,
      status: m.status as MarketStatus,
      outcome: m.outcome as Resolution | null,
      book,
      escrow: money(m.escrow),
      pairs: m.pairs,
      lastPrice: m.lastPrice,
      markPrice: m.markPrice,
      markPriceAt: m.markPriceAt ?? null,
      riskMark: m.riskMark ?? null,
      markIntervalStart: m.markIntervalStart ?? null,
      markAnchor: m.markAnchor ?? null,
      windowShares: m.windowShares ?? 0,
      windowNotional: money(m.windowNotional ?? "0"),
      volume: m.volume,
      trades: m.trades,
      risk: Risk.withDefaults(m.risk),
      pool: {
        cash: money(m.pool.cash),
        lent: money(m.pool.lent),
        shares: money(m.pool.shares),
        feesEarned: money(m.pool.feesEarned),
        losses: money(m.pool.losses),
        feesUncollected: money(m.pool.feesUncollected ?? "0"),
        vestingAmount: money(m.pool.vestingAmount ?? "0"),
        vestingStart: m.pool.vestingStart ?? null,
        providers: new Map(m.pool.providers.map(([k, v]) => [k, money(v)])),
      },
      insurance: money(m.insurance),
      leveraged: new Map(
        m.leveraged.map((p) => [
          `${p.accountId}|${p.outcome}`,
          {
            accountId: p.accountId,
            outcome: p.outcome as Outcome,
            shares: p.shares,
            sharesReserved: p.sharesReserved,
            loan: money(p.loan),
            feesOwed: money(p.feesOwed),
            marginPaid: money(p.marginPaid),
            status: p.status as LeveragedStatus,
            deadline: p.deadline,
            paidUntil: p.paidUntil,
            deleverageDeadline: p.deleverageDeadline ?? null,
          },
        ]),
      ),
      auctionUntil: m.auctionUntil,
      auctionOrders: [...m.auctionOrders],
      backstops: new Map(m.backstops.map((b) => [`${b.accountId}|${b.outcome}`, { ...b }])),
      eventId: m.eventId ?? null,
      settlementPending: m.settlementPending === true,
      resolution: m.resolution === undefined ? null : pendingFromSnapshot(m.resolution),
    });
  }
  const eventGroups = new Map<string, EventGroupState>();
  for (const g of s.eventGroups ?? [])
    eventGroups.set(g.eventId, {
      ...g,
      marketIds: [...g.marketIds],
      escrow: money(g.escrow),
      resolution: g.resolution === undefined ? null : pendingFromSnapshot(g.resolution),
    });
  const orders = new OrderTable();
  for (const o of s.orders)
    orders.add({
      ...o,
      status: o.status as OrderStatus,
      cancelReason: o.cancelReason as CancelReason | null,
      reservedCash: compact(money(o.reservedCash)),
    });
  const restored: State = {
    accounts,
    markets,
    eventGroups,
    orders,
    references: new Map(s.references),
    totals: {
      deposits: money(s.totals.deposits),
      insuranceDeposits: money(s.totals.insuranceDeposits),
      withdrawals: money(s.totals.withdrawals),
      fees: money(s.totals.fees),
    },
    sharedInsurance: money(s.sharedInsurance),
    orderCount: s.orderCount,
    tradeCount: s.tradeCount,
    held: { cash: ZERO, reserved: ZERO, escrow: ZERO, insurance: ZERO, poolCash: ZERO },
  };
  Object.assign(restored.held, walkHeld(restored));
  return restored;
}
