// The credit layer's money movements outside the guarantees' headline paths: pool supply and redemption (share
// accounting, POOL_CASH_LENT_OUT while lent), insurance deposits (idempotent by reference), ReducePosition (the
// proceeds repay the loan first), AddMargin (repays, idempotent by reference) and backstop bids.
import { describe, expect, it } from "vitest";
import { money, toAmountString } from "../src/money.js";
import {
  alice_long_100_yes_at_050_5x,
  DAY,
  FEE_FREE,
  givenExchange,
  HOUR,
  insuranceOf,
  leveragedOf,
  loanOf,
  MINUTE,
  mark,
  market_m1_at_050_with_pool_1000,
  ofType,
  place,
  poolOf,
  sharedInsuranceOf,
  T0,
  tick,
} from "./credit-fixtures.js";
import { cashOf, positionOf } from "./given.js";

const supply = (accountId: string, amount: string, reference: string) =>
  ({ type: "SupplyPool", accountId, marketId: "m1", amount, reference }) as const;
const redeem = (accountId: string, shares: string, reference: string) =>
  ({ type: "RedeemPool", accountId, marketId: "m1", shares, reference }) as const;

describe("pool supply and redemption: share accounting", () => {
  it("an empty pool issues 1 share per unit; a later supplier buys at the share value, rounded down — and collected fees count only as they vest", () => {
    // lp's 1000 → 1000 shares; alice's fees (11 hours, repaid) are collected: the pool's cash is 1000 + fees − cut.
    // Right after the collection they are still vesting (feeVestingSeconds, 1 day): mm's 100 buys 100 shares, as
    // before the fees (the first design priced them in at once: 99.97632). A day later they have vested: 100 buys
    // floor6(100 × shares / value).
    const x = alice_long_100_yes_at_050_5x();
    for (let h = 1; h <= 10; h++) x.run(tick(T0 + h * HOUR));
    x.run({
      type: "AddMargin",
      accountId: "alice",
      marketId: "m1",
      outcome: "YES",
      amount: "50",
      reference: "close",
    });
    const assets = money(poolOf(x.state).cash);
    expect(assets.gt(1000)).toBe(true);
    givenExchange(x)
      .when(supply("mm", "100", "s-mm"))
      .then([{ type: "PoolSupplied", accountId: "mm", amount: "100", shares: "100" }]);
    x.advance(DAY);
    const shares = money(100).times(1000).div(assets).toDecimalPlaces(6, 1);
    const { state } = givenExchange(x)
      .when(supply("mm", "100", "s-mm"))
      .then([{ type: "PoolSupplied", accountId: "mm", amount: "100", shares: toAmountString(shares) }]);
    expect(poolOf(state).shares).toBe(toAmountString(shares.plus(1000)));
    expect(toAmountString(state.markets.get("m1")!.pool.providers.get("mm")!)).toBe(toAmountString(shares));
  });

  it("redemption is paid only from cash not lent out, and never takes utilization past the lending limit: POOL_CASH_LENT_OUT beyond the cash, POOL_UTILIZATION_LIMIT beyond 955.555555 while alice owes 40, the rest once she repays", () => {
    const x = alice_long_100_yes_at_050_5x(FEE_FREE);
    // 1000 shares worth 1000, 960 of it in cash
    givenExchange(x)
      .when(redeem("lp", "1000", "r-1"))
      .thenRejects("POOL_CASH_LENT_OUT");
    givenExchange(x)
      .when(redeem("lp", "960.000001", "r-1"))
      .thenRejects("POOL_CASH_LENT_OUT");
    // Issue 11, finding 4 (lender runs): before, all 960 could go, leaving utilization 40 / 40 = 100%. Now at most
    // cash + lent − lent / 0.9 = 1000 − 44.444444… = 955.555555 (rounded down): utilization stays ≤ 0.9.
    givenExchange(x)
      .when(redeem("lp", "960", "r-1"))
      .thenRejects("POOL_UTILIZATION_LIMIT");
    givenExchange(x)
      .when(redeem("lp", "955.555556", "r-1"))
      .thenRejects("POOL_UTILIZATION_LIMIT");
    x.run(redeem("lp", "955.555555", "r-1"));
    expect(poolOf(x.state)).toMatchObject({ cash: "4.444445", lent: "40", shares: "44.444445" });
    const pool = x.state.markets.get("m1")!.pool;
    expect(pool.lent.div(pool.lent.plus(pool.cash)).lte("0.9")).toBe(true);
    x.at(T0 + 10 * MINUTE);
    x.run({
      type: "AddMargin",
      accountId: "alice",
      marketId: "m1",
      outcome: "YES",
      amount: "40",
      reference: "close",
    });
    givenExchange(x)
      .when(redeem("lp", "40", "r-2"))
      .then([{ type: "PoolRedeemed", accountId: "lp", shares: "40", amount: "40" }]);
  });

  it("a haircut lowers what each share is worth, not the number of shares: after a loss of 3 the LP's 1000 shares redeem for 997", () => {
    // The shared fund's per-market cap is not what this test is about: lifted, so the waterfall's figures hold.
    const x = alice_long_100_yes_at_050_5x({ ...FEE_FREE, sharedFundMarketCap: "1" });
    x.runAll(
      { type: "DepositInsurance", fundId: "market:m1", amount: "3", reference: "seed" },
      { type: "DepositInsurance", fundId: "shared", amount: "2", reference: "seed" },
      place("mm2", "buy", "YES", "0.32", 100),
      mark("0.42"),
    );
    x.run(mark("0.33")); // sold at 0.32: bad debt 8 = 3 + 2 + 3 (see the waterfall tests)
    expect(poolOf(x.state)).toMatchObject({ cash: "997", lent: "0", shares: "1000", losses: "3" });
    givenExchange(x)
      .when(redeem("lp", "1000", "all"))
      .then([{ type: "PoolRedeemed", accountId: "lp", shares: "1000", amount: "997" }]);
  });

  it("refuses more shares than held, and (as everywhere) a repeated reference is a retry or a conflict", () => {
    const x = market_m1_at_050_with_pool_1000();
    givenExchange(x)
      .when(redeem("lp", "1000.000001", "r"))
      .thenRejects("INSUFFICIENT_POOL_SHARES");
    givenExchange(x)
      .when(redeem("mm", "1", "r"))
      .thenRejects("INSUFFICIENT_POOL_SHARES");
    givenExchange(x)
      .when(supply("lp", "1000", "s-1"))
      .then([]); // the fixture's own supply, again
    givenExchange(x)
      .when(supply("lp", "999", "s-1"))
      .thenRejects("IDEMPOTENCY_CONFLICT");
    givenExchange(x)
      .when(supply("lp", "0", "s-2"))
      .thenRejects("INVALID_AMOUNT");
    givenExchange(x)
      .when(supply("lp", "10001", "s-2"))
      .thenRejects("INSUFFICIENT_FUNDS");
    x.run(redeem("lp", "10", "r-1"));
    givenExchange(x)
      .when(redeem("lp", "10", "r-1"))
      .then([]);
    givenExchange(x)
      .when(redeem("lp", "11", "r-1"))
      .thenRejects("IDEMPOTENCY_CONFLICT");
  });

  it("a resolved market's pool takes no new supply, but its LPs can take their cash out", () => {
    const x = alice_long_100_yes_at_050_5x(FEE_FREE);
    x.run({ type: "ResolveMarket", marketId: "m1", outcome: "YES" });
    givenExchange(x)
      .when(supply("mm", "100", "late"))
      .thenRejects("MARKET_NOT_OPEN");
    givenExchange(x)
      .when(redeem("lp", "1000", "all"))
      .then([{ type: "PoolRedeemed", shares: "1000", amount: "1000" }]);
  });
});

