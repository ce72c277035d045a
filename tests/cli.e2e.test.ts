// The `pmx` command line parses strictly (node:util parseArgs): an unknown option, a missing value or a stray
// argument exits 2 with the message and the command's usage instead of running; --name=VALUE works; --help per command.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { openSqliteStore } from "@pmx/eventstore";
import { beforeAll, describe, expect, it } from "vitest";
import { type CliResult, REPO_ROOT, runPmx, tempDir } from "./support/gateway.js";

/** The launcher npm links as `pmx` (node_modules/.bin/pmx, what `npx pmx` runs), in a new process. */
function runLauncher(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "services/gateway/bin/pmx.js"), ...args], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("pmx command line", () => {
  let store: string;
  beforeAll(async () => {
    const path = join(tempDir("pmx-cli-"), "pmx.db");
    const s = openSqliteStore(path); // an empty log: replay and audit pass on it
    await s.close();
    store = `sqlite:${path}`;
  });

  it("given `replay --verfy` (a typo), then it exits 2 naming the option and printing replay's usage, without replaying", async () => {
    const r = await runPmx(["replay", "--verfy", "--store", store]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain("Unknown option '--verfy'");
    expect(r.stderr).toContain("usage: pmx replay");
    expect(r.stdout).not.toContain("events");
  });

  it("given an unknown option to audit, serve or lab, then each exits 2 with its own usage", async () => {
    const [audit, serve, lab] = await Promise.all([
      runPmx(["audit", "--store", store, "--fast"]),
      runPmx(["serve", "--folow"], { env: { PMX_STORE: "memory:", PMX_PORT: "0" } }),
      runPmx(["lab", "--seedz", "2"]),
    ]);
    expect(audit.code, audit.stderr).toBe(2);
    expect(audit.stderr).toMatch(/Unknown option '--fast'[\s\S]*usage: pmx audit/);
    expect(serve.code, serve.stdout + serve.stderr).toBe(2);
    expect(serve.stderr).toMatch(/Unknown option '--folow'[\s\S]*usage: pmx serve/);
    expect(lab.code, lab.stderr).toBe(2);
    expect(lab.stderr).toMatch(/Unknown option '--seedz'[\s\S]*usage: pmx lab/);
  });

  it("given a stray argument or an option without its value, then it exits 2", async () => {
    const [stray, bare] = await Promise.all([
      runPmx(["replay", "--store", store, "verify"]),
      runPmx(["replay", "--verify", "--store"]),
    ]);
    expect(stray.code, stray.stderr).toBe(2);
    expect(stray.stderr).toContain("usage: pmx replay");
    expect(bare.code, bare.stderr).toBe(2);
    expect(bare.stderr).toContain("--store");
  });

  it("given --store=URL or --store URL, then replay --verify and audit accept both and answer the same", async () => {
    const [eq, spaced, audit] = await Promise.all([
      runPmx(["replay", `--store=${store}`, "--verify", "--json"]),
      runPmx(["replay", "--store", store, "--verify", "--json"]),
      runPmx(["audit", `--store=${store}`, "--json"]),
    ]);
    expect(eq.code, eq.stderr).toBe(0);
    expect(spaced.code, spaced.stderr).toBe(0);
    const a = JSON.parse(eq.stdout) as { ok: boolean; events: number; head: string };
    const b = JSON.parse(spaced.stdout) as { ok: boolean; events: number; head: string };
    expect(a).toMatchObject({ ok: true, events: 0, head: b.head });
    expect(audit.code, audit.stderr).toBe(0);
  });

  it("given --help (or -h) after each command, then it prints that command's usage and exits 0", async () => {
    const runs = await Promise.all(
      ["serve", "replay", "audit", "lab"].map((c) => runPmx([c, c === "audit" ? "-h" : "--help"])),
    );
    for (const [i, c] of ["serve", "replay", "audit", "lab"].entries()) {
      expect(runs[i]!.code, runs[i]!.stderr).toBe(0);
      expect(runs[i]!.stdout).toContain(`usage: pmx ${c}`);
    }
  });

  it("given the launcher npm links as `pmx` (npx pmx), then it runs the built command line with the same strictness", async () => {
    const [help, typo] = await Promise.all([
      runLauncher(["replay", "--help"]),
      runLauncher(["replay", "--verfy"]),
    ]);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain("usage: pmx replay");
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("Unknown option '--verfy'");
  });
});
