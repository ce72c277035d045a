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
