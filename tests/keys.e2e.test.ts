// API keys (issue 13) and account-signed commands (issue 17, "Done when" 2), through the real gateway and SQLite:
// read keys refused on writes, revocation durable across a restart, the key file at mode 600; an account with an
// Ed25519 key trades, its signed requests are stored with their commands, `pmx audit` verifies them, and a copy of the
// log with its stored order altered (every later command re-decided and re-chained, as a dishonest operator would)
// fails the audit naming the command.
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { statSync } from "node:fs";
import { join } from "node:path";
import { decideLogCommand } from "@pmx/domain";
import { openSqliteStore } from "@pmx/eventstore";
import {
  type CommandAuth,
  ExchangeProjection,
  encodeCommandEvents,
  type RecordedCommand,
  recordedCommandOf,
  type StoredEvent,
} from "@pmx/projections";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ApiResponse,
  Client,
  type Credential,
  expectApiError,
  type RawRequest,
} from "./support/client.js";
import {
  type Gateway,
  runPmx,
  startGateway,
  stopAllGateways,
  storedEvents,
  T0,
  tempDir,
} from "./support/gateway.js";
import { OpenApiChecker } from "./support/openapi.js";

/** An Ed25519 key pair and the public key as the API takes it (base64 of its 32 raw bytes). */
function ed25519Pair(): { privateKey: KeyObject; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privateKey,
    publicKey: publicKey.export({ type: "spki", format: "der" }).subarray(12).toString("base64"),
  };
}

/** A request signed with an Ed25519 key: base64(Ed25519(priv, timestamp + METHOD + pathWithQuery + rawBody)). */
function ed25519Request(
  api: Client,
  keyId: string,
  privateKey: KeyObject,
  method: string,
  path: string,
  body?: unknown,
): RawRequest {
  const text = body === undefined ? "" : JSON.stringify(body);
  const timestamp = api.timestamp();
  const signature = sign(null, Buffer.from(timestamp + method + path + text, "utf8"), privateKey).toString(
    "base64",
  );
  const headers: Record<string, string> = {
    "pmx-key": keyId,
    "pmx-timestamp": timestamp,
    "pmx-signature": signature,
  };
  if (body !== undefined) headers["content-type"] = "application/json";
  return body === undefined ? { method, path, headers } : { method, path, headers, body: text };
}

const order = (clientOrderId: string, outcome: "YES" | "NO", price: string, quantity: string) => ({
  clientOrderId,
  marketId: "m",
  side: "buy",
  outcome,
  price,
  quantity,
  timeInForce: "GTC",
});

/**
 * What a dishonest operator does to a copy of the log: decodes every recorded command, lets `change` alter one,
 * re-decides every command from genesis with the project's own `decide` and re-encodes it with its own log format
 * (so the chain is intact), and writes the rows to a new SQLite file. Answers that file's path.
 */
function forgedCopy(
  dbPath: string,
  change: (r: RecordedCommand) => RecordedCommand,
): { path: string; changedSeq: number } {
  const commands: RecordedCommand[] = [];
  for (const e of storedEvents(dbPath)) {
    const meta = JSON.parse(e.metadata) as { index: number };
    if (meta.index !== 0) continue;
    const recorded = recordedCommandOf(meta as never);
    if (!recorded) throw new Error(`revision ${e.revision}: no command`);
    commands.push(recorded);
  }
  const path = join(tempDir("pmx-forged-"), "pmx.db");
  const store = openSqliteStore(path);
  const projection = new ExchangeProjection(undefined, { views: false });
  let revision: number | "no_stream" = "no_stream";
  let changedSeq = 0;
  try {
    for (const original of commands) {
      const recorded = change(original);
      if (recorded !== original) changedSeq = recorded.seq;
      const decision = decideLogCommand(recorded.command, projection.state);
      if (decision._tag === "Left") throw new Error(`command ${recorded.seq}: ${decision.left.code}`);
      const encoded = encodeCommandEvents(recorded, decision.right, projection.head);
      decision.right.forEach((event, index) => {
        projection.apply(event, {
          commandId: recorded.commandId,
          seq: recorded.seq,
          at: recorded.command.at,
          index,
          count: decision.right.length,
          hash: encoded.hashes[index]!,
        });
      });
      const rows: StoredEvent[] = encoded.stored;
      revision = store.appendSync("pmx", rows, revision).nextExpectedRevision;
    }
  } finally {
    void store.close();
  }
  return { path, changedSeq };
}

