// A clone has nothing beside it: no test, script or doc of the repo may refer outside it (scripts/check-no-outside-refs.mjs).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, tempDir } from "./support/gateway.js";

const CHECK = join(REPO_ROOT, "scripts/check-no-outside-refs.mjs");
const check = (root?: string) =>
  spawnSync(process.execPath, root ? [CHECK, root] : [CHECK], { encoding: "utf8", timeout: 60_000 });

describe("references outside the repo", () => {
  it("given the repo, when the check runs, then no tracked test, script or doc refers outside it", () => {
    const r = check();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/no reference outside the repo/);
  });

  it("given a work tree whose test reads the shared/ tree and whose doc links above the root, when the check runs, then it exits 1 listing exactly those lines", () => {
    const root = tempDir("pmx-outside-");
    execFileSync("git", ["init", "-q"], { cwd: root });
    mkdirSync(join(root, "tests"));
    mkdirSync(join(root, "docs"));
    // The offending text is built here, so this file itself passes the check.
    const up = (n: number) => "../".repeat(n);
    writeFileSync(
      join(root, "tests/a.test.ts"),
      `import "./b.js";\nconst CSV = new URL("${up(2)}shared/data/x.csv", import.meta.url);\n`,
    );
    writeFileSync(
      join(root, "docs/a.md"),
      `[inside](${up(1)}tests/a.test.ts)\n[outside](${up(2)}spec/api.md)\n`,
    );
    const r = check(root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("tests/a.test.ts:2:");
    expect(r.stderr).toContain("docs/a.md:2:");
    expect(r.stderr).not.toContain("tests/a.test.ts:1:");
    expect(r.stderr).not.toContain("docs/a.md:1:");
  });
});
