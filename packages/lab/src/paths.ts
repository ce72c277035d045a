// Price paths the lab replays as the oracle's YES mark: a column of the Polymarket CSV, a synthetic jump-diffusion,
// or a user's own file of (time, price). Every path ends in a resolution (the final jump to 0 or 1).
import type { Rng } from "./prng.js";
import { normal, poisson } from "./prng.js";

/** One mark of the path: time (ms since the Unix epoch) and the YES price as a decimal string with ≤ 4 places. */
export interface PathPoint {
  readonly atMs: number;
  readonly price: string;
}

export interface PricePath {
  /** What the path is, for reports: "polymarket Donald Trump 2024-10-07T00:00Z..2024-11-06T19:00Z". */
  readonly label: string;
  readonly points: readonly PathPoint[];
  /** The final jump: the outcome the market resolves to. */
  readonly resolution: "YES" | "NO";
  /** When the market resolves (after the last point). */
  readonly resolveAtMs: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Marks lie strictly inside (0, 1) with at most 4 places (the finest tick). */
export function markString(price: number): string {
  const clamped = Math.min(0.9999, Math.max(0.0001, price));
  return (Math.round(clamped * 10_000) / 10_000).toFixed(4).replace(/\.?0+$/, "");
}

/** Splits one CSV line on commas outside double quotes, unquoting fields ("" is a literal quote). */
export function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else field += c;
  }
  fields.push(field);
  return fields.map((f) => f.trim());
}

const csvLines = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith("#"));

/** "MM-DD-YYYY HH:MM" (UTC) → ms. */
function polymarketDate(text: string): number {
  const m = /^(\d{2})-(\d{2})-(\d{4}) (\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new Error(`bad "Date (UTC)" value ${JSON.stringify(text)}: expected MM-DD-YYYY HH:MM`);
  return Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]));
}

export interface PolymarketWindow {
  /** The candidate's column name, e.g. "Donald Trump". */
  readonly candidate: string;
  /** Inclusive bounds (ISO-8601); absent = the file's first / last row. */
  readonly from?: string;
  readonly to?: string;
  /** The outcome at the end; "auto" = YES when the last price in the window is ≥ 0.5. */
  readonly resolution?: "YES" | "NO" | "auto";
  /** When the market resolves; absent = one hour after the last point. */
  readonly resolveAt?: string;
}

/** The candidates (price columns) of a Polymarket CSV. */
export function polymarketCandidates(csv: string): string[] {
  const [header] = csvLines(csv);
  if (!header) throw new Error("empty CSV");
  return csvFields(header).slice(2);
}

/** A candidate's hourly YES prices from the Polymarket CSV ("Date (UTC)", "Timestamp (UTC)", one column per candidate). */
export function polymarketPath(csv: string, window: PolymarketWindow): PricePath {
  const [header, ...rows] = csvLines(csv);
  if (!header) throw new Error("empty CSV");
  const columns = csvFields(header);
  if (columns[0] !== "Date (UTC)" || columns[1] !== "Timestamp (UTC)")
    throw new Error(`not the Polymarket CSV: the first columns are ${JSON.stringify(columns.slice(0, 2))}`);
  const column = columns.indexOf(window.candidate);
  if (column < 2)
    throw new Error(
      `no candidate ${JSON.stringify(window.candidate)}; the file has: ${columns.slice(2).join(", ")}`,
    );
  const fromMs = window.from === undefined ? -Infinity : parseTime(window.from);
  const toMs = window.to === undefined ? Infinity : parseTime(window.to);
  const points: PathPoint[] = [];
  for (const row of rows) {
    const fields = csvFields(row);
    const atMs = polymarketDate(fields[0]!);
    if (atMs < fromMs || atMs > toMs) continue;
    const value = Number(fields[column]);
    if (!Number.isFinite(value) || fields[column] === "") continue;
    points.push({ atMs, price: markString(value) });
  }
  if (points.length < 2)
    throw new Error(`the window holds ${points.length} rows of ${window.candidate}: at least 2 are needed`);
  const last = points[points.length - 1]!;
  const resolution =
    window.resolution === undefined || window.resolution === "auto"
      ? Number(last.price) >= 0.5
        ? "YES"
        : "NO"
      : window.resolution;
  const resolveAtMs = window.resolveAt === undefined ? last.atMs + HOUR_MS : parseTime(window.resolveAt);
  if (resolveAtMs <= last.atMs)
    throw new Error("the resolution must come after the last point of the window");
  return {
    label: `polymarket ${window.candidate} ${iso(points[0]!.atMs)}..${iso(last.atMs)} → ${resolution}`,
    points,
    resolution,
    resolveAtMs,
  };
}

/** ISO-8601 text, unix seconds or unix milliseconds → ms. */
export function parseTime(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    return Math.round(n < 1e11 ? n * 1000 : n);
  }
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) throw new Error(`bad time ${JSON.stringify(text)}: ISO-8601, unix seconds or ms`);
  return ms;
}

