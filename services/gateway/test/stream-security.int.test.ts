// The stream's defences (issue 14, findings 2 and 3): a per-connection challenge for account subscriptions, message
// rate limits, subscription and connection caps — through a real WebSocket to an in-process gateway.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { signature } from "../src/http/auth.js";
import { CONNECTIONS_PER_IP, MESSAGES_PER_SECOND } from "../src/http/stream.js";
import { type Credentials, type Json, startTestGateway, type TestGateway } from "./support.js";

/** A socket that keeps every message it receives. */
class Socket {
  readonly received: Json[] = [];
  closed: number | null = null;
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (d) => this.received.push(JSON.parse(d.toString())));
    ws.on("close", (code) => {
      this.closed = code;
    });
  }
  static open(url: string): Promise<Socket> {
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/v1/stream`);
    return new Promise((resolve, reject) => {
      const s = new Socket(ws);
      ws.once("open", () => resolve(s));
      ws.once("error", reject);
    });
  }
  send(m: unknown): void {
    this.ws.send(JSON.stringify(m));
  }
  async until(match: (m: Json) => boolean, ms = 2000): Promise<Json> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.received.find(match);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`nothing matched in ${ms} ms: ${JSON.stringify(this.received)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  close(): void {
    this.ws.terminate();
  }
}

const login = (who: Credentials, nonce: string, timestamp = String(Date.now())) => ({
  op: "subscribe",
  channel: "account",
  apiKey: who.apiKey,
  timestamp,
  signature: signature(who.apiSecret, timestamp, "GET", "/v1/stream", nonce),
});

describe("the stream's defences", () => {
  let gw: TestGateway;
  let alice: Credentials;
  const sockets: Socket[] = [];
  const open = async () => {
    const s = await Socket.open(gw.url);
    sockets.push(s);
    return s;
  };
  beforeAll(async () => {
    gw = await startTestGateway({ PMX_CLOCK: "system" });
    alice = await gw.openAccount("alice", "1000");
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await gw.close();
  });

  it("given alice's account subscription captured on one connection, when it is replayed on another, then it is refused BAD_SIGNATURE and nothing of alice's is sent there", async () => {
    const victim = await open();
    const challenge = await victim.until((m) => m.channel === "challenge");
    expect(challenge.data.nonce).toMatch(/^[0-9a-f]{32}$/);
    const captured = login(alice, challenge.data.nonce);
    victim.send(captured);
    await victim.until((m) => m.channel === "subscribed" && m.data.channel === "account");

    const attacker = await open();
    const other = await attacker.until((m) => m.channel === "challenge");
    expect(other.data.nonce).not.toBe(challenge.data.nonce);
    attacker.send(captured);
    expect((await attacker.until((m) => m.channel === "error")).data.code).toBe("BAD_SIGNATURE");
    // The old form (no nonce) is refused as well.
    attacker.send(login(alice, ""));
    await attacker.until(
      (m) => m.channel === "error" && attacker.received.filter((x) => x.channel === "error").length === 2,
    );
    expect(
      (await gw.operator("POST", "/v1/accounts/alice/deposits", { amount: "1", reference: "d-1" })).status,
    ).toBe(200);
    await victim.until(
      (m) => m.channel === "account" && m.data.type === "balance" && m.data.account.cash === "1001",
    );
    expect(attacker.received.filter((m) => m.channel === "account" || m.channel === "subscribed")).toEqual(
      [],
    );
  });

  it("given a connection that sends messages faster than the limit, then the excess is refused RATE_LIMITED and a client that keeps on is closed 1008", async () => {
    const s = await open();
    await s.until((m) => m.channel === "challenge");
    for (let i = 0; i < 4 * MESSAGES_PER_SECOND; i++)
      s.send({ op: i % 2 ? "unsubscribe" : "subscribe", channel: "trades", marketId: "nope" });
    await s.until((m) => m.channel === "error" && m.data.code === "RATE_LIMITED");
    const answered = s.received.filter(
      (m) => m.channel === "error" && m.data.code === "UNKNOWN_MARKET",
    ).length;
    expect(answered).toBeLessThanOrEqual(2 * MESSAGES_PER_SECOND + 2);
    for (let i = 0; i < 200 && s.closed === null; i++)
      s.send({ op: "subscribe", channel: "trades", marketId: "nope" });
    await new Promise((r) => setTimeout(r, 200));
    expect(s.closed).toBe(1008);
  });

  it("given as many stream connections from one address as allowed, when one more is opened, then it is refused (429) and a closed one frees its place", async () => {
    const held: Socket[] = [];
    const already = sockets.filter((s) => s.closed === null).length;
    for (let i = already; i < CONNECTIONS_PER_IP; i++) held.push(await open());
    await expect(Socket.open(gw.url)).rejects.toThrow(/429/);
    held[0]!.close();
    await new Promise((r) => setTimeout(r, 100));
    const again = await open();
    await again.until((m) => m.channel === "challenge");
  });
});
