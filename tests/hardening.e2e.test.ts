// Issue 14 (hardening), through the real gateway process on a real SQLite file: each test reproduces one finding of
// the attack and checks the fix.
import { afterAll, describe, expect, it } from "vitest";
import { Client, expectApiError } from "./support/client.js";
import { startGateway, stopAllGateways, T0 } from "./support/gateway.js";

afterAll(stopAllGateways);

describe("finding 4: a write with a query string", () => {
  it("given an unauthenticated POST /v1/orders?x=1, then it is 400 UNEXPECTED_QUERY (not 500) and no stack trace is logged", async () => {
    const gw = await startGateway();
    const api = new Client(gw.url, gw.token);
    for (const [method, path] of [
      ["POST", "/v1/orders?x=1"],
      ["DELETE", "/v1/orders/o-1?x=1"],
      ["POST", "/v1/accounts?accountId=a"],
    ] as const) {
      const res = await api.send({
        method,
        path,
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expectApiError(res, 400, "UNEXPECTED_QUERY");
    }
    expect(gw.output()).not.toMatch(/unexpected error|"stack"/);
  });
});
