// The operator console in headless Debian Chromium (playwright-core) against the real gateway (SQLite, manual clock):
// a wrong token is refused; the operator logs in (token in sessionStorage only); a market listed through the API
// appears; a trade arrives live on the stream; a leveraged position goes into a margin call on a mark move and, after
// its grace window, the default's waterfall shows; a market is resolved through the page after its confirmation
// (a cancelled confirmation sends nothing); the page works at 1280×800 and 390 px wide, under its strict CSP, asking
// only this origin. Screenshots of the overview and a market page are written to docs/. Skipped without a Chromium,
// except under PMX_REQUIRE_BROWSER=1 (.ci/run), where that fails.
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROWSER_REQUIRED, CHROMIUM, CHROMIUM_ARGS, NO_CHROMIUM } from "./support/chromium.js";
import { Client, type Credential } from "./support/client.js";
import { buyer, leveragedMarket, ok, openFunded, TRADERS } from "./support/default-scenario.js";
import { type Gateway, REPO_ROOT, startGateway, stopAllGateways, T0 } from "./support/gateway.js";

const GRACE = 10 * 60_000;
const WAIT = { timeout: 15_000 };

describe.skipIf(CHROMIUM === null && !BROWSER_REQUIRED)(
  CHROMIUM === null
    ? `operator console in headless Chromium — SKIPPED: ${NO_CHROMIUM}`
    : "operator console in headless Chromium",
  () => {
    let gw: Gateway;
    let api: Client;
    let browser: Browser | undefined;
    let page: Page;
    let who: Record<string, Credential> = {};
    /** Console messages and page errors (a CSP violation is reported there). */
    const problems: string[] = [];
    const requested: string[] = [];
    let missing: string | null = null;
    const ready = () => {
      if (missing !== null) throw new Error(missing);
    };
    let buy: ReturnType<typeof buyer>;

    beforeAll(async () => {
      if (CHROMIUM === null) {
        missing = `PMX_REQUIRE_BROWSER=1 (CI) and ${NO_CHROMIUM}`;
        return;
      }
      gw = await startGateway();
      api = new Client(gw.url, gw.token);
      await api.setClock(T0);
      who = await openFunded(api, TRADERS);
      buy = buyer(api, who, "m1");
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      page = await context.newPage();
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      page.on("request", (r) => requested.push(`${r.method()} ${r.url()}`));
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await gw?.stop();
      await stopAllGateways();
    });

    it("serves the page with a strict Content-Security-Policy and refuses a wrong token", async () => {
      ready();
      const res = await fetch(`${gw.url}/console`);
      expect(res.status, "GET /console (is packages/console built? npm run build)").toBe(200);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      expect(await res.text()).not.toMatch(/<script>|<style|style=/);

      await page.goto(`${gw.url}/console`);
      await page.locator("#token").fill("not-the-token");
      await page.keyboard.press("Enter");
      await expect.poll(() => page.locator("#login-error").textContent(), WAIT).toContain("Refused");
      expect(await page.evaluate("sessionStorage.getItem('pmx.operatorToken')")).toBeNull();
      expect(await page.locator("#markets").count()).toBe(0);
    });

    it("logs in with the operator token (kept in sessionStorage only) and shows a market listed through the API", async () => {
      ready();
      await page.locator("#token").fill(gw.token);
      await page.keyboard.press("Enter");
      await page.locator("#markets-table").waitFor(WAIT);
      expect(await page.evaluate("sessionStorage.getItem('pmx.operatorToken')")).toBe(gw.token);
      expect(await page.evaluate("localStorage.length")).toBe(0);
      expect(await page.evaluate("document.cookie")).toBe("");
      await expect.poll(() => page.locator("#log-position").textContent(), WAIT).toContain("events");

      ok(await api.op("POST", "/v1/markets", leveragedMarket("m1")), 201);
      const row = page.locator("#markets-table tr", { has: page.locator('a[href="#/market/m1"]') });
      await row.waitFor(WAIT);
      // No leverage yet: the pool is empty (maxLeverage 1x until lenders supply it).
      expect(await row.textContent()).toContain("continuous");
      expect(await row.textContent()).toContain("1x");
    });

    it("shows a trade arriving live on the stream", async () => {
      ready();
      await expect.poll(() => page.locator("#stream-status").textContent(), WAIT).toBe("stream: live");
      // The overview subscribed to m1's trades when its row appeared; let the subscription reach the gateway.
      await page.waitForTimeout(500);
      ok(await api.as(who.lp!, "POST", "/v1/markets/m1/pool/supply", { amount: "1000", reference: "s-1" }));
      ok(await api.op("POST", "/v1/markets/m1/mark", { price: "0.5" }));
      ok(await buy("mm", "NO", "0.5", 150), 201);
      ok(await buy("alice", "YES", "0.5", 100, "5"), 201);
      const live = page.locator('#live-trades li[data-market="m1"]');
      await live.first().waitFor(WAIT);
      expect(await live.first().textContent()).toContain("100 @ 0.5");
      ok(await buy("bob", "YES", "0.5", 50, "2"), 201);
      ok(await buy("mm2", "YES", "0.32", 100), 201);
      ok(await api.op("POST", "/v1/insurance/market:m1/deposits", { amount: "2", reference: "seed-m1" }));
      ok(await api.op("POST", "/v1/insurance/shared/deposits", { amount: "1", reference: "seed-shared" }));
      await expect.poll(() => live.count(), WAIT).toBeGreaterThanOrEqual(2);
      await expect.poll(() => page.locator("#insurance").textContent(), WAIT).toContain("shared1market:m12");
      await page.screenshot({ path: join(REPO_ROOT, "docs/console-overview.png") });
    });

    it("follows a leveraged position into a margin call on a mark move, and shows the waterfall after its default", async () => {
      ready();
      await page.goto(`${gw.url}/console#/market/m1`);
      const positions = page.locator("#positions-table");
      await expect.poll(() => positions.textContent(), WAIT).toContain("alice");
      await page.locator("#depth-chart canvas").first().waitFor(WAIT);
      await page.locator("#price-chart canvas").first().waitFor(WAIT);

      ok(await api.op("POST", "/v1/markets/m1/mark", { price: "0.42" }));
      const calls = page.locator("#margin-calls-table tbody tr", { hasText: "alice" });
      await calls.waitFor(WAIT);
      expect(await calls.textContent()).toContain(new Date(T0 + GRACE).toISOString());
      // The countdown runs on the gateway's (manual) clock: 10 minutes of grace, none of it spent yet.
      expect(await calls.locator(".countdown").textContent()).toMatch(/^(10m 00s|9m \d\ds)$/);

      await api.setClock(T0 + GRACE);
      const debt = page.locator("#waterfall .bad-debt");
      await debt.first().waitFor(WAIT);
      const text = (await debt.first().textContent()) ?? "";
      expect(text).toContain("alice YES: bad debt");
      for (const tier of ["market insurance", "shared insurance", "pool haircut"])
        expect(text).toContain(tier);
      const fromApi = ok(await api.op("GET", "/v1/risk/bad-debts?marketId=m1")).body.badDebts[0];
      expect(text).toContain(`bad debt ${fromApi.amount}`);
      expect(await debt.locator(".tier").count()).toBeGreaterThanOrEqual(3);
      await expect.poll(() => page.locator("#margin-calls-table").textContent(), WAIT).not.toContain("alice");
      await page.locator("#share-chart canvas").first().waitFor(WAIT);
      // A book to draw: 1x bids and asks resting after the default (the liquidation took the bids there were).
      const rest = (name: string, outcome: string, price: string, quantity: number) =>
        api.as(who[name]!, "POST", "/v1/orders", {
          clientOrderId: `book-${name}-${outcome}-${price}`,
          marketId: "m1",
          side: "buy",
          outcome,
          price,
          quantity: String(quantity),
        });
      for (const [name, outcome, price, quantity] of [
        ["mm", "YES", "0.4", 60],
        ["mm", "YES", "0.38", 90],
        ["mm2", "NO", "0.55", 50],
        ["mm2", "NO", "0.52", 120],
      ] as const)
        ok(await rest(name, outcome, price, quantity), 201);
      await expect.poll(() => page.locator("#market-head").textContent(), WAIT).toContain("0.4 / 0.45");
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(REPO_ROOT, "docs/console-market.png"), fullPage: true });
    });

    it("resolves a market through the page only after its confirmation, by keyboard", async () => {
      ready();
      await page.goto(`${gw.url}/console#/actions/m1`);
      const form = page.locator("#action-resolve");
      await form.waitFor(WAIT);
      await page.locator("#resolve-outcome").selectOption("YES");
      // First refused: Escape closes the confirmation and nothing is sent.
      await form.locator("button[type=submit]").click();
      await page.locator("#confirm").waitFor(WAIT);
      expect(await page.locator("#confirm-text").textContent()).toContain("Resolve m1 as YES now");
      await page.keyboard.press("Escape");
      await expect
        .poll(() => page.locator("#resolve-result").textContent(), WAIT)
        .toContain("nothing was sent");
      expect(ok(await api.op("GET", "/v1/markets/m1")).body.status).not.toBe("resolved");

      // Then confirmed by keyboard: focus starts on Cancel; Tab reaches Confirm.
      await form.locator("button[type=submit]").focus();
      await page.keyboard.press("Enter");
      await page.locator("#confirm").waitFor(WAIT);
      await page.keyboard.press("Tab");
      expect(await page.evaluate("document.activeElement.id")).toBe("confirm-ok");
      await page.keyboard.press("Enter");
      await expect.poll(() => page.locator("#resolve-result").textContent(), WAIT).toContain("Done");
      const market = ok(await api.op("GET", "/v1/markets/m1")).body;
      expect(market).toMatchObject({ status: "resolved", outcome: "YES" });
    });

    it("fits a phone's width, broke no CSP rule and asked nothing of another origin", async () => {
      ready();
      await page.setViewportSize({ width: 390, height: 844 });
      for (const route of ["#/overview", "#/market/m1", "#/accounts/alice", "#/actions"]) {
        await page.goto(`${gw.url}/console${route}`);
        await page.locator("main h1").waitFor(WAIT);
        await page.waitForTimeout(300);
        const width = (await page.evaluate("document.documentElement.scrollWidth")) as number;
        expect(width, route).toBeLessThanOrEqual(390);
      }
      // Alice's account after her default and the resolution: her deposit and the liquidation in her activity.
      await page.goto(`${gw.url}/console#/accounts/alice`);
      await expect.poll(() => page.locator("#account").textContent(), WAIT).toContain("Account alice");
      expect(await page.locator("#account-activity tbody tr").count()).toBeGreaterThanOrEqual(2);
      expect(problems.filter((p) => /Content Security Policy|pageerror/.test(p))).toEqual([]);
      const origin = new URL(gw.url).origin;
      const urls = requested.map((r) => r.slice(r.indexOf(" ") + 1));
      expect(urls.filter((u) => !u.startsWith(origin) && !u.startsWith("data:"))).toEqual([]);
    });

    it("used only routes of the OpenAPI document", async () => {
      ready();
      const doc = ok(await api.send({ method: "GET", path: "/v1/openapi.json", headers: {} })).body as {
        paths: Record<string, Record<string, unknown>>;
      };
      const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => ({
          method: method.toUpperCase(),
          pattern: new RegExp(`^${path.replace(/\{\w+\}/g, "[^/]+")}$`),
        })),
      );
      const used = new Set(
        requested.map((r) => {
          const [method, url] = r.split(" ") as [string, string];
          return `${method} ${new URL(url).pathname}`;
        }),
      );
      expect(used.size).toBeGreaterThan(10);
      const undocumented = [...used].filter((r) => {
        const [method, path] = r.split(" ") as [string, string];
        return !documented.some((d) => d.method === method && d.pattern.test(path));
      });
      expect(undocumented).toEqual([]);
      // The risk views added for the console were among them.
      for (const path of ["/v1/risk/positions", "/v1/risk/bad-debts", "/v1/markets/m1/pool/history"])
        expect(used.has(`GET ${path}`), path).toBe(true);
    });
  },
);
