// Walks every error code the gateway's source can answer and checks each has a status in the documented tables.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { GATEWAY_ERRORS, REJECTION_STATUS, STREAM_ERRORS } from "../src/http/errors.js";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** Every code string the source hands to an error constructor, with the status it gives it when it gives one. */
function codesInSource(): { code: string; status: number | null; file: string }[] {
  const found: { code: string; status: number | null; file: string }[] = [];
  const patterns: [RegExp, (m: RegExpExecArray) => number | null][] = [
    [/gatewayError\(\s*"([A-Z][A-Z_]+)"/g, () => null],
    [/new ApiError\(\s*(\d{3}),\s*"([A-Z][A-Z_]+)"/g, (m) => Number(m[1])],
    [/SequencerUnavailable\(\s*"([A-Z][A-Z_]+)"/g, () => null],
    [/sendError\(\s*\w+,\s*"([A-Z][A-Z_]+)"/g, () => null],
    [/\bcode: "([A-Z][A-Z_]+)"/g, () => null],
  ];
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, "utf8");
    for (const [pattern, status] of patterns)
      for (const m of text.matchAll(pattern)) {
        const code = m.length > 2 ? m[2]! : m[1]!;
        found.push({ code, status: status(m as RegExpExecArray), file: file.slice(SRC.length) });
      }
  }
  return found;
}

const statusOf = (code: string): number | undefined =>
  (GATEWAY_ERRORS as Record<string, { status: number }>)[code]?.status ??
  (REJECTION_STATUS as Record<string, number>)[code];

describe("the error table", () => {
  const codes = codesInSource();

  it("given the gateway's source, then the walk finds the codes it is known to answer", () => {
    const names = new Set(codes.map((c) => c.code));
    for (const known of [
      "UNAUTHENTICATED",
      "BAD_SIGNATURE",
      "RATE_LIMITED",
      "UNEXPECTED_QUERY",
      "NOT_LEADER",
    ])
      expect(names, known).toContain(known);
    expect(names.size).toBeGreaterThan(20);
  });

  it("given every code the source can answer, then each is in the table with a status (and the same status where the source names one)", () => {
    const missing = codes
      .filter(
        (c) => statusOf(c.code) === undefined && !(c.file.endsWith("stream.ts") && c.code in STREAM_ERRORS),
      )
      .map((c) => `${c.code} (${c.file})`);
    expect(missing).toEqual([]);
    const mismatched = codes
      .filter((c) => c.status !== null && c.status !== statusOf(c.code))
      .map((c) => `${c.code}: ${c.status} in ${c.file}, ${statusOf(c.code)} in the table`);
    expect(mismatched).toEqual([]);
  });
});
