// The golden command stream: a fixed, deterministic sequence of commands covering every command kind (the credit
// layer included), with rejections among them. Changing anything here changes the golden digest: re-bless only on
// purpose (see golden.unit.test.ts).
import type { Command } from "@pmx/domain";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** 2024-10-27T03:33:20Z: the stream's clock starts here. */
export const T0 = 1_730_000_000_000;
const FAR = "2030-01-01T00:00:00Z";
/** m3 resolves 3 days after T0: its leveraged holders are deleveraged before the hazard window (1 day). */
const M3_RESOLVES = T0 + 3 * DAY;
const iso = (ms: number) => new Date(ms).toISOString().replace(".000", "");

type Input = Command extends infer C
  ? C extends { at: number }
    ? Omit<C, "at"> & { at?: number }
    : never
  : never;

/** The stream: each command stamped with its time (never decreasing). */
export function goldenStream(): Command[] {
  const out: Command[] = [];
  let now = T0;
  const at = (ms: number) => {
    if (ms < now) throw new Error("golden stream: time runs forward only");
    now = ms;
  };
  const cmd = (input: Input) => {
    out.push({ at: now, ...input } as Command);
  };
  const place = (
    accountId: string,
    side: "buy" | "sell",
    outcome: "YES" | "NO",
    price: string,
    quantity: number,
    o: {
      marketId?: string;
      tif?: "GTC" | "IOC" | "FOK";
      leverage?: string;
      id?: string;
      postOnly?: boolean;
    } = {},
  ) =>
    cmd({
      type: "PlaceOrder",
      accountId,
      marketId: o.marketId ?? "m1",
      clientOrderId: o.id ?? `${side}-${outcome}-${price}-${quantity}-${o.tif ?? "GTC"}-${o.leverage ?? "1"}`,
      side,
      outcome,
      price,
      quantity: String(quantity),
      timeInForce: o.tif ?? "GTC",
      postOnly: o.postOnly ?? false,
      leverage: o.leverage ?? "1",
    });
  const mark = (price: string, marketId = "m1") => cmd({ type: "SetMarkPrice", marketId, price });
  const tick = () => cmd({ type: "Tick" });

  // Accounts and money in, with rejections.
  for (const [id, amount] of [
    ["mm", "10000"],
    ["mm2", "10000"],
    ["lp", "10000"],
    ["alice", "1000"],
    ["bob", "1000"],
    ["carol", "1000"],
    ["dave", "500.123456"],
  ] as const) {
    cmd({ type: "OpenAccount", accountId: id });
    cmd({ type: "Deposit", accountId: id, amount, reference: `init-${id}` });
  }
  cmd({ type: "OpenAccount", accountId: "alice" }); // ACCOUNT_EXISTS
  cmd({ type: "Deposit", accountId: "alice", amount: "1000", reference: "init-alice" }); // a retry: no events
  cmd({ type: "Deposit", accountId: "zed", amount: "1", reference: "x" }); // UNKNOWN_ACCOUNT
  cmd({ type: "Deposit", accountId: "bob", amount: "0", reference: "zero" }); // INVALID_AMOUNT
  cmd({ type: "Withdraw", accountId: "dave", amount: "0.123456", reference: "w-dave" });
  cmd({ type: "Withdraw", accountId: "dave", amount: "100000", reference: "w-dave-2" }); // INSUFFICIENT_FUNDS

  // Markets: m1 with risk parameters (no liquidation delay, the old extremity), m2 with the defaults and a fee,
  // m3 resolving soon.
  cmd({
    type: "ListMarket",
    marketId: "m1",
    question: "Will m1 resolve YES?",
    tickSize: "0.01",
    resolvesAt: FAR,
    extremityMove: "0.1",
    liquidationDelaySeconds: 0,
  });
  cmd({
    type: "ListMarket",
    marketId: "m2",
    question: "Will m2 resolve YES?",
    tickSize: "0.01",
    resolvesAt: FAR,
    takerFeeBps: 25,
  });
  cmd({
    type: "ListMarket",
    marketId: "m3",
    question: "Will m3 resolve YES?",
    tickSize: "0.01",
    resolvesAt: iso(M3_RESOLVES),
    hazardWindowSeconds: 86_400,
    leverageRampSeconds: 0,
    extremityMove: "0.1",
  });
  cmd({ type: "ListMarket", marketId: "m1", question: "again", tickSize: "0.01", resolvesAt: FAR }); // MARKET_EXISTS
  cmd({ type: "ListMarket", marketId: "m9", question: "", tickSize: "0.01", resolvesAt: FAR }); // INVALID_QUESTION
  cmd({
    type: "ListMarket",
    marketId: "m8",
    question: "bad risk",
    tickSize: "0.01",
    resolvesAt: FAR,
    maxLeverage: "0",
  }); // INVALID_RISK_PARAMS

  // Pools, insurance, marks.
  for (const m of ["m1", "m2", "m3"]) {
    cmd({ type: "SupplyPool", accountId: "lp", marketId: m, amount: "1000", reference: `s-${m}` });
    mark("0.5", m);
  }
  cmd({ type: "SupplyPool", accountId: "lp", marketId: "m1", amount: "1000", reference: "s-m1" }); // a retry
  cmd({ type: "DepositInsurance", fundId: "market:m1", amount: "3", reference: "seed" });
  cmd({ type: "DepositInsurance", fundId: "market:m1", amount: "3", reference: "seed" }); // a retry
  cmd({ type: "DepositInsurance", fundId: "shared", amount: "2", reference: "seed" });
  cmd({ type: "DepositInsurance", fundId: "market:nope", amount: "2", reference: "x" }); // UNKNOWN_FUND

  // Orders of every time in force on m2 (1x, taker fee): GTC rests, post-only, IOC and FOK take, cancels.
  place("mm", "buy", "YES", "0.45", 50, { marketId: "m2" });
  place("mm", "sell", "YES", "0.55", 50, { marketId: "m2" }); // INSUFFICIENT_SHARES (mm holds none)
  place("mm", "buy", "NO", "0.45", 50, { marketId: "m2" });
  place("mm2", "buy", "YES", "0.44", 20, { marketId: "m2", postOnly: true, id: "po-1" });
  place("mm2", "sell", "NO", "0.54", 5, { marketId: "m2", postOnly: true, id: "po-2" }); // no NO held
  place("alice", "buy", "YES", "0.56", 10, { marketId: "m2", tif: "IOC" }); // MINT against mm's NO bid
  place("bob", "buy", "NO", "0.6", 30, { marketId: "m2", tif: "FOK" }); // takes mm's YES bid? no: mints with YES
  place("bob", "buy", "NO", "0.6", 500, { marketId: "m2", tif: "FOK", id: "fok-kill" }); // killed
  place("alice", "sell", "YES", "0.4", 5, { marketId: "m2", tif: "IOC" }); // a sale (TRANSFER/MERGE)
  place("carol", "buy", "YES", "0.333", 1, { marketId: "m2" }); // PRICE_NOT_ON_TICK
  place("carol", "buy", "YES", "1.5", 1, { marketId: "m2" }); // PRICE_OUT_OF_RANGE
  place("carol", "buy", "YES", "0.3", 0, { marketId: "m2" }); // INVALID_QUANTITY
  place("carol", "buy", "YES", "0.3", 10, { marketId: "m2", id: "c-1" });
  place("carol", "buy", "YES", "0.3", 10, { marketId: "m2", id: "c-1" }); // a repeat: no events
  place("carol", "buy", "YES", "0.31", 10, { marketId: "m2", id: "c-1" }); // IDEMPOTENCY_CONFLICT
  cmd({ type: "CancelOrder", accountId: "carol", orderId: "o-8" }); // carol's c-1
  cmd({ type: "CancelOrder", accountId: "carol", orderId: "o-8" }); // ORDER_NOT_OPEN
  cmd({ type: "CancelOrder", accountId: "bob", orderId: "o-1" }); // NOT_ORDER_OWNER
  cmd({ type: "CancelOrder", accountId: "carol", orderId: "nope" }); // UNKNOWN_ORDER

  // Halt, orders collected during the halt, resume with a call auction.
  cmd({ type: "HaltMarket", marketId: "m2" });
  cmd({ type: "HaltMarket", marketId: "m2" }); // MARKET_NOT_OPEN
  place("carol", "buy", "YES", "0.5", 10, { marketId: "m2", id: "halted-0" }); // MARKET_NOT_OPEN
  at(now + MINUTE);
  cmd({ type: "ResumeMarket", marketId: "m2" }); // a call auction collects orders
  cmd({ type: "ResumeMarket", marketId: "m2" }); // MARKET_NOT_HALTED
  place("carol", "buy", "YES", "0.5", 10, { marketId: "m2", id: "halted-1" });
  place("dave", "buy", "NO", "0.52", 10, { marketId: "m2", id: "halted-2" });
  place("dave", "buy", "NO", "0.52", 10, { marketId: "m2", tif: "FOK", id: "halted-3" }); // MARKET_IN_AUCTION
  at(now + 10 * MINUTE);
  tick();
  cmd({ type: "ResumeMarket", marketId: "m1" }); // MARKET_NOT_HALTED

  // The credit day on m1: leveraged buys (IOC, FOK, one too high), hourly fees, a margin call cleared by margin.
  place("mm", "buy", "NO", "0.5", 100);
  place("alice", "buy", "YES", "0.5", 100, { tif: "IOC", leverage: "5" });
  place("mm2", "buy", "NO", "0.5", 100);
  place("bob", "buy", "YES", "0.5", 100, { tif: "FOK", leverage: "2" });
  place("carol", "buy", "YES", "0.5", 10, { tif: "IOC", leverage: "9" }); // LEVERAGE_TOO_HIGH
  place("carol", "buy", "YES", "0.5", 10, { tif: "IOC", leverage: "0.5" }); // INVALID_LEVERAGE
  cmd({ type: "RedeemPool", accountId: "lp", marketId: "m1", shares: "1000", reference: "r-1" }); // lent out
  for (let h = 1; h <= 3; h++) {
    at(T0 + h * HOUR);
    tick();
  }
  mark("0.42"); // alice called
  cmd({
    type: "AddMargin",
    accountId: "alice",
    marketId: "m1",
    outcome: "YES",
    amount: "5",
    reference: "am-1",
  });
  cmd({
    type: "AddMargin",
    accountId: "carol",
    marketId: "m1",
    outcome: "YES",
    amount: "5",
    reference: "am-x",
  }); // NO_POSITION
  cmd({
    type: "ReducePosition",
    accountId: "bob",
    marketId: "m1",
    outcome: "YES",
    quantity: "10",
    price: "0.4",
    clientRequestId: "red-1",
  });
  cmd({
    type: "ReducePosition",
    accountId: "bob",
    marketId: "m1",
    outcome: "YES",
    quantity: "10",
    price: "0.4",
    clientRequestId: "red-1",
  }); // a repeat
  place("mm2", "buy", "YES", "0.25", 100, { id: "bids" });
  cmd({
    type: "SetBackstopBid",
    accountId: "carol",
    marketId: "m1",
    outcome: "YES",
    price: "0.3",
    maxShares: "100",
  });
  cmd({
    type: "SetBackstopBid",
    accountId: "dave",
    marketId: "m1",
    outcome: "YES",
    price: "0.2",
    maxShares: "0",
  });
  mark("0.38");
  mark("0.2"); // a jump: an auction; the liquidations wait for it
  at(now + MINUTE);
  place("mm", "sell", "NO", "0.79", 20); // collected in the auction
  place("mm2", "buy", "NO", "0.8", 10, { id: "auction-bid" });
  place("mm2", "buy", "NO", "0.8", 10, { tif: "IOC", id: "auction-ioc" }); // MARKET_IN_AUCTION
  at(now + 5 * MINUTE);
  tick(); // the auction ends; liquidations, backstop transfer, bad debt down the waterfall
  place("mm2", "buy", "NO", "0.8", 50, { id: "after" });
  place("bob", "buy", "YES", "0.2", 20, { tif: "IOC", leverage: "2", id: "bob-again" });

  // m3: a leveraged holder deleveraged before the hazard window, then the market resolves.
  place("mm", "buy", "NO", "0.5", 100, { marketId: "m3", id: "m3-bid" });
  place("carol", "buy", "YES", "0.5", 100, { marketId: "m3", tif: "IOC", leverage: "2", id: "m3-long" });
  for (let t = T0 + 12 * HOUR; t <= M3_RESOLVES - DAY - HOUR; t += 12 * HOUR) {
    at(t);
    mark("0.5", "m3");
    tick();
  }
  at(M3_RESOLVES - DAY - HOUR + 30 * MINUTE);
  mark("0.5", "m3");
  cmd({ type: "AdvanceClock" }); // the deleveraging call
  at(M3_RESOLVES - DAY + MINUTE);
  mark("0.5", "m3");
  tick(); // past the deadline: the scheduled sale
  cmd({ type: "Withdraw", accountId: "carol", amount: "10", reference: "w-1" });
  cmd({ type: "ResolveMarket", marketId: "m1", outcome: "NO" });
  cmd({ type: "ResolveMarket", marketId: "m1", outcome: "YES" }); // MARKET_RESOLVED
  place("alice", "buy", "YES", "0.5", 1, { id: "late" }); // the market is resolved
  cmd({ type: "RedeemPool", accountId: "lp", marketId: "m1", shares: "1000", reference: "r-2" });
  at(M3_RESOLVES);
  cmd({ type: "ResolveMarket", marketId: "m3", outcome: "YES" });
  cmd({ type: "ResolveMarket", marketId: "m2", outcome: "INVALID" });
  cmd({ type: "RedeemPool", accountId: "lp", marketId: "m3", shares: "500", reference: "r-3" });
  at(M3_RESOLVES + HOUR);
  cmd({ type: "AdvanceClock" });

  // An event of three outcomes: NO of two converted into collateral and YES of the third; cancel-all; one resolution.
  cmd({
    type: "ListEvent",
    eventId: "ev",
    title: "Which of three?",
    tickSize: "0.01",
    resolvesAt: FAR,
    outcomes: ["e1", "e2", "e3"].map((marketId) => ({ marketId, question: `Will ${marketId} be it?` })),
  });
  for (const m of ["e1", "e2", "e3"]) {
    place("mm", "buy", "YES", "0.3", 10, { marketId: m, id: `ev-mm-${m}` });
    place("alice", "buy", "NO", "0.7", 10, { marketId: m, tif: "IOC", id: `ev-alice-${m}` });
  }
  const conversion = {
    type: "ConvertPositions" as const,
    accountId: "alice",
    eventId: "ev",
    marketIds: ["e1", "e2"],
    quantity: "10",
    reference: "conv-1",
  };
  cmd(conversion);
  cmd(conversion); // a retry: no events
  cmd({ ...conversion, quantity: "11", reference: "conv-2" }); // INSUFFICIENT_SHARES
  place("mm", "buy", "YES", "0.1", 5, { marketId: "e3", id: "ev-rest-1" });
  place("mm", "buy", "YES", "0.11", 5, { marketId: "e3", id: "ev-rest-2" });
  cmd({ type: "CancelAllOrders", accountId: "mm", marketId: "e3" });
  cmd({ type: "ResolveMarket", marketId: "e1", outcome: "YES" }); // EVENT_MARKET
  cmd({ type: "ResolveEvent", eventId: "ev", winner: "e2" });

  // A resolution with a challenge window, challenged and overturned by the ruling.
  cmd({ type: "ListMarket", marketId: "m4", question: "Will m4 happen?", tickSize: "0.01", resolvesAt: FAR });
  place("mm", "buy", "NO", "0.5", 10, { marketId: "m4", id: "m4-no" });
  place("bob", "buy", "YES", "0.5", 10, { marketId: "m4", tif: "IOC", id: "m4-yes" });
  cmd({ type: "ResolveMarket", marketId: "m4", outcome: "NO", challengeSeconds: 3600 });
  cmd({ type: "ChallengeResolution", accountId: "bob", marketId: "m4", bond: "100", reference: "ch-1" });
  cmd({ type: "ChallengeResolution", accountId: "carol", marketId: "m4", bond: "1", reference: "ch-2" }); // BOND_TOO_SMALL
  at(now + 2 * HOUR);
  tick(); // past finalAt: a challenged proposal waits for the ruling
  cmd({ type: "RuleResolution", marketId: "m4", outcome: "YES" });

  // An event's resolution with a challenge window: a winner proposed, challenged, overturned to INVALID after a
  // conversion (1/3 a YES share, 2/3 a NO share, the rounding left to the shared fund), final at the next tick.
  cmd({
    type: "ListEvent",
    eventId: "ev2",
    title: "Which of three, again?",
    tickSize: "0.01",
    resolvesAt: FAR,
    outcomes: ["f1", "f2", "f3"].map((marketId) => ({ marketId, question: `Will ${marketId} be it?` })),
  });
  for (const m of ["f1", "f2", "f3"]) {
    place("mm", "buy", "YES", "0.3", 10, { marketId: m, id: `ev2-mm-${m}` });
    place("alice", "buy", "NO", "0.7", 10, { marketId: m, tif: "IOC", id: `ev2-alice-${m}` });
  }
  cmd({
    type: "ConvertPositions",
    accountId: "alice",
    eventId: "ev2",
    marketIds: ["f1"],
    quantity: "10",
    reference: "conv-3",
  });
  cmd({ type: "ResolveEvent", eventId: "ev2", winner: "f2", challengeSeconds: 3600 });
  cmd({ type: "ChallengeEventResolution", accountId: "bob", eventId: "ev2", bond: "100", reference: "ch-3" });
  cmd({ type: "RuleEventResolution", eventId: "ev2", outcome: "INVALID" });
  at(now + 2 * HOUR);
  tick();

  // A settlement larger than one command's bounded work (1,000 cancellations or payouts): 1,002 open orders, so
  // ResolveMarket cancels 1,000 and says SettlementContinues; ContinueSettlement finishes; a second has nothing left.
  cmd({ type: "ListMarket", marketId: "m5", question: "Will m5 happen?", tickSize: "0.01", resolvesAt: FAR });
  cmd({ type: "Deposit", accountId: "mm", amount: "1000", reference: "m5-mm" });
  cmd({ type: "Deposit", accountId: "carol", amount: "1000", reference: "m5-carol" });
  for (let i = 0; i < 600; i++) place("mm", "buy", "YES", "0.4", 1, { marketId: "m5", id: `m5-mm-${i}` });
  for (let i = 0; i < 403; i++)
    place("carol", "buy", "NO", "0.3", 1, { marketId: "m5", id: `m5-carol-${i}` });
  place("bob", "buy", "NO", "0.6", 1, { marketId: "m5", tif: "IOC", id: "m5-bob" });
  cmd({ type: "ResolveMarket", marketId: "m5", outcome: "YES" });
  cmd({ type: "ContinueSettlement", marketId: "m5" });
  cmd({ type: "ContinueSettlement", marketId: "m5" }); // NOTHING_TO_SETTLE
  return out;
}
