// Auction: call-auction uncrossing on integer ticks and lots (one clearing price, price-time fills); plain numbers, no decimals.

/** An order collected during the auction. Bids buy, asks sell, at `priceTicks` or better. `seq` is time order (smaller = earlier). */
export interface AuctionOrder {
  readonly id: number;
  readonly priceTicks: number;
  readonly quantityLots: number;
  readonly seq: number;
}

/** One match at the clearing price. */
export interface AuctionFill {
  readonly bidId: number;
  readonly askId: number;
  readonly priceTicks: number;
  readonly quantityLots: number;
}

/** Demand and supply at one candidate price. */
export interface Executable {
  /** Lots bid at this price or higher. */
  readonly demandLots: number;
  /** Lots offered at this price or lower. */
  readonly supplyLots: number;
  /** min(demand, supply): what would trade at this price. */
  readonly volumeLots: number;
  /** demand − supply: positive = buyers left over. */
  readonly imbalanceLots: number;
}

/** The auction result. With no crossing orders there is no price and nothing trades. */
export interface Uncrossing {
  readonly priceTicks: number | null;
  readonly volumeLots: number;
  readonly imbalanceLots: number;
  readonly fills: readonly AuctionFill[];
  /** Orders (or remainders) left after the fills, in the order given. */
  readonly remainingBids: readonly AuctionOrder[];
  readonly remainingAsks: readonly AuctionOrder[];
}

// Orders need positive safe-integer prices and quantities, integer seqs and unique ids per side.
function validate(orders: readonly AuctionOrder[], side: string): void {
  const ids = new Set<number>();
  for (const o of orders) {
    if (!Number.isSafeInteger(o.priceTicks) || o.priceTicks < 1)
      throw new RangeError(`${side} ${o.id}: bad price`);
    if (!Number.isSafeInteger(o.quantityLots) || o.quantityLots < 1) {
      throw new RangeError(`${side} ${o.id}: bad quantity`);
    }
    if (!Number.isSafeInteger(o.seq)) throw new RangeError(`${side} ${o.id}: bad seq`);
    if (ids.has(o.id)) throw new RangeError(`${side} ${o.id}: duplicate id`);
    ids.add(o.id);
  }
}

// At price P, demand = lots bid at ≥ P, supply = lots offered at ≤ P, volume = min of the two.
export function executableAt(
  bids: readonly AuctionOrder[],
  asks: readonly AuctionOrder[],
  priceTicks: number,
): Executable {
  let demandLots = 0;
  let supplyLots = 0;
  for (const b of bids) if (b.priceTicks >= priceTicks) demandLots += b.quantityLots;
  for (const a of asks) if (a.priceTicks <= priceTicks) supplyLots += a.quantityLots;
  return {
    demandLots,
    supplyLots,
    volumeLots: Math.min(demandLots, supplyLots),
    imbalanceLots: demandLots - supplyLots,
  };
}

// Price priority then time: bids highest price first, asks lowest first; then smaller seq, then smaller id.
function byPriority(side: "bid" | "ask") {
  return (a: AuctionOrder, b: AuctionOrder): number =>
    (side === "bid" ? b.priceTicks - a.priceTicks : a.priceTicks - b.priceTicks) ||
    a.seq - b.seq ||
    a.id - b.id;
}

