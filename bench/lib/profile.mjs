// CPU profiles of a measured section (node:inspector, same thread) and their top self-time functions.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { ROOT } from "./common.mjs";

const post = (session, method, params) =>
  new Promise((resolve, reject) =>
    session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
  );

/** Starts the V8 sampling profiler; answers a stop() that resolves with the profile. */
export async function startProfile(intervalUs = 200) {
  const session = new Session();
  session.connect();
  await post(session, "Profiler.enable");
  await post(session, "Profiler.setSamplingInterval", { interval: intervalUs });
  await post(session, "Profiler.start");
  return async () => {
    const { profile } = await post(session, "Profiler.stop");
    session.disconnect();
    return profile;
  };
}

const shortFile = (url) => {
  if (!url) return "(native)";
  let f = url.replace(/^file:\/\//, "");
  if (f.startsWith(`${ROOT}/`)) f = f.slice(ROOT.length + 1);
  f = f.replace(/^.*node_modules\//, "node_modules/");
  return f;
};

/** Top self-time functions and files of a .cpuprofile (percent of all samples, idle and GC included). */
export function summarize(profile, top = 15) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map(); // node id -> µs
  const deltas = profile.timeDeltas ?? [];
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = Math.max(0, deltas[i + 1] ?? deltas[i] ?? 0);
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const fns = new Map();
  const files = new Map();
  for (const [id, us] of self) {
    const cf = byId.get(id).callFrame;
    const file = shortFile(cf.url);
    const name = cf.functionName || "(anonymous)";
    const key = `${name} ${file}:${cf.lineNumber + 1}`;
    const e = fns.get(key) ?? { function: name, file, line: cf.lineNumber + 1, us: 0 };
    e.us += us;
    fns.set(key, e);
    const group = file.startsWith("node_modules/")
      ? file
          .split("/")
          .slice(0, file.startsWith("node_modules/@") ? 3 : 2)
          .join("/")
      : file;
    files.set(group, (files.get(group) ?? 0) + us);
  }
  const pct = (us) => +((100 * us) / total).toFixed(1);
  // inclusive (self + callees) time of the project's own functions, counted once per stack
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const own = (cf) => /\/(packages|services)\//.test(cf.url) && !cf.url.includes("node_modules");
  const incl = new Map();
  for (const [id, us] of self) {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur).callFrame;
      if (!own(cf)) continue;
      const key = `${cf.functionName || "(anonymous)"} ${shortFile(cf.url)}:${cf.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      incl.set(key, (incl.get(key) ?? 0) + us);
    }
  }
  return {
    totalMs: Math.round(total / 1000),
    topFunctions: [...fns.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({ function: e.function, file: e.file, line: e.line, selfPct: pct(e.us) })),
    topInclusive: [...incl.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, us]) => {
        const [fn, where] = key.split(" ");
        return { function: fn, where, totalPct: pct(us) };
      }),
    topFiles: [...files.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([file, us]) => ({ file, selfPct: pct(us) })),
  };
}

export function saveProfile(path, profile) {
  writeFileSync(path, JSON.stringify(profile));
}

/** A markdown table of a summary. */
export function summaryTable(summary, rows = 12) {
  const lines = ["| self % | function | file:line (built dist) |", "|---:|---|---|"];
  for (const f of summary.topFunctions.slice(0, rows))
    lines.push(`| ${f.selfPct} | \`${f.function}\` | ${f.file}:${f.line} |`);
  return lines.join("\n");
}

/** Self sizes of a heap snapshot (.heapsnapshot JSON) grouped by constructor (objects) or by kind (strings, arrays…). */
export function heapSummary(snapshot, top = 15) {
  const { meta } = snapshot.snapshot;
  const F = meta.node_fields;
  const types = meta.node_types[0];
  const iType = F.indexOf("type");
  const iName = F.indexOf("name");
  const iSize = F.indexOf("self_size");
  const stride = F.length;
  const nodes = snapshot.nodes;
  const groups = new Map();
  let total = 0;
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + iType]];
    const size = nodes[i + iSize];
    total += size;
    let key;
    if (type === "object") key = snapshot.strings[nodes[i + iName]];
    else if (type === "string" || type === "concatenated string" || type === "sliced string")
      key = "(strings)";
    else if (type === "array") key = `(array) ${snapshot.strings[nodes[i + iName]]}`;
    else key = `(${type})`;
    const g = groups.get(key) ?? { count: 0, bytes: 0 };
    g.count++;
    g.bytes += size;
    groups.set(key, g);
  }
  return {
    totalMiB: +(total / 2 ** 20).toFixed(1),
    top: [...groups.entries()]
      .sort((a, b) => b[1].bytes - a[1].bytes)
      .slice(0, top)
      .map(([name, g]) => ({
        name,
        count: g.count,
        MiB: +(g.bytes / 2 ** 20).toFixed(1),
        pct: +((100 * g.bytes) / total).toFixed(1),
      })),
  };
}
