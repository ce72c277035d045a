// Read models answered by the API: account, market, book depth, order; all from the domain state in decimal strings.
import {
  challengeBondOfMarket,
  currentFundingRate,
  currentMaxLeverage,
  type EventGroupState,
  type EventOutcome,
  type MarketState,
  markOf,
  type OrderState,
  type PendingResolution,
  poolValueAt,
  positionRisk,
  priceStringOf,
  type State,
  shareValueAt,
  toAmountString,
  ZERO,
} from "@pmx/domain";

export interface PositionView {
  marketId: string;
  /** All YES shares held, including those reserved by open sell orders (and, for a leveraged entry, pledged). */
  yes: string;
  no: string;
  yesReserved: string;
  noReserved: string;
  /** Present on leveraged entries: the outcome bought with the loan. */
  outcome?: string;
  leveraged: boolean;
  /** Owed to the market's pool ("0" at 1x). */
  loan: string;
  /** Value at the mark − loan; null before the market has a mark or a trade. */
  equity: string | null;
  maintenanceRequirement: string;
  /** The outcome price at which equity falls to the maintenance requirement; null without a loan. */
  liquidationPrice: string | null;
  status: "healthy" | "margin_call" | "liquidating" | "closed";
  /** Deadline of a running margin call (ISO time). */
  marginCallDeadline?: string;
  /** Deadline of a running deleverage call (ISO time): the position is above the cap of the moment (docs/risk-model.md). */
  deleverageDeadline?: string;
}

export interface AccountView {
  accountId: string;
  /** Free cash. */
  cash: string;
  /** Cash reserved by open buy orders. */
  reserved: string;
  /** cash + reserved. */
  total: string;
  positions: PositionView[];
}

export function accountView(state: State, accountId: string): AccountView | null {
  const account = state.accounts.get(accountId);
  if (!account) return null;
  const positions: PositionView[] = [];
  for (const [marketId, p] of account.positions) {
    if (p.yes + p.no + p.yesReserved + p.noReserved === 0) continue;
    const market = state.markets.get(marketId)!;
    const mark = markOf(market);
    const yes = p.yes + p.yesReserved;
    const no = p.no + p.noReserved;
    positions.push({
      marketId,
      yes: String(yes),
      no: String(no),
      yesReserved: String(p.yesReserved),
      noReserved: String(p.noReserved),
      leveraged: false,
      loan: "0",
      equity:
        mark === null
          ? null
          : toAmountString(mark.times(yes).plus(mark.negated().plus(1).times(no)).toDecimalPlaces(6, 1)),
      maintenanceRequirement: "0",
      liquidationPrice: null,
      status: "healthy",
    });
  }
  for (const market of state.markets.values()) {
    for (const lp of market.leveraged.values()) {
      if (lp.accountId !== accountId) continue;
      const risk = positionRisk(market, lp);
      const shares = String(lp.shares + lp.sharesReserved);
      const view: PositionView = {
        marketId: market.marketId,
        yes: lp.outcome === "YES" ? shares : "0",
        no: lp.outcome === "NO" ? shares : "0",
        yesReserved: "0",
        noReserved: "0",
        outcome: lp.outcome,
        leveraged: true,
        loan: toAmountString(lp.loan),
        equity: risk.equity === null ? null : toAmountString(risk.equity),
        maintenanceRequirement: toAmountString(risk.maintenance ?? ZERO),
        liquidationPrice: risk.liquidationPrice === null ? null : toAmountString(risk.liquidationPrice),
        status: lp.status,
      };
      if (lp.deadline !== null) view.marginCallDeadline = new Date(lp.deadline).toISOString();
      if (lp.deleverageDeadline !== null)
        view.deleverageDeadline = new Date(lp.deleverageDeadline).toISOString();
      positions.push(view);
    }
  }
  positions.sort((a, b) =>
    a.marketId < b.marketId ? -1 : a.marketId > b.marketId ? 1 : Number(a.leveraged) - Number(b.leveraged),
  );
  return {
    accountId,
    cash: toAmountString(account.cash),
    reserved: toAmountString(account.reserved),
    total: toAmountString(account.cash.plus(account.reserved)),
    positions,
  };
}