interface AuditJson {
  ok: boolean;
  signaturesVerified: number;
  unsignedAccountCommands: number;
  operatorSignaturesUnchecked: number;
  failure?: { seq: number; problem: string };
}

describe("API keys and account-signed commands", () => {
  let gateway: Gateway;
  let api: Client;
  let oa: OpenApiChecker;
  let alice: Credential;
  let bob: Credential;
  const bobKey = ed25519Pair();
  let bobKeyId = "";
  let operatorKey = "";
  let readKey: Credential;
  /** bob's order b-1 (60 NO at 0.4, Ed25519-signed): its command's sequence number in the log. */
  let bobOrderSeq = 0;

  const asBob = (method: string, path: string, body?: unknown) =>
    api.send(ed25519Request(api, bobKeyId, bobKey.privateKey, method, path, body));

  beforeAll(async () => {
    gateway = await startGateway();
    api = new Client(gateway.url, gateway.token);
    oa = new OpenApiChecker(api);
    await oa.load();
    await api.setClock(T0);
    alice = await api.openAccount("alice");
    bob = await api.openAccount("bob");
    await api.deposit("alice", "1000", "wire-a");
    await api.deposit("bob", "1000", "wire-b");
    await api.listMarket({ marketId: "m" });
    const key = await api.send({ method: "GET", path: "/v1/audit/operator-key", headers: {} });
    operatorKey = (key.body as { publicKey: string }).publicKey;
  }, 60_000);

  afterAll(async () => {
    await stopAllGateways();
  });

  it("a read key reads, and is refused on every write with 403 KEY_SCOPE, appending nothing", async () => {
    const created = oa.check(
      "POST",
      "/v1/account/keys",
      await api.as(alice, "POST", "/v1/account/keys", { scope: "read", label: "dashboard" }),
    );
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ scope: "read", algorithm: "hmac-sha256", label: "dashboard" });
    expect(created.body.apiSecret).toMatch(/^[0-9a-f]{64}$/);
    readKey = { accountId: "alice", apiKey: created.body.apiKey, apiSecret: created.body.apiSecret };

    const account = await api.as(readKey, "GET", "/v1/account");
    expect(account.status, account.text).toBe(200);
    expect(account.body.accountId).toBe("alice");

    const before = await gateway.logLength();
    for (const [method, path, body] of [
      ["POST", "/v1/orders", order("r-1", "YES", "0.5", "1")],
      ["POST", "/v1/withdrawals", { amount: "1", reference: "r-w" }],
      ["DELETE", "/v1/orders", undefined],
      ["POST", "/v1/account/keys", { scope: "trade" }],
    ] as const) {
      const res = await api.as(readKey, method, path, body);
      expectApiError(res, 403, "KEY_SCOPE");
    }
    expect(await gateway.logLength()).toBe(before);
    oa.check(
      "POST",
      "/v1/orders",
      await api.as(readKey, "POST", "/v1/orders", order("r-2", "YES", "0.5", "1")),
    );
  });

  it("GET /v1/account/keys lists the account's keys without secrets; the operator issues keys for an account", async () => {
    const issued = oa.check(
      "POST",
      "/v1/accounts/{accountId}/keys",
      await api.op("POST", "/v1/accounts/alice/keys", { scope: "trade", label: "bot" }),
    );
    expect(issued.status, issued.text).toBe(201);
    const unknown = await api.op("POST", "/v1/accounts/nobody/keys", { scope: "trade" });
    expectApiError(unknown, 404, "UNKNOWN_ACCOUNT");

    const listed = oa.check("GET", "/v1/account/keys", await api.as(alice, "GET", "/v1/account/keys"));
    expect(listed.status).toBe(200);
    const keys = listed.body.keys as { apiKey: string; scope: string; label: string | null }[];
    expect(keys.map((k) => k.apiKey)).toEqual([alice.apiKey, readKey.apiKey, issued.body.apiKey]);
    expect(keys.map((k) => k.scope)).toEqual(["trade", "read", "trade"]);
    expect(listed.text).not.toContain(alice.apiSecret);
    expect(listed.text).not.toContain(readKey.apiSecret);
    expect(listed.text).not.toContain("apiSecret");
    // bob sees only bob's.
    const bobs = await api.as(bob, "GET", "/v1/account/keys");
    expect((bobs.body.keys as { apiKey: string }[]).map((k) => k.apiKey)).toEqual([bob.apiKey]);
  });

  it("a revoked key is refused at once and after a restart; the key file is mode 600", async () => {
    const foreign = await api.as(bob, "DELETE", `/v1/account/keys/${readKey.apiKey}`);
    expectApiError(foreign, 404, "UNKNOWN_KEY");
    const revoked = oa.check(
      "DELETE",
      "/v1/account/keys/{apiKey}",
      await api.as(alice, "DELETE", `/v1/account/keys/${readKey.apiKey}`),
    );
    expect(revoked.status, revoked.text).toBe(200);
    expect(revoked.body).toEqual({ apiKey: readKey.apiKey, revoked: true });
    expectApiError(await api.as(readKey, "GET", "/v1/account"), 401, "UNAUTHENTICATED");

    await gateway.restart();
    expectApiError(await api.as(readKey, "GET", "/v1/account"), 401, "UNAUTHENTICATED");
    expect((await api.as(alice, "GET", "/v1/account")).status).toBe(200);
    expect(statSync(join(gateway.dataDir, "credentials.json")).mode & 0o777).toBe(0o600);
  });

  it("a follower on the same data folder honours the leader's new and revoked keys at once", async () => {
    const follower = await startGateway({ sameFileAs: gateway, env: { PMX_FOLLOW: "1" } });
    const there = new Client(follower.url, follower.token);
    there.clockMs = api.clockMs;
    const created = await api.as(alice, "POST", "/v1/account/keys", { scope: "read", label: "follower" });
    expect(created.status, created.text).toBe(201);
    const key = { accountId: "alice", apiKey: created.body.apiKey, apiSecret: created.body.apiSecret };
    expect((await there.as(key, "GET", "/v1/account")).status).toBe(200);
    expect((await api.as(alice, "DELETE", `/v1/account/keys/${key.apiKey}`)).status).toBe(200);
    expectApiError(await there.as(key, "GET", "/v1/account"), 401, "UNAUTHENTICATED");
    await follower.stop();
  });

  it("bob registers an Ed25519 key (in the log; no secret returned) and trades with it; his HMAC writes are then refused", async () => {
    const registered = oa.check(
      "POST",
      "/v1/account/keys",
      await api.as(bob, "POST", "/v1/account/keys", {
        scope: "trade",
        algorithm: "ed25519",
        publicKey: bobKey.publicKey,
      }),
    );
    expect(registered.status, registered.text).toBe(201);
    expect(registered.body).toMatchObject({
      scope: "trade",
      algorithm: "ed25519",
      publicKey: bobKey.publicKey,
    });
    expect(registered.body.apiSecret).toBeUndefined();
    bobKeyId = registered.body.apiKey;
    expect(bobKeyId).toMatch(/^ek_[0-9a-f]{24}$/);
    const again = await api.as(bob, "POST", "/v1/account/keys", {
      scope: "trade",
      algorithm: "ed25519",
      publicKey: bobKey.publicKey,
    });
    expect(again.status).toBe(403); // bob now signs writes with Ed25519 only
    expectApiError(again, 403, "ED25519_REQUIRED");
    const duplicate = await asBob("POST", "/v1/account/keys", {
      scope: "trade",
      algorithm: "ed25519",
      publicKey: bobKey.publicKey,
    });
    expectApiError(duplicate, 409, "KEY_EXISTS");
    const bad = await asBob("POST", "/v1/account/keys", {
      scope: "trade",
      algorithm: "ed25519",
      publicKey: "AAAA",
    });
    expectApiError(bad, 400, "INVALID_REQUEST");

    expect((await api.as(alice, "POST", "/v1/orders", order("a-1", "YES", "0.6", "60"))).status).toBe(201);
    const placed = oa.check(
      "POST",
      "/v1/orders",
      await asBob("POST", "/v1/orders", order("b-1", "NO", "0.4", "60")),
    );
    expect(placed.status, placed.text).toBe(201);
    expect(placed.body.filledQuantity).toBe("60");
    bobOrderSeq = Number((await api.health()).sequence);

    // A batch: the request is stored once, with its first command; the others name it.
    const batch = await asBob("POST", "/v1/orders/batch", {
      orders: [order("b-2", "NO", "0.3", "5"), order("b-3", "NO", "0.2", "5")],
    });
    expect(batch.status, batch.text).toBe(200);
    expect((batch.body.results as { status: number }[]).map((r) => r.status)).toEqual([201, 201]);
    const cancel = await asBob("DELETE", `/v1/orders/${batch.body.results[1].order.orderId}`);
    expect(cancel.status, cancel.text).toBe(200);
    // Every other kind of account write is stored the same way (the audit below re-reads each one).
    const supplied = await asBob("POST", "/v1/markets/m/pool/supply", { amount: "10", reference: "b-pool" });
    expect(supplied.status, supplied.text).toBe(200);
    const cancelAll = await asBob("DELETE", "/v1/orders?marketId=m");
    expect(cancelAll.status, cancelAll.text).toBe(200);
    expect(cancelAll.body.cancelled).toHaveLength(1);

    const hmacWrite = await api.as(bob, "POST", "/v1/orders", order("b-4", "NO", "0.3", "1"));
    expectApiError(hmacWrite, 403, "ED25519_REQUIRED");
    expect((await api.as(bob, "GET", "/v1/account")).status).toBe(200);
    // Each Ed25519 request is also single-use.
    const req = ed25519Request(api, bobKeyId, bobKey.privateKey, "POST", "/v1/withdrawals", {
      amount: "1",
      reference: "b-w",
    });
    expect((await api.send(req)).status).toBe(200);
    expectApiError(await api.send(req), 401, "REPLAYED_SIGNATURE");
    await api.expectSolvent();
  });

  it("the log stores bob's signed requests with their commands, and operator commands with the operator's signature", () => {
    const firsts = storedEvents(gateway.dbPath)
      .map(
        (e) =>
          JSON.parse(e.metadata) as {
            index: number;
            seq: number;
            command: { type: string };
            auth?: CommandAuth;
          },
      )
      .filter((m) => m.index === 0);
    const bobOrder = firsts.find((m) => m.seq === bobOrderSeq)!;
    expect(bobOrder.command.type).toBe("PlaceOrder");
    expect(bobOrder.auth).toMatchObject({
      by: "account",
      keyId: bobKeyId,
      method: "POST",
      path: "/v1/orders",
    });
    expect(JSON.parse((bobOrder.auth as { body: string }).body)).toEqual(order("b-1", "NO", "0.4", "60"));
    const registration = firsts.find((m) => m.command.type === "RegisterAccountKey")!;
    expect(registration.command).toMatchObject({
      accountId: "bob",
      keyId: bobKeyId,
      publicKey: bobKey.publicKey,
    });
    expect(firsts.filter((m) => m.auth?.by === "sameRequest")).toHaveLength(1);
    const deposits = firsts.filter((m) => m.command.type === "Deposit");
    expect(deposits.every((m) => m.auth?.by === "operator")).toBe(true);
  });

  it("pmx audit verifies every stored signature against the keys the log registers and the operator key", async () => {
    const r = await runPmx(["audit", "--store", gateway.storeUrl, "--operator-key", operatorKey, "--json"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as AuditJson;
    // bob: the order, two batch orders, the cancel, the pool supply, the cancel-all, the withdrawal (7); the
    // operator: the clock, 2 accounts, 2 deposits, the market (6). HMAC keys (alice's extra ones) are not in the log.
    expect(report.signaturesVerified).toBe(13);
    expect(report.operatorSignaturesUnchecked).toBe(0);
    // alice's HMAC order and bob's registration (sent with his HMAC key) are account commands without a signature.
    expect(report.unsignedAccountCommands).toBe(2);
    const human = await runPmx(["audit", "--store", gateway.storeUrl]);
    expect(human.code, human.stdout + human.stderr).toBe(0);
    expect(human.stdout).toMatch(
      /signatures {2}\d+ verified; 2 account commands unsigned; \d+ operator signatures unchecked/,
    );
  });

  it("a copy of the log with bob's order altered 60 → 90 (re-decided, re-chained) passes replay but fails the audit, naming the command", async () => {
    const forged = forgedCopy(gateway.dbPath, (r) =>
      r.seq === bobOrderSeq && r.command.type === "PlaceOrder"
        ? { ...r, command: { ...r.command, quantity: "90" } }
        : r,
    );
    expect(forged.changedSeq).toBe(bobOrderSeq);
    const replayed = await runPmx(["replay", "--store", `sqlite:${forged.path}`, "--verify"]);
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(0);
    const r = await runPmx(["audit", "--store", `sqlite:${forged.path}`, "--json"]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as AuditJson;
    expect(report.failure!.seq).toBe(bobOrderSeq);
    expect(report.failure!.problem).toContain(
      `command ${bobOrderSeq} (PlaceOrder) is not what its signed request`,
    );
  });

  it("the forger cannot drop the signature, or change the signed body, or invent an operator command either", async () => {
    const stripped = forgedCopy(gateway.dbPath, (r) => {
      if (r.seq !== bobOrderSeq || r.command.type !== "PlaceOrder") return r;
      const { auth: _auth, ...rest } = r;
      return { ...rest, command: { ...r.command, quantity: "90" } };
    });
    const a = await runPmx(["audit", "--store", `sqlite:${stripped.path}`]);
    expect(a.code, a.stdout + a.stderr).toBe(1);
    expect(a.stdout).toContain(`command ${bobOrderSeq} (PlaceOrder) of account bob carries no signature`);

    const rebodied = forgedCopy(gateway.dbPath, (r) => {
      if (r.seq !== bobOrderSeq || r.command.type !== "PlaceOrder" || r.auth?.by !== "account") return r;
      const body = JSON.stringify(order("b-1", "NO", "0.4", "90"));
      return { ...r, command: { ...r.command, quantity: "90" }, auth: { ...r.auth, body } };
    });
    const b = await runPmx(["audit", "--store", `sqlite:${rebodied.path}`]);
    expect(b.code, b.stdout + b.stderr).toBe(1);
    expect(b.stdout).toContain(
      `command ${bobOrderSeq} (PlaceOrder): the signature of its stored request does not verify`,
    );

    // alice's deposit 1000 → 100000, keeping the operator's signature of the original.
    const deposit = forgedCopy(gateway.dbPath, (r) =>
      r.command.type === "Deposit" && r.command.accountId === "alice"
        ? { ...r, command: { ...r.command, amount: "100000" } }
        : r,
    );
    const c = await runPmx(["audit", "--store", `sqlite:${deposit.path}`, "--operator-key", operatorKey]);
    expect(c.code, c.stdout + c.stderr).toBe(1);
    expect(c.stdout).toContain(
      `command ${deposit.changedSeq} (Deposit): the operator signature does not verify`,
    );
  });

  it("an Ed25519-signed write is not accepted twice, even across a restart (the replay guard's file keeps it)", async () => {
    const req = ed25519Request(api, bobKeyId, bobKey.privateKey, "POST", "/v1/withdrawals", {
      amount: "1",
      reference: "b-w2",
    });
    expect((await api.send(req)).status).toBe(200);
    await gateway.restart();
    expectApiError(await api.send(req), 401, "REPLAYED_SIGNATURE");
  });

  it("a revoked Ed25519 key is refused at once, after a restart, and its revocation is in the log", async () => {
    const revoked = await asBob("DELETE", `/v1/account/keys/${bobKeyId}`);
    expect(revoked.status, revoked.text).toBe(200);
    expectApiError(await asBob("GET", "/v1/account"), 401, "UNAUTHENTICATED");
    await gateway.restart();
    expectApiError(await asBob("GET", "/v1/account"), 401, "UNAUTHENTICATED");
    const types = storedEvents(gateway.dbPath).map((e) => e.type);
    expect(types).toContain("AccountKeyRevoked");
    // With no Ed25519 trade key left, bob's HMAC key writes again.
    const res: ApiResponse = await api.as(bob, "POST", "/v1/orders", order("b-5", "NO", "0.3", "1"));
    expect(res.status, res.text).toBe(201);
    const r = await runPmx(["audit", "--store", gateway.storeUrl, "--operator-key", operatorKey]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});
