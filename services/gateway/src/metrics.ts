// Prometheus metrics of the gateway: request counts and latencies, sequencer queue, events appended, append latency.

const BUCKETS_MS = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500];

class Histogram {
  readonly counts = new Array<number>(BUCKETS_MS.length + 1).fill(0);
  sum = 0;
  count = 0;
  observe(ms: number): void {
    let i = 0;
    while (i < BUCKETS_MS.length && ms > BUCKETS_MS[i]!) i++;
    this.counts[i]! += 1;
    this.sum += ms;
    this.count += 1;
  }
  render(name: string, labels: string): string[] {
    const out: string[] = [];
    let cumulative = 0;
    BUCKETS_MS.forEach((le, i) => {
      cumulative += this.counts[i]!;
      out.push(`${name}_bucket{${labels}${labels ? "," : ""}le="${le / 1000}"} ${cumulative}`);
    });
    out.push(`${name}_bucket{${labels}${labels ? "," : ""}le="+Inf"} ${this.count}`);
    out.push(`${name}_sum{${labels}} ${this.sum / 1000}`);
    out.push(`${name}_count{${labels}} ${this.count}`);
    return out;
  }
}

export interface SequencerGauges {
  queueDepth: number;
  eventsAppended: number;
  batchesCommitted: number;
  commandsCommitted: number;
  eventCount: number;
  writesStopped: boolean;
}

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly append = new Histogram();

  /** One answered request: `route` is the route pattern (not the raw URL), `status` the HTTP status. */
  request(method: string, route: string, status: number, ms: number): void {
    const key = `method="${method}",route="${route}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const hkey = `method="${method}",route="${route}"`;
    let h = this.latency.get(hkey);
    if (!h) this.latency.set(hkey, (h = new Histogram()));
    h.observe(ms);
  }

  appendLatency(ms: number): void {
    this.append.observe(ms);
  }

  render(g: SequencerGauges): string {
    const lines: string[] = [];
    lines.push("# HELP pmx_http_requests_total HTTP requests answered, by route and status.");
    lines.push("# TYPE pmx_http_requests_total counter");
    for (const [k, v] of this.requests) lines.push(`pmx_http_requests_total{${k}} ${v}`);
    lines.push("# HELP pmx_http_request_duration_seconds Time to answer, by route.");
    lines.push("# TYPE pmx_http_request_duration_seconds histogram");
    for (const [k, h] of this.latency) lines.push(...h.render("pmx_http_request_duration_seconds", k));
    lines.push("# HELP pmx_sequencer_queue_depth Commands waiting for the sequencer.");
    lines.push("# TYPE pmx_sequencer_queue_depth gauge");
    lines.push(`pmx_sequencer_queue_depth ${g.queueDepth}`);
    lines.push("# HELP pmx_events_appended_total Events appended to the log by this process.");
    lines.push("# TYPE pmx_events_appended_total counter");
    lines.push(`pmx_events_appended_total ${g.eventsAppended}`);
    lines.push("# HELP pmx_commands_committed_total Commands whose events were appended by this process.");
    lines.push("# TYPE pmx_commands_committed_total counter");
    lines.push(`pmx_commands_committed_total ${g.commandsCommitted}`);
    lines.push("# HELP pmx_group_commits_total Appends (group commits) made by this process.");
    lines.push("# TYPE pmx_group_commits_total counter");
    lines.push(`pmx_group_commits_total ${g.batchesCommitted}`);
    lines.push("# HELP pmx_log_events Events in the log (this process's view).");
    lines.push("# TYPE pmx_log_events gauge");
    lines.push(`pmx_log_events ${g.eventCount}`);
    lines.push("# HELP pmx_writes_stopped 1 when this gateway stopped accepting writes.");
    lines.push("# TYPE pmx_writes_stopped gauge");
    lines.push(`pmx_writes_stopped ${g.writesStopped ? 1 : 0}`);
    lines.push("# HELP pmx_append_duration_seconds Time of one append (group commit) to the log.");
    lines.push("# TYPE pmx_append_duration_seconds histogram");
    lines.push(...this.append.render("pmx_append_duration_seconds", ""));
    return `${lines.join("\n")}\n`;
  }
}
