// Canonical JSON: object keys sorted, no whitespace; the byte form hashed by the log's chain and the state hash.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** An object's keys in canonical order, each with its serialized prefix (`"key":`). */
interface KeyPlan {
  /** The keys as Object.keys gave them (creation order): what a later object must match to reuse the plan. */
  readonly original: readonly string[];
  readonly keys: readonly string[];
  readonly prefixes: readonly string[];
}

/**
 * Plans by the object's own key list: events, commands and metadata come in a few dozen shapes, so their keys
 * are sorted and quoted once, not for every object. Looked up by first key, then compared key by key (no
 * signature string is built). A memo of a pure function, bounded: objects with many keys (maps of ids) are
 * planned afresh each time and never kept.
 */
const PLANS = new Map<string, KeyPlan[]>();
const MAX_PLANS = 4096;
const MAX_PLANNED_KEYS = 32;
/** Shapes kept per first key: objects keyed by ids (maps) vary endlessly and must not make lookups long. */
const MAX_PLANS_PER_FIRST_KEY = 8;
let planCount = 0;

const sameKeys = (a: readonly string[], b: readonly string[]): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

function planOf(keys: string[]): KeyPlan {
  const cacheable = keys.length > 0 && keys.length <= MAX_PLANNED_KEYS;
  const candidates = cacheable ? PLANS.get(keys[0]!) : undefined;
  if (candidates) for (const plan of candidates) if (sameKeys(plan.original, keys)) return plan;
  const sorted = keys.slice().sort();
  const plan: KeyPlan = {
    original: keys,
    keys: sorted,
    prefixes: sorted.map((k) => `${JSON.stringify(k)}:`),
  };
  if (cacheable && planCount < MAX_PLANS && (candidates?.length ?? 0) < MAX_PLANS_PER_FIRST_KEY) {
    planCount += 1;
    if (candidates) candidates.push(plan);
    else PLANS.set(keys[0]!, [plan]);
  }
  return plan;
}

/** A JSON string literal: JSON.stringify's, which only differs from quoting for quotes, backslashes, controls, surrogates. */
function quoted(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return `"${s}"`;
}

/** Serializes plain data with sorted keys; `undefined` fields are omitted; non-finite numbers are refused. */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return quoted(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError("canonicalJson: non-finite number");
      // A finite number's JSON text is its String form (-0 included: both "0").
      return String(value);
    case "object": {
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ",";
          const v = value[i];
          out += v === undefined ? "null" : canonicalJson(v);
        }
        return `${out}]`;
      }
      const obj = value as Record<string, unknown>;
      const { keys, prefixes } = planOf(Object.keys(obj));
      let out = "{";
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const v = obj[keys[i]!];
        if (v === undefined) continue;
        if (first) first = false;
        else out += ",";
        out += prefixes[i]!;
        out += canonicalJson(v);
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot serialize ${typeof value}`);
  }
}

/**
 * Feeds the canonical JSON of `value` to `write` in pieces of about `chunk` characters, without ever building the
 * whole text (a large state's text is longer than a JavaScript string may be).
 */
export function writeCanonicalJson(value: unknown, write: (piece: string) => void, chunk = 1 << 16): void {
  let buffer = "";
  const put = (s: string) => {
    buffer += s;
    if (buffer.length >= chunk) {
      write(buffer);
      buffer = "";
    }
  };
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== "object") {
      put(canonicalJson(v));
      return;
    }
    if (Array.isArray(v)) {
      put("[");
      for (let i = 0; i < v.length; i++) {
        if (i > 0) put(",");
        const item = v[i];
        if (item === undefined) put("null");
        else walk(item);
      }
      put("]");
      return;
    }
    const obj = v as Record<string, unknown>;
    const { keys, prefixes } = planOf(Object.keys(obj));
    put("{");
    let first = true;
    for (let i = 0; i < keys.length; i++) {
      const item = obj[keys[i]!];
      if (item === undefined) continue;
      if (first) first = false;
      else put(",");
      put(prefixes[i]!);
      walk(item);
    }
    put("}");
  };
  walk(value);
  if (buffer.length > 0) write(buffer);
}
