// Election night 2024 through the real decider (issue "Done when 2"): the hourly Polymarket price of "Donald Trump"
// (YES) from the afternoon of 11-05 to 05:00 UTC on 11-06 is replayed as marks on a manual clock, with a Tick every
// 5 minutes; market makers re-quote a ladder around every mark; 1x and leveraged (2x, 5x) traders hold both sides;
// LPs fund the pool; the insurance funds are seeded; then the market resolves YES. Checked: winners paid exactly 1
// a share, 1x losers lost exactly what they paid, leveraged losers liquidated or bankrupt with the waterfall in
// order, and every invariant (the solvency identity among them) after every single event. A summary is printed.
import { readFileSync } from "node:fs";
import {
  type Command,
  decide,
  type Event,
  evolve,
  floor6,
  initialState,
  invariantViolations,
  type Money,
  money,
  type State,
  toAmountString,
  ZERO,
} from "@pmx/domain";
import { describe, expect, it } from "vitest";

// The lab's copy of the Polymarket 2024 election series (packages/lab/paths): the repo needs nothing beside it.
const CSV = new URL("../packages/lab/paths/polymarket-2024-us-president-hourly.csv", import.meta.url);
const MINUTE = 60_000;
const M = "trump-2024";
const TICKS = 1000; // tick 0.001

/** "MM-DD-YYYY HH:MM" (UTC) → ms. */
function parseDate(text: string): number {
  const [date, time] = text.split(" ");
  const [mm, dd, yyyy] = date!.split("-").map(Number);
  const [hh, mi] = time!.split(":").map(Number);
  return Date.UTC(yyyy!, mm! - 1, dd!, hh!, mi!);
}

/** The "Donald Trump" column as (hour, price) rows from `from` to `to` inclusive, in time order. */
function trumpPrices(
  from: string,
  to: string,
): { at: number; date: string; price: string; timestamp: number }[] {
  const lines = readFileSync(CSV, "utf8").trim().split("\n");
  const cells = (line: string) => line.split('","').map((c) => c.replace(/^"|"$/g, ""));
  const header = cells(lines[0]!);
  const [dateCol, stampCol, trumpCol] = ["Date (UTC)", "Timestamp (UTC)", "Donald Trump"].map((h) =>
    header.indexOf(h),
  );
  expect(Math.min(dateCol!, stampCol!, trumpCol!)).toBeGreaterThanOrEqual(0);
  const start = parseDate(from);
  const end = parseDate(to);
  return lines
    .slice(1)
    .map(cells)
    .map((c) => ({
      at: parseDate(c[dateCol!]!),
      date: c[dateCol!]!,
      price: c[trumpCol!]!,
      timestamp: Number(c[stampCol!]),
    }))
    .filter((r) => r.at >= start && r.at <= end)
    .sort((a, b) => a.at - b.at);
}

/** The exchange on a manual clock: every command decided at its time, every event checked. */
class Night {
  readonly state: State = initialState();
  readonly events: Event[] = [];
  /** Per event: the index of the command that produced it. */
  readonly causes: number[] = [];
  now = 0;
  private seq = 0;
  private commands = 0;

  run(input: Record<string, unknown>): Event[] {
    const command = { at: this.now, ...input } as Command;
    const decision = decide(command, this.state);
    if (decision._tag === "Left")
      throw new Error(`${command.type} refused: ${JSON.stringify(decision.left)}`);
    const cause = this.commands++;
    for (const event of decision.right) {
      evolve(this.state, event);
      this.events.push(event);
      this.causes.push(cause);
      const problems = invariantViolations(this.state, { betweenCommands: false });
      if (problems.length > 0)
        expect(
          problems,
          `after ${event.type} of ${command.type} at ${new Date(this.now).toISOString()}`,
        ).toEqual([]);
    }
    const problems = invariantViolations(this.state);
    if (problems.length > 0) expect(problems, `after ${command.type}`).toEqual([]);
    return decision.right;
  }

  ref(prefix: string): string {
    return `${prefix}-${++this.seq}`;
  }

  cash(accountId: string): Money {
    return this.state.accounts.get(accountId)!.cash;
  }

  market() {
    return this.state.markets.get(M)!;
  }

  order(
    accountId: string,
    side: "buy" | "sell",
    outcome: "YES" | "NO",
    priceTicks: number,
    quantity: number,
    extra: Record<string, unknown> = {},
  ) {
    return this.run({
      type: "PlaceOrder",
      accountId,
      marketId: M,
      clientOrderId: this.ref(accountId),
      side,
      outcome,
      price: toAmountString(money(priceTicks).div(TICKS)),
      quantity: String(quantity),
      timeInForce: "GTC",
      postOnly: false,
      leverage: "1",
      ...extra,
    });
  }
}

