// Issue 17, proof of liabilities, through the real gateway, SQLite and the CLI: at a checkpoint the gateway builds a
// Merkle-sum tree over every account's claim (free cash + reserved cash); its root and total are public and signed;
// each account's proof verifies with `pmx verify-liabilities`; a tampered proof or another root fails; the tree
// survives a restart.
import { verify } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, type Credential, expectApiError } from "./support/client.js";
import { type Gateway, runPmx, startGateway, stopAllGateways, T0, tempDir } from "./support/gateway.js";
import { OpenApiChecker } from "./support/openapi.js";

interface Proof {
  revision: number;
  root: string;
  total: string;
  leaf: { accountId: string; amount: string; salt: string; hash: string };
  path: { side: string; hash: string; sum: string }[];
}

const verifyLiabilities = (root: string, proof: unknown) => {
  const file = join(tempDir("pmx-proof-"), "proof.json");
  writeFileSync(file, JSON.stringify(proof));
  return runPmx(["verify-liabilities", "--root", root, "--proof", file]);
};

describe("proof of liabilities", () => {
  let gateway: Gateway;
  let api: Client;
  let oa: OpenApiChecker;
  const accounts: Record<string, Credential> = {};
  let liabilities: { revision: number; root: string; total: string; accounts: number; signature: string };

  beforeAll(async () => {
    gateway = await startGateway();
    api = new Client(gateway.url, gateway.token);
    oa = new OpenApiChecker(api);
    await oa.load();
    await api.setClock(T0);
    // alice 1000, bob 500.25, carol nothing; alice rests a buy of 100 YES at 0.30 (cash reserved), bob buys 40 NO at
    // 0.70 against it: the 40 pairs minted move 40 into the market's escrow, the rest of alice's order stays reserved.
    for (const id of ["alice", "bob", "carol"]) accounts[id] = await api.openAccount(id);
    await api.deposit("alice", "1000", "w-a");
    await api.deposit("bob", "500.25", "w-b");
    await api.listMarket({ marketId: "m" });
    const rest = await api.as(accounts.alice!, "POST", "/v1/orders", {
      clientOrderId: "a-1",
      marketId: "m",
      side: "buy",
      outcome: "YES",
      price: "0.3",
      quantity: "100",
    });
    expect(rest.status, rest.text).toBe(201);
    const take = await api.as(accounts.bob!, "POST", "/v1/orders", {
      clientOrderId: "b-1",
      marketId: "m",
      side: "buy",
      outcome: "NO",
      price: "0.7",
      quantity: "40",
    });
    expect(take.status, take.text).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await stopAllGateways();
  });

  it("before any checkpoint there is no tree: 404", async () => {
    const res = await api.send({ method: "GET", path: "/v1/audit/liabilities", headers: {} });
    expectApiError(oa.check("GET", "/v1/audit/liabilities", res), 404, "NOT_FOUND");
  });

  it("at a checkpoint, the root's total is Σ (cash + reserved) of every account, signed by the operator key", async () => {
    const checkpoint = await api.op("POST", "/v1/admin/checkpoint", {});
    expect(checkpoint.status, checkpoint.text).toBe(200);
    const res = oa.check(
      "GET",
      "/v1/audit/liabilities",
      await api.send({ method: "GET", path: "/v1/audit/liabilities", headers: {} }),
    );
    expect(res.status, res.text).toBe(200);
    liabilities = res.body;
    expect(liabilities.revision).toBe(checkpoint.body.revision);
    expect(liabilities.accounts).toBe(3);
    let micros = 0n;
    for (const id of Object.keys(accounts)) {
      const summary = (await api.as(accounts[id]!, "GET", "/v1/account")).body as {
        cash: string;
        reserved: string;
      };
      for (const a of [summary.cash, summary.reserved]) {
        const [units, frac = ""] = a.split(".");
        micros += BigInt(units!) * 1_000_000n + BigInt(frac.padEnd(6, "0"));
      }
    }
    const [units, frac = ""] = liabilities.total.split(".");
    expect(BigInt(units!) * 1_000_000n + BigInt(frac.padEnd(6, "0"))).toBe(micros);
    // Some of the 1500.25 deposited sits in the market's escrow (the pairs minted), outside the accounts' cash.
    expect(micros).toBeLessThan(1_500_250_000n);
    const key = await api.send({ method: "GET", path: "/v1/audit/operator-key", headers: {} });
    const spki = Buffer.concat([
      Buffer.from("302a300506032b6570032100", "hex"),
      Buffer.from(key.body.publicKey, "base64"),
    ]);
    const message = `pmx-liabilities:${liabilities.revision}:${liabilities.root}:${liabilities.total}`;
    expect(
      verify(
        null,
        Buffer.from(message),
        { key: spki, format: "der", type: "spki" },
        Buffer.from(liabilities.signature, "base64"),
      ),
    ).toBe(true);
  });

  it("each account's proof leads to the published root, and pmx verify-liabilities exits 0", async () => {
    for (const id of Object.keys(accounts)) {
      const res = oa.check(
        "GET",
        "/v1/account/liabilities-proof",
        await api.as(accounts[id]!, "GET", "/v1/account/liabilities-proof"),
      );
      expect(res.status, res.text).toBe(200);
      const proof = res.body as Proof;
      expect(proof.leaf.accountId).toBe(id);
      expect(proof.root).toBe(liabilities.root);
      // The proof names no other account: siblings are hashes and sums only.
      for (const other of Object.keys(accounts).filter((o) => o !== id))
        expect(res.text).not.toContain(other);
      const r = await verifyLiabilities(liabilities.root, proof);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain("verified");
    }
  });

  it("a tampered leaf amount, path sum or root makes pmx verify-liabilities exit 1", async () => {
    const proof = (await api.as(accounts.bob!, "GET", "/v1/account/liabilities-proof")).body as Proof;
    const more = structuredClone(proof);
    more.leaf.amount = "100000";
    const a = await verifyLiabilities(liabilities.root, more);
    expect(a.code, a.stdout + a.stderr).toBe(1);
    expect(a.stdout).toContain("FAILED: the leaf hash");
    const sum = structuredClone(proof);
    sum.path[0]!.sum = sum.path[0]!.sum === "0" ? "1" : "0";
    const b = await verifyLiabilities(liabilities.root, sum);
    expect(b.code, b.stdout + b.stderr).toBe(1);
    expect(b.stdout).toContain("not to the root");
    const c = await verifyLiabilities("0".repeat(64), proof);
    expect(c.code, c.stdout + c.stderr).toBe(1);
    const usage = await runPmx(["verify-liabilities", "--root", "nothex", "--proof", "x"]);
    expect(usage.code).toBe(2);
  });

  it("an account opened after the checkpoint has no leaf yet (404); after a restart the tree is still served", async () => {
    const dave = await api.openAccount("dave");
    expectApiError(await api.as(dave, "GET", "/v1/account/liabilities-proof"), 404, "NOT_FOUND");
    await gateway.restart();
    const res = await api.send({ method: "GET", path: "/v1/audit/liabilities", headers: {} });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual(liabilities);
    const proof = await api.as(accounts.alice!, "GET", "/v1/account/liabilities-proof");
    expect(proof.status, proof.text).toBe(200);
    expect((await verifyLiabilities(liabilities.root, proof.body)).code).toBe(0);
  });
});
