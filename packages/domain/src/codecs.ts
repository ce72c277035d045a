// io-ts building blocks shared by commands, events and the gateway: decimal strings, ids, exact objects.
import * as t from "io-ts";
import { isDecimalString } from "./money.js";

/** The keys of an exact object codec, kept on it so tools can describe it (the gateway's OpenAPI document). */
export interface ExactProps<R extends t.Props = t.Props, O extends t.Props = t.Props> {
  readonly required: R;
  readonly optional: O;
}

/** `base` that first refuses any key outside `known` (io-ts' `exact` only strips unknown keys). */
function refusingUnknownKeys<A, O>(
  base: t.Type<A, O, unknown>,
  known: ReadonlySet<string>,
  name: string,
): t.Type<A, O, unknown> {
  return new t.Type(
    name,
    base.is,
    (input, context) => {
      if (typeof input === "object" && input !== null && !Array.isArray(input)) {
        for (const key of Object.keys(input)) {
          if (!known.has(key))
            return t.failure(
              input,
              t.appendContext(context, key, t.never, undefined),
              `unknown field "${key}"`,
            );
        }
      }
      return base.validate(input, context);
    },
    base.encode,
  );
}

/** An object codec that also refuses unknown keys. */
export function exactType<P extends t.Props>(
  props: P,
  name?: string,
): t.Type<t.TypeOf<t.TypeC<P>>, t.OutputOf<t.TypeC<P>>, unknown> & {
  readonly exactProps: ExactProps<P, Record<string, never>>;
} {
  const base = t.type(props);
  const codec = refusingUnknownKeys(base, new Set(Object.keys(props)), name ?? base.name);
  return Object.assign(codec, { exactProps: { required: props, optional: {} as Record<string, never> } });
}

/** Like `exactType` with required and optional keys. */
export function exactPartial<R extends t.Props, O extends t.Props>(
  required: R,
  optional: O,
  name?: string,
): t.Type<
  t.TypeOf<t.TypeC<R>> & t.TypeOf<t.PartialC<O>>,
  t.OutputOf<t.TypeC<R>> & t.OutputOf<t.PartialC<O>>,
  unknown
> & { readonly exactProps: ExactProps<R, O> } {
  const base = t.intersection([t.type(required), t.partial(optional)]);
  const known = new Set([...Object.keys(required), ...Object.keys(optional)]);
  return Object.assign(refusingUnknownKeys(base, known, name ?? base.name), {
    exactProps: { required, optional },
  });
}

/** A string codec refined by a test; its type stays a plain `string` so values are easy to build in code. */
const refinedString = (
  name: string,
  test: (s: string) => boolean,
  expected: string,
): t.Type<string, string, unknown> =>
  new t.Type<string, string, unknown>(
    name,
    (u): u is string => typeof u === "string" && test(u),
    (u, c) => (typeof u === "string" && test(u) ? t.success(u) : t.failure(u, c, `expected ${expected}`)),
    t.identity,
  );

/** A number codec refined by a test. */
const refinedNumber = (
  name: string,
  test: (n: number) => boolean,
  expected: string,
): t.Type<number, number, unknown> =>
  new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === "number" && test(u),
    (u, c) => (typeof u === "number" && test(u) ? t.success(u) : t.failure(u, c, `expected ${expected}`)),
    t.identity,
  );

/** A non-negative decimal string with at most 6 places, no exponent: "1000.50". */
export const DecimalString = refinedString(
  "DecimalString",
  (s) => isDecimalString(s, 6),
  "a decimal string with at most 6 places",
);
export type DecimalString = t.TypeOf<typeof DecimalString>;

/** A rate (a fraction, e.g. of a loan per interval): a non-negative decimal with at most 12 places. */
export const RateString = refinedString(
  "RateString",
  (s) => isDecimalString(s, 12),
  "a decimal string with at most 12 places",
);

/** A price string: a decimal with at most 4 places (the finest tick is 0.0001); range is checked by the market. */
export const PriceString = refinedString(
  "PriceString",
  (s) => isDecimalString(s, 4),
  "a price as a decimal string",
);
export type PriceString = t.TypeOf<typeof PriceString>;

/** A whole number of shares as a decimal string: "100". */
export const QuantityString = refinedString(
  "QuantityString",
  (s) => /^(0|[1-9][0-9]{0,11})$/.test(s),
  "a whole number of shares as a string",
);
export type QuantityString = t.TypeOf<typeof QuantityString>;