const MAKERS = { yes: "mm-yes", no: "mm-no" } as const;
const LEVELS = [5, 10, 15]; // ticks from the mark
const LEVEL_SIZE = 400;

/**
 * Each market maker cancels its open orders and quotes a ladder around the mark: mm-yes bids YES below it and
 * offers YES above it from its inventory; mm-no does the same in NO. Together: bids and asks on both outcomes.
 */
function requote(x: Night, yesMark: string): void {
  for (const maker of Object.values(MAKERS))
    for (const o of [...x.state.orders.values()])
      if (o.accountId === maker && o.status === "open")
        x.run({ type: "CancelOrder", accountId: maker, orderId: o.orderId });
  const p = money(yesMark).times(TICKS);
  const bid = p.floor().toNumber();
  const ask = p.ceil().toNumber() === bid ? bid + 1 : p.ceil().toNumber();
  const inventory = (maker: string, outcome: "YES" | "NO") => {
    const held = x.state.accounts.get(maker)!.positions.get(M);
    return held ? (outcome === "YES" ? held.yes : held.no) : 0;
  };
  for (const k of LEVELS) {
    const yesBid = bid - k;
    const yesAsk = ask + k;
    if (yesBid > 0) x.order(MAKERS.yes, "buy", "YES", yesBid, LEVEL_SIZE);
    if (yesAsk < TICKS) {
      const q = Math.min(LEVEL_SIZE, inventory(MAKERS.yes, "YES"));
      if (q > 0) x.order(MAKERS.yes, "sell", "YES", yesAsk, q);
    }
    // NO at 1 − YES: a NO bid is a YES ask, a NO ask a YES bid
    if (yesAsk < TICKS) x.order(MAKERS.no, "buy", "NO", TICKS - yesAsk, LEVEL_SIZE);
    if (yesBid > 0) {
      const q = Math.min(LEVEL_SIZE, inventory(MAKERS.no, "NO"));
      if (q > 0) x.order(MAKERS.no, "sell", "NO", TICKS - yesBid, q);
    }
  }
}

/** A taker's IOC buy at the best ask of its outcome plus 1 cent, `leverage` as given. */
function takerBuy(
  x: Night,
  accountId: string,
  outcome: "YES" | "NO",
  quantity: number,
  leverage = "1",
): Event[] {
  const book = x.market().book;
  const ownAsk = outcome === "YES" ? book.bestAsk() : TICKS - book.bestBid();
  return x.order(accountId, "buy", outcome, Math.min(TICKS - 1, ownAsk + 10), quantity, {
    timeInForce: "IOC",
    leverage,
  });
}

interface Trader {
  readonly id: string;
  readonly outcome: "YES" | "NO";
  readonly leverage: string;
  readonly quantity: number;
  /** Hour (UTC, 11-05) it buys at. */
  readonly hour: number;
}
const TRADERS: Trader[] = [
  { id: "yes-1x-alice", outcome: "YES", leverage: "1", quantity: 1000, hour: 14 },
  { id: "no-1x-bob", outcome: "NO", leverage: "1", quantity: 1000, hour: 14 },
  { id: "yes-2x-carl", outcome: "YES", leverage: "2", quantity: 1000, hour: 15 },
  { id: "yes-5x-cleo", outcome: "YES", leverage: "5", quantity: 1000, hour: 15 },
  { id: "no-2x-dan", outcome: "NO", leverage: "2", quantity: 1000, hour: 15 },
  { id: "no-5x-dora", outcome: "NO", leverage: "5", quantity: 1000, hour: 15 },
  { id: "yes-1x-ann", outcome: "YES", leverage: "1", quantity: 500, hour: 16 },
  { id: "no-1x-ben", outcome: "NO", leverage: "1", quantity: 600, hour: 16 },
  { id: "no-5x-dave", outcome: "NO", leverage: "5", quantity: 500, hour: 17 },
];
const LPS = [
  ["lp-1", "20000"],
  ["lp-2", "10000"],
] as const;

