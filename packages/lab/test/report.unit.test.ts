import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { htmlReport, type LabReport, runLabCli, terminalSummary } from "../src/index.js";
import { electionNight, run } from "./fixtures.js";

describe("reports", () => {
  let report: LabReport;
  beforeAll(async () => {
    report = await run(electionNight("2024-11-03T00:00:00Z", 2, 0.4));
  });

  it("the HTML is self-contained and draws a series per policy in every chart", () => {
    const html = htmlReport(report, "pmx lab --scenario election-2024");
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    for (const id of ["chart-leverage", "chart-utilization", "chart-insurance", "chart-baddebt"]) {
      const svg = html.slice(
        html.indexOf(`<svg id="${id}"`),
        html.indexOf("</svg>", html.indexOf(`<svg id="${id}"`)),
      );
      for (const p of ["perp20x", "default", "1x"])
        expect(svg).toContain(`class="series" data-series="${p}"`);
    }
    expect(html).toContain('<svg id="chart-price"');
    expect(html).toContain('data-series="price"');
    for (const p of ["perp20x", "default", "1x"]) {
      expect(html).toContain(`<rect class="bar" data-series="${p}"`);
      expect(html).toContain(`<tr data-policy="${p}">`);
    }
  });

  it("the terminal summary has a row per policy and the checks' verdict", () => {
    const text = terminalSummary(report);
    for (const p of ["perp20x", "default", "1x"]) expect(text).toMatch(new RegExp(`^${p}\\s`, "m"));
    expect(text).toContain("held every time");
  });
});

class Sink extends Writable {
  text = "";
  override _write(chunk: Buffer, _: string, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

describe("pmx lab command line", () => {
  const folders: string[] = [];
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });
  const io = () => {
    const stdout = new Sink();
    const stderr = Object.assign(new Sink(), { isTTY: false }) as unknown as NodeJS.WriteStream;
    const cwd = mkdtempSync(join(tmpdir(), "pmx-lab-cli-"));
    folders.push(cwd);
    return { stdout, stderr, cwd };
  };

  it("runs a window of a candidate column, writes JSON and HTML, prints the table (no progress bar off a TTY)", async () => {
    const o = io();
    const code = await runLabCli(
      [
        "--from",
        "2024-11-05T00:00:00Z",
        "--seeds",
        "1",
        "--policies",
        "default,1x",
        "--workers",
        "1",
        "--json",
        "r.json",
        "--html",
        "r.html",
      ],
      o,
    );
    expect(code).toBe(0);
    expect(o.stdout.text).toMatch(/^default\s/m);
    expect((o.stderr as unknown as Sink).text).toBe("");
    const json = JSON.parse(readFileSync(join(o.cwd, "r.json"), "utf8")) as LabReport;
    expect(json.policies.map((p) => p.policy)).toEqual(["default", "1x"]);
    expect(json.path.from).toBe("2024-11-05T00:00Z");
    expect(readFileSync(join(o.cwd, "r.html"), "utf8")).toContain("<svg");
  });

  it("runs a path file of the user's own", async () => {
    const o = io();
    const lines = ["time,price"];
    const start = Date.parse("2025-03-01T00:00:00Z");
    for (let h = 0; h < 30; h++)
      lines.push(`${new Date(start + h * 3_600_000).toISOString()},${(0.4 + 0.01 * Math.sin(h)).toFixed(4)}`);
    lines.push(`${new Date(start + 30 * 3_600_000).toISOString()},0`);
    writeFileSync(join(o.cwd, "mine.csv"), `${lines.join("\n")}\n`);
    const code = await runLabCli(
      ["--path-file", "mine.csv", "--seeds", "1", "--workers", "1", "--json", "-"],
      o,
    );
    expect(code).toBe(0);
    const json = JSON.parse(o.stdout.text) as LabReport;
    expect(json.path.resolution).toBe("NO");
    expect(json.path.points).toBe(30);
    expect(json.checks.violations).toBe(0);
  });

  it("refuses unknown options and bad values with exit code 2", async () => {
    const o = io();
    expect(await runLabCli(["--bogus"], o)).toBe(2);
    expect(await runLabCli(["--seeds", "0"], o)).toBe(2);
    expect(await runLabCli(["--check", "some"], o)).toBe(2);
    expect((o.stderr as unknown as Sink).text).toContain("usage: pmx lab");
  });
});
