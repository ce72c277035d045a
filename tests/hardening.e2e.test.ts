// Issue 14 (hardening), through the real gateway process on a real SQLite file: each test reproduces one finding of
// the attack and checks the fix.
import { mkdirSync, readdirSync, readFileSync, rmdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Client, expectApiError } from "./support/client.js";
import { startGateway, stopAllGateways, T0, tempDir } from "./support/gateway.js";

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

describe("finding 9: dates and file modes", () => {
  it("given a resolvesAt that is not a calendar date, or not after the command's time, then the listing is refused and nothing is appended", async () => {
    const gw = await startGateway();
    const api = new Client(gw.url, gw.token);
    await api.setClock(T0);
    const before = await gw.logLength();
    const list = (marketId: string, resolvesAt: string) =>
      api.op("POST", "/v1/markets", { marketId, question: "Q?", tickSize: "0.01", resolvesAt });
    expectApiError(await list("feb30", "2031-02-30T00:00:00Z"), 400, "INVALID_REQUEST");
    expectApiError(await list("apr31", "2031-04-31T12:00:00Z"), 400, "INVALID_REQUEST");
    expectApiError(await list("h25", "2031-01-01T25:00:00Z"), 400, "INVALID_REQUEST");
    expectApiError(await list("past", "2024-11-04T12:00:00Z"), 422, "INVALID_RESOLVES_AT");
    expectApiError(await list("now", new Date(T0).toISOString()), 422, "INVALID_RESOLVES_AT");
    expect(await gw.logLength()).toBe(before);
    const ok = await list("leap", "2028-02-29T00:00:00Z");
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.resolvesAt).toBe("2028-02-29T00:00:00Z");
  });

  it("given a gateway that creates its data folder, then the folder is 700 and the token, keys, database, WAL, shared memory and snapshots are 600", async () => {
    const root = tempDir();
    const dataDir = join(root, "data");
    const gw = await startGateway({
      env: { PMX_STORE: `sqlite:${join(dataDir, "pmx.db")}`, PMX_DATA_DIR: dataDir, PMX_OPERATOR_TOKEN: "" },
    });
    const token = readFileSync(join(dataDir, "operator-token"), "utf8").trim();
    const api = new Client(gw.url, token);
    await api.setClock(T0);
    await api.openAccount("alice");
    await api.deposit("alice", "10", "w-1");
    expect((await api.op("POST", "/v1/admin/snapshot", {})).status).toBe(200);
    const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
    expect(mode(dataDir)).toBe("700");
    const files = ["operator-token", "credentials.json", "pmx.db", "pmx.db-wal", "pmx.db-shm"].map((f) =>
      join(dataDir, f),
    );
    const snapshots = readdirSync(join(dataDir, "snapshots")).map((f) => join(dataDir, "snapshots", f));
    expect(snapshots.length).toBeGreaterThan(0);
    expect(mode(join(dataDir, "snapshots"))).toBe("700");
    for (const f of [...files, ...snapshots]) expect(`${f}: ${mode(f)}`).toBe(`${f}: 600`);
  });
});

describe("finding 5: credentials of a failed account creation", () => {
  it("given the key file cannot be written, when an account is created, then it is refused with no key left valid, and a retry leaves exactly one key: the one answered", async () => {
    const gw = await startGateway();
    const api = new Client(gw.url, gw.token);
    await api.setClock(T0);
    const keys = () =>
      (
        JSON.parse(readFileSync(join(gw.dataDir, "credentials.json"), "utf8")) as {
          credentials: { accountId: string; apiKey: string }[];
        }
      ).credentials;
    /** The API keys the key file holds for one account. */
    const keysOf = (accountId: string) =>
      keys()
        .filter((k) => k.accountId === accountId)
        .map((k) => k.apiKey);
    await api.openAccount("alice");
    // A write fault on the key file only: its temporary file's name is taken by a folder.
    mkdirSync(join(gw.dataDir, "credentials.json.tmp"));
    const failed = await api.op("POST", "/v1/accounts", { accountId: "carol" });
    expectApiError(failed, 503, "CREDENTIALS_NOT_STORED");
    expect(failed.text).not.toMatch(/apiSecret/);
    expectApiError(await api.op("GET", "/v1/accounts/carol"), 404, "UNKNOWN_ACCOUNT");
    rmdirSync(join(gw.dataDir, "credentials.json.tmp"));
    // The next write of the file (another account) must not carry a key of the failed creation.
    await api.openAccount("dave");
    expect(keysOf("carol")).toEqual([]);
    const carol = await api.openAccount("carol");
    expect(keysOf("carol")).toEqual([carol.apiKey]);
    expect((await api.as(carol, "GET", "/v1/account")).status).toBe(200);
    // After a restart the same single key is the one that works.
    await gw.restart();
    expect(keysOf("carol")).toEqual([carol.apiKey]);
    expect((await api.as(carol, "GET", "/v1/account")).status).toBe(200);
  });
});

