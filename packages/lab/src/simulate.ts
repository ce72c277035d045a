// One run: a price path, one policy and one seed's population, fed as commands through the real decider. The lab
// decides nothing itself: market makers, traders and liquidity providers send commands, the oracle sets marks, the
// clock ticks, and every outcome (fills, fees, margin calls, liquidations, bad debt, the waterfall) is the decider's.
import {
  type Command,
  currentMaxLeverage,
  type Event,
  leveragedKey,
  type MarketState,
  type Money,
  markOf,
  money,
  type Rejection,
  toAmountString,
  ZERO,
} from "@pmx/domain";
import { type CheckMode, type CheckTally, LabExchange, type RejectionTally } from "./exchange.js";
import type { PricePath } from "./paths.js";
import { type Policy, riskParamsOf } from "./policy.js";
import type { TraderPlan } from "./population.js";
import type { ScenarioSpec } from "./scenario.js";

const HOUR_MS = 3_600_000;
const MARKET = "m";
const MM_BID = "mm-bid";
const MM_ASK = "mm-ask";

export interface RunInput {
  readonly scenario: ScenarioSpec;
  readonly policy: Policy;
  readonly seed: number;
  readonly path: PricePath;
  readonly traders: readonly TraderPlan[];
  readonly checkMode: CheckMode;
  /** Record the time series the charts draw (one run per policy is enough). */
  readonly series: boolean;
}

/** A liquidation on the chart: when, at which YES mark, and whether it ended in bad debt. */
export interface LiquidationMark {
  readonly atMs: number;
  readonly price: string;
  readonly outcome: "YES" | "NO";
  readonly bankrupt: boolean;
}

/** Sampled at every point of the path, after that point's commands (money as decimal strings). */
export interface RunSeries {
  readonly atMs: number[];
  readonly price: string[];
  readonly maxLeverage: string[];
  readonly utilization: string[];
  /** Market insurance fund + shared fund. */
  readonly insurance: string[];
  /** Bad debt recorded so far. */
  readonly badDebt: string[];
  readonly liquidations: LiquidationMark[];
}

/** One trader's position and its unleveraged twin (the same fills, no loan, closed at the trader's planned exit). */
export interface TraderResult {
  readonly accountId: string;
  readonly outcome: "YES" | "NO";
  readonly targetLeverage: string;
  /** The leverage the order carried ("1" when the market's cap was 1 or the trader never got a loan). */
  readonly leverage: string;
  readonly shares: number;
  readonly cost: string;
  /** Own money in the position: cost − loan. */
  readonly margin: string;
  readonly pnl: string;
  readonly twinPnl: string;
  readonly exit: "planned" | "fee" | "liquidated" | "resolution";
  readonly bankrupt: boolean;
}

export interface RunResult {
  readonly policy: string;
  readonly seed: number;
  readonly path: string;
  readonly resolution: "YES" | "NO";
  /** Σ BadDebtRecorded. */
  readonly badDebt: string;
  /** Σ InsuranceFundDrawn (market fund and shared fund). */
  readonly insuranceUsed: string;
  readonly insuranceSeeded: string;
  readonly insuranceEnd: string;
  /** Liquidity providers' bottom line: pool assets at the end − what they supplied. */
  readonly lpPnl: string;
  /** Their income from fees (net of the insurance cut, however paid) and their losses (socialized haircuts). */
  readonly lpFees: string;
  readonly lpLosses: string;
  readonly lpSupplied: string;
  /** Σ FundingAccrued: every jump-risk fee charged. */
  readonly feesCharged: string;
  /** The highest pool utilization (lent / assets) seen at a mark, and the lowest and highest leverage cap. */
  readonly peakUtilization: string;
  readonly leverageCapRange: readonly [string, string];
  readonly liquidations: number;
  /** Liquidations whose sale left bad debt (the position reached bankruptcy before it was sold). */
  readonly liquidationsBankrupt: number;
  /** Positions still open at resolution whose payout did not repay the loan. */
  readonly settlementsBankrupt: number;
  readonly marginCalls: number;
  /** Calls to deleverage (before the hazard window, or an open position above its cap of the moment). */
  readonly deleverageCalls: number;
  readonly auctions: number;
  /** What winners did not get of 1 per winning share (must be "0"), and haircuts charged to anyone but the pool's LPs. */
  readonly winnersHaircut: string;
  readonly traders: readonly TraderResult[];
  readonly checks: CheckTally;
  readonly rejections: RejectionTally;
  readonly series: RunSeries | null;
}

