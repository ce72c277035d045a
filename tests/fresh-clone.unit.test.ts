// What a fresh clone meets before any test runs: `npm test` installs nothing on the machine, the lockfile holds no
// package whose engines refuse the Node the project supports, and the `pmx` bin npm links exists without a build.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/gateway.js";

const json = (path: string) => JSON.parse(readFileSync(join(REPO_ROOT, path), "utf8"));
const rootPackage = json("package.json") as {
  engines: { node: string };
  scripts: Record<string, string>;
  workspaces: string[];
};

type Version = [number, number, number];
const cmp = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
const parse = (v: string): Version => {
  const [a = "0", b = "0", c = "0"] = v.replace(/^v/, "").split(/[.-]/);
  const n = (x: string) => (/^\d+$/.test(x) ? Number(x) : 0);
  return [n(a), n(b), n(c)];
};

/**
 * Whether an engines range (`>=22`, `^20.19.0 || >=22.12.0`, `>= 18`, `20.x`, `*`) admits some release of Node
 * `major`: each alternative's bounds are intersected with [major.0.0, major+1.0.0).
 */
export function admitsMajor(range: string, major: number): boolean {
  return range.split("||").some((alternative) => {
    let lo: Version = [major, 0, 0];
    let hi: Version = [major + 1, 0, 0]; // exclusive
    const parts = alternative
      .trim()
      .replace(/(>=|<=|>|<|=|\^|~)\s+/g, "$1")
      .split(/\s+/)
      .filter(Boolean);
    for (const part of parts) {
      const m = /^(>=|<=|>|<|=|\^|~)?v?(.*)$/.exec(part)!;
      const op = m[1] ?? "";
      const text = m[2]!;
      if (text === "*" || text === "x" || text === "") continue;
      const v = parse(text);
      const wild = /\.x|\.\*/.test(text) || text.split(".").length < 3;
      const up = (w: Version): Version =>
        text.split(".").length === 1 || /^\d+\.(x|\*)/.test(text) ? [w[0] + 1, 0, 0] : [w[0], w[1] + 1, 0];
      const raise = (x: Version) => {
        if (cmp(x, lo) > 0) lo = x;
      };
      const lower = (x: Version) => {
        if (cmp(x, hi) < 0) hi = x;
      };
      if (op === ">=") raise(v);
      else if (op === ">") raise([v[0], v[1], v[2] + 1]);
      else if (op === "<") lower(v);
      else if (op === "<=") lower([v[0], v[1], v[2] + 1]);
      else if (op === "^") {
        raise(v);
        lower(v[0] > 0 ? [v[0] + 1, 0, 0] : [0, v[1] + 1, 0]);
      } else if (op === "~") {
        raise(v);
        lower([v[0], v[1] + 1, 0]);
      } else {
        raise(v);
        lower(wild ? up(v) : [v[0], v[1], v[2] + 1]);
      }
    }
    return cmp(lo, hi) < 0;
  });
}

describe("a fresh clone", () => {
  it("given the engines reader, then it reads the ranges npm packages declare", () => {
    expect(admitsMajor(">=22", 20)).toBe(false);
    expect(admitsMajor(">=18", 20)).toBe(true);
    expect(admitsMajor(">= 18", 20)).toBe(true);
    expect(admitsMajor("^20.19.0 || >=22.12.0", 20)).toBe(true);
    expect(admitsMajor("^18.18.0 || ^20.9.0 || >=21.1.0", 20)).toBe(true);
    expect(admitsMajor("^22.12.0 || >=24", 20)).toBe(false);
    expect(admitsMajor("20.x", 20)).toBe(true);
    expect(admitsMajor("<20", 20)).toBe(false);
    expect(admitsMajor("*", 20)).toBe(true);
  });

  it("given the lockfile, then every package's engines admit the Node the project says it supports (no EBADENGINE)", () => {
    const major = parse(rootPackage.engines.node.replace(/^>=\s*/, ""))[0];
    const lock = json("package-lock.json") as {
      packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
    };
    const refused = Object.entries(lock.packages)
      .filter(([, p]) => p.engines && !Array.isArray(p.engines) && typeof p.engines.node === "string")
      .filter(([, p]) => !admitsMajor((p.engines as { node: string }).node, major))
      .map(([path, p]) => `${path}@${p.version}: node ${(p.engines as { node: string }).node}`);
    expect(refused, `the project says node ${rootPackage.engines.node}`).toEqual([]);
  });

  it("given `npm test`, then it installs no system package (no apt-get, no ensure script): browser tests use an installed Chromium or skip", () => {
    const test = rootPackage.scripts.test!;
    expect(test).not.toMatch(/apt-get|ensure-chromium|sudo|install/);
    // and nothing it runs by name does either
    for (const name of test.match(/npm run (\w+)/g) ?? [])
      expect(rootPackage.scripts[name.replace("npm run ", "")]).not.toMatch(/apt-get|ensure-chromium|sudo/);
  });

  it("given a clone after `npm ci`, then the `pmx` bin npm links (npx pmx from the root) is a tracked file, not a build output", () => {
    const gateway = json("services/gateway/package.json") as { bin: Record<string, string> };
    const bin = gateway.bin.pmx!;
    expect(bin).not.toMatch(/dist\//);
    expect(existsSync(join(REPO_ROOT, "services/gateway", bin))).toBe(true);
  });
});
