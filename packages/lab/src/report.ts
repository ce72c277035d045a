// The lab's outputs drawn from a LabReport: the terminal summary table and a self-contained HTML page (inline CSS
// and SVG, no script, nothing fetched).
import type { LabReport, PolicySummary, QuestionPoint } from "./lab.js";
import type { Stat } from "./stats.js";
import { barChart, escapeXml, type LineSeries, lineChart, type Marker, stripChart } from "./svg.js";

const PALETTE: Record<string, string> = { perp20x: "#d62728", default: "#1f77b4", "1x": "#2ca02c" };
const EXTRA = ["#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"];
export function colorOf(policy: string, index: number): string {
  return PALETTE[policy] ?? EXTRA[index % EXTRA.length]!;
}

/** 1234.5 → "1,234.50"; signs kept; `plus` adds "+" to positives. */
export function money2(value: string | number, plus = false): string {
  const n = Number(value);
  const text = Math.abs(n).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${n < 0 ? "-" : plus && n > 0 ? "+" : ""}${text}`;
}
const pct = (value: string | number): string => `${(Number(value) * 100).toFixed(1)}%`;
const ci = (s: Stat, f: (v: string) => string): string => `${f(s.mean)} [${f(s.ci95[0])}, ${f(s.ci95[1])}]`;
const count = (s: Stat): string => (Number.isInteger(Number(s.mean)) ? s.mean : Number(s.mean).toFixed(1));

/** The comparison, one row per policy (means over the seeds; 95% confidence intervals in brackets). */
export function comparisonRows(report: LabReport): { header: string[]; rows: string[][] } {
  const header = [
    "policy",
    "bad debt",
    "insurance used",
    "LP P&L [95% CI]",
    "liquidations",
    "bankrupt",
    "winners' haircut",
    "lev. return",
    "same trades 1x",
    "excess return [95% CI]",
  ];
  const rows = report.policies.map((p) => [
    p.policy,
    money2(p.badDebt.mean),
    money2(p.insuranceUsed.mean),
    ci(p.lpPnl, (v) => money2(v, true)),
    count(p.liquidations),
    `${count(p.liquidationsBankrupt)} + ${count(p.settlementsBankrupt)}`,
    money2(p.winnersHaircut),
    p.returns ? pct(p.returns.leveragedReturn.mean) : "—",
    p.returns ? pct(p.returns.unleveragedReturn.mean) : "—",
    p.returns ? ci(p.returns.excessReturn, pct) : "— (no loans)",
  ]);
  return { header, rows };
}

function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** The summary printed on the terminal. */
export function terminalSummary(report: LabReport): string {
  const { header, rows } = comparisonRows(report);
  const out: string[] = [];
  out.push(`pmx lab: ${report.scenario.name}`);
  out.push(
    `path: ${report.path.label} (${report.path.points} marks; market resolvesAt ${report.path.resolvesAt})`,
  );
  out.push(
    `${report.seeds.length} seeds per policy (${report.seeds[0]}..${report.seeds[report.seeds.length - 1]}); means over the seeds, money in collateral units`,
  );
  out.push("");
  out.push(textTable(header, rows));
  out.push("");
  out.push(
    "bankrupt = liquidations that left bad debt + positions whose payout at resolution did not repay the loan; " +
      "returns are on the traders' own money (margin); excess = leveraged P&L − the same trades unleveraged, per unit of margin",
  );
  for (const p of report.policies) {
    const rejections = Object.entries(p.rejections)
      .map(([k, v]) => `${k} ×${v}`)
      .join(", ");
    out.push(
      `${p.policy}: LP P&L per seed min ${money2(p.lpPnl.min, true)}, median ${money2(p.lpPnl.median, true)}, max ${money2(p.lpPnl.max, true)}; ` +
        `fees charged ${money2(p.feesCharged.mean)}; deleverage calls ${count(p.deleverageCalls)}; checked ${p.checks.checkedEvents} events, ${p.checks.violations} violations` +
        (rejections ? `; refused orders: ${rejections}` : ""),
    );
  }
  if (report.question) {
    const q = report.question;
    out.push("");
    out.push(`fair-fee question (${q.policy}, ${q.seeds} synthetic paths per multiplier):`);
    for (const e of questionPoints(report))
      out.push(
        `  λ × ${e.multiplier.padEnd(7)} LP P&L ${ci(e.lpPnl, (v) => money2(v, true))}   excess return ${ci(e.excessReturn, pct)}`,
      );
    out.push(`  ${q.answer}`);
  }
  const c = report.checks;
  out.push("");
  out.push(
    `solvency identity and no negative balance checked after every event: ${c.checkedEvents} of ${c.events} events, ${c.commands} commands, ${c.runs} runs (${c.mode} check): ${c.violations === 0 ? "held every time" : `${c.violations} VIOLATIONS`}`,
  );
  for (const v of c.examples) out.push(`  ${v}`);
  return out.join("\n");
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1480px;color:#222;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#555;margin:2px 0}code{background:#f4f4f4;padding:1px 4px;border-radius:3px}
table{border-collapse:collapse;margin:8px 0}th,td{padding:4px 10px;border-bottom:1px solid #e4e4e4;text-align:right;white-space:nowrap}
th{background:#f7f7f7}td:first-child,th:first-child{text-align:left}
.swatch{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.grid2{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:14px 24px}
figure{margin:0}figcaption{font-weight:600;margin:4px 0}
svg.chart{max-width:100%;height:auto;background:#fff}
svg .grid{stroke:#eee}svg .axis{stroke:#888}svg .zero{stroke:#999;stroke-dasharray:4 3}
svg .guide{stroke:#aaa;stroke-dasharray:3 3}svg .guide-label{font-size:10px;fill:#777}
svg .tick{font-size:11px;fill:#666}svg .label{font-size:12px;fill:#444}svg .value{font-size:11px;fill:#333}
svg .series{fill:none;stroke-width:1.6}svg .whisker{stroke:#333}svg .mean{stroke-width:2.5}
.legend span{margin-right:16px}.ok{color:#2a7d2a;font-weight:600}.bad{color:#b00;font-weight:600}
.note{color:#555;font-size:13px;max-width:1100px}ul.note{padding-left:18px}
`;

const legend = (report: LabReport, extra = ""): string =>
  `<div class="legend">${report.policies
    .map(
      (p, i) =>
        `<span><i class="swatch" style="background:${colorOf(p.policy, i)}"></i>${escapeXml(p.policy)}</span>`,
    )
    .join("")}${extra}</div>`;

const figure = (title: string, body: string, caption = ""): string =>
  `<figure><figcaption>${escapeXml(title)}</figcaption>${body}${caption}</figure>`;

function seriesOf(report: LabReport, pick: (p: PolicySummary, i: number) => number): LineSeries[] {
  return report.policies.map((p, i) => ({
    name: p.policy,
    color: colorOf(p.policy, i),
    step: true,
    points: p.series.atMs.map((t, k) => [t, pick(p, k)] as const),
  }));
}

/** Every multiplier the question ran (bisection, break-even, the policy's own), once each, in increasing order. */
export function questionPoints(report: LabReport): QuestionPoint[] {
  const q = report.question;
  if (!q) return [];
  const points = [...q.evaluations, q.breakEven, q.atPolicyFee].sort(
    (a, b) => Number(a.multiplier) - Number(b.multiplier),
  );
  return points.filter((p, i) => i === 0 || p.multiplier !== points[i - 1]!.multiplier);
}

function questionCharts(report: LabReport): string {
  const q = report.question;
  if (!q) return "";
  const unique = questionPoints(report);
  const line = (name: string, f: (p: QuestionPoint) => Stat, scale: number): LineSeries[] => [
    {
      name,
      color: "#1f77b4",
      points: unique.map((p) => [Number(p.multiplier), Number(f(p).mean) * scale] as const),
    },
    {
      name: `${name} 95% low`,
      color: "#9ecae1",
      dash: "4 3",
      points: unique.map((p) => [Number(p.multiplier), Number(f(p).ci95[0]) * scale] as const),
    },
    {
      name: `${name} 95% high`,
      color: "#9ecae1",
      dash: "4 3",
      points: unique.map((p) => [Number(p.multiplier), Number(f(p).ci95[1]) * scale] as const),
    },
  ];
  const marks = (f: (p: QuestionPoint) => Stat, scale: number): Marker[] =>
    unique.map((p) => ({
      series: "evaluation",
      x: Number(p.multiplier),
      y: Number(f(p).mean) * scale,
      color: "#1f77b4",
      filled: p.multiplier === q.breakEven.multiplier,
      title: `λ × ${p.multiplier}: ${f(p).mean}`,
    }));
  const guides = [{ x: Number(q.breakEven.multiplier), label: `break-even ×${q.breakEven.multiplier}` }];
  return `<h2>The fair-fee question</h2>
<p class="note">${escapeXml(q.answer)}</p>
<div class="grid2">
${figure(
  "LP P&L per run against the fee multiplier (mean and 95% CI)",
  lineChart({
    id: "chart-fee-lp",
    title: "LP P&L against the jump-intensity multiplier",
    yLabel: "LP P&L per run",
    xLabel: `multiplier k of jumpIntensityPerDay (${q.policy})`,
    xTime: false,
    series: line("LP P&L", (p) => p.lpPnl, 1),
    markers: marks((p) => p.lpPnl, 1),
    guides,
    zeroLine: true,
  }),
)}
${figure(
  "Leveraged traders' excess return over the same trades unleveraged (mean and 95% CI)",
  lineChart({
    id: "chart-fee-excess",
    title: "Excess return against the jump-intensity multiplier",
    yLabel: "excess return, % of margin",
    xLabel: `multiplier k of jumpIntensityPerDay (${q.policy})`,
    xTime: false,
    series: line("excess return", (p) => p.excessReturn, 100),
    markers: marks((p) => p.excessReturn, 100),
    guides,
    zeroLine: true,
  }),
)}
</div>`;
}

/** The self-contained HTML report. `command` is shown as the command that made it. */
export function htmlReport(report: LabReport, command: string): string {
  const { header, rows } = comparisonRows(report);
  const table = `<table id="summary"><thead><tr>${header.map((h) => `<th>${escapeXml(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map(
      (r, i) =>
        `<tr data-policy="${escapeXml(r[0]!)}">${r
          .map((c, j) =>
            j === 0
              ? `<td><i class="swatch" style="background:${colorOf(r[0]!, i)}"></i>${escapeXml(c)}</td>`
              : `<td>${escapeXml(c)}</td>`,
          )
          .join("")}</tr>`,
    )
    .join("")}</tbody></table>`;
  const first = report.policies[0]!.series;
  const markers: Marker[] = report.policies.flatMap((p, i) =>
    p.series.liquidations.map((l) => ({
      series: p.policy,
      x: l.atMs,
      y: Number(l.price),
      color: colorOf(p.policy, i),
      filled: l.bankrupt,
      title: `${p.policy}: ${l.outcome} position liquidated at YES ${l.price}${l.bankrupt ? " (bad debt)" : ""}`,
    })),
  );
  const resolvesAt = Date.parse(report.path.resolvesAt);
  const guides =
    resolvesAt <= first.atMs[first.atMs.length - 1]! ? [{ x: resolvesAt, label: "resolvesAt" }] : [];
  const priceChart = lineChart({
    id: "chart-price",
    title: "YES mark with liquidations",
    yLabel: "YES mark",
    xTime: true,
    yMin: 0,
    yMax: 1,
    series: [
      {
        name: "price",
        color: "#222",
        points: first.atMs.map((t, k) => [t, Number(first.price[k])] as const),
      },
    ],
    markers,
    guides,
  });
  const end = first.atMs[first.atMs.length - 1]!;
  const zoomFrom = end - 36 * 3_600_000;
  const inZoom = (t: number) => t >= zoomFrom;
  const zoomChart = lineChart({
    id: "chart-price-zoom",
    title: "The last 36 hours: YES mark with liquidations",
    yLabel: "YES mark",
    xTime: true,
    yMin: 0,
    yMax: 1,
    series: [
      {
        name: "price",
        color: "#222",
        points: first.atMs.flatMap((t, k) => (inZoom(t) ? [[t, Number(first.price[k])] as const] : [])),
      },
    ],
    markers: markers.filter((m) => inZoom(m.x)),
    guides,
  });
  const zoomBadDebt = lineChart({
    id: "chart-baddebt-zoom",
    title: "The last 36 hours: bad debt recorded so far",
    yLabel: "bad debt",
    xTime: true,
    series: seriesOf(report, (p, k) => Number(p.series.badDebt[k])).map((s) => ({
      ...s,
      points: s.points.filter((pt) => inZoom(pt[0])),
    })),
    guides,
  });
  const policyRows = Object.keys(report.policies[0]!.params)
    .map(
      (k) =>
        `<tr><td>${escapeXml(k)}</td>${report.policies.map((p) => `<td>${escapeXml(String(p.params[k]))}</td>`).join("")}</tr>`,
    )
    .join("");
  const deviations = report.policies
    .filter((p) => p.deviations.length > 0)
    .map(
      (p) =>
        `<p><b>${escapeXml(p.policy)}</b>: ${escapeXml(p.description)}</p><ul class="note">${p.deviations.map((d) => `<li>${escapeXml(d)}</li>`).join("")}</ul>`,
    )
    .join("");
  const c = report.checks;
  const checks = report.policies
    .map(
      (p) =>
        `<tr><td>${escapeXml(p.policy)}</td><td>${p.checks.runs}</td><td>${p.checks.commands}</td><td>${p.checks.events}</td><td>${p.checks.checkedEvents}</td><td class="${p.checks.violations === 0 ? "ok" : "bad"}">${p.checks.violations}</td><td>${escapeXml(money2(p.winnersHaircut))}</td><td>${escapeXml(
          Object.entries(p.rejections)
            .map(([k, v]) => `${k} ×${v}`)
            .join(", ") || "none",
        )}</td></tr>`,
    )
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pmx lab: ${escapeXml(report.scenario.name)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${CSS}</style></head>
<body>
<h1>pmx jump-risk lab: ${escapeXml(report.scenario.name)}</h1>
<p class="sub">${escapeXml(report.scenario.description)}</p>
<p class="sub">Path: ${escapeXml(report.path.label)}, ${report.path.points} marks; the market's resolvesAt ${escapeXml(report.path.resolvesAt)}. ${report.seeds.length} seeds per policy (${report.seeds[0]}…${report.seeds[report.seeds.length - 1]}): the same paths and populations under every policy. Every fill, fee, liquidation and waterfall step comes from the real decider.</p>
<p class="sub">Made by <code>${escapeXml(command)}</code></p>
<h2>Comparison (means over the seeds; 95% confidence intervals in brackets; money in collateral units)</h2>
${table}
<p class="note">bankrupt = liquidations that left bad debt + positions whose payout at resolution did not repay the loan. Returns are on the traders' own money (margin); "same trades 1x" holds the same shares, bought at the same fills, without a loan, until the trader's planned exit; excess return = (leveraged P&amp;L − that P&amp;L) / margin. LP P&amp;L = pool assets at the end − what the LPs supplied (fees net of the insurance cut − haircuts).</p>
<h2>One run per policy (seed ${report.seeds[0]})</h2>
${legend(report, "<span>○ liquidation &nbsp;● liquidation that left bad debt</span>")}
<div class="grid2">
${figure("YES mark, with liquidations per policy", priceChart)}
${figure("The last 36 hours before resolution: YES mark and liquidations", zoomChart)}
${figure("The last 36 hours before resolution: bad debt so far", zoomBadDebt)}
${figure(
  `Bad debt per run over ${report.seeds.length} seeds (mean, 95% CI)`,
  barChart(
    "chart-baddebt-policies",
    "Bad debt per policy",
    "bad debt per run",
    report.policies.map((p, i) => ({
      name: p.policy,
      color: colorOf(p.policy, i),
      value: Number(p.badDebt.mean),
      low: Number(p.badDebt.ci95[0]),
      high: Number(p.badDebt.ci95[1]),
      label: money2(p.badDebt.mean),
    })),
  ),
)}
${figure(
  "Maximum leverage the market allowed",
  lineChart({
    id: "chart-leverage",
    title: "Maximum leverage",
    yLabel: "max leverage (x)",
    xTime: true,
    yMin: 0,
    series: seriesOf(report, (p, k) => Number(p.series.maxLeverage[k])),
    guides,
  }),
)}
${figure(
  "Pool utilization (lent / pool assets)",
  lineChart({
    id: "chart-utilization",
    title: "Pool utilization",
    yLabel: "utilization",
    xTime: true,
    yMin: 0,
    yMax: 1,
    series: seriesOf(report, (p, k) => Number(p.series.utilization[k])),
    guides,
  }),
)}
${figure(
  "Insurance funds (market fund + shared fund)",
  lineChart({
    id: "chart-insurance",
    title: "Insurance balance",
    yLabel: "insurance balance",
    xTime: true,
    series: seriesOf(report, (p, k) => Number(p.series.insurance[k])),
    guides,
  }),
)}
${figure(
  "Bad debt recorded so far",
  lineChart({
    id: "chart-baddebt",
    title: "Cumulative bad debt",
    yLabel: "bad debt",
    xTime: true,
    series: seriesOf(report, (p, k) => Number(p.series.badDebt[k])),
    guides,
  }),
)}
${figure(
  `LP P&L per seed (${report.seeds.length} seeds; bar = mean)`,
  stripChart(
    "chart-lp",
    "LP P&L distribution",
    "LP P&L per run",
    report.policies.map((p, i) => ({
      name: p.policy,
      color: colorOf(p.policy, i),
      values: p.runs.map((r) => Number(r.lpPnl)),
      mean: Number(p.lpPnl.mean),
    })),
  ),
)}
${figure(
  "Insurance used per run (mean, 95% CI)",
  barChart(
    "chart-insurance-policies",
    "Insurance used per policy",
    "insurance used per run",
    report.policies.map((p, i) => ({
      name: p.policy,
      color: colorOf(p.policy, i),
      value: Number(p.insuranceUsed.mean),
      low: Number(p.insuranceUsed.ci95[0]),
      high: Number(p.insuranceUsed.ci95[1]),
      label: money2(p.insuranceUsed.mean),
    })),
  ),
)}
</div>
${questionCharts(report)}
<h2>Policies</h2>
<table><thead><tr><th>parameter</th>${report.policies.map((p) => `<th>${escapeXml(p.policy)}</th>`).join("")}</tr></thead><tbody>${policyRows}</tbody></table>
${deviations}
<h2>Checks</h2>
<p class="note">After every single event of every run: the exact solvency identity (deposits + insurance deposits − withdrawals = account cash + reserved + escrow + fee revenue + insurance funds + pool cash) and no negative balance (accounts, shares, escrow, insurance, pools, loans, orders touched), cross-checked against the domain's <code>solvency(state)</code>. Mode: ${escapeXml(c.mode)}. <span class="${c.violations === 0 ? "ok" : "bad"}">${c.violations === 0 ? `Held after all ${c.checkedEvents} events.` : `${c.violations} violations.`}</span></p>
<table><thead><tr><th>policy</th><th>runs</th><th>commands</th><th>events</th><th>checked events</th><th>violations</th><th>winners' haircut</th><th>refused orders (code ×count)</th></tr></thead><tbody>${checks}</tbody></table>
</body></html>
`;
}
