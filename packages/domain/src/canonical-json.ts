// Canonical JSON: object keys sorted, no whitespace; the byte form hashed by the log's chain and the state hash.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The object's own keys with a defined value, sorted (most objects are built in order already: checked first). */
function sortedKeys(obj: Record<string, unknown>): string[] {
  const keys: string[] = [];
  for (const k in obj) if (Object.hasOwn(obj, k) && obj[k] !== undefined) keys.push(k);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) return keys.sort();
  }
  return keys;
}

/** Serializes plain data with sorted keys; `undefined` fields are omitted; non-finite numbers are refused. */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError("canonicalJson: non-finite number");
      return JSON.stringify(value);
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
      const keys = sortedKeys(obj);
      let out = "{";
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        if (i > 0) out += ",";
        out += JSON.stringify(k);
        out += ":";
        out += canonicalJson(obj[k]);
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
    const keys = sortedKeys(obj);
    put("{");
    for (let i = 0; i < keys.length; i++) {
      if (i > 0) put(",");
      put(JSON.stringify(keys[i]!));
      put(":");
      walk(obj[keys[i]!]);
    }
    put("}");
  };
  walk(value);
  if (buffer.length > 0) write(buffer);
}
