// The test's own bookkeeping of what every account should hold, in exact decimals, computed from the trades
// the test expects (not from what the gateway answers), so that the gateway's amounts can be checked.
import { Decimal as D } from "decimal.js";

export const Decimal = D.clone({ precision: 40, rounding: D.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });
export type Decimal = InstanceType<typeof Decimal>;

/** The canonical decimal string the API answers ("0.6", "1000", "0.048"). */
export const dec = (value: string | number | Decimal): string => new Decimal(value).toFixed();

export type Side = "buy" | "sell";
export type Outcome = "YES" | "NO";

export interface Party {
  account: string;
  side: Side;
  outcome: Outcome;
}

/** One fill as an order's answer shows it: the order's own outcome price, and the fee only the taker pays. */
export interface ExpectedFill {
  price: string;
  quantity: string;
  liquidity: "maker" | "taker";
  fee: string;
}

export class Ledger {
  /** cash + reserved of each account. */
  readonly total = new Map<string, Decimal>();
  readonly yes = new Map<string, number>();
  readonly no = new Map<string, number>();
  fees = new Decimal(0);
  deposits = new Decimal(0);
  withdrawals = new Decimal(0);

  constructor(readonly takerFeeBps: number) {}

  open(account: string): void {
    this.total.set(account, new Decimal(0));
    this.yes.set(account, 0);
    this.no.set(account, 0);
  }

  deposit(account: string, amount: string): void {
    this.add(account, new Decimal(amount));
    this.deposits = this.deposits.plus(amount);
  }

  withdraw(account: string, amount: string): void {
    this.add(account, new Decimal(amount).neg());
    this.withdrawals = this.withdrawals.plus(amount);
  }

  /** Taker fee: own-outcome notional × bps / 10 000, rounded up to 6 places (the trader pays the rounding). */
  fee(price: string, quantity: number): Decimal {
    return new Decimal(price)
      .times(quantity)
      .times(this.takerFeeBps)
      .div(10_000)
      .toDecimalPlaces(6, Decimal.ROUND_UP);
  }

  /**
   * A match at `yesPrice` (the maker's price, in YES terms) for `quantity` shares. Each party pays (buy) or
   * receives (sell) its own outcome's price × quantity; YES costs yesPrice, NO costs 1 − yesPrice.
   * Answers the fill each side's order should show.
   */
  trade(
    maker: Party,
    taker: Party,
    yesPrice: string,
    quantity: number,
  ): { maker: ExpectedFill; taker: ExpectedFill } {
    const own = (p: Party) => (p.outcome === "YES" ? new Decimal(yesPrice) : new Decimal(1).minus(yesPrice));
    const makerPrice = own(maker);
    const takerPrice = own(taker);
    const fee = this.fee(takerPrice.toFixed(), quantity);
    this.settle(maker, makerPrice, quantity, new Decimal(0));
    this.settle(taker, takerPrice, quantity, fee);
    this.fees = this.fees.plus(fee);
    return {
      maker: { price: dec(makerPrice), quantity: String(quantity), liquidity: "maker", fee: "0" },
      taker: { price: dec(takerPrice), quantity: String(quantity), liquidity: "taker", fee: dec(fee) },
    };
  }

  /** Resolution: every winning share pays exactly 1 (INVALID: 0.5 per share of either outcome). */
  resolve(outcome: Outcome | "INVALID"): void {
    for (const account of this.total.keys()) {
      const yes = this.yes.get(account)!;
      const no = this.no.get(account)!;
      const payout =
        outcome === "YES"
          ? new Decimal(yes)
          : outcome === "NO"
            ? new Decimal(no)
            : new Decimal(yes + no).times("0.5");
      this.add(account, payout);
      this.yes.set(account, 0);
      this.no.set(account, 0);
    }
  }

  totalOf(account: string): string {
    return dec(this.total.get(account)!);
  }

  private settle(p: Party, price: Decimal, quantity: number, fee: Decimal): void {
    const notional = price.times(quantity);
    const shares = p.side === "buy" ? quantity : -quantity;
    if (p.side === "buy") this.add(p.account, notional.plus(fee).neg());
    else this.add(p.account, notional.minus(fee));
    const book = p.outcome === "YES" ? this.yes : this.no;
    book.set(p.account, book.get(p.account)! + shares);
  }

  private add(account: string, amount: Decimal): void {
    const current = this.total.get(account);
    if (current === undefined) throw new Error(`ledger: unknown account ${account}`);
    this.total.set(account, current.plus(amount));
  }
}