describe("election night 2024: Trump YES replayed through the decider", () => {
  it("winners are paid exactly 1 a share, 1x losers lose exactly what they paid, leveraged losers go down the waterfall in order, solvency after every event", () => {
    const afternoon = trumpPrices("11-05-2024 14:00", "11-05-2024 17:00");
    const night = trumpPrices("11-05-2024 18:00", "11-06-2024 05:00");
    expect(night.map((r) => r.price)).toEqual([
      "0.6085",
      "0.6115",
      "0.619",
      "0.6085",
      "0.6155",
      "0.58",
      "0.706",
      "0.711",
      "0.828",
      "0.9245",
      "0.9695",
    ]);
    for (const r of [...afternoon, ...night])
      expect(Math.abs(r.timestamp * 1000 - r.at)).toBeLessThan(MINUTE);

    const x = new Night();
    x.now = Date.UTC(2024, 10, 2, 0, 0); // listed on 11-02
    for (const [id, amount] of [
      [MAKERS.yes, "200000"],
      [MAKERS.no, "200000"],
      ...LPS,
      ...TRADERS.map((t) => [t.id, "2000"] as const),
    ]) {
      x.run({ type: "OpenAccount", accountId: id });
      x.run({ type: "Deposit", accountId: id, amount, reference: "initial" });
    }
    x.run({
      type: "ListMarket",
      marketId: M,
      question: "Will Donald Trump win the 2024 US presidential election?",
      tickSize: "0.001",
      resolvesAt: "2024-11-06T12:00:00Z",
      takerFeeBps: 10,
      // leverage until 11:00 on 11-06 (a 1-hour hazard window, no ramp); a cap of 6 at prices up to 0.64 / 0.36,
      // so that a 5x buy a little above the mark still meets the initial requirement (value / cap)
      hazardWindowSeconds: 3600,
      leverageRampSeconds: 0,
      maxLeverage: "6",
      extremityMove: "0.06",
    });
    for (const [id, amount] of LPS)
      x.run({ type: "SupplyPool", accountId: id, marketId: M, amount, reference: "supply" });
    x.run({ type: "DepositInsurance", fundId: `market:${M}`, amount: "10", reference: "seed" });
    x.run({ type: "DepositInsurance", fundId: "shared", amount: "15", reference: "seed" });

    // The afternoon: marks, quotes, the market makers' minted inventory, the traders' buys.
    x.now = afternoon[0]!.at;
    x.run({ type: "SetMarkPrice", marketId: M, price: afternoon[0]!.price });
    const p0 = money(afternoon[0]!.price).times(TICKS).round().toNumber();
    x.order(MAKERS.yes, "buy", "YES", p0, 5000);
    x.order(MAKERS.no, "buy", "NO", TICKS - p0, 5000); // MINT 5000 pairs: inventory on both sides
    const paid = new Map<string, Money>(); // what each trader paid: Σ (amount + fee) as taker, less any loan
    const everyFiveMinutes = (until: number) => {
      while (x.now + 5 * MINUTE <= until) {
        x.now += 5 * MINUTE;
        x.run({ type: "Tick" });
      }
    };
    const markHour = (row: { at: number; price: string }) => {
      everyFiveMinutes(row.at);
      x.now = row.at;
      x.run({ type: "SetMarkPrice", marketId: M, price: row.price });
      requote(x, row.price);
    };
    for (const row of afternoon) {
      markHour(row);
      for (const t of TRADERS.filter((t) => new Date(row.at).getUTCHours() === t.hour)) {
        const events = takerBuy(x, t.id, t.outcome, t.quantity, t.leverage);
        const trades = events.filter(
          (e): e is Extract<Event, { type: "TradeExecuted" }> => e.type === "TradeExecuted",
        );
        expect(
          trades.reduce((n, e) => n + e.quantity, 0),
          `${t.id} filled`,
        ).toBe(t.quantity);
        paid.set(
          t.id,
          trades.reduce((s, e) => s.plus(e.takerAmount).plus(e.takerFee), ZERO as Money),
        );
        if (t.leverage !== "1")
          expect(
            events.some((e) => e.type === "LoanOpened"),
            `${t.id} borrowed`,
          ).toBe(true);
      }
    }
    const openedBefore = x.events.length;

    // The night: 18:00 → 05:00, a mark every hour (22:00 is missing from the data), a Tick every 5 minutes.
    for (const row of night) markHour(row);
    everyFiveMinutes(Date.UTC(2024, 10, 6, 6, 0));
    const nightEvents = x.events.slice(openedBefore);
    const auctions = nightEvents.filter((e) => e.type === "AuctionStarted");
    expect(auctions.length, "the 01:00 and 03:00 jumps go to auction").toBeGreaterThanOrEqual(2);

    // Resolution: YES, at 06:00.
    // cash and reservations (the makers' resting orders are cancelled at resolution, their reservations released)
    const cashBefore = new Map(
      [...x.state.accounts.values()].map((a) => [a.accountId, a.cash.plus(a.reserved)]),
    );
    const shares = new Map(
      [...x.state.accounts.values()].map((a) => [
        a.accountId,
        a.positions.get(M) ?? { yes: 0, no: 0, yesReserved: 0, noReserved: 0 },
      ]),
    );
    const stillLeveraged = new Map([...x.market().leveraged.values()].map((p) => [p.accountId, { ...p }]));
    const resolution = x.run({ type: "ResolveMarket", marketId: M, outcome: "YES" });
    expect(toAmountString(x.market().escrow)).toBe("0");

    // Winners are paid exactly 1 a share: each 1x holder's cash (with reservations) grows by exactly its YES shares.
    for (const [id, s] of shares) {
      if (stillLeveraged.has(id)) continue;
      const winning = s.yes + s.yesReserved;
      expect(toAmountString(x.cash(id).minus(cashBefore.get(id)!)), `${id}: + ${winning}`).toBe(
        String(winning),
      );
    }
    for (const e of resolution)
      if (e.type === "PledgedSharesRedeemed")
        expect(e.payout).toBe(String(e.outcome === "YES" ? e.shares : 0));
    // 1x losers lost exactly what they paid (cost and taker fee): they end with 2000 − paid.
    for (const t of TRADERS.filter((t) => t.leverage === "1" && t.outcome === "NO"))
      expect(toAmountString(x.cash(t.id)), t.id).toBe(toAmountString(money(2000).minus(paid.get(t.id)!)));
    for (const t of TRADERS.filter((t) => t.leverage === "1" && t.outcome === "YES"))
      expect(toAmountString(x.cash(t.id)), t.id).toBe(
        toAmountString(money(2000).minus(paid.get(t.id)!).plus(t.quantity)),
      );

    // Leveraged losers: every NO borrower was liquidated or went bankrupt, with the waterfall in order.
    const borrowersOfNo = TRADERS.filter((t) => t.leverage !== "1" && t.outcome === "NO").map((t) => t.id);
    const waterfall = checkWaterfall(x.events, x.causes);
    for (const id of borrowersOfNo) {
      const liquidated = x.events.some((e) => e.type === "LiquidationStarted" && e.accountId === id);
      const bankrupt = waterfall.some((w) => w.accountId === id);
      expect(liquidated || bankrupt, `${id} liquidated or bankrupt`).toBe(true);
    }
    // The YES borrowers won: repaid in full, no bad debt.
    for (const t of TRADERS.filter((t) => t.leverage !== "1" && t.outcome === "YES")) {
      expect(
        waterfall.some((w) => w.accountId === t.id),
        t.id,
      ).toBe(false);
      expect(x.cash(t.id).gt(2000), `${t.id} ends up`).toBe(true);
    }
    // After resolution nothing is owed to the pool; the LPs can take out everything.
    expect([toAmountString(x.market().pool.lent), x.market().leveraged.size]).toEqual(["0", 0]);

    const totals = summarize(x, waterfall);
    console.log(
      [
        "election night 2024 (Trump YES, 11-05 14:00 → 11-06 06:00 UTC, resolved YES)",
        ...Object.entries(totals).map(([k, v]) => `  ${k.padEnd(34)} ${v}`),
        "  per bankruptcy (account: bad debt = market + shared + LPs):",
        ...waterfall.map(
          (w) => `    ${w.accountId.padEnd(14)} ${w.badDebt} = ${w.market} + ${w.shared} + ${w.haircut}`,
        ),
      ].join("\n"),
    );
    expect(totals.bankruptcies).toBeGreaterThan(0);
  }, 120_000);
});