describe("insurance deposits", () => {
  it("are idempotent by reference, per fund: the same amount again does nothing, another amount is a conflict", () => {
    const x = market_m1_at_050_with_pool_1000();
    x.run({ type: "DepositInsurance", fundId: "market:m1", amount: "5", reference: "seed-1" });
    const again = givenExchange(x);
    again.when({ type: "DepositInsurance", fundId: "market:m1", amount: "5", reference: "seed-1" }).then([]);
    again
      .when({ type: "DepositInsurance", fundId: "market:m1", amount: "6", reference: "seed-1" })
      .thenRejects("IDEMPOTENCY_CONFLICT");
    // the same reference on the shared fund is another deposit
    const { state } = again
      .when({ type: "DepositInsurance", fundId: "shared", amount: "6", reference: "seed-1" })
      .then([{ type: "InsuranceDeposited", fundId: "shared", amount: "6", reference: "seed-1" }]);
    expect([insuranceOf(state), sharedInsuranceOf(state)]).toEqual(["5", "6"]);
  });

  it("go only to funds that exist, and only positive amounts", () => {
    const x = market_m1_at_050_with_pool_1000();
    for (const fundId of ["market:nope", "m1", "bogus", "market:"])
      givenExchange(x)
        .when({ type: "DepositInsurance", fundId, amount: "5", reference: "r" })
        .thenRejects("UNKNOWN_FUND");
    givenExchange(x)
      .when({ type: "DepositInsurance", fundId: "shared", amount: "0", reference: "r" })
      .thenRejects("INVALID_AMOUNT");
  });
});