export const iso = (ms: number): string => new Date(ms).toISOString().replace(/:00\.000Z$/, "Z");

/**
 * A path file of the user's own: CSV lines `time,price` (a header line is skipped; time is ISO-8601, unix seconds
 * or ms; price the YES price in [0, 1]). A last price of exactly 0 or 1 is the resolution at that time; otherwise
 * the market resolves one hour after the last point, to `resolution` (default: YES when the last price is ≥ 0.5).
 */
export function pathFromFile(
  text: string,
  options: { resolution?: "YES" | "NO"; label?: string } = {},
): PricePath {
  const points: PathPoint[] = [];
  let final: { atMs: number; outcome: "YES" | "NO" } | null = null;
  for (const [i, line] of csvLines(text).entries()) {
    const [time, price] = csvFields(line);
    if (time === undefined || price === undefined) throw new Error(`line ${i + 1}: expected time,price`);
    const value = Number(price);
    if (!Number.isFinite(value)) {
      if (i === 0) continue; // a header
      throw new Error(`line ${i + 1}: price ${JSON.stringify(price)} is not a number`);
    }
    if (value < 0 || value > 1) throw new Error(`line ${i + 1}: price ${price} is outside [0, 1]`);
    if (final !== null)
      throw new Error(`line ${i + 1}: no point may follow the resolution (a price of 0 or 1)`);
    const atMs = parseTime(time);
    const previous = points[points.length - 1];
    if (previous && atMs <= previous.atMs) throw new Error(`line ${i + 1}: times must increase`);
    if (value === 0 || value === 1) final = { atMs, outcome: value === 1 ? "YES" : "NO" };
    else points.push({ atMs, price: markString(value) });
  }
  if (points.length < 2) throw new Error("a path file needs at least 2 prices strictly between 0 and 1");
  const last = points[points.length - 1]!;
  const resolution = final?.outcome ?? options.resolution ?? (Number(last.price) >= 0.5 ? "YES" : "NO");
  return {
    label: options.label ?? `path file ${iso(points[0]!.atMs)}..${iso(last.atMs)} → ${resolution}`,
    points,
    resolution,
    resolveAtMs: final?.atMs ?? last.atMs + HOUR_MS,
  };
}

/** A synthetic world: a bounded diffusion, Poisson jumps, then the final jump to 0 or 1. */
export interface SyntheticSpec {
  /** First point (ISO-8601). */
  readonly start: string;
  readonly days: number;
  readonly stepMinutes: number;
  /** The first price, or a range it is drawn from uniformly. */
  readonly startPrice: number | readonly [number, number];
  /** σ of dp = σ·p(1−p)·dW, per √day: a martingale that stays inside (0, 1). */
  readonly volatilityPerSqrtDay: number;
  /** The world's jump intensity: expected jumps per day (each is up or down with probability ½). */
  readonly jumpsPerDay: number;
  /** Jump size in price units (smaller near the edges, so that a jump stays fair and inside (0, 1)). */
  readonly jumpSize: number;
}

/**
 * A martingale path: each step adds σ·p(1−p)·√dt·Z and, for each Poisson jump in the step, ±min(J, p − ε, 1 − p − ε)
 * with equal odds. The market resolves YES with probability equal to the last price (the final, fair jump).
 */
export function syntheticPath(rng: Rng, spec: SyntheticSpec): PricePath {
  const startMs = parseTime(spec.start);
  const stepMs = spec.stepMinutes * 60_000;
  const steps = Math.round((spec.days * DAY_MS) / stepMs);
  const dtDays = stepMs / DAY_MS;
  const range = typeof spec.startPrice === "number" ? [spec.startPrice, spec.startPrice] : spec.startPrice;
  let p = range[0]! + (range[1]! - range[0]!) * rng();
  const edge = 0.01;
  const points: PathPoint[] = [{ atMs: startMs, price: markString(p) }];
  let jumps = 0;
  for (let k = 1; k <= steps; k++) {
    p += spec.volatilityPerSqrtDay * p * (1 - p) * Math.sqrt(dtDays) * normal(rng);
    p = Math.min(1 - edge, Math.max(edge, p));
    const n = poisson(rng, spec.jumpsPerDay * dtDays);
    for (let j = 0; j < n; j++) {
      const size = Math.max(0, Math.min(spec.jumpSize, p - edge, 1 - edge - p));
      p += rng() < 0.5 ? size : -size;
      jumps += 1;
    }
    points.push({ atMs: startMs + k * stepMs, price: markString(p) });
  }
  const last = points[points.length - 1]!;
  const resolution = rng() < Number(last.price) ? "YES" : "NO";
  return {
    label: `synthetic ${spec.days}d σ=${spec.volatilityPerSqrtDay}/√d, ${spec.jumpsPerDay} jumps/d of ${spec.jumpSize} (${jumps} here) → ${resolution}`,
    points,
    resolution,
    resolveAtMs: last.atMs + stepMs,
  };
}
