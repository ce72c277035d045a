// The multi-candidate lab (issue 15): one event of every candidate of the Polymarket CSV, a market maker quoting all of
// them around each hourly price, takers drawn from a seed; the same run with and without converting complete NO sets,
// to measure the collateral conversion frees. The real decider runs every command (LabExchange, money checked per event).
import { readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { type Command, type Money, money } from "@pmx/domain";
import { LabExchange } from "./exchange.js";
import { labDir } from "./files.js";
import { csvFields, parseTime } from "./paths.js";
import { deriveSeed, mulberry32, poisson, weightedPick } from "./prng.js";
import { type Stat, stat } from "./stats.js";

/** An event scenario (packages/lab/event-scenarios/NAME.json). */
export interface EventScenarioSpec {
  readonly name: string;
  readonly description: string;
  /** The CSV, relative to packages/lab/paths/ (default: the 2024 US presidential election file). */
  readonly file?: string;
  readonly from: string;
  readonly to: string;
  /** The candidate (column) that wins; every other market resolves NO. */
  readonly winner: string;
  readonly seed: number;
  readonly seeds: number;
  /** The market maker quotes a YES bid and a NO bid this far under each price (price units). */
  readonly halfSpread: string;
  /** Shares of each quote; a taker takes 1 to this many. */
  readonly sharesPerQuote: number;
  /** Takers a hour (Poisson mean); each picks a candidate weighted by its price + `flowFloor`, YES or NO at even odds. */
  readonly takersPerHour: number;
  readonly flowFloor: number;
  /** What the market maker deposits: enough that no quote is refused under either policy (checked). */
  readonly makerCash: string;
}

/** One policy's run of one seed. */
export interface EventRun {
  readonly seed: number;
  /** Highest cash the market maker had committed (deposit − free cash) at any hourly check (a decimal string). */
  readonly peakCommitted: string;
  /** Its mean over the hourly checks. */
  readonly meanCommitted: string;
  /** Cash conversions gave back, and how many conversions. */
  readonly released: string;
  readonly conversions: number;
  /** The market maker's profit once the event resolved (cash − deposit). */
  readonly pnl: string;
  readonly trades: number;
  readonly quotesRefused: number;
  readonly violations: number;
}

export interface EventLabReport {
  readonly scenario: EventScenarioSpec;
  readonly candidates: readonly string[];
  readonly hours: number;
  readonly policies: { readonly hold: readonly EventRun[]; readonly convert: readonly EventRun[] };
}

const CSV = "polymarket-2024-us-president-hourly.csv";
const TICK = 0.0001;
const MM = "mm";
const TAKERS = 8;

/** "Donald Trump" → "donald-trump": a market id. */
const marketIdOf = (candidate: string): string =>
  candidate
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/** A price in (0, 1) rounded down to the tick, as a string; null when none is left. */
function priceOnTick(value: number): string | null {
  const ticks = Math.floor(value / TICK + 1e-9);
  if (ticks < 1 || ticks >= 1 / TICK) return null;
  return (ticks * TICK).toFixed(4);
}

/** The hourly prices of every candidate inside [from, to]. */
function candidatePrices(csv: string, from: number, to: number) {
  const [header, ...rows] = csv.split(/\r?\n/).filter((l) => l.trim() !== "");
  const candidates = csvFields(header!).slice(2);
  const hours: { atMs: number; prices: number[] }[] = [];
  for (const row of rows) {
    const fields = csvFields(row);
    const atMs = Number(fields[1]) * 1000;
    if (atMs < from || atMs > to) continue;
    hours.push({ atMs, prices: candidates.map((_, i) => Number(fields[i + 2]) || 0) });
  }
  return { candidates, hours };
}

/** Runs one seed under one policy: "hold" keeps its NO shares, "convert" converts every complete NO set each hour. */
export function runEventSeed(
  spec: EventScenarioSpec,
  csv: string,
  seed: number,
  policy: "hold" | "convert",
): EventRun {
  const { candidates, hours } = candidatePrices(csv, parseTime(spec.from), parseTime(spec.to));
  const ids = candidates.map(marketIdOf);
  const exchange = new LabExchange("money", () => {});
  const rng = mulberry32(deriveSeed(seed, "event-takers"));
  let at = hours[0]!.atMs - 60_000;
  type Input = { type: Command["type"] } & Record<string, unknown>;
  const run = (input: Input) => exchange.run({ at, ...input } as Command);
  const must = (input: Input) => {
    const decided = run(input);
    if (!decided.ok)
      throw new Error(`${input.type} refused: ${decided.rejection.code} ${decided.rejection.message}`);
    return decided.events;
  };
  const deposit = money(spec.makerCash);
  must({ type: "OpenAccount", accountId: MM });
  must({ type: "Deposit", accountId: MM, amount: spec.makerCash, reference: "makerCash" });
  for (let t = 0; t < TAKERS; t++) {
    must({ type: "OpenAccount", accountId: `taker-${t}` });
    must({ type: "Deposit", accountId: `taker-${t}`, amount: "10000000", reference: "cash" });
  }
  const last = hours[hours.length - 1]!.atMs;
  must({
    type: "ListEvent",
    eventId: "president",
    title: "Who wins the 2024 US presidential election?",
    tickSize: "0.0001",
    resolvesAt: new Date(last + 3_600_000).toISOString(),
    outcomes: candidates.map((c, i) => ({ marketId: ids[i]!, question: `Will ${c} win?` })),
  });
  const half = Number(spec.halfSpread);
  const committed: Money[] = [];
  let released = money(0);
  let conversions = 0;
  let trades = 0;
  let quotesRefused = 0;
  hours.forEach((hour, h) => {
    at = hour.atMs;
    must({ type: "CancelAllOrders", accountId: MM });
    const quotes: ({ yes: string | null; no: string | null } | null)[] = hour.prices.map((p, i) => {
      const yes = priceOnTick(p - half);
      const no = priceOnTick(1 - p - half);
      for (const [outcome, price] of [
        ["YES", yes],
        ["NO", no],
      ] as const) {
        if (price === null) continue;
        const placed = run({
          type: "PlaceOrder",
          accountId: MM,
          marketId: ids[i]!,
          clientOrderId: `q-${h}-${i}-${outcome}`,
          side: "buy",
          outcome,
          price,
          quantity: String(spec.sharesPerQuote),
          timeInForce: "GTC",
          postOnly: true,
          leverage: "1",
        });
        if (!placed.ok) quotesRefused += 1;
      }
      return { yes, no };
    });
    const takers = poisson(rng, spec.takersPerHour);
    for (let k = 0; k < takers; k++) {
      const i = weightedPick(
        rng,
        hour.prices.map((p, index) => ({ value: index, weight: p + spec.flowFloor })),
      );
      const quote = quotes[i]!;
      // A taker buying YES crosses the maker's NO bid (a mint: the maker gets NO), and the other way round.
      const buysYes = rng() < 0.5;
      const makerBid = buysYes ? quote?.no : quote?.yes;
      if (makerBid === null || makerBid === undefined) continue;
      const decided = run({
        type: "PlaceOrder",
        accountId: `taker-${k % TAKERS}`,
        marketId: ids[i]!,
        clientOrderId: `t-${h}-${k}`,
        side: "buy",
        outcome: buysYes ? "YES" : "NO",
        price: (1 - Number(makerBid)).toFixed(4),
        quantity: String(1 + Math.floor(rng() * spec.sharesPerQuote)),
        timeInForce: "IOC",
        postOnly: false,
        leverage: "1",
      });
      if (decided.ok) trades += decided.events.filter((e) => e.type === "TradeExecuted").length;
    }
    if (policy === "convert") {
      const account = exchange.state.accounts.get(MM)!;
      const complete = Math.min(...ids.map((id) => account.positions.get(id)?.no ?? 0));
      if (complete > 0) {
        must({
          type: "ConvertPositions",
          accountId: MM,
          eventId: "president",
          marketIds: ids,
          quantity: String(complete),
          reference: `convert-${h}`,
        });
        released = released.plus((ids.length - 1) * complete);
        conversions += 1;
      }
    }
    committed.push(deposit.minus(exchange.state.accounts.get(MM)!.cash));
  });
  at = last + 3_600_000;
  must({ type: "CancelAllOrders", accountId: MM });
  must({ type: "ResolveEvent", eventId: "president", winner: marketIdOf(spec.winner) });
  exchange.finish();
  return {
    seed,
    peakCommitted: committed.reduce((a, b) => (b.gt(a) ? b : a)).toFixed(),
    meanCommitted: stat(committed.map((c) => c.toFixed())).mean,
    released: released.toFixed(),
    conversions,
    pnl: exchange.state.accounts.get(MM)!.cash.minus(deposit).toFixed(),
    trades,
    quotesRefused,
    violations: exchange.tally.violationCount,
  };
}

/** Every seed of the scenario under both policies (the same takers in both: the seed alone draws them). */
export function runEventLab(spec: EventScenarioSpec, csv: string): EventLabReport {
  const seeds = Array.from({ length: spec.seeds }, (_, i) => spec.seed + i);
  const { candidates, hours } = candidatePrices(csv, parseTime(spec.from), parseTime(spec.to));
  return {
    scenario: spec,
    candidates,
    hours: hours.length,
    policies: {
      hold: seeds.map((s) => runEventSeed(spec, csv, s, "hold")),
      convert: seeds.map((s) => runEventSeed(spec, csv, s, "convert")),
    },
  };
}

/** An event scenario by name (packages/lab/event-scenarios/NAME.json) or a JSON file. */
export function loadEventScenario(nameOrFile: string): { spec: EventScenarioSpec; csv: string } {
  const file = nameOrFile.endsWith(".json")
    ? isAbsolute(nameOrFile)
      ? nameOrFile
      : resolve(nameOrFile)
    : join(labDir("event-scenarios"), `${nameOrFile}.json`);
  const spec = JSON.parse(readFileSync(file, "utf8")) as EventScenarioSpec;
  const csv = readFileSync(join(labDir("paths"), spec.file ?? CSV), "utf8");
  return { spec, csv };
}

/** The means over the seeds (with their 95 % intervals) of what the summary compares. */
export function eventLabStats(report: EventLabReport) {
  const of = (runs: readonly EventRun[]) => ({
    peakCommitted: stat(runs.map((r) => r.peakCommitted)),
    meanCommitted: stat(runs.map((r) => r.meanCommitted)),
    released: stat(runs.map((r) => r.released)),
    pnl: stat(runs.map((r) => r.pnl)),
    trades: stat(runs.map((r) => r.trades)),
  });
  const hold = of(report.policies.hold);
  const convert = of(report.policies.convert);
  const saved = money(hold.peakCommitted.mean).minus(convert.peakCommitted.mean);
  return {
    hold,
    convert,
    peakSaved: saved.toFixed(2),
    peakSavedPercent: saved.div(hold.peakCommitted.mean).times(100).toFixed(1),
  };
}

const cell = (s: Stat) => money(s.mean).toFixed(2);

/** The comparison as a terminal table: committed cash, released collateral and P&L, means over the seeds. */
export function eventLabSummary(report: EventLabReport): string {
  const stats = eventLabStats(report);
  const rows = (["hold", "convert"] as const).map((policy) => {
    const s = stats[policy];
    return [
      policy,
      cell(s.peakCommitted),
      cell(s.meanCommitted),
      cell(s.released),
      cell(s.pnl),
      s.trades.mean,
    ];
  });
  const header = ["policy", "peak committed", "mean committed", "released", "P&L", "trades"];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((text, c) => text.padStart(widths[c]!)).join("  ");
  return [
    `${report.scenario.name}: ${report.candidates.length} candidates, ${report.hours} hours, ${report.scenario.seeds} seeds (means)`,
    line(header),
    ...rows.map(line),
    `conversion lowers the market maker's peak committed cash by ${stats.peakSaved} (${stats.peakSavedPercent} %)`,
  ].join("\n");
}
