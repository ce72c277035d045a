// fast-check generators for money (6 dp), prices in (0, 1), pools and times, shared by the property tests.
import fc from "fast-check";
import { Decimal } from "../src/decimal.js";

const MICRO = 1_000_000;

/** An amount with at most 6 dp in [min, max] (given in whole units). */
export const amount = (min = 0, max = 1_000_000): fc.Arbitrary<Decimal> =>
  fc.integer({ min: min * MICRO, max: max * MICRO }).map((micros) => new Decimal(micros).div(MICRO));

/** An amount in micro units, including tiny ones (bigger ranges than `amount`). */
export const microAmount = (maxMicros = 1_000_000_000_000): fc.Arbitrary<Decimal> =>
  fc.integer({ min: 0, max: maxMicros }).map((micros) => new Decimal(micros).div(MICRO));

/** A price in (0, 1) with 6 dp. */
export const price = (): fc.Arbitrary<Decimal> =>
  fc.integer({ min: 1, max: MICRO - 1 }).map((micros) => new Decimal(micros).div(MICRO));

/** A price in [0, 1] with 6 dp. */
export const closedPrice = (): fc.Arbitrary<Decimal> =>
  fc.integer({ min: 0, max: MICRO }).map((micros) => new Decimal(micros).div(MICRO));

/** Leverage between 1 and `max` with 2 dp. */
export const leverage = (max = 5): fc.Arbitrary<Decimal> =>
  fc.integer({ min: 100, max: max * 100 }).map((hundredths) => new Decimal(hundredths).div(100));

/** A market resolving at a fixed time and a "now" from 60 days before to 2 days after it. */
export const RESOLVES_AT_MS = Date.UTC(2025, 0, 31);
export const nowMs = (): fc.Arbitrary<number> =>
  fc.integer({ min: RESOLVES_AT_MS - 60 * 86_400_000, max: RESOLVES_AT_MS + 2 * 86_400_000 });