/** Identifiers chosen by people: 1-64 of letters, digits, '.', '_', '-'. */
export const Identifier = refinedString(
  "Identifier",
  (s) => /^[A-Za-z0-9._-]{1,64}$/.test(s),
  "1-64 of A-Z a-z 0-9 . _ -",
);
export type Identifier = t.TypeOf<typeof Identifier>;

/** Free-text references (deposits, withdrawals, client order ids): 1-128 printable ASCII characters. */
export const Reference = refinedString(
  "Reference",
  (s) => /^[\x21-\x7e]{1,128}$/.test(s),
  "1-128 printable ASCII characters",
);
export type Reference = t.TypeOf<typeof Reference>;

/** An ISO-8601 UTC timestamp string ("2024-11-06T05:00:00Z" or with milliseconds). */
export const IsoTime = refinedString(
  "IsoTime",
  (s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(s) && !Number.isNaN(Date.parse(s)),
  "an ISO-8601 UTC time",
);
export type IsoTime = t.TypeOf<typeof IsoTime>;

/** Milliseconds since epoch, a non-negative safe integer. */
export const EpochMs = refinedNumber(
  "EpochMs",
  (n) => Number.isSafeInteger(n) && n >= 0,
  "milliseconds since epoch",
);
export type EpochMs = t.TypeOf<typeof EpochMs>;

export const TickSize = t.keyof({ "0.01": null, "0.001": null, "0.0001": null }, "TickSize");
export type TickSize = t.TypeOf<typeof TickSize>;
export const Side = t.keyof({ buy: null, sell: null }, "Side");
export type Side = t.TypeOf<typeof Side>;
export const Outcome = t.keyof({ YES: null, NO: null }, "Outcome");
export type Outcome = t.TypeOf<typeof Outcome>;
export const Resolution = t.keyof({ YES: null, NO: null, INVALID: null }, "Resolution");
export type Resolution = t.TypeOf<typeof Resolution>;
export const TimeInForce = t.keyof({ GTC: null, IOC: null, FOK: null }, "TimeInForce");
export type TimeInForce = t.TypeOf<typeof TimeInForce>;
export const FeeBps = refinedNumber(
  "FeeBps",
  (n) => Number.isInteger(n) && n >= 0 && n <= 1000,
  "an integer 0..1000 (basis points)",
);
export type FeeBps = t.TypeOf<typeof FeeBps>;
/** A whole number of seconds, 0 to 10 years. */
export const Seconds = refinedNumber(
  "Seconds",
  (n) => Number.isInteger(n) && n >= 0 && n <= 315_360_000,
  "whole seconds",
);

/** A whole number of shares, 0 to 10^12. */
export const WholeShares = refinedNumber(
  "WholeShares",
  (n) => Number.isInteger(n) && n >= 0 && n <= 1e12,
  "a whole number of shares",
);

/** The risk parameters of a market (packages/liquidation RiskParams), field by field: decimal strings and whole seconds. */
export const RiskParamsProps = {
  maxLeverage: DecimalString,
  hazardWindowSeconds: Seconds,
  leverageRampSeconds: Seconds,
  priceBand: DecimalString,
  maintenanceMarginFraction: DecimalString,
  extremityMove: DecimalString,
  utilizationBuffer: DecimalString,
  utilizationKink: DecimalString,
  jumpIntensityPerDay: DecimalString,
  adverseJumpSize: DecimalString,
  utilizationChargePerDay: DecimalString,
  accrualIntervalSeconds: Seconds,
  insuranceCut: DecimalString,
  liquidationPenalty: DecimalString,
  nearZeroEquityFraction: DecimalString,
  graceWindowSeconds: Seconds,
  auctionDurationSeconds: Seconds,
};
/** The parameters added by the credit layer's second design: optional in the log (older listings take the defaults). */
export const RiskParamsV2Props = {
  markStalenessSeconds: Seconds,
  markMaxSpread: DecimalString,
  markMinVolume: WholeShares,
  markIntervalSeconds: Seconds,
  liquidationDelaySeconds: Seconds,
  feeVestingSeconds: Seconds,
  deleverageGraceSeconds: Seconds,
  backstopDiscount: DecimalString,
  maxAccountLoanFraction: DecimalString,
  maxMarketLoan: DecimalString,
  sharedFundMarketCap: DecimalString,
  /** Resolution with a challenge window (issue 15): the default window of a resolution, and the smallest bond. */
  challengeWindowSeconds: Seconds,
  challengeBond: DecimalString,
};