/** The decider refused a command the scenario cannot do without: reported, never worked around. */
export class ScenarioRefused extends Error {
  constructor(
    readonly command: Command,
    readonly rejection: Rejection,
  ) {
    super(
      `the decider refused ${command.type} ${JSON.stringify(command)}: ${rejection.code} (${rejection.message})`,
    );
  }
}

interface TraderState {
  readonly plan: TraderPlan;
  opened: boolean;
  entered: boolean;
  done: boolean;
  leverage: string;
  shares: number;
  cost: Money;
  loan: Money;
  /** Shares the trader sold itself (reduce or sell, not a liquidation) and what they fetched net of fees. */
  soldShares: number;
  soldProceeds: Money;
  /** The last accrued fee of its loan, per hour as a fraction of the loan. */
  feeRatePerHour: Money;
  exit: TraderResult["exit"] | null;
  bankrupt: boolean;
}

const tickOf = { "0.01": 100, "0.001": 1000, "0.0001": 10000 } as const;

export function simulateRun(input: RunInput): RunResult {
  const { scenario, policy, path } = input;
  const pop = scenario.population;
  const mm = pop.marketMakers;
  const risk = riskParamsOf(policy);
  const ticks = tickOf[scenario.market.tickSize];
  const priceOfTicks = (n: number): string => toAmountString(money(n).div(ticks));
  const floorTicks = (p: Money): number => p.times(ticks).floor().toNumber();
  const ceilTicks = (p: Money): number => p.times(ticks).ceil().toNumber();
  const resolveAtMs = path.resolveAtMs;
  const resolvesAtMs = scenario.resolvesAt ? Date.parse(scenario.resolvesAt) : resolveAtMs;

  // ---- what the events tell ----
  const traders = new Map<string, TraderState>();
  for (const plan of input.traders)
    traders.set(plan.accountId, {
      plan,
      opened: false,
      entered: false,
      done: false,
      leverage: "1",
      shares: 0,
      cost: ZERO,
      loan: ZERO,
      soldShares: 0,
      soldProceeds: ZERO,
      feeRatePerHour: ZERO,
      exit: null,
      bankrupt: false,
    });
  const lps = new Set(pop.liquidityProviders.map((_, i) => `lp-${i + 1}`));
  let badDebt = ZERO;
  let insuranceUsed = ZERO;
  let feesCharged = ZERO;
  let winnersHaircut = ZERO;
  let liquidations = 0;
  let liquidationsBankrupt = 0;
  let settlementsBankrupt = 0;
  let marginCalls = 0;
  let deleverageCalls = 0;
  let auctions = 0;
  const liquidationMarks: LiquidationMark[] = [];
  const accrualHours = risk.accrualIntervalSeconds / 3600;
  const mmOrders: string[] = [];
  const liquidationOrders = new Set<string>();
  let resolution: "YES" | "NO" | null = null;

  const observe = (event: Event, command: Command): void => {
    switch (event.type) {
      case "OrderAccepted":
        if (event.accountId === MM_BID || event.accountId === MM_ASK) mmOrders.push(event.orderId);
        if (event.source === "liquidation") liquidationOrders.add(event.orderId);
        break;
      case "TradeExecuted": {
        // Traders only take (IOC); their buys open the position, their own sales close it.
        const t = traders.get(event.takerAccountId);
        if (t && event.takerSide === "buy") {
          t.shares += event.quantity;
          t.cost = t.cost.plus(event.takerAmount).plus(event.takerFee);
        } else if (t && !liquidationOrders.has(event.takerOrderId)) {
          t.soldShares += event.quantity;
          t.soldProceeds = t.soldProceeds.plus(event.takerAmount).minus(event.takerFee);
        }
        break;
      }
      case "LoanOpened": {
        const t = traders.get(event.accountId);
        if (t) {
          t.loan = t.loan.plus(event.amount);
          t.leverage = event.leverage;
        }
        break;
      }
      case "FundingAccrued": {
        feesCharged = feesCharged.plus(event.amount);
        const t = traders.get(event.accountId);
        if (t) t.feeRatePerHour = money(event.rate).div(accrualHours);
        break;
      }
      case "MarginCalled":
        marginCalls += 1;
        break;
      case "DeleverageCalled":
        deleverageCalls += 1;
        break;
      case "AuctionStarted":
        auctions += 1;
        break;
      case "LiquidationStarted": {
        liquidations += 1;
        const t = traders.get(event.accountId);
        if (t) t.exit = "liquidated";
        const mark = markOf(exchange.state.markets.get(MARKET)!);
        liquidationMarks.push({
          atMs: command.at,
          price: mark ? toAmountString(mark) : "0",
          outcome: event.outcome,
          bankrupt: false,
        });
        break;
      }
      case "BadDebtRecorded": {
        badDebt = badDebt.plus(event.amount);
        const t = traders.get(event.accountId);
        if (t) t.bankrupt = true;
        if (command.type === "ResolveMarket") settlementsBankrupt += 1;
        else {
          liquidationsBankrupt += 1;
          for (let i = liquidationMarks.length - 1; i >= 0; i--) {
            const m = liquidationMarks[i]!;
            if (m.outcome === event.outcome && !m.bankrupt) {
              liquidationMarks[i] = { ...m, bankrupt: true };
              break;
            }
          }
        }
        break;
      }
      case "InsuranceFundDrawn":
        insuranceUsed = insuranceUsed.plus(event.amount);
        break;
      case "LossSocialized":
        for (const h of event.haircuts)
          if (!lps.has(h.accountId)) winnersHaircut = winnersHaircut.plus(h.amount);
        break;
      case "PositionSettled": {
        const owed =
          event.outcome === "YES"
            ? money(event.yesShares)
            : event.outcome === "NO"
              ? money(event.noShares)
              : money(event.yesShares + event.noShares).div(2);
        winnersHaircut = winnersHaircut.plus(owed.minus(event.payout));
        break;
      }
      case "PledgedSharesRedeemed":
        if (event.outcome === resolution)
          winnersHaircut = winnersHaircut.plus(money(event.shares).minus(event.payout));
        break;
      default:
        break;
    }
  };
  const exchange = new LabExchange(input.checkMode, observe);
  const state = exchange.state;

  const must = (command: Command): Event[] => {
    const r = exchange.run(command);
    if (!r.ok) throw new ScenarioRefused(command, r.rejection);
    return r.events;
  };
  const tryRun = (command: Command) => exchange.run(command);

  // ---- setup, an hour before the first mark ----
  const setupAt = path.points[0]!.atMs - HOUR_MS;
  for (const id of [MM_BID, MM_ASK]) {
    must({ type: "OpenAccount", at: setupAt, accountId: id });
    must({ type: "Deposit", at: setupAt, accountId: id, amount: mm.cash, reference: "mm" });
  }
  must({
    type: "ListMarket",
    at: setupAt,
    marketId: MARKET,
    question: `${scenario.name}: ${path.label}`.slice(0, 500),
    tickSize: scenario.market.tickSize,
    resolvesAt: new Date(resolvesAtMs).toISOString(),
    takerFeeBps: scenario.market.takerFeeBps,
    ...policy.params,
  } as Command);
  const market = (): MarketState => state.markets.get(MARKET)!;
  let insuranceSeeded = ZERO;
  if (money(scenario.funds.marketInsurance).gt(0)) {
    must({
      type: "DepositInsurance",
      at: setupAt,
      fundId: `market:${MARKET}`,
      amount: scenario.funds.marketInsurance,
      reference: "seed",
    });
    insuranceSeeded = insuranceSeeded.plus(scenario.funds.marketInsurance);
  }
  if (money(scenario.funds.sharedInsurance).gt(0)) {
    must({
      type: "DepositInsurance",
      at: setupAt,
      fundId: "shared",
      amount: scenario.funds.sharedInsurance,
      reference: "seed",
    });
    insuranceSeeded = insuranceSeeded.plus(scenario.funds.sharedInsurance);
  }
  let lpSupplied = ZERO;
  pop.liquidityProviders.forEach((amount, i) => {
    const id = `lp-${i + 1}`;
    must({ type: "OpenAccount", at: setupAt, accountId: id });
    must({ type: "Deposit", at: setupAt, accountId: id, amount, reference: "lp" });
    must({ type: "SupplyPool", at: setupAt, accountId: id, marketId: MARKET, amount, reference: "supply" });
    lpSupplied = lpSupplied.plus(amount);
  });

  // ---- market makers: a ladder of GTC buys on each side around the mark ----
  const halfSpread = money(mm.halfSpread);
  const levelStep = money(mm.levelStep);
  let ladderKey = "";
  let quoteRound = 0;
  /** The ladder's levels for a YES mark: bids (buy YES) and asks (as YES ticks; the ask account buys NO). */
  const ladder = (p: Money): { bids: number[]; asks: number[] } => {
    const bids: number[] = [];
    const asks: number[] = [];
    for (let k = 0; k < mm.levels; k++) {
      const d = halfSpread.plus(levelStep.times(k));
      const bid = floorTicks(p.minus(d));
      const ask = ceilTicks(p.plus(d));
      if (bid >= 1) bids.push(bid);
      if (ask <= ticks - 1) asks.push(ask);
    }
    return { bids, asks };
  };
  const mmIntact = (): boolean =>
    mmOrders.every((id) => {
      const o = state.orders.get(id)!;
      return o.status === "open" && o.filledQuantity === 0;
    });
  const requote = (p: Money, at: number): void => {
    const { bids, asks } = ladder(p);
    const key = `${bids.join(",")}|${asks.join(",")}`;
    if (key === ladderKey && mmIntact()) return;
    for (const id of mmOrders.splice(0)) {
      const o = state.orders.get(id)!;
      if (o.status === "open") must({ type: "CancelOrder", at, accountId: o.accountId, orderId: id });
    }
    quoteRound += 1;
    const quote = (accountId: string, outcome: "YES" | "NO", priceTicks: number, k: number) =>
      must({
        type: "PlaceOrder",
        at,
        accountId,
        marketId: MARKET,
        clientOrderId: `q${quoteRound}-${k}`,
        side: "buy",
        outcome,
        price: priceOfTicks(priceTicks),
        quantity: String(mm.sharesPerLevel * (k + 1)),
        timeInForce: "GTC",
        postOnly: false,
        leverage: "1",
      });
    for (const [k, t] of bids.entries()) quote(MM_BID, "YES", t, k);
    for (const [k, t] of asks.entries()) quote(MM_ASK, "NO", ticks - t, k);
    ladderKey = key;
  };

  // ---- traders ----
  const outcomeMark = (outcome: "YES" | "NO"): Money => {
    const p = markOf(market())!;
    return outcome === "YES" ? p : money(1).minus(p);
  };
  const continuous = (): boolean => market().status === "open" && market().auctionUntil === null;
  const enter = (t: TraderState, at: number): void => {
    const plan = t.plan;
    if (!t.opened) {
      must({ type: "OpenAccount", at, accountId: plan.accountId });
      must({
        type: "Deposit",
        at,
        accountId: plan.accountId,
        amount: money(plan.margin).plus(1).toFixed(),
        reference: "own",
      });
      t.opened = true;
    }
    const q = outcomeMark(plan.outcome);
    const limitTicks = Math.min(ticks - 1, ceilTicks(q.plus(pop.entrySlippage)));
    const limit = money(limitTicks).div(ticks);
    const cap = currentMaxLeverage(market(), at, market().pool);
    let leverage = money(plan.targetLeverage).gt(cap) ? cap : money(plan.targetLeverage);
    for (let attempt = 0; attempt < 6; attempt++) {
      if (leverage.lt(1)) leverage = money(1);
      const quantity = money(plan.margin).times(leverage).div(limit).floor().toNumber();
      if (quantity < 1) return;
      const r = tryRun({
        type: "PlaceOrder",
        at,
        accountId: plan.accountId,
        marketId: MARKET,
        clientOrderId: `open-${attempt}-${at}`,
        side: "buy",
        outcome: plan.outcome,
        price: priceOfTicks(limitTicks),
        quantity: String(quantity),
        timeInForce: "IOC",
        postOnly: false,
        leverage: toAmountString(leverage),
      });
      if (r.ok) {
        if (t.shares > 0) t.entered = true;
        return;
      }
      // The pool cannot lend this much: ask for less leverage (halfway to 1x), as a trader would.
      if (r.rejection.code !== "INSUFFICIENT_POOL_LIQUIDITY" || leverage.eq(1)) return;
      leverage = leverage.plus(1).div(2).toDecimalPlaces(2, 1);
    }
  };
  const exit = (t: TraderState, at: number): void => {
    const plan = t.plan;
    const q = outcomeMark(plan.outcome);
    const floor = Math.max(1, floorTicks(q.minus(pop.exitSlippage)));
    const position = market().leveraged.get(leveragedKey(plan.accountId, plan.outcome));
    if (position) {
      if (position.status === "liquidating" || position.shares === 0) return;
      // Never sell below the loan per share: a sale that leaves debt without shares is not the trader's to make.
      const breakEven = ceilTicks(position.loan.div(position.shares));
      const limitTicks = Math.max(floor, breakEven);
      if (limitTicks > ticks - 1) return;
      tryRun({
        type: "ReducePosition",
        at,
        accountId: plan.accountId,
        marketId: MARKET,
        outcome: plan.outcome,
        quantity: String(position.shares),
        price: priceOfTicks(limitTicks),
      });
      return;
    }
    const held = state.accounts.get(plan.accountId)?.positions.get(MARKET);
    const shares = held ? (plan.outcome === "YES" ? held.yes : held.no) : 0;
    if (shares === 0) {
      t.done = true;
      return;
    }
    tryRun({
      type: "PlaceOrder",
      at,
      accountId: plan.accountId,
      marketId: MARKET,
      clientOrderId: `close-${at}`,
      side: "sell",
      outcome: plan.outcome,
      price: priceOfTicks(floor),
      quantity: String(shares),
      timeInForce: "IOC",
      postOnly: false,
      leverage: "1",
    });
  };
  const maxFeeRate = money(pop.maxFeeRatePerHour);
  const act = (at: number): void => {
    if (!continuous()) return;
    for (const t of traders.values()) {
      if (t.done) continue;
      if (!t.entered) {
        if (t.plan.arrivalMs > at) break; // sorted by arrival
        if (at >= t.plan.exitMs) {
          t.done = true;
          continue;
        }
        enter(t, at);
        continue;
      }
      const flat = !market().leveraged.has(leveragedKey(t.plan.accountId, t.plan.outcome));
      if (flat && t.exit === "liquidated") {
        t.done = true;
        continue;
      }
      const feeTooHigh = !flat && t.feeRatePerHour.gt(maxFeeRate);
      if (at >= t.plan.exitMs || feeTooHigh) {
        if (t.exit === null) t.exit = at >= t.plan.exitMs ? "planned" : "fee";
        exit(t, at);
      }
    }
  };

  // ---- the clock: ticks at every mark, at auction ends and at margin-call deadlines ----
  const tick = (at: number) => must({ type: "Tick", at });
  const nextWake = (): number | null => {
    let next: number | null = market().auctionUntil;
    for (const p of market().leveraged.values())
      if (p.status === "margin_call" && p.deadline !== null && (next === null || p.deadline < next))
        next = p.deadline;
    return next;
  };
  /** Ticks at every wake-up time before `until` (at `now` at the earliest); returns the time reached. */
  const settle = (now: number, until: number): number => {
    let at = now;
    for (let guard = 0; guard < 8; guard++) {
      const wake = nextWake();
      if (wake === null || wake >= until) break;
      at = Math.max(at, wake);
      tick(at);
    }
    return at;
  };

  const series: RunSeries | null = input.series
    ? {
        atMs: [],
        price: [],
        maxLeverage: [],
        utilization: [],
        insurance: [],
        badDebt: [],
        liquidations: liquidationMarks,
      }
    : null;
  let peakUtilization = ZERO;
  let capLow: Money | null = null;
  let capHigh: Money | null = null;
  const sample = (at: number): void => {
    const m = market();
    const assets = m.pool.cash.plus(m.pool.lent);
    const utilization = assets.isZero() ? ZERO : m.pool.lent.div(assets).toDecimalPlaces(4);
    const cap = currentMaxLeverage(m, at, m.pool);
    if (utilization.gt(peakUtilization)) peakUtilization = utilization;
    if (m.status === "open") {
      if (capLow === null || cap.lt(capLow)) capLow = cap;
      if (capHigh === null || cap.gt(capHigh)) capHigh = cap;
    }
    if (!series) return;
    series.atMs.push(at);
    series.price.push(m.markPrice ?? "0");
    series.maxLeverage.push(toAmountString(cap));
    series.utilization.push(toAmountString(utilization));
    series.insurance.push(toAmountString(m.insurance.plus(state.sharedInsurance)));
    series.badDebt.push(toAmountString(badDebt));
  };

  const points = path.points;
  for (let i = 0; i < points.length; i++) {
    const point = points[i]!;
    const nextAt = i + 1 < points.length ? points[i + 1]!.atMs : resolveAtMs;
    tick(point.atMs);
    const p = money(point.price);
    requote(p, point.atMs);
    if (market().markPrice !== point.price)
      must({ type: "SetMarkPrice", at: point.atMs, marketId: MARKET, price: point.price });
    // Auctions end and grace-free margin calls come due before the traders act.
    const at = settle(point.atMs, point.atMs + 1);
    const actAt = market().auctionUntil !== null ? settle(at, nextAt) : at;
    act(actAt);
    settle(actAt, nextAt);
    sample(point.atMs);
  }
  // No tick at the resolution itself: a fee charged in advance at resolvesAt would pay for an hour that never runs.
  resolution = path.resolution;
  must({ type: "ResolveMarket", at: resolveAtMs, marketId: MARKET, outcome: path.resolution });
  sample(resolveAtMs);
  exchange.finish();

  // ---- results ----
  const m = market();
  const poolAssets = m.pool.cash.plus(m.pool.lent);
  const priceAt = (atMs: number): Money => {
    let lo = 0;
    let hi = points.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (points[mid]!.atMs <= atMs) lo = mid;
      else hi = mid - 1;
    }
    return money(points[lo]!.price);
  };
  /** What `shares` of `outcome` fetch when sold into the market makers' ladder at YES mark `p` (their fresh quotes). */
  const ladderSale = (outcome: "YES" | "NO", p: Money, shares: number): Money => {
    const { bids, asks } = ladder(p);
    const levels = outcome === "YES" ? bids : asks.map((a) => ticks - a);
    let left = shares;
    let value = ZERO;
    for (const [k, priceTicks] of levels.entries()) {
      // Beyond the ladder's depth the last level's price is used (the market makers would quote more there).
      const take = k === levels.length - 1 ? left : Math.min(left, mm.sharesPerLevel * (k + 1));
      value = value.plus(money(priceTicks).times(take).div(ticks));
      left -= take;
      if (left === 0) break;
    }
    return value;
  };
  const results: TraderResult[] = [];
  for (const t of traders.values()) {
    if (!t.entered) continue;
    const plan = t.plan;
    const cash = state.accounts.get(plan.accountId)!.cash;
    const deposit = money(plan.margin).plus(1);
    const pnl = cash.minus(deposit);
    // The twin makes the same trades without a loan: the same fills in, the same sales out; shares a liquidation
    // took from the trader it keeps to the trader's planned exit (sold into the market makers' quotes then) or to
    // the resolution.
    const kept = t.shares - t.soldShares;
    const keptValue =
      plan.exitMs >= resolveAtMs
        ? plan.outcome === path.resolution
          ? money(kept)
          : ZERO
        : ladderSale(plan.outcome, priceAt(plan.exitMs), kept);
    const twinValue = t.soldProceeds.plus(keptValue);
    results.push({
      accountId: plan.accountId,
      outcome: plan.outcome,
      targetLeverage: plan.targetLeverage,
      leverage: t.loan.gt(0) ? t.leverage : "1",
      shares: t.shares,
      cost: toAmountString(t.cost),
      margin: toAmountString(t.cost.minus(t.loan)),
      pnl: toAmountString(pnl),
      twinPnl: toAmountString(twinValue.minus(t.cost)),
      exit: t.exit ?? "resolution",
      bankrupt: t.bankrupt,
    });
  }
  return {
    policy: policy.name,
    seed: input.seed,
    path: path.label,
    resolution: path.resolution,
    badDebt: toAmountString(badDebt),
    insuranceUsed: toAmountString(insuranceUsed),
    insuranceSeeded: toAmountString(insuranceSeeded),
    insuranceEnd: toAmountString(m.insurance.plus(state.sharedInsurance)),
    lpPnl: toAmountString(poolAssets.minus(lpSupplied)),
    lpFees: toAmountString(poolAssets.minus(lpSupplied).plus(m.pool.losses)),
    lpLosses: toAmountString(m.pool.losses),
    lpSupplied: toAmountString(lpSupplied),
    feesCharged: toAmountString(feesCharged),
    peakUtilization: toAmountString(peakUtilization),
    leverageCapRange: [toAmountString(capLow ?? ZERO), toAmountString(capHigh ?? ZERO)],
    liquidations,
    liquidationsBankrupt,
    settlementsBankrupt,
    marginCalls,
    deleverageCalls,
    auctions,
    winnersHaircut: toAmountString(winnersHaircut),
    traders: results,
    checks: exchange.tally,
    rejections: exchange.rejections,
    series,
  };
}