export interface MarketView {
  marketId: string;
  question: string;
  status: string;
  tickSize: string;
  resolvesAt: string;
  takerFeeBps: number;
  /** Best bid and ask in YES terms; null when that side is empty. */
  bestBid: string | null;
  bestAsk: string | null;
  lastPrice: string | null;
  markPrice: string | null;
  /** The risk mark (YES) that margin, fees and liquidation use: see docs/risk-model.md, "The robust mark". */
  riskMark: string | null;
  /** Shares traded. */
  volume: string;
  /** YES/NO pairs outstanding. */
  openInterest: string;
  /** Collateral held in escrow for the market. */
  escrow: string;
  outcome?: string;
  /** The largest leverage a new leveraged buy may take now (decimal string, "1" = no borrowing). */
  maxLeverage: string;
  /** The jump-risk fee rate now: per hour, as a fraction of the loan, for a position at maxLeverage on the riskier side. */
  fundingRate: string;
  fundingRateUnit: "per_hour_fraction_of_loan";
  phase: "continuous" | "auction" | "halted" | "closed" | "resolved";
  /** The event this market is an outcome of, if any. */
  eventId?: string;
  /** End of the running call auction (ISO time). */
  auctionUntil?: string;
  /** The market's insurance fund. */
  insurance: string;
  /** The risk parameters the market was listed with. */
  risk: Record<string, string | number>;
  /** A proposed resolution while it is pending (the market halted, nothing paid yet). */
  resolution?: ResolutionView;
  /** True while a resolved market's settlement goes on in pieces (orders left to cancel, holders left to pay). */
  settling?: true;
}

export interface ResolutionView {
  /** The proposed outcome (after a ruling, the ruled one). */
  proposed: "YES" | "NO" | "INVALID";
  proposedAt: string;
  /** When it becomes final unless challenged (challenged: on the ruling, never before this). */
  finalAt: string;
  /** The smallest bond a challenge takes (the market's challengeBond). */
  challengeBond: string;
  challenges: { accountId: string; bond: string; reference: string; at: string }[];
  ruling: { outcome: "YES" | "NO" | "INVALID"; bondsTo: "challengers" | "insurance"; at: string } | null;
}

/** A pending resolution (of a market or an event) for the wire, its outcomes printed by `outcome`. */
function pendingView<O, V extends object>(
  r: PendingResolution<O>,
  challengeBond: string,
  outcome: (o: O) => V,
) {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    ...outcome(r.proposed),
    proposedAt: iso(r.proposedAt),
    finalAt: iso(r.finalAt),
    challengeBond,
    challenges: r.challenges.map((c) => ({
      accountId: c.accountId,
      bond: toAmountString(c.bond),
      reference: c.reference,
      at: iso(c.at),
    })),
    ruling:
      r.ruling === null
        ? null
        : { ...outcome(r.ruling.outcome), bondsTo: r.ruling.bondsTo, at: iso(r.ruling.at) },
  };
}

function resolutionView(market: MarketState): ResolutionView | null {
  const r = market.resolution;
  if (r === null) return null;
  const { ruling, ...view } = pendingView(r, challengeBondOfMarket(market), (o) => ({ proposed: o }));
  return {
    ...view,
    ruling: ruling === null ? null : { outcome: ruling.proposed, bondsTo: ruling.bondsTo, at: ruling.at },
  };
}

/** An event's proposed resolution while pending: its markets halted, nothing paid yet. */
export interface EventResolutionView {
  /** The proposed outcome (after a ruling, the ruled one): a winner, or INVALID. */
  proposed: "WINNER" | "INVALID";
  /** The proposed winning market (when `proposed` is WINNER). */
  winner?: string;
  proposedAt: string;
  finalAt: string;
  /** The smallest bond a challenge takes (its markets' challengeBond). */
  challengeBond: string;
  challenges: { accountId: string; bond: string; reference: string; at: string }[];
  ruling: {
    outcome: "WINNER" | "INVALID";
    winner?: string;
    bondsTo: "challengers" | "insurance";
    at: string;
  } | null;
}

const eventOutcomeView = (o: EventOutcome): { proposed: "WINNER" | "INVALID"; winner?: string } =>
  o.outcome === "INVALID" ? { proposed: "INVALID" } : { proposed: "WINNER", winner: o.winner };

