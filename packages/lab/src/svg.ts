// Small SVG charts drawn as text: line charts (with markers), bars with confidence whiskers, and strip plots. No
// library, no script, no network: the report opens anywhere, and its elements carry data-series for tests.

export interface LineSeries {
  readonly name: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
  /** Draw as steps (the value holds until the next point). */
  readonly step?: boolean;
  readonly dash?: string;
}

export interface Marker {
  readonly series: string;
  readonly x: number;
  readonly y: number;
  readonly color: string;
  readonly filled: boolean;
  readonly title: string;
}

export interface LineChart {
  readonly id: string;
  readonly title: string;
  readonly yLabel: string;
  readonly xTime: boolean;
  readonly series: readonly LineSeries[];
  readonly markers?: readonly Marker[];
  readonly yMin?: number;
  readonly yMax?: number;
  readonly xLabel?: string;
  /** Vertical guide lines (e.g. resolvesAt, a break-even point). */
  readonly guides?: readonly { readonly x: number; readonly label: string }[];
  readonly zeroLine?: boolean;
}

const W = 720;
const H = 300;
const M = { left: 64, right: 16, top: 16, bottom: 40 };

export const escapeXml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const fmt = (n: number): string => {
  const a = Math.abs(n);
  if (a >= 1e6) return `${(n / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(0)}k`;
  if (a >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  if (a >= 10 || a === 0) return n.toFixed(0);
  if (a >= 1) return n.toFixed(1);
  return n.toFixed(2);
};

/** About `count` round steps covering [lo, hi]. */
function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    ticks.push(Number(v.toFixed(10)));
  return ticks;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Time ticks at whole days (every n days so that about 6 fit), labelled "Oct 07". */
function timeTicks(lo: number, hi: number): { at: number; label: string }[] {
  const day = 86_400_000;
  const days = (hi - lo) / day;
  const every = [1, 2, 3, 5, 7, 14, 30, 61].find((n) => days / n <= 7) ?? 91;
  if (days < 2) {
    const hour = 3_600_000;
    const hours = [1, 2, 3, 6, 12].find((n) => (hi - lo) / hour / n <= 8) ?? 24;
    const out: { at: number; label: string }[] = [];
    for (let t = Math.ceil(lo / (hours * hour)) * hours * hour; t <= hi; t += hours * hour) {
      const d = new Date(t);
      out.push({ at: t, label: `${String(d.getUTCHours()).padStart(2, "0")}:00` });
    }
    return out;
  }
  const out: { at: number; label: string }[] = [];
  for (let t = Math.ceil(lo / day) * day; t <= hi; t += day) {
    const d = new Date(t);
    if (Math.round((t - Math.ceil(lo / day) * day) / day) % every !== 0) continue;
    out.push({ at: t, label: `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, "0")}` });
  }
  return out;
}

const r2 = (n: number): string => (Math.round(n * 100) / 100).toString();

export function lineChart(c: LineChart): string {
  const xs = c.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = [...c.series.flatMap((s) => s.points.map((p) => p[1])), ...(c.markers ?? []).map((m) => m.y)];
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  let yMin = c.yMin ?? Math.min(0, ...ys);
  let yMax = c.yMax ?? Math.max(...ys);
  if (!(yMax > yMin)) {
    yMax = yMin + 1;
    yMin = Math.min(yMin, 0);
  }
  const span = yMax - yMin;
  if (c.yMax === undefined) yMax += span * 0.05;
  if (c.yMin === undefined && yMin < 0) yMin -= span * 0.05;
  const px = (x: number) => M.left + ((x - xMin) / (xMax - xMin || 1)) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - ((y - yMin) / (yMax - yMin)) * (H - M.top - M.bottom);
  const parts: string[] = [];
  for (const t of niceTicks(yMin, yMax)) {
    parts.push(
      `<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${r2(py(t))}" y2="${r2(py(t))}"/>`,
      `<text class="tick" x="${M.left - 6}" y="${r2(py(t) + 4)}" text-anchor="end">${fmt(t)}</text>`,
    );
  }
  const xticks = c.xTime
    ? timeTicks(xMin, xMax)
    : niceTicks(xMin, xMax).map((t) => ({ at: t, label: fmt(t) }));
  for (const t of xticks)
    parts.push(
      `<line class="grid" x1="${r2(px(t.at))}" x2="${r2(px(t.at))}" y1="${M.top}" y2="${H - M.bottom}"/>`,
      `<text class="tick" x="${r2(px(t.at))}" y="${H - M.bottom + 16}" text-anchor="middle">${escapeXml(t.label)}</text>`,
    );
  if (c.zeroLine && yMin < 0 && yMax > 0)
    parts.push(`<line class="zero" x1="${M.left}" x2="${W - M.right}" y1="${r2(py(0))}" y2="${r2(py(0))}"/>`);
  for (const g of c.guides ?? [])
    parts.push(
      `<line class="guide" x1="${r2(px(g.x))}" x2="${r2(px(g.x))}" y1="${M.top}" y2="${H - M.bottom}"/>`,
      `<text class="guide-label" x="${r2(px(g.x) - 4)}" y="${M.top + 10}" text-anchor="end">${escapeXml(g.label)}</text>`,
    );
  parts.push(
    `<line class="axis" x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}"/>`,
    `<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}"/>`,
    `<text class="label" transform="translate(14 ${(H - M.bottom + M.top) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(c.yLabel)}</text>`,
  );
  if (c.xLabel)
    parts.push(
      `<text class="label" x="${(W + M.left) / 2}" y="${H - 4}" text-anchor="middle">${escapeXml(c.xLabel)}</text>`,
    );
  for (const s of c.series) {
    if (s.points.length === 0) continue;
    let d = "";
    s.points.forEach(([x, y], i) => {
      if (i === 0) d += `M${r2(px(x))} ${r2(py(y))}`;
      else if (s.step) d += `H${r2(px(x))}V${r2(py(y))}`;
      else d += `L${r2(px(x))} ${r2(py(y))}`;
    });
    parts.push(
      `<path class="series" data-series="${escapeXml(s.name)}" d="${d}" stroke="${s.color}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}><title>${escapeXml(s.name)}</title></path>`,
    );
  }
  for (const m of c.markers ?? [])
    parts.push(
      `<circle class="marker" data-series="${escapeXml(m.series)}" cx="${r2(px(m.x))}" cy="${r2(py(m.y))}" r="3.5" stroke="${m.color}" fill="${m.filled ? m.color : "white"}"><title>${escapeXml(m.title)}</title></circle>`,
    );
  return svg(c.id, c.title, parts);
}

function svg(id: string, title: string, parts: string[]): string {
  return `<svg id="${escapeXml(id)}" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeXml(title)}" xmlns="http://www.w3.org/2000/svg">${parts.join("")}</svg>`;
}

export interface Bar {
  readonly name: string;
  readonly color: string;
  readonly value: number;
  readonly low: number;
  readonly high: number;
  readonly label: string;
}

/** Vertical bars with a whisker from `low` to `high` (a confidence interval). */
export function barChart(id: string, title: string, yLabel: string, bars: readonly Bar[]): string {
  const yMax = Math.max(1, ...bars.map((b) => Math.max(b.high, b.value))) * 1.1;
  const yMin = Math.min(0, ...bars.map((b) => Math.min(b.low, b.value))) * 1.1;
  const py = (y: number) => H - M.bottom - ((y - yMin) / (yMax - yMin)) * (H - M.top - M.bottom);
  const slot = (W - M.left - M.right) / Math.max(1, bars.length);
  const parts: string[] = [];
  for (const t of niceTicks(yMin, yMax))
    parts.push(
      `<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${r2(py(t))}" y2="${r2(py(t))}"/>`,
      `<text class="tick" x="${M.left - 6}" y="${r2(py(t) + 4)}" text-anchor="end">${fmt(t)}</text>`,
    );
  bars.forEach((b, i) => {
    const x = M.left + slot * i + slot * 0.2;
    const w = slot * 0.6;
    const top = py(Math.max(0, b.value));
    const bottom = py(Math.min(0, b.value));
    const cx = x + w / 2;
    parts.push(
      `<rect class="bar" data-series="${escapeXml(b.name)}" x="${r2(x)}" y="${r2(top)}" width="${r2(w)}" height="${r2(Math.max(0.5, bottom - top))}" fill="${b.color}"><title>${escapeXml(`${b.name}: ${b.label}`)}</title></rect>`,
      `<line class="whisker" x1="${r2(cx)}" x2="${r2(cx)}" y1="${r2(py(b.low))}" y2="${r2(py(b.high))}"/>`,
      `<line class="whisker" x1="${r2(cx - 8)}" x2="${r2(cx + 8)}" y1="${r2(py(b.low))}" y2="${r2(py(b.low))}"/>`,
      `<line class="whisker" x1="${r2(cx - 8)}" x2="${r2(cx + 8)}" y1="${r2(py(b.high))}" y2="${r2(py(b.high))}"/>`,
      `<text class="tick" x="${r2(cx)}" y="${H - M.bottom + 16}" text-anchor="middle">${escapeXml(b.name)}</text>`,
      `<text class="value" x="${r2(cx)}" y="${r2(Math.min(top, py(b.high)) - 6)}" text-anchor="middle">${escapeXml(b.label)}</text>`,
    );
  });
  parts.push(
    `<line class="axis" x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}"/>`,
    `<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${r2(py(0))}" y2="${r2(py(0))}"/>`,
    `<text class="label" transform="translate(14 ${(H - M.bottom + M.top) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
  );
  return svg(id, title, parts);
}

export interface Strip {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
  readonly mean: number;
}

/** One column of dots per group (one dot per seed) with the mean as a bar across. */
export function stripChart(id: string, title: string, yLabel: string, strips: readonly Strip[]): string {
  const all = strips.flatMap((s) => s.values);
  let yMin = Math.min(0, ...all);
  let yMax = Math.max(0, ...all);
  if (yMax === yMin) yMax = yMin + 1;
  const pad = (yMax - yMin) * 0.08;
  yMin -= pad;
  yMax += pad;
  const py = (y: number) => H - M.bottom - ((y - yMin) / (yMax - yMin)) * (H - M.top - M.bottom);
  const slot = (W - M.left - M.right) / Math.max(1, strips.length);
  const parts: string[] = [];
  for (const t of niceTicks(yMin, yMax))
    parts.push(
      `<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${r2(py(t))}" y2="${r2(py(t))}"/>`,
      `<text class="tick" x="${M.left - 6}" y="${r2(py(t) + 4)}" text-anchor="end">${fmt(t)}</text>`,
    );
  parts.push(`<line class="zero" x1="${M.left}" x2="${W - M.right}" y1="${r2(py(0))}" y2="${r2(py(0))}"/>`);
  strips.forEach((s, i) => {
    const cx = M.left + slot * (i + 0.5);
    s.values.forEach((v, j) => {
      const jitter = ((j * 37) % 21) - 10;
      parts.push(
        `<circle class="dot" data-series="${escapeXml(s.name)}" cx="${r2(cx + jitter * 2)}" cy="${r2(py(v))}" r="3" fill="${s.color}" fill-opacity="0.7"><title>${escapeXml(`${s.name}: ${v.toFixed(2)}`)}</title></circle>`,
      );
    });
    parts.push(
      `<line class="mean" x1="${r2(cx - 34)}" x2="${r2(cx + 34)}" y1="${r2(py(s.mean))}" y2="${r2(py(s.mean))}" stroke="${s.color}"/>`,
      `<text class="tick" x="${r2(cx)}" y="${H - M.bottom + 16}" text-anchor="middle">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push(
    `<line class="axis" x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}"/>`,
    `<text class="label" transform="translate(14 ${(H - M.bottom + M.top) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
  );
  return svg(id, title, parts);
}
