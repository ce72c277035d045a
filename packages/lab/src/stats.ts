// Statistics over seeds, in decimal: mean, sample standard deviation, standard error and a 95% confidence interval
// (Student's t), plus the order statistics a distribution chart needs. Results are decimal strings rounded to 6 dp.
import { Decimal } from "decimal.js";

const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });

export interface Stat {
  readonly n: number;
  readonly mean: string;
  readonly sd: string;
  readonly se: string;
  /** 95% two-sided confidence interval of the mean (t with n − 1 degrees of freedom). */
  readonly ci95: readonly [string, string];
  readonly min: string;
  readonly median: string;
  readonly max: string;
}

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom; 1.96 beyond. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
export const tQuantile975 = (df: number): string => String(df >= 1 && df <= 30 ? T975[df - 1]! : 1.96);

const out = (d: Decimal): string => {
  const s = d.toDecimalPlaces(6, Decimal.ROUND_HALF_EVEN).toFixed();
  return s === "-0" ? "0" : s;
};

/** The statistics of decimal values (strings or numbers); an empty list gives n = 0 and zeros. */
export function stat(values: readonly (string | number)[]): Stat {
  const xs = values.map((v) => new D(v));
  const n = xs.length;
  if (n === 0) return { n, mean: "0", sd: "0", se: "0", ci95: ["0", "0"], min: "0", median: "0", max: "0" };
  const sum = xs.reduce((a, b) => a.plus(b), new D(0));
  const mean = sum.div(n);
  const ss = xs.reduce((a, x) => a.plus(x.minus(mean).pow(2)), new D(0));
  const sd = n > 1 ? ss.div(n - 1).sqrt() : new D(0);
  const se = sd.div(new D(n).sqrt());
  const half = se.times(tQuantile975(n - 1));
  const sorted = [...xs].sort((a, b) => a.comparedTo(b));
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : sorted[n / 2 - 1]!.plus(sorted[n / 2]!).div(2);
  return {
    n,
    mean: out(mean),
    sd: out(sd),
    se: out(se),
    ci95: [out(mean.minus(half)), out(mean.plus(half))],
    min: out(sorted[0]!),
    median: out(median),
    max: out(sorted[n - 1]!),
  };
}

/** Σ a / Σ b over paired decimal strings (null when Σ b is 0). */
export function ratioOfSums(numerators: readonly string[], denominators: readonly string[]): string | null {
  const a = numerators.reduce((s, x) => s.plus(x), new D(0));
  const b = denominators.reduce((s, x) => s.plus(x), new D(0));
  return b.isZero() ? null : out(a.div(b));
}

export const sumOf = (values: readonly string[]): string => out(values.reduce((s, x) => s.plus(x), new D(0)));
export const minus = (a: string, b: string): string => out(new D(a).minus(b));
