// The jump-risk lab end to end: `pmx lab` (the built command line, as a child process) writes its HTML report, which
// headless Debian Chromium opens through playwright-core: the charts must render with a series per policy, the page
// must fetch nothing, and a screenshot is saved. It uses an installed Chromium; `npm test` installs nothing, so without
// one the suite is skipped saying how to get one. `.ci/run` installs Chromium and sets PMX_REQUIRE_BROWSER=1: there a
// missing browser fails the suite instead of skipping it.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROWSER_REQUIRED, CHROMIUM, CHROMIUM_ARGS, NO_CHROMIUM } from "./support/chromium.js";

const ROOT = join(import.meta.dirname, "..");
const CLI = join(ROOT, "services/gateway/dist/cli.js");
const POLICIES = ["perp20x", "default", "1x"];

// What the page's SVG elements are asked for (the tests' tsconfig has no DOM library).
type Sized = {
  id: string;
  childElementCount: number;
  getBoundingClientRect(): { width: number; height: number };
};
type Drawn = { getAttribute(name: string): string | null; getTotalLength(): number };

describe.skipIf(CHROMIUM === null && !BROWSER_REQUIRED)(
  CHROMIUM === null
    ? `pmx lab HTML report in headless Chromium — SKIPPED: ${NO_CHROMIUM}`
    : "pmx lab HTML report in headless Chromium",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "pmx-lab-e2e-"));
    const html = join(dir, "lab.html");
    const json = join(dir, "lab.json");
    let context: BrowserContext | undefined;
    let stdout = "";
    // A missing browser or build fails every test with this message (a hook's error would only skip them).
    let missing: string | null = null;
    const ready = () => {
      if (missing !== null) throw new Error(missing);
    };

    beforeAll(async () => {
      if (CHROMIUM === null) {
        missing = `PMX_REQUIRE_BROWSER=1 (CI) and ${NO_CHROMIUM}`;
        return;
      }
      if (!existsSync(CLI)) {
        missing = `${CLI} is missing: build first (npx turbo run build)`;
        return;
      }
      const run = await promisify(execFile)(
        process.execPath,
        [
          CLI,
          "lab",
          "--scenario",
          "election-2024",
          "--from",
          "2024-11-02T00:00:00Z",
          "--seeds",
          "2",
          "--policies",
          POLICIES.join(","),
          "--html",
          html,
          "--json",
          json,
        ],
        { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
      );
      stdout = run.stdout;
      context = await chromium.launchPersistentContext(join(dir, "profile"), {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
        viewport: { width: 1520, height: 1400 },
      });
    });

    afterAll(async () => {
      await context?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("the command printed the comparison and wrote both reports", () => {
      ready();
      for (const p of POLICIES) expect(stdout).toMatch(new RegExp(`^${p}\\s`, "m"));
      expect(stdout).toContain("held every time");
      const report = JSON.parse(readFileSync(json, "utf8")) as { policies: { policy: string }[] };
      expect(report.policies.map((p) => p.policy)).toEqual(POLICIES);
    });

    it("renders every chart as a non-empty SVG with the expected series, fetches nothing, and screenshots", async () => {
      ready();
      const page = await context!.newPage();
      const requests: string[] = [];
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(html).href);
      await page.waitForSelector("svg.chart");

      const charts = await page.locator("svg.chart").evaluateAll((svgs) =>
        svgs.map((svg) => {
          const s = svg as unknown as Sized;
          const box = s.getBoundingClientRect();
          return { id: s.id, width: box.width, height: box.height, children: s.childElementCount };
        }),
      );
      expect(charts.length).toBeGreaterThanOrEqual(10);
      for (const c of charts) {
        expect(c.width, c.id).toBeGreaterThan(100);
        expect(c.height, c.id).toBeGreaterThan(100);
        expect(c.children, c.id).toBeGreaterThan(5);
      }

      // A drawn line per policy in each time-series chart (its rendered path has a length).
      for (const id of ["chart-leverage", "chart-utilization", "chart-insurance", "chart-baddebt"]) {
        const series = await page.locator(`#${id} path.series`).evaluateAll((paths) =>
          paths.map((p) => ({
            name: p.getAttribute("data-series"),
            length: (p as unknown as Drawn).getTotalLength(),
          })),
        );
        expect(series.map((s) => s.name)).toEqual(POLICIES);
        for (const s of series) expect(s.length, `${id} ${s.name}`).toBeGreaterThan(0);
      }
      const price = await page.locator("#chart-price path.series").evaluateAll((paths) =>
        paths.map((p) => ({
          name: p.getAttribute("data-series"),
          length: (p as unknown as Drawn).getTotalLength(),
        })),
      );
      expect(price).toEqual([{ name: "price", length: expect.any(Number) }]);
      expect(price[0]!.length).toBeGreaterThan(100);
      // perp20x liquidates on this path, so the price chart carries its markers.
      expect(await page.locator('#chart-price circle.marker[data-series="perp20x"]').count()).toBeGreaterThan(
        0,
      );
      for (const p of POLICIES) {
        expect(await page.locator(`#chart-baddebt-policies rect.bar[data-series="${p}"]`).count()).toBe(1);
        expect(await page.locator(`#chart-lp circle.dot[data-series="${p}"]`).count()).toBe(2);
        expect(await page.locator(`#summary tr[data-policy="${p}"]`).count()).toBe(1);
      }

      expect(requests.filter((u) => !u.startsWith("file://"))).toEqual([]);

      const shot = join(dir, "lab.png");
      await page.screenshot({ path: shot, fullPage: true });
      const png = readFileSync(shot);
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      expect(statSync(shot).size).toBeGreaterThan(50_000);
      expect(png.readUInt32BE(16)).toBe(1520);
    });
  },
);
