// Issue 17, "Done when" 1: signed checkpoints pin the log. Two consistent logs that differ in one early deposit (the
// second is what a rewrite looks like: every command re-decided, every row re-encoded, the chain intact): with a
// checkpoint and a PMX-HEAD taken from the first, `pmx replay --expect-head` and `pmx audit --checkpoints` accept the
// first and refuse the second. Before this, both logs passed `replay --verify` and `audit` with exit 0.
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "./support/client.js";
import { type Gateway, runPmx, startGateway, stopAllGateways, T0, tempDir } from "./support/gateway.js";

interface Session {
  gateway: Gateway;
  /** The PMX-HEAD header of alice's deposit answer. */
  depositHead: string;
  checkpoints: { checkpoints: { revision: number; head: string; stateHash: string; signature: string }[] };
  operatorKey: string;
}

/** One gateway, one scripted session: alice deposits `aliceDeposit`, bob 1000, a market, a trade, a checkpoint. */
async function session(aliceDeposit: string): Promise<Session> {
  const gateway = await startGateway();
  const api = new Client(gateway.url, gateway.token);
  await api.setClock(T0);
  const alice = await api.openAccount("alice");
  const bob = await api.openAccount("bob");
  const deposit = await api.deposit("alice", aliceDeposit, "wire-1");
  const depositHead = deposit.headers.get("pmx-head") ?? "";
  await api.deposit("bob", "1000", "wire-2");
  await api.listMarket({ marketId: "m" });
  const order = (who: typeof alice, outcome: "YES" | "NO", clientOrderId: string) =>
    api.as(who, "POST", "/v1/orders", {
      marketId: "m",
      side: "buy",
      outcome,
      price: "0.5",
      quantity: "10",
      timeInForce: "GTC",
      clientOrderId,
    });
  expect((await order(alice, "YES", "a-1")).status).toBe(201);
  const fill = await order(bob, "NO", "b-1");
  expect(fill.status, fill.text).toBe(201);
  // A write's answer names the log position that made it durable.
  expect(fill.headers.get("pmx-head")).toMatch(/^[0-9]+:[0-9a-f]{64}$/);
  const signed = await api.op("POST", "/v1/admin/checkpoint", {});
  expect(signed.status, signed.text).toBe(200);
  const listed = await api.send({ method: "GET", path: "/v1/audit/checkpoints", headers: {} });
  expect(listed.status, listed.text).toBe(200);
  const key = await api.send({ method: "GET", path: "/v1/audit/operator-key", headers: {} });
  expect(key.body).toMatchObject({ algorithm: "ed25519" });
  await gateway.stop();
  return {
    gateway,
    depositHead,
    checkpoints: listed.body as Session["checkpoints"],
    operatorKey: (key.body as { publicKey: string }).publicKey,
  };
}

/** `pmx audit` of the log against a saved checkpoints file and the operator key an auditor pinned. */
const auditAgainst = (storeUrl: string, file: string, key: string, ...more: string[]) =>
  runPmx(["audit", "--store", storeUrl, "--checkpoints", file, "--operator-key", key, ...more]);