describe("finding 1: a captured signed request after a restart or a promotion", () => {
  /** alice holds a 2x leveraged YES position on M (lent by lp's pool); bob bids for YES so that she can reduce. */
  async function leveragedPosition(api: Client) {
    await api.setClock(T0);
    const [alice, bob, lp] = [
      await api.openAccount("alice"),
      await api.openAccount("bob"),
      await api.openAccount("lp"),
    ];
    for (const [who, amount] of [
      ["alice", "1000"],
      ["bob", "1000"],
      ["lp", "10000"],
    ] as const)
      await api.deposit(who, amount, `wire-${who}`);
    await api.listMarket({ marketId: "M", resolvesAt: new Date(T0 + 30 * 86_400_000).toISOString() });
    expect((await api.op("POST", "/v1/markets/M/mark", { price: "0.4" })).status).toBe(200);
    const supplied = await api.as(lp, "POST", "/v1/markets/M/pool/supply", {
      amount: "5000",
      reference: "s-1",
    });
    expect(supplied.status, supplied.text).toBe(200);
    const ask = { marketId: "M", side: "buy", outcome: "NO", price: "0.60", quantity: "50" };
    expect((await api.as(bob, "POST", "/v1/orders", { clientOrderId: "b-no", ...ask })).status).toBe(201);
    const buy = await api.as(alice, "POST", "/v1/orders", {
      clientOrderId: "a-lev",
      marketId: "M",
      side: "buy",
      outcome: "YES",
      price: "0.40",
      quantity: "50",
      timeInForce: "IOC",
      leverage: "2",
    });
    expect(buy.status, buy.text).toBe(201);
    const bid = { marketId: "M", side: "buy", outcome: "YES", price: "0.35", quantity: "50" };
    expect((await api.as(bob, "POST", "/v1/orders", { clientOrderId: "b-yes", ...bid })).status).toBe(201);
    return { alice, bob };
  }
  const pledged = async (api: Client, who: { accountId: string; apiKey: string; apiSecret: string }) => {
    const res = await api.as(who, "GET", "/v1/account");
    expect(res.status, res.text).toBe(200);
    return JSON.stringify(res.body.positions);
  };

  it("given a signed reduce answered 200, when the same bytes are sent again after a SIGTERM restart, then they are refused 401 REPLAYED_SIGNATURE and the log does not grow", async () => {
    const gw = await startGateway();
    const api = new Client(gw.url, gw.token);
    const { alice } = await leveragedPosition(api);
    const captured = api.signedRequest(alice, "POST", "/v1/positions/M/reduce", {
      outcome: "YES",
      quantity: "5",
      price: "0.30",
    });
    const first = await api.send(captured);
    expect(first.status, first.text).toBe(200);
    const after = await gw.logLength();
    const position = await pledged(api, alice);
    await gw.restart();
    expectApiError(await api.send(captured), 401, "REPLAYED_SIGNATURE");
    expect(await gw.logLength()).toBe(after);
    expect(await pledged(api, alice)).toBe(position);
  });

  it("given a signed request accepted by the leader, when a follower on the same file is promoted, then the same bytes are refused there 401 REPLAYED_SIGNATURE", async () => {
    const leader = await startGateway();
    const api = new Client(leader.url, leader.token);
    const { alice } = await leveragedPosition(api);
    const follower = await startGateway({ sameFileAs: leader, env: { PMX_FOLLOW: "1" } });
    const captured = api.signedRequest(alice, "POST", "/v1/positions/M/reduce", {
      outcome: "YES",
      quantity: "5",
      price: "0.30",
    });
    expect((await api.send(captured)).status).toBe(200);
    const after = await leader.logLength();
    await leader.stop();
    const promoted = new Client(follower.url, follower.token);
    expect((await promoted.op("POST", "/v1/admin/promote", {})).status).toBe(200);
    expectApiError(await promoted.send(captured), 401, "REPLAYED_SIGNATURE");
    expect(await follower.logLength()).toBe(after);
  });

  it("given reduce with a clientRequestId, when it is sent again (signed anew), then it answers 200 and appends nothing; the same id with another quantity is 409 IDEMPOTENCY_CONFLICT", async () => {
    const gw = await startGateway();
    const api = new Client(gw.url, gw.token);
    const { alice } = await leveragedPosition(api);
    const body = { outcome: "YES", quantity: "5", price: "0.30", clientRequestId: "r-1" };
    const first = await api.as(alice, "POST", "/v1/positions/M/reduce", body);
    expect(first.status, first.text).toBe(200);
    const after = await gw.logLength();
    const position = await pledged(api, alice);
    const again = await api.as(alice, "POST", "/v1/positions/M/reduce", body);
    expect(again.status, again.text).toBe(200);
    expect(await gw.logLength()).toBe(after);
    expect(await pledged(api, alice)).toBe(position);
    expectApiError(
      await api.as(alice, "POST", "/v1/positions/M/reduce", { ...body, quantity: "6" }),
      409,
      "IDEMPOTENCY_CONFLICT",
    );
    expect(await gw.logLength()).toBe(after);
  });
});

