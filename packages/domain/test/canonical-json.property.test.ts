// The streamed canonical JSON is the canonical JSON, piece by piece (state hashes of huge states rely on it).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, writeCanonicalJson } from "../src/canonical-json.js";

describe("writeCanonicalJson", () => {
  it("given any JSON value, when streamed in small pieces, then the pieces join to canonicalJson of it", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 1, max: 64 }), (value, chunk) => {
        const pieces: string[] = [];
        writeCanonicalJson(value, (p) => pieces.push(p), chunk);
        expect(pieces.join("")).toBe(canonicalJson(value));
        expect(pieces.every((p) => p.length > 0)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("given keys out of order, when streamed, then they come out sorted, as canonicalJson sorts them", () => {
    const pieces: string[] = [];
    writeCanonicalJson({ b: 1, a: [{ d: "x", c: null }] }, (p) => pieces.push(p));
    expect(pieces.join("")).toBe('{"a":[{"c":null,"d":"x"}],"b":1}');
  });
});

/** The definition, written the slow obvious way: sorted keys, JSON.stringify for every leaf. */
function reference(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? "null" : reference(v))).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(obj[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

describe("canonicalJson", () => {
  const anyString = fc.oneof(
    fc.string(),
    fc.string({ unit: "grapheme" }),
    fc.string({ unit: "binary" }), // lone surrogates included
    fc.constantFrom('"', "\\", "\u0000", "\u001f", "\u007f", "\u2028", "\ud800", "a\udc00b"),
  );
  const leaf = fc.oneof(
    anyString,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: "small" }, leaf, tie("array"), tie("object")),
    array: fc.array(tie("node"), { maxLength: 4 }),
    object: fc.dictionary(
      fc.oneof(anyString, fc.constantFrom("type", "a", "b", "10", "2")),
      fc.option(tie("node"), { nil: undefined }),
      {
        maxKeys: 6,
      },
    ),
  })).node;

  it("given any data (any strings, numbers, key orders, undefined fields), then it equals the sorted-keys definition", () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
      { numRuns: 1000 },
    );
  });

  it("given objects of one shape built in different key orders, or sharing a first key, then each is serialized by its own keys", () => {
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
    expect(canonicalJson({ a: 2, b: 1 })).toBe('{"a":2,"b":1}');
    expect(canonicalJson({ b: 1, c: 3 })).toBe('{"b":1,"c":3}');
    expect(canonicalJson({ b: 1, a: undefined })).toBe('{"b":1}');
    expect(canonicalJson({ b: 1, a: 2, c: 3 })).toBe('{"a":2,"b":1,"c":3}');
    expect(canonicalJson({})).toBe("{}");
    expect(canonicalJson({ x: -0, y: 1e21, z: 0.1 })).toBe('{"x":0,"y":1e+21,"z":0.1}');
  });
});