describe("signed checkpoints pin the log against a rewrite", () => {
  let honest: Session;
  let rewritten: Session;
  let checkpointsFile: string;

  beforeAll(async () => {
    honest = await session("1000");
    rewritten = await session("100000");
    checkpointsFile = join(tempDir("pmx-checkpoints-"), "checkpoints.json");
    writeFileSync(checkpointsFile, JSON.stringify(honest.checkpoints));
  }, 60_000);

  afterAll(async () => {
    await stopAllGateways();
  });

  it("both logs are consistent on their own: replay --verify and audit pass on each (the attack the pins close)", async () => {
    for (const s of [honest, rewritten]) {
      const replayed = await runPmx(["replay", "--store", s.gateway.storeUrl, "--verify"]);
      expect(replayed.code, replayed.stdout + replayed.stderr).toBe(0);
      const audited = await runPmx(["audit", "--store", s.gateway.storeUrl]);
      expect(audited.code, audited.stdout + audited.stderr).toBe(0);
    }
  });

  it("the checkpoint signed after the trade names its revision, the head there and the state hash, newest first", () => {
    const [last] = honest.checkpoints.checkpoints;
    expect(honest.checkpoints.checkpoints).toHaveLength(1);
    expect(last!.revision).toBeGreaterThan(Number(honest.depositHead.split(":")[0]));
    expect(last!.head).toMatch(/^[0-9a-f]{64}$/);
    expect(last!.stateHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("replay --expect-head with the deposit's PMX-HEAD accepts the first log and refuses the second, naming the revision", async () => {
    expect(honest.depositHead).toMatch(/^[0-9]+:[0-9a-f]{64}$/);
    const ok = await runPmx([
      "replay",
      "--store",
      honest.gateway.storeUrl,
      "--verify",
      "--expect-head",
      honest.depositHead,
    ]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`pinned head at revision ${honest.depositHead.split(":")[0]}: matches`);
    const refused = await runPmx([
      "replay",
      "--store",
      rewritten.gateway.storeUrl,
      "--verify",
      "--expect-head",
      honest.depositHead,
    ]);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stdout).toContain(
      `FAILED: pinned revision ${honest.depositHead.split(":")[0]}: the log's head there is`,
    );
  });

  it("audit --checkpoints with the operator key accepts the first log and refuses the second", async () => {
    const key = honest.operatorKey;
    const ok = await auditAgainst(honest.gateway.storeUrl, checkpointsFile, key);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain("checkpoints 1 signed by the operator key");
    const refused = await auditAgainst(rewritten.gateway.storeUrl, checkpointsFile, key, "--json");
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    const report = JSON.parse(refused.stdout) as { ok: boolean; pins: { ok: boolean; problem?: string }[] };
    expect(report.ok).toBe(false);
    expect(report.pins[0]!.ok).toBe(false);
    expect(report.pins[0]!.problem).toContain("the log's head there is");
  });

  it("a checkpoint not signed by the pinned key is refused: another operator's key, or a signature changed by one byte", async () => {
    const other = generateKeyPairSync("ed25519")
      .publicKey.export({ type: "spki", format: "der" })
      .subarray(12)
      .toString("base64");
    const wrongKey = await auditAgainst(honest.gateway.storeUrl, checkpointsFile, other);
    expect(wrongKey.code, wrongKey.stdout + wrongKey.stderr).toBe(1);
    expect(wrongKey.stdout).toContain("is not signed by the operator key");

    const forged = structuredClone(honest.checkpoints);
    const sig = Buffer.from(forged.checkpoints[0]!.signature, "base64");
    sig[0] = sig[0]! ^ 1;
    forged.checkpoints[0]!.signature = sig.toString("base64");
    const forgedFile = join(tempDir("pmx-checkpoints-"), "forged.json");
    writeFileSync(forgedFile, JSON.stringify(forged));
    const changed = await auditAgainst(honest.gateway.storeUrl, forgedFile, honest.operatorKey);
    expect(changed.code, changed.stdout + changed.stderr).toBe(1);
  });

  it("the operator key and the checkpoints survive a restart: the same key, the same list", async () => {
    await honest.gateway.restart();
    const api = new Client(honest.gateway.url, honest.gateway.token);
    const key = await api.send({ method: "GET", path: "/v1/audit/operator-key", headers: {} });
    expect((key.body as { publicKey: string }).publicKey).toBe(honest.operatorKey);
    const listed = await api.send({ method: "GET", path: "/v1/audit/checkpoints?limit=1", headers: {} });
    expect(listed.body).toEqual({ ...honest.checkpoints, nextCursor: null });
    const bad = await api.send({ method: "GET", path: "/v1/audit/checkpoints?cursor=x", headers: {} });
    expect(bad.status).toBe(400);
    await honest.gateway.stop();
  });
});