interface WaterfallRecord {
  accountId: string;
  badDebt: string;
  market: string;
  shared: string;
  haircut: string;
}

/**
 * Per bankruptcy, replaying the log: BadDebtRecorded, at once the market fund's draw min(debt, what it holds); then,
 * later in the same command and before the position's PositionClosed, the shared fund's draw and then the LPs'
 * haircut, adding up to the rest. The scenario has one market, so per command the shared fund pays exactly
 * min(the market's shortfalls, floor6(sharedFundMarketCap × the shared fund at the command's start)).
 */
function checkWaterfall(events: Event[], causes: number[]): WaterfallRecord[] {
  const state = initialState();
  const records: WaterfallRecord[] = [];
  let sharedAtStart = ZERO as Money;
  let open: { record: WaterfallRecord; rest: Money; cause: number; outcome: string }[] = [];
  const closeCommand = () => {
    if (open.length === 0) return;
    const market = state.markets.get(M)!;
    const shortfall = open.reduce((sum, o) => sum.plus(o.rest), ZERO as Money);
    const cap = floor6(sharedAtStart.times(market.risk.sharedFundMarketCap));
    const drawn = open.reduce((sum, o) => sum.plus(o.record.shared), ZERO as Money);
    expect(toAmountString(drawn), "the shared fund's draw in one command").toBe(
      toAmountString(shortfall.lt(cap) ? shortfall : cap),
    );
    for (const o of open)
      expect(
        money(o.record.shared).plus(o.record.haircut).eq(o.rest),
        `${o.record.accountId}: shared + LPs = rest`,
      ).toBe(true);
    open = [];
  };
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    if (i === 0 || causes[i] !== causes[i - 1]) {
      closeCommand();
      sharedAtStart = state.sharedInsurance;
    }
    const mine = (
      o: { record: WaterfallRecord; outcome: string },
      e: { accountId: string; outcome: string },
    ) => o.record.accountId === e.accountId && o.outcome === e.outcome;
    if (event.type === "BadDebtRecorded") {
      const holding = state.markets.get(event.marketId)!.insurance;
      // Fees never collected are written off first (paid by no one); the rest goes down the waterfall.
      const debt = money(event.amount).minus(event.feesWrittenOff ?? "0");
      const fromMarket = debt.lt(holding) ? debt : holding;
      if (fromMarket.gt(0))
        expect(events[i + 1], `${event.accountId}: the market fund pays at once`).toMatchObject({
          type: "InsuranceFundDrawn",
          fundId: `market:${event.marketId}`,
          amount: toAmountString(fromMarket),
        });
      const record = {
        accountId: event.accountId,
        badDebt: event.amount,
        market: toAmountString(fromMarket),
        shared: "0",
        haircut: "0",
      };
      records.push(record);
      open.push({ record, rest: debt.minus(fromMarket), cause: causes[i]!, outcome: event.outcome });
    }
    if (event.type === "InsuranceFundDrawn" && event.fundId === "shared") {
      const o = open.find((o) => mine(o, event));
      expect(
        o,
        `a shared draw for ${event.accountId} follows its bad debt in the same command`,
      ).toBeDefined();
      expect(o!.record.haircut, "the shared fund pays before the LPs").toBe("0");
      o!.record.shared = event.amount;
    }
    if (event.type === "LossSocialized") {
      const o = open.find((o) => mine(o, event));
      expect(o, `a haircut of ${event.accountId}'s debt follows it in the same command`).toBeDefined();
      o!.record.haircut = event.amount;
    }
    if (event.type === "PositionClosed") {
      const o = open.find((o) => mine(o, event));
      if (o)
        expect(
          money(o.record.shared).plus(o.record.haircut).eq(o.rest),
          `${event.accountId} closes covered`,
        ).toBe(true);
    }
    evolve(state, event);
  }
  closeCommand();
  return records;
}

function summarize(x: Night, waterfall: WaterfallRecord[]): Record<string, string | number> {
  const sum = (values: string[]) => toAmountString(values.reduce((s, v) => s.plus(v), ZERO as Money));
  const pool = x.market().pool;
  const fees = x.events.filter(
    (e): e is Extract<Event, { type: "FundingAccrued" }> => e.type === "FundingAccrued",
  );
  return {
    "bad debt": sum(waterfall.map((w) => w.badDebt)),
    "insurance used: market fund": sum(waterfall.map((w) => w.market)),
    "insurance used: shared fund": sum(waterfall.map((w) => w.shared)),
    "LP haircut (socialized loss)": sum(waterfall.map((w) => w.haircut)),
    "jump-risk fees accrued": sum(fees.map((e) => e.amount)),
    "fees earned by the pool (paid)": toAmountString(pool.feesEarned),
    "pool assets after (30000 supplied)": toAmountString(pool.cash.plus(pool.lent)),
    liquidations: x.events.filter((e) => e.type === "LiquidationStarted").length,
    "backstop transfers": x.events.filter((e) => e.type === "PositionTransferred").length,
    bankruptcies: waterfall.length,
    "call auctions": x.events.filter((e) => e.type === "AuctionStarted").length,
  };
}
