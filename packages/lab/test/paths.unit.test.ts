import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { labDir } from "../src/files.js";
import {
  checkScenario,
  loadScenario,
  mulberry32,
  pathFromFile,
  polymarketCandidates,
  polymarketPath,
  scenarioNames,
  syntheticPath,
} from "../src/index.js";

const csv = readFileSync(join(labDir("paths"), "polymarket-2024-us-president-hourly.csv"), "utf8");

describe("price paths", () => {
  it("reads election night from the Polymarket CSV (Donald Trump 0.58 → 0.9695 in five hours)", () => {
    const path = polymarketPath(csv, {
      candidate: "Donald Trump",
      from: "2024-11-06T00:00:00Z",
      to: "2024-11-06T05:00:00Z",
      resolution: "YES",
    });
    expect(path.points.map((p) => p.price)).toEqual(["0.58", "0.706", "0.711", "0.828", "0.9245", "0.9695"]);
    expect(path.points[0]!.atMs).toBe(Date.parse("2024-11-06T00:00:00Z"));
    expect(path.resolution).toBe("YES");
    expect(path.resolveAtMs).toBe(Date.parse("2024-11-06T06:00:00Z"));
  });

  it("takes any candidate column and window; auto resolution follows the last price", () => {
    expect(polymarketCandidates(csv)).toContain("Kamala Harris");
    const harris = polymarketPath(csv, {
      candidate: "Kamala Harris",
      from: "2024-11-01T00:00:00Z",
      resolution: "auto",
    });
    expect(harris.resolution).toBe("NO");
    expect(() => polymarketPath(csv, { candidate: "Nobody" })).toThrow(/no candidate/);
  });

  it("reads a path file of the user's own: header, unix seconds or ISO, a final 0 or 1 resolves", () => {
    const path = pathFromFile(
      "time,price\n1730851200,0.5\n2024-11-06T01:00:00Z,0.61\n2024-11-06T02:00:00Z,0.7\n2024-11-06T03:00:00Z,1\n",
    );
    expect(path.points.map((p) => p.price)).toEqual(["0.5", "0.61", "0.7"]);
    expect(path.resolution).toBe("YES");
    expect(path.resolveAtMs).toBe(Date.parse("2024-11-06T03:00:00Z"));
    expect(() => pathFromFile("2024-11-06T00:00:00Z,0.5\n2024-11-05T00:00:00Z,0.6\n")).toThrow(/increase/);
    expect(() => pathFromFile("2024-11-06T00:00:00Z,1.5\n")).toThrow(/outside/);
  });

  it("draws synthetic jump-diffusion paths: deterministic by seed, inside (0, 1), ending in a resolution", () => {
    const spec = {
      start: "2025-01-01T00:00:00Z",
      days: 10,
      stepMinutes: 60,
      startPrice: [0.3, 0.7] as const,
      volatilityPerSqrtDay: 0.2,
      jumpsPerDay: 0.25,
      jumpSize: 0.2,
    };
    const a = syntheticPath(mulberry32(1), spec);
    expect(syntheticPath(mulberry32(1), spec)).toEqual(a);
    expect(syntheticPath(mulberry32(2), spec)).not.toEqual(a);
    expect(a.points).toHaveLength(241);
    for (const p of a.points) expect(Number(p.price) > 0 && Number(p.price) < 1).toBe(true);
    expect(["YES", "NO"]).toContain(a.resolution);
  });
});

describe("scenario files", () => {
  it("ship election-2024 and fair-fee, and a broken file is refused by field", () => {
    expect(scenarioNames()).toEqual(expect.arrayContaining(["election-2024", "fair-fee"]));
    expect(loadScenario("election-2024").path.kind).toBe("polymarket");
    expect(() => checkScenario({ name: "x", seeds: 0 }, "x.json")).toThrow(/x.json: needs .*"seeds"/);
  });
});
