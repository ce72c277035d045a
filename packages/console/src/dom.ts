// A tiny DOM helper (no view library): elements from tag, attributes and children; text only, never HTML strings.

export type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, string | number | boolean | EventListener | null | undefined>;

/** `h("button", {class: "x", onclick: f}, "Go")`: attributes as attributes, `on*` as listeners, children as text. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v as EventListener);
    else if (k === "style") throw new Error("inline styles are refused by the Content-Security-Policy");
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else
      el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces the element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A table with a caption, its header and rows (cells are children); scrolls sideways on a narrow screen. */
export function table(caption: string, head: string[], rows: Child[][], attrs: Attrs = {}): HTMLElement {
  return h(
    "div",
    { class: "table-wrap", tabindex: 0, role: "region", "aria-label": caption },
    h(
      "table",
      attrs,
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, ...head.map((c) => h("th", { scope: "col" }, c)))),
      h(
        "tbody",
        {},
        rows.length === 0
          ? h("tr", {}, h("td", { colspan: head.length, class: "empty" }, "none"))
          : rows.map((r) => h("tr", {}, ...r.map((c) => h("td", {}, c)))),
      ),
    ),
  );
}

/** A labelled figure: `dl` of name → value. */
export function facts(pairs: [string, Child][], attrs: Attrs = {}): HTMLElement {
  return h(
    "dl",
    { class: "facts", ...attrs },
    ...pairs.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
  );
}

export function section(title: string, ...children: Child[]): HTMLElement {
  return h("section", { class: "panel" }, h("h2", {}, title), ...children);
}

/** A decimal string shown as is (the API's exact figure), or a dash. */
export const dec = (v: string | null | undefined): string => (v === null || v === undefined ? "—" : v);

/** A fraction ("0.25") as a percentage for display ("25%"); the exact figure stays in the title. */
export function percent(v: string | null | undefined): HTMLElement {
  if (v === null || v === undefined) return h("span", {}, "—");
  const p = Number(v) * 100;
  return h("span", { title: v }, `${p.toFixed(p < 10 ? 2 : 1)}%`);
}

/** "3m 05s" / "expired" for a deadline, against the gateway's time now. */
export function countdown(deadlineIso: string, nowMs: number): string {
  const left = Date.parse(deadlineIso) - nowMs;
  if (left <= 0) return "due now";
  const s = Math.floor(left / 1000);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return hh > 0 ? `${hh}h ${String(mm).padStart(2, "0")}m` : `${mm}m ${ss}s`;
}

export const badge = (text: string, kind = text): HTMLElement =>
  h("span", { class: `badge b-${kind}` }, text);
