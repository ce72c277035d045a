// Prometheus metrics of the gateway through prom-client: requests, sequencer, appends, process and event loop,
// and the business gauges the operator console shows (pools, insurance, margin calls, liquidations, bad debt).
import type { State } from "@pmx/domain";
import type { RiskRecord } from "@pmx/projections";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

const BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface SequencerGauges {
  queueDepth: number;
  eventsAppended: number;
  batchesCommitted: number;
  commandsCommitted: number;
  eventCount: number;
  writesStopped: boolean;
}

/** What the business gauges are read from at each scrape: the gateway's read models, not the decider. */
export interface BusinessSource {
  state: State;
  risk: RiskRecord;
}

/** A counter whose value is a running total kept elsewhere (the sequencer's), set at each scrape. */
function totalCounter(registry: Registry, name: string, help: string): Counter {
  return new Counter({ name, help, registers: [registry] });
}
function setTotal(counter: Counter, value: number, labels?: Record<string, string>): void {
  if (labels) {
    counter.remove(labels);
    counter.inc(labels, value);
  } else {
    counter.reset();
    counter.inc(value);
  }
}

/** Decimal strings of the read models become float samples here, at the exposition boundary only. */
const sample = (decimal: string): number => Number(decimal);

export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: "pmx_http_requests_total",
    help: "HTTP requests answered, by route and status.",
    labelNames: ["method", "route", "status"],
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: "pmx_http_request_duration_seconds",
    help: "Time to answer, by route.",
    labelNames: ["method", "route"],
    buckets: BUCKETS_SECONDS,
    registers: [this.registry],
  });
  private readonly queueDepth = new Gauge({
    name: "pmx_sequencer_queue_depth",
    help: "Commands waiting for the sequencer.",
    registers: [this.registry],
  });
  private readonly eventsAppended = totalCounter(
    this.registry,
    "pmx_events_appended_total",
    "Events appended to the log by this process.",
  );
  private readonly commandsCommitted = totalCounter(
    this.registry,
    "pmx_commands_committed_total",
    "Commands whose events were appended by this process.",
  );
  private readonly groupCommits = totalCounter(
    this.registry,
    "pmx_group_commits_total",
    "Appends (group commits) made by this process.",
  );
  private readonly logEvents = new Gauge({
    name: "pmx_log_events",
    help: "Events in the log (this process's view).",
    registers: [this.registry],
  });
  private readonly writesStopped = new Gauge({
    name: "pmx_writes_stopped",
    help: "1 when this gateway stopped accepting writes.",
    registers: [this.registry],
  });
  private readonly append = new Histogram({
    name: "pmx_append_duration_seconds",
    help: "Time of one append (group commit) to the log.",
    buckets: BUCKETS_SECONDS,
    registers: [this.registry],
  });
  // ---- business gauges, from the read models ----
  private readonly poolUtilization = this.gauge(
    "pmx_pool_utilization",
    "Lent / assets of each market's lending pool (0 when empty).",
    ["market"],
  );
  private readonly poolAssets = this.gauge("pmx_pool_assets", "Cash + lent of each market's pool.", [
    "market",
  ]);
  private readonly poolLent = this.gauge("pmx_pool_lent", "Lent by each market's pool.", ["market"]);
  private readonly insurance = this.gauge(
    "pmx_insurance_balance",
    "Balance of each insurance fund (`shared`, `market:{id}`).",
    ["fund"],
  );
  private readonly marginCallsOpen = this.gauge(
    "pmx_margin_calls_open",
    "Leveraged positions in a margin call now, by market.",
    ["market"],
  );
  private readonly liquidatingNow = this.gauge(
    "pmx_liquidations_in_progress",
    "Leveraged positions being liquidated now, by market.",
    ["market"],
  );
  private readonly marginCallsTotal = new Counter({
    name: "pmx_margin_calls_total",
    help: "Margin calls made since the market was listed (from the log).",
    labelNames: ["market"],
    registers: [this.registry],
  });
  private readonly liquidationsTotal = new Counter({
    name: "pmx_liquidations_total",
    help: "Liquidations started since the market was listed (from the log).",
    labelNames: ["market"],
    registers: [this.registry],
  });
  private readonly badDebtTotal = new Counter({
    name: "pmx_bad_debt_total",
    help: "Bad debt recorded since the market was listed (Σ BadDebtRecorded amounts, from the log).",
    labelNames: ["market"],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  private gauge(name: string, help: string, labelNames: string[]): Gauge {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  /** One answered request: `route` is the route pattern (not the raw URL), `status` the HTTP status. */
  request(method: string, route: string, status: number, ms: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.latency.observe({ method, route }, ms / 1000);
  }

  appendLatency(ms: number): void {
    this.append.observe(ms / 1000);
  }

  /** The exposition text: sequencer totals and business gauges are read now, from `g` and the read models. */
  async render(g: SequencerGauges, business?: BusinessSource): Promise<string> {
    this.queueDepth.set(g.queueDepth);
    setTotal(this.eventsAppended, g.eventsAppended);
    setTotal(this.commandsCommitted, g.commandsCommitted);
    setTotal(this.groupCommits, g.batchesCommitted);
    this.logEvents.set(g.eventCount);
    this.writesStopped.set(g.writesStopped ? 1 : 0);
    if (business) this.readBusiness(business);
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private readBusiness({ state, risk }: BusinessSource): void {
    this.insurance.set({ fund: "shared" }, sample(state.sharedInsurance.toFixed()));
    for (const market of state.markets.values()) {
      const labels = { market: market.marketId };
      const { cash, lent } = market.pool;
      const assets = cash.plus(lent);
      this.poolAssets.set(labels, sample(assets.toFixed()));
      this.poolLent.set(labels, sample(lent.toFixed()));
      this.poolUtilization.set(labels, assets.isZero() ? 0 : sample(lent.div(assets).toFixed(6)));
      this.insurance.set({ fund: `market:${market.marketId}` }, sample(market.insurance.toFixed()));
      let calls = 0;
      let liquidating = 0;
      for (const p of market.leveraged.values()) {
        if (p.status === "margin_call") calls++;
        else if (p.status === "liquidating") liquidating++;
      }
      this.marginCallsOpen.set(labels, calls);
      this.liquidatingNow.set(labels, liquidating);
      const counts = risk.countsOf(market.marketId);
      setTotal(this.marginCallsTotal, counts.marginCalls, labels);
      setTotal(this.liquidationsTotal, counts.liquidations, labels);
      setTotal(this.badDebtTotal, sample(counts.badDebt), labels);
    }
  }
}