// The clearing price maximizes matched volume; ties go to the smaller |imbalance|, then the price closest to the reference, then the lower price.
export function clearingPrice(
  bids: readonly AuctionOrder[],
  asks: readonly AuctionOrder[],
  referencePriceTicks: number,
): { priceTicks: number; executable: Executable } | null {
  if (bids.length === 0 || asks.length === 0) return null;
  const highestBid = bids.reduce((m, b) => Math.max(m, b.priceTicks), 0);
  const lowestAsk = asks.reduce((m, a) => Math.min(m, a.priceTicks), Number.POSITIVE_INFINITY);
  if (highestBid < lowestAsk) return null;
  // Demand and supply change only at order prices, but the tie-breaks can prefer a price between two of them,
  // so every tick of [lowest ask, highest bid] is a candidate; both sums are kept incrementally.
  const bidsAt = new Map<number, number>();
  const asksAt = new Map<number, number>();
  for (const b of bids) bidsAt.set(b.priceTicks, (bidsAt.get(b.priceTicks) ?? 0) + b.quantityLots);
  for (const a of asks) asksAt.set(a.priceTicks, (asksAt.get(a.priceTicks) ?? 0) + a.quantityLots);
  let demand = bids.reduce((sum, b) => sum + (b.priceTicks >= lowestAsk ? b.quantityLots : 0), 0);
  let supply = asks.reduce((sum, a) => sum + (a.priceTicks < lowestAsk ? a.quantityLots : 0), 0);
  let best: { priceTicks: number; executable: Executable } | null = null;
  for (let price = lowestAsk; price <= highestBid; price++) {
    supply += asksAt.get(price) ?? 0;
    if (price > lowestAsk) demand -= bidsAt.get(price - 1) ?? 0;
    const executable = {
      demandLots: demand,
      supplyLots: supply,
      volumeLots: Math.min(demand, supply),
      imbalanceLots: demand - supply,
    };
    if (best === null || preferred(price, executable, best, referencePriceTicks))
      best = { priceTicks: price, executable };
  }
  return best;
}

// Candidate a beats b on volume, then smaller |imbalance|, then closeness to the reference, then lower price.
function preferred(
  price: number,
  executable: Executable,
  best: { priceTicks: number; executable: Executable },
  referencePriceTicks: number,
): boolean {
  if (executable.volumeLots !== best.executable.volumeLots)
    return executable.volumeLots > best.executable.volumeLots;
  const imbalance = Math.abs(executable.imbalanceLots);
  const bestImbalance = Math.abs(best.executable.imbalanceLots);
  if (imbalance !== bestImbalance) return imbalance < bestImbalance;
  const distance = Math.abs(price - referencePriceTicks);
  const bestDistance = Math.abs(best.priceTicks - referencePriceTicks);
  if (distance !== bestDistance) return distance < bestDistance;
  return price < best.priceTicks;
}

// Uncross: all fills at the one clearing price, bids and asks matched in price-time priority until the volume is done.
export function uncross(
  bids: readonly AuctionOrder[],
  asks: readonly AuctionOrder[],
  referencePriceTicks: number,
): Uncrossing {
  validate(bids, "bid");
  validate(asks, "ask");
  const clearing = clearingPrice(bids, asks, referencePriceTicks);
  if (clearing === null) {
    return {
      priceTicks: null,
      volumeLots: 0,
      imbalanceLots: 0,
      fills: [],
      remainingBids: bids,
      remainingAsks: asks,
    };
  }
  const price = clearing.priceTicks;
  const bidQueue = bids.filter((b) => b.priceTicks >= price).sort(byPriority("bid"));
  const askQueue = asks.filter((a) => a.priceTicks <= price).sort(byPriority("ask"));
  const filled = { bid: new Map<number, number>(), ask: new Map<number, number>() };
  const fills: AuctionFill[] = [];
  let left = clearing.executable.volumeLots;
  let i = 0;
  let j = 0;
  while (left > 0) {
    const bid = bidQueue[i]!;
    const ask = askQueue[j]!;
    const bidLeft = bid.quantityLots - (filled.bid.get(bid.id) ?? 0);
    const askLeft = ask.quantityLots - (filled.ask.get(ask.id) ?? 0);
    const lots = Math.min(bidLeft, askLeft, left);
    fills.push({ bidId: bid.id, askId: ask.id, priceTicks: price, quantityLots: lots });
    filled.bid.set(bid.id, (filled.bid.get(bid.id) ?? 0) + lots);
    filled.ask.set(ask.id, (filled.ask.get(ask.id) ?? 0) + lots);
    left -= lots;
    if (lots === bidLeft) i++;
    if (lots === askLeft) j++;
  }
  const remaining = (orders: readonly AuctionOrder[], done: Map<number, number>) =>
    orders
      .map((o) => ({ ...o, quantityLots: o.quantityLots - (done.get(o.id) ?? 0) }))
      .filter((o) => o.quantityLots > 0);
  return {
    priceTicks: price,
    volumeLots: clearing.executable.volumeLots,
    imbalanceLots: clearing.executable.imbalanceLots,
    fills,
    remainingBids: remaining(bids, filled.bid),
    remainingAsks: remaining(asks, filled.ask),
  };
}