describe("finding 3: one account's open orders", () => {
  it("given PMX_MAX_OPEN_ORDERS=5, when an account rests a sixth order, then 422 TOO_MANY_OPEN_ORDERS with nothing appended; a repeat, an IOC order and an order after a cancel still go through, and ?status= lists from the index", async () => {
    const gw = await startGateway({ env: { PMX_MAX_OPEN_ORDERS: "5" } });
    const api = new Client(gw.url, gw.token);
    await api.setClock(T0);
    const alice = await api.openAccount("alice");
    await api.deposit("alice", "1000", "w-a");
    await api.listMarket({ marketId: "M" });
    const bid = (n: number, over: Record<string, unknown> = {}) =>
      api.as(alice, "POST", "/v1/orders", {
        clientOrderId: `o-${n}`,
        marketId: "M",
        side: "buy",
        outcome: "YES",
        price: `0.${10 + n}`,
        quantity: "1",
        ...over,
      });
    const ids: string[] = [];
    for (let n = 1; n <= 5; n++) {
      const res = await bid(n);
      expect(res.status, res.text).toBe(201);
      ids.push(res.body.orderId);
    }
    const before = await gw.logLength();
    const sixth = await bid(6);
    expectApiError(sixth, 422, "TOO_MANY_OPEN_ORDERS");
    expect(sixth.body.error.details).toMatchObject({ maxOpenOrders: 5 });
    expect(await gw.logLength()).toBe(before);
    expect((await bid(5)).status).toBe(200);
    expect((await bid(7, { timeInForce: "IOC" })).status).toBe(201);
    expect((await api.as(alice, "DELETE", `/v1/orders/${ids[0]}`)).status).toBe(200);
    expect((await bid(6)).status).toBe(201);
    const open = await api.as(alice, "GET", "/v1/orders?status=open");
    expect(open.body.orders.map((o: { clientOrderId: string }) => o.clientOrderId)).toEqual([
      "o-6",
      "o-5",
      "o-4",
      "o-3",
      "o-2",
    ]);
    const cancelled = await api.as(alice, "GET", "/v1/orders?status=cancelled&limit=1");
    expect(cancelled.body.orders.map((o: { clientOrderId: string }) => o.clientOrderId)).toEqual(["o-7"]);
    const both = await api.as(alice, "GET", "/v1/orders?status=cancelled&marketId=M");
    expect(both.body.orders.map((o: { clientOrderId: string }) => o.clientOrderId)).toEqual(["o-7", "o-1"]);
  });
});

describe("finding 7: a body over the limit on a keep-alive connection", () => {
  it("given Node's fetch sending 4–30 MB bodies, then every one is answered 413 BODY_TOO_LARGE (no EPIPE), and the gateway still answers", async () => {
    const gw = await startGateway();
    const outcomes: string[] = [];
    for (const mb of [4, 8, 16, 30, 4, 8, 16, 30, 8, 8]) {
      const body = `{"x":"${"a".repeat(mb * 1024 * 1024)}"}`;
      try {
        const res = await fetch(`${gw.url}/v1/orders`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        const json = (await res.json()) as { error?: { code?: string } };
        outcomes.push(`${res.status} ${json.error?.code}`);
      } catch (error) {
        outcomes.push(`failed: ${String((error as { cause?: unknown }).cause ?? error)}`);
      }
    }
    expect(outcomes).toEqual(Array(10).fill("413 BODY_TOO_LARGE"));
    expect((await fetch(`${gw.url}/v1/health`)).status).toBe(200);
  }, 60_000);
});