function eventResolutionView(state: State, group: EventGroupState): EventResolutionView | null {
  const r = group.resolution;
  if (r === null) return null;
  const bond = challengeBondOfMarket(state.markets.get(group.marketIds[0]!)!);
  const { ruling, ...view } = pendingView(r, bond, eventOutcomeView);
  if (ruling === null) return { ...view, ruling: null };
  const { proposed, ...rest } = ruling;
  return { ...view, ruling: { outcome: proposed, ...rest } };
}

/** The market's trading phase at `nowMs`: closed once resolvesAt has passed without a resolution. */
function phaseOf(market: MarketState, nowMs: number): MarketView["phase"] {
  if (market.status === "resolved") return "resolved";
  if (market.status === "halted") return "halted";
  if (market.status === "closed") return "closed";
  if (market.auctionUntil !== null) return "auction";
  if (nowMs >= Date.parse(market.resolvesAt)) return "closed";
  return "continuous";
}

export function marketView(market: MarketState, nowMs: number): MarketView {
  const bid = market.book.bestBid();
  const ask = market.book.bestAsk();
  const view: MarketView = {
    marketId: market.marketId,
    question: market.question,
    status: market.status,
    tickSize: market.tickSize,
    resolvesAt: market.resolvesAt,
    takerFeeBps: market.takerFeeBps,
    bestBid: bid > 0 ? priceStringOf(bid, market.ticks) : null,
    bestAsk: ask < market.ticks ? priceStringOf(ask, market.ticks) : null,
    lastPrice: market.lastPrice,
    markPrice: market.markPrice,
    riskMark: market.riskMark,
    volume: String(market.volume),
    openInterest: String(market.pairs),
    escrow: toAmountString(market.escrow),
    maxLeverage: toAmountString(
      market.auctionUntil !== null ? ZERO.plus(1) : currentMaxLeverage(market, nowMs, market.pool),
    ),
    // A rate, not an amount: up to 12 places (rounded down), as FundingAccrued's `rate`.
    fundingRate: toAmountString(currentFundingRate(market, nowMs).toDecimalPlaces(12, 1)),
    fundingRateUnit: "per_hour_fraction_of_loan",
    phase: phaseOf(market, nowMs),
    insurance: toAmountString(market.insurance),
    risk: { ...market.risk },
  };
  if (market.outcome) view.outcome = market.outcome;
  if (market.auctionUntil !== null) view.auctionUntil = new Date(market.auctionUntil).toISOString();
  if (market.eventId !== null) view.eventId = market.eventId;
  const resolution = resolutionView(market);
  if (resolution !== null) view.resolution = resolution;
  if (market.settlementPending) view.settling = true;
  return view;
}

/** An event of several outcomes with its markets (`GET /v1/events/{eventId}`). */
export interface EventView {
  eventId: string;
  title: string;
  resolvesAt: string;
  status: "open" | "resolved";
  /** The winning market once resolved to one. */
  winner?: string;
  /** YES shares of every market not paired with a NO of the same market (from conversions), and their escrow. */
  convertedYes: string;
  escrow: string;
  /** A proposed resolution of the event while pending (its markets halted, nothing paid yet). */
  resolution?: EventResolutionView;
  markets: MarketView[];
}

export function eventView(state: State, eventId: string, nowMs: number): EventView | null {
  const group = state.eventGroups.get(eventId);
  if (!group) return null;
  const view: EventView = {
    eventId: group.eventId,
    title: group.title,
    resolvesAt: group.resolvesAt,
    status: group.status,
    convertedYes: String(group.unpairedYes),
    escrow: toAmountString(group.escrow),
    markets: group.marketIds.map((id) => marketView(state.markets.get(id)!, nowMs)),
  };
  if (group.winner !== null) view.winner = group.winner;
  const resolution = eventResolutionView(state, group);
  if (resolution !== null) view.resolution = resolution;
  return view;
}

export interface BookView {
  marketId: string;
  bids: { price: string; quantity: string }[];
  asks: { price: string; quantity: string }[];
}

