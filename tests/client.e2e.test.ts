// Issue 13: the project's client (@pmx/client) through the real gateway. The README's trading session runs as it
// stands (its code block, extracted and executed with node); the client backs off on 429 as Retry-After says and
// still gets every order in; its pagination walks more than a page with no gap or repeat; a refusal is a PmxApiError.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PmxApiError, PmxClient } from "@pmx/client";
import { afterAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway, stopAllGateways } from "./support/gateway.js";

const README = fileURLToPath(new URL("../README.md", import.meta.url));

/** The README's client example: the js block after `<!-- client-example -->`. */
function readmeExample(): string {
  const text = readFileSync(README, "utf8");
  const start = text.indexOf("```js", text.indexOf("<!-- client-example -->"));
  const end = text.indexOf("```", start + 5);
  return text.slice(text.indexOf("\n", start) + 1, end);
}

describe("@pmx/client through the gateway", () => {
  let gw: Gateway;
  afterAll(async () => {
    await stopAllGateways();
  });

  it("runs the README's trading session as written (≤ 20 lines): bob's NO takes 4 of alice's YES bid, her holdings and streamed book agree with the API", async () => {
    gw = await startGateway({ env: { PMX_CLOCK: "system" } });
    const example = readmeExample();
    expect(example.trim().split("\n").length).toBeLessThanOrEqual(20);
    // Beside the tests, so that `@pmx/client` resolves from the workspace as it does for a user of the package.
    const file = fileURLToPath(new URL(`./.readme-example-${process.pid}.mjs`, import.meta.url));
    writeFileSync(file, example);
    try {
      const run = spawnSync(process.execPath, [file], {
        env: { ...process.env, PMX_URL: gw.url, PMX_OPERATOR_TOKEN: gw.token },
        encoding: "utf8",
        timeout: 30_000,
      });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain("filled");
    } finally {
      rmSync(file, { force: true });
    }
    const operator = new PmxClient({ baseUrl: gw.url, operatorToken: gw.token });
    const alice = await operator.request<{ holdings: unknown[] }>("GET", "/v1/accounts/alice");
    expect(alice.holdings).toEqual([
      expect.objectContaining({ marketId: "rain", outcome: "YES", quantity: "4", averagePrice: "0.6" }),
    ]);
    expect((await operator.book("rain")).bids).toEqual([{ price: "0.6", quantity: "6" }]);
  });

  it("backs off on 429 (Retry-After) and gets all 30 orders in; walks 250 fills in pages of 100 with no gap or repeat; a refusal is a PmxApiError", async () => {
    const limited = await startGateway({ env: { PMX_CLOCK: "system", PMX_RATE_LIMIT_PER_KEY: "10" } });
    const operator = new PmxClient({ baseUrl: limited.url, operatorToken: limited.token });
    await operator.listMarket({ marketId: "m1", question: "m1?", resolvesAt: "2030-01-01T00:00:00Z" });
    const waits: number[] = [];
    const sleep = (ms: number) => {
      waits.push(ms);
      return new Promise<void>((r) => setTimeout(r, Math.min(ms, 200)));
    };
    const mm = new PmxClient({
      baseUrl: limited.url,
      ...(await operator.openAccount("mm")),
      sleep,
      retries: 20,
    });
    const taker = new PmxClient({
      baseUrl: limited.url,
      ...(await operator.openAccount("taker")),
      sleep,
      retries: 20,
    });
    await operator.deposit("mm", "10000");
    await operator.deposit("taker", "10000");
    const placed = await Promise.all(
      Array.from({ length: 30 }, () =>
        mm.placeOrder({ marketId: "m1", side: "buy", outcome: "YES", price: "0.5", quantity: "10" }),
      ),
    );
    expect(placed.every((o) => o.status === "open")).toBe(true);
    expect(waits.length).toBeGreaterThan(0); // some were refused 429 and sent again
    // 250 fills for a taker on the first gateway (the default rate limit), in three batches of 1-share orders.
    const op = new PmxClient({ baseUrl: gw.url, operatorToken: gw.token });
    await op.listMarket({ marketId: "m2", question: "m2?", resolvesAt: "2030-01-01T00:00:00Z" });
    const maker = new PmxClient({ baseUrl: gw.url, ...(await op.openAccount("maker")) });
    const many = new PmxClient({ baseUrl: gw.url, ...(await op.openAccount("many")) });
    await op.deposit("maker", "10000");
    await op.deposit("many", "10000");
    await maker.placeOrder({ marketId: "m2", side: "buy", outcome: "YES", price: "0.5", quantity: "300" });
    for (let i = 0; i < 3; i++)
      await many.placeOrders(
        Array.from({ length: i < 2 ? 100 : 50 }, () => ({
          marketId: "m2",
          side: "buy" as const,
          outcome: "NO" as const,
          price: "0.5",
          quantity: "1",
        })),
      );
    const seen: string[] = [];
    for await (const fill of many.fills({ marketId: "m2" })) seen.push(fill.tradeId);
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    const refused = await taker
      .placeOrder({ marketId: "m1", side: "buy", outcome: "YES", price: "1.5", quantity: "1" })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PmxApiError);
    expect(refused).toMatchObject({ status: 422, code: "PRICE_OUT_OF_RANGE" });
  });
});
