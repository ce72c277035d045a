// Accounts: opening, deposits and withdrawals, their idempotent references, and the free-cash rule for withdrawals.
import { describe, expect, it } from "vitest";
import { toAmountString } from "../src/money.js";
import { buy, cashOf, deposited, given, history, listed, opened, reservedOf } from "./given.js";

const alice_opened = opened("alice");
/** alice has deposited 100.25 under reference "dep-1". */
const alice_deposited_100_25 = [...alice_opened, deposited("alice", "100.25", "dep-1")];
/** alice has 1000 and m1 is listed (0.01 ticks, no fee). */
const alice_with_1000_and_market_m1 = [...alice_opened, deposited("alice", "1000", "dep-1"), listed("m1")];
/** alice bids 100 YES at 0.60: 60.00 of her 1000 is reserved, 940.00 is free. */
const alice_bids_100_yes_at_060 = history(alice_with_1000_and_market_m1, buy("alice", "YES", "0.60", 100));
/** alice withdrew 400 of her 1000 under reference "wd-1". */
const alice_withdrew_400 = history(alice_with_1000_and_market_m1, {
  type: "Withdraw",
  accountId: "alice",
  amount: "400",
  reference: "wd-1",
});

describe("OpenAccount", () => {
  it("given no accounts, when alice opens one, then AccountOpened with an empty balance and ordinal 1", () => {
    const { state } = given([])
      .when({ type: "OpenAccount", accountId: "alice" })
      .then([{ type: "AccountOpened", accountId: "alice" }]);
    const alice = state.accounts.get("alice")!;
    expect(alice.ordinal).toBe(1);
    expect(toAmountString(alice.cash)).toBe("0");
    expect(toAmountString(alice.reserved)).toBe("0");
  });

  it("given alice's account, when bob opens one, then bob gets ordinal 2", () => {
    const { state } = given(alice_opened)
      .when({ type: "OpenAccount", accountId: "bob" })
      .then([{ type: "AccountOpened", accountId: "bob" }]);
    expect(state.accounts.get("bob")!.ordinal).toBe(2);
  });

  it("given alice's account, when alice opens it again, then ACCOUNT_EXISTS", () => {
    given(alice_opened).when({ type: "OpenAccount", accountId: "alice" }).thenRejects("ACCOUNT_EXISTS");
  });
});

describe("Deposit", () => {
  it("given alice's account, when she deposits 100.25, then Deposited and her free cash and the deposits total are 100.25", () => {
    const { state } = given(alice_opened)
      .when({ type: "Deposit", accountId: "alice", amount: "100.25", reference: "dep-1" })
      .then([{ type: "Deposited", accountId: "alice", amount: "100.25", reference: "dep-1" }]);
    expect(cashOf(state, "alice")).toBe("100.25");
    expect(toAmountString(state.totals.deposits)).toBe("100.25");
  });

  it("given alice's account, when she deposits 0.000001 (the smallest amount), then it is credited exactly", () => {
    const { state } = given(alice_opened)
      .when({ type: "Deposit", accountId: "alice", amount: "0.000001", reference: "dep-tiny" })
      .then([{ type: "Deposited", amount: "0.000001" }]);
    expect(cashOf(state, "alice")).toBe("0.000001");
  });

  it("given alice's account, when she deposits 50.10, then the amount is written canonically as 50.1", () => {
    given(alice_opened)
      .when({ type: "Deposit", accountId: "alice", amount: "50.10", reference: "dep-2" })
      .then([{ type: "Deposited", amount: "50.1" }]);
  });

  it("given a deposit of 100.25 under dep-1, when a second deposit of 20 comes under dep-2, then both count: 120.25", () => {
    const { state } = given(alice_deposited_100_25)
      .when({ type: "Deposit", accountId: "alice", amount: "20", reference: "dep-2" })
      .then([{ type: "Deposited", amount: "20", reference: "dep-2" }]);
    expect(cashOf(state, "alice")).toBe("120.25");
    expect(toAmountString(state.totals.deposits)).toBe("120.25");
  });

  it("given a deposit of 100.25 under dep-1, when the same deposit is retried, then no events and the cash stays 100.25", () => {
    const { state } = given(alice_deposited_100_25)
      .when({ type: "Deposit", accountId: "alice", amount: "100.25", reference: "dep-1" })
      .then([]);
    expect(cashOf(state, "alice")).toBe("100.25");
  });

  it("given a deposit of 100.25 under dep-1, when it is retried written as 100.250, then no events (same amount)", () => {
    given(alice_deposited_100_25)
      .when({ type: "Deposit", accountId: "alice", amount: "100.250", reference: "dep-1" })
      .then([]);
  });

  it("given a deposit of 100.25 under dep-1, when dep-1 comes again with 100.26, then IDEMPOTENCY_CONFLICT", () => {
    given(alice_deposited_100_25)
      .when({ type: "Deposit", accountId: "alice", amount: "100.26", reference: "dep-1" })
      .thenRejects("IDEMPOTENCY_CONFLICT");
  });

  it("given alice used dep-1, when bob deposits under dep-1, then it is his own reference and is credited", () => {
    const { state } = given([...alice_deposited_100_25, ...opened("bob")])
      .when({ type: "Deposit", accountId: "bob", amount: "7", reference: "dep-1" })
      .then([{ type: "Deposited", accountId: "bob", amount: "7", reference: "dep-1" }]);
    expect(cashOf(state, "bob")).toBe("7");
    expect(cashOf(state, "alice")).toBe("100.25");
  });

  it.each(["0", "0.000", "-5", "-0.000001"])(
    "given alice's account, when she deposits %s, then INVALID_AMOUNT",
    (amount) => {
      given(alice_opened)
        .when({ type: "Deposit", accountId: "alice", amount, reference: "dep-x" })
        .thenRejects("INVALID_AMOUNT");
    },
  );

  it("given no account bob, when bob deposits, then UNKNOWN_ACCOUNT", () => {
    given(alice_opened)
      .when({ type: "Deposit", accountId: "bob", amount: "10", reference: "dep-1" })
      .thenRejects("UNKNOWN_ACCOUNT");
  });
});

