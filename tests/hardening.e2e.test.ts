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
    expect(keys().filter((k) => k.accountId === "carol")).toEqual([]);
    const carol = await api.openAccount("carol");
    expect(
      keys()
        .filter((k) => k.accountId === "carol")
        .map((k) => k.apiKey),
    ).toEqual([carol.apiKey]);
    expect((await api.as(carol, "GET", "/v1/account")).status).toBe(200);
    // After a restart the same single key is the one that works.
    await gw.restart();
    expect(
      keys()
        .filter((k) => k.accountId === "carol")
        .map((k) => k.apiKey),
    ).toEqual([carol.apiKey]);
    expect((await api.as(carol, "GET", "/v1/account")).status).toBe(200);
  });
});