export function bookView(market: MarketState, depth: number): BookView {
  const d = market.book.depth(depth);
  const level = (l: { priceTicks: number; quantityLots: number }) => ({
    price: priceStringOf(l.priceTicks, market.ticks),
    quantity: String(l.quantityLots),
  });
  return { marketId: market.marketId, bids: d.bids.map(level), asks: d.asks.map(level) };
}

export interface OrderFillView {
  tradeId: string;
  /** Price of the order's own outcome. */
  price: string;
  quantity: string;
  liquidity: "maker" | "taker";
  fee: string;
}

export interface OrderView {
  orderId: string;
  clientOrderId: string;
  accountId: string;
  marketId: string;
  side: string;
  outcome: string;
  price: string;
  quantity: string;
  filledQuantity: string;
  status: string;
  /** Why it was cancelled: e.g. LEVERAGE_NOT_AVAILABLE when a resting leveraged buy reached a fill the limits of that moment no longer allowed. */
  cancelReason?: string;
  /** A leveraged buy's leverage (absent at 1x): a resting one draws its loan at each fill. */
  leverage?: string;
  timeInForce: string;
  postOnly: boolean;
  createdAt: string;
  trades: OrderFillView[];
}

export function orderView(order: OrderState, trades: OrderFillView[]): OrderView {
  const view: OrderView = {
    orderId: order.orderId,
    clientOrderId: order.clientOrderId,
    accountId: order.accountId,
    marketId: order.marketId,
    side: order.side,
    outcome: order.outcome,
    price: order.price,
    quantity: String(order.quantity),
    filledQuantity: String(order.filledQuantity),
    status: order.status,
    timeInForce: order.timeInForce,
    postOnly: order.postOnly,
    createdAt: new Date(order.at).toISOString(),
    trades,
  };
  if (order.cancelReason) view.cancelReason = order.cancelReason;
  if (order.leverage !== null) view.leverage = order.leverage;
  return view;
}

export interface PoolView {
  marketId: string;
  /** cash + lent: what the providers' shares are worth together. */
  assets: string;
  cash: string;
  lent: string;
  /** lent / assets. */
  utilization: string;
  shares: string;
  /** value / shares, rounded down ("1" for an empty pool): what one share redeems for now. */
  shareValue: string;
  /** What the shares are worth together: assets − fees not collected − collected fees still vesting. */
  value: string;
  /** Fees charged to loans but not paid yet: not part of `value` until collected. */
  feesUncollected: string;
  /** Fees collected by the pool and still vesting (they join `value` linearly over feeVestingSeconds). */
  feesVesting: string;
  feesEarned: string;
  losses: string;
  /** The caller's pool shares, when the caller is an account. */
  yourShares?: string;
}

export function poolView(market: MarketState, nowMs: number, accountId?: string): PoolView {
  const pool = market.pool;
  const assets = pool.cash.plus(pool.lent);
  const value = poolValueAt(market, nowMs);
  const view: PoolView = {
    marketId: market.marketId,
    assets: toAmountString(assets),
    cash: toAmountString(pool.cash),
    lent: toAmountString(pool.lent),
    utilization: assets.isZero() ? "0" : toAmountString(pool.lent.div(assets).toDecimalPlaces(6, 1)),
    shares: toAmountString(pool.shares),
    shareValue: toAmountString(shareValueAt(market, nowMs)),
    value: toAmountString(value),
    feesUncollected: toAmountString(pool.feesUncollected),
    feesVesting: toAmountString(assets.minus(pool.feesUncollected).minus(value)),
    feesEarned: toAmountString(pool.feesEarned),
    losses: toAmountString(pool.losses),
  };
  if (accountId !== undefined) view.yourShares = toAmountString(pool.providers.get(accountId) ?? ZERO);
  return view;
}

export interface InsuranceFundView {
  fundId: string;
  balance: string;
  marketId?: string;
}

/** The shared fund first, then one per market in listing order. */
export function insuranceView(state: State): { funds: InsuranceFundView[] } {
  const funds: InsuranceFundView[] = [{ fundId: "shared", balance: toAmountString(state.sharedInsurance) }];
  for (const market of state.markets.values())
    funds.push({
      fundId: `market:${market.marketId}`,
      balance: toAmountString(market.insurance),
      marketId: market.marketId,
    });
  return { funds };
}