describe("ReducePosition: the proceeds repay the loan first", () => {
  it("selling half at 0.50 repays 25 of 40; selling the rest repays the last 15, gives alice 10 and closes the position", () => {
    const x = alice_long_100_yes_at_050_5x(FEE_FREE);
    x.run(place("mm2", "buy", "YES", "0.5", 100));
    x.at(T0 + 10 * MINUTE);
    const reduce = (quantity: string) =>
      ({
        type: "ReducePosition",
        accountId: "alice",
        marketId: "m1",
        outcome: "YES",
        quantity,
        price: "0.5",
      }) as const;
    const first = givenExchange(x)
      .when(reduce("50"))
      .then([
        { type: "OrderAccepted", accountId: "alice", side: "sell", quantity: 50, source: "position" },
        { type: "TradeExecuted", quantity: 50, yesPrice: "0.5", takerAccountId: "alice" },
        { type: "LoanRepaid", accountId: "alice", amount: "25", feePart: "0", source: "reduce" },
      ]);
    expect(leveragedOf(first.state, "alice", "YES")).toMatchObject({ shares: 50 });
    expect([loanOf(first.state, "alice", "YES"), cashOf(first.state, "alice")]).toEqual(["15", "990"]);
    x.run(reduce("50"));
    x.run(reduce("50"));
    givenExchange(x).when(reduce("1")).thenRejects("NO_POSITION");
    expect([cashOf(x.state, "alice"), poolOf(x.state).lent, poolOf(x.state).cash]).toEqual([
      "1000",
      "0",
      "1000",
    ]);
    expect(ofType(x.events, "PositionClosed").at(-1)).toMatchObject({ accountId: "alice", reason: "REPAID" });
  });

  it("fees are repaid before principal, and their insurance cut goes to the market's fund", () => {
    const x = alice_long_100_yes_at_050_5x();
    // the first hour's fee, 0.026564, was charged at the opening: the loan is 40.026564
    x.run(place("mm2", "buy", "YES", "0.5", 100));
    givenExchange(x)
      .when({
        type: "ReducePosition",
        accountId: "alice",
        marketId: "m1",
        outcome: "YES",
        quantity: "10",
        price: "0.5",
      })
      .then([
        { type: "OrderAccepted" },
        { type: "TradeExecuted", quantity: 10 },
        // 5 repaid: 0.026564 of fees (0.005312 of it to insurance), then 4.973436 of principal
        { type: "LoanRepaid", amount: "5", feePart: "0.026564", toInsurance: "0.005312", source: "reduce" },
      ]);
  });

  it("refuses a reduction without a leveraged position, or of more shares than pledged", () => {
    const x = alice_long_100_yes_at_050_5x(FEE_FREE);
    const reduce = (accountId: string, quantity: string) =>
      ({
        type: "ReducePosition",
        accountId,
        marketId: "m1",
        outcome: "YES",
        quantity,
        price: "0.5",
      }) as const;
    givenExchange(x).when(reduce("mm", "10")).thenRejects("NO_POSITION"); // mm holds 1x NO only
    givenExchange(x).when(reduce("alice", "101")).thenRejects("INVALID_QUANTITY");
    givenExchange(x).when(reduce("alice", "0")).thenRejects("INVALID_QUANTITY");
  });

  it("with no bid to take it, a reduction sells nothing and changes no loan", () => {
    const x = alice_long_100_yes_at_050_5x(FEE_FREE);
    const { state } = givenExchange(x)
      .when({
        type: "ReducePosition",
        accountId: "alice",
        marketId: "m1",
        outcome: "YES",
        quantity: "10",
        price: "0.5",
      })
      .then([{ type: "OrderAccepted" }, { type: "OrderCancelled", reason: "IOC_REMAINDER", quantity: 10 }]);
    expect(leveragedOf(state, "alice", "YES")).toMatchObject({ shares: 100, loan: money(40) });
  });
});