describe("Withdraw", () => {
  it("given alice with 100.25, when she withdraws 40.05, then Withdrawn, 60.20 left and the withdrawals total is 40.05", () => {
    const { state } = given(alice_deposited_100_25)
      .when({ type: "Withdraw", accountId: "alice", amount: "40.05", reference: "wd-1" })
      .then([{ type: "Withdrawn", accountId: "alice", amount: "40.05", reference: "wd-1" }]);
    expect(cashOf(state, "alice")).toBe("60.2");
    expect(toAmountString(state.totals.withdrawals)).toBe("40.05");
    expect(toAmountString(state.totals.deposits)).toBe("100.25");
  });

  it("given alice with 100.25, when she withdraws all 100.25, then her free cash is 0", () => {
    const { state } = given(alice_deposited_100_25)
      .when({ type: "Withdraw", accountId: "alice", amount: "100.25", reference: "wd-all" })
      .then([{ type: "Withdrawn", amount: "100.25" }]);
    expect(cashOf(state, "alice")).toBe("0");
  });

  it("given alice with 100.25, when she withdraws 100.250001, then INSUFFICIENT_FUNDS", () => {
    given(alice_deposited_100_25)
      .when({ type: "Withdraw", accountId: "alice", amount: "100.250001", reference: "wd-1" })
      .thenRejects("INSUFFICIENT_FUNDS");
  });

  it("given alice's 1000 with 60 reserved by a bid of 100 YES at 0.60, when she withdraws 940.01, then INSUFFICIENT_FUNDS", () => {
    // free cash 1000 − 60.00 reserved = 940.00
    given(alice_bids_100_yes_at_060)
      .when({ type: "Withdraw", accountId: "alice", amount: "940.01", reference: "wd-1" })
      .thenRejects("INSUFFICIENT_FUNDS");
  });

  it("given alice's 1000 with 60 reserved by a bid of 100 YES at 0.60, when she withdraws 940, then it is paid and 60 stays reserved", () => {
    const { state } = given(alice_bids_100_yes_at_060)
      .when({ type: "Withdraw", accountId: "alice", amount: "940", reference: "wd-1" })
      .then([{ type: "Withdrawn", amount: "940" }]);
    expect(cashOf(state, "alice")).toBe("0");
    expect(reservedOf(state, "alice")).toBe("60");
  });

  it("given alice withdrew 400 under wd-1, when wd-1 is retried with 400, then no events and 600 is left", () => {
    const { state } = given(alice_withdrew_400)
      .when({ type: "Withdraw", accountId: "alice", amount: "400", reference: "wd-1" })
      .then([]);
    expect(cashOf(state, "alice")).toBe("600");
    expect(toAmountString(state.totals.withdrawals)).toBe("400");
  });

  it("given alice withdrew everything under wd-all, when wd-all is retried, then no events (a retry, not INSUFFICIENT_FUNDS)", () => {
    const alice_withdrew_all = history(alice_with_1000_and_market_m1, {
      type: "Withdraw",
      accountId: "alice",
      amount: "1000",
      reference: "wd-all",
    });
    given(alice_withdrew_all)
      .when({ type: "Withdraw", accountId: "alice", amount: "1000", reference: "wd-all" })
      .then([]);
  });

  it("given alice withdrew 400 under wd-1, when wd-1 comes again with 300, then IDEMPOTENCY_CONFLICT", () => {
    given(alice_withdrew_400)
      .when({ type: "Withdraw", accountId: "alice", amount: "300", reference: "wd-1" })
      .thenRejects("IDEMPOTENCY_CONFLICT");
  });

  it("given alice deposited under dep-1, when she withdraws under the same reference dep-1, then it is a separate withdrawal", () => {
    given(alice_deposited_100_25)
      .when({ type: "Withdraw", accountId: "alice", amount: "100.25", reference: "dep-1" })
      .then([{ type: "Withdrawn", amount: "100.25", reference: "dep-1" }]);
  });

  it.each(["0", "-1", "-100.25"])(
    "given alice with 100.25, when she withdraws %s, then INVALID_AMOUNT",
    (amount) => {
      given(alice_deposited_100_25)
        .when({ type: "Withdraw", accountId: "alice", amount, reference: "wd-x" })
        .thenRejects("INVALID_AMOUNT");
    },
  );

  it("given no account bob, when bob withdraws, then UNKNOWN_ACCOUNT", () => {
    given(alice_deposited_100_25)
      .when({ type: "Withdraw", accountId: "bob", amount: "1", reference: "wd-1" })
      .thenRejects("UNKNOWN_ACCOUNT");
  });
});