describe("AddMargin", () => {
  it("repays at most the loan; a loan repaid in full closes the position and its shares become the owner's 1x shares", () => {
    const x = alice_long_100_yes_at_050_5x(FEE_FREE);
    const { state } = givenExchange(x)
      .when({
        type: "AddMargin",
        accountId: "alice",
        marketId: "m1",
        outcome: "YES",
        amount: "100",
        reference: "all",
      })
      .then([
        { type: "LoanRepaid", amount: "40", source: "margin" },
        { type: "PositionClosed", accountId: "alice", reason: "REPAID" },
      ]);
    expect(positionOf(state, "alice")).toEqual({ yes: 100, no: 0, yesReserved: 0, noReserved: 0 });
    expect(cashOf(state, "alice")).toBe("950"); // 10 + 40 paid for 100 YES at 0.50
  });

  it("refuses more than the free cash, and positions that do not exist", () => {
    const x = alice_long_100_yes_at_050_5x(FEE_FREE);
    const add = (accountId: string, amount: string) =>
      ({ type: "AddMargin", accountId, marketId: "m1", outcome: "YES", amount, reference: "am" }) as const;
    givenExchange(x).when(add("alice", "990.000001")).thenRejects("INSUFFICIENT_FUNDS");
    givenExchange(x).when(add("bob", "1")).thenRejects("NO_POSITION");
    givenExchange(x).when(add("alice", "0")).thenRejects("INVALID_AMOUNT");
  });

  it("is idempotent by reference, like every money movement: a retry repays nothing more, another amount is a conflict", () => {
    const x = alice_long_100_yes_at_050_5x(FEE_FREE);
    x.run({
      type: "AddMargin",
      accountId: "alice",
      marketId: "m1",
      outcome: "YES",
      amount: "5",
      reference: "am-1",
    });
    expect(loanOf(x.state, "alice", "YES")).toBe("35");
    givenExchange(x)
      .when({
        type: "AddMargin",
        accountId: "alice",
        marketId: "m1",
        outcome: "YES",
        amount: "5",
        reference: "am-1",
      })
      .then([]);
    givenExchange(x)
      .when({
        type: "AddMargin",
        accountId: "alice",
        marketId: "m1",
        outcome: "YES",
        amount: "7",
        reference: "am-1",
      })
      .thenRejects("IDEMPOTENCY_CONFLICT");
  });
});

describe("backstop bids", () => {
  it("a bid is set, replaced and withdrawn with maxShares 0", () => {
    const x = market_m1_at_050_with_pool_1000();
    const bid = (price: string, maxShares: string) =>
      ({
        type: "SetBackstopBid",
        accountId: "carol",
        marketId: "m1",
        outcome: "YES",
        price,
        maxShares,
      }) as const;
    x.run(bid("0.4", "100"));
    x.run(bid("0.45", "200"));
    expect([...x.state.markets.get("m1")!.backstops.values()]).toEqual([
      expect.objectContaining({ accountId: "carol", price: "0.45", maxShares: 200 }),
    ]);
    x.run(bid("0", "0"));
    expect(x.state.markets.get("m1")!.backstops.size).toBe(0);
    givenExchange(x).when(bid("1", "10")).thenRejects("PRICE_OUT_OF_RANGE");
  });

  it("a bid for up to 100 shares takes over at most 100 shares, however many positions are liquidated", () => {
    // alice (100 YES, 5x, loan 40) and bob (100 YES, 5x, loan 40) are both liquidated by one jump; carol offers
    // to take over up to 100 YES at 0.30, with cash for both.
    const x = alice_long_100_yes_at_050_5x(FEE_FREE);
    x.runAll(
      place("mm", "buy", "NO", "0.5", 100, { clientOrderId: "more" }),
      {
        type: "PlaceOrder",
        accountId: "bob",
        marketId: "m1",
        clientOrderId: "b",
        side: "buy",
        outcome: "YES",
        price: "0.5",
        quantity: "100",
        timeInForce: "IOC",
        postOnly: false,
        leverage: "5",
      },
      {
        type: "SetBackstopBid",
        accountId: "carol",
        marketId: "m1",
        outcome: "YES",
        price: "0.3",
        maxShares: "100",
      },
      mark("0.25"),
    );
    const { state } = givenExchange(x)
      .when(tick(x.now + 5 * MINUTE))
      .decide();
    expect(positionOf(state, "carol").yes).toBeLessThanOrEqual(100);
  });
});
