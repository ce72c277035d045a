// Issue 17, done when 4: a gateway on EventStoreDB (the gRPC double of packages/eventstore) through the server's
// faults. A leader whose append timed out after the commit answers the request as written, with no duplicate, and
// keeps taking writes; a follower whose subscription the server drops says `degraded` in /v1/health, resubscribes
// from its position with back-off, catches up by itself and says `ok` again.
import { type EsdbEventStore, openEsdbStore } from "@pmx/eventstore";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startEsdbDouble } from "../../../packages/eventstore/test/grpc-double/server.js";
import { schemaProblems } from "../../../tests/support/openapi.js";
import { SystemClock } from "../src/clock.js";
import { Exchange, type ExchangeOptions, type FollowState } from "../src/exchange.js";
import { openApiDocument } from "../src/http/openapi.js";
import { injectedApp, until } from "./support.js";

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

describe("a gateway on EventStoreDB through the server's faults", () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });
  const startDouble = async (options?: Parameters<typeof startEsdbDouble>[0]) => {
    const d = await startEsdbDouble(options);
    closers.push(() => d.stop());
    return d;
  };
  const gateway = async (store: EsdbEventStore, follow?: ExchangeOptions["follow"]) => {
    const exchange = await Exchange.open({
      store,
      clock: new SystemClock(),
      ...(follow ? { follow } : {}),
    });
    const injected = await injectedApp(exchange);
    closers.push(
      () => exchange.close(),
      () => injected.app.close(),
    );
    // Every health answer fits the documented schema.
    const doc = openApiDocument() as unknown as Parameters<typeof schemaProblems>[0];
    const health = async () => {
      const body = await injected.health();
      expect(schemaProblems(doc, { $ref: "#/components/schemas/Health" }, body)).toEqual([]);
      return body;
    };
    const open = injected.openAccount;
    return { exchange, health, open };
  };

  it("answers a request whose append timed out after the commit as written, writes it once, and keeps taking writes", async () => {
    const double = await startDouble();
    const leader = await gateway(openEsdbStore(double.connectionString));
    expect((await leader.open("alice")).statusCode).toBe(201);

    double.timeOutAppends({ committed: true });
    const bob = await leader.open("bob");
    expect(bob.statusCode, bob.body).toBe(201);
    expect(await leader.health()).toMatchObject({ status: "ok", writable: true });
    // At once, not after a recovery: the next write goes through.
    const carol = await leader.open("carol");
    expect(carol.statusCode, carol.body).toBe(201);

    double.timeOutAppends({ committed: false });
    const dave = await leader.open("dave");
    expect(dave.statusCode, dave.body).toBe(201);

    const stored = double.events("pmx");
    expect(stored).toHaveLength(leader.exchange.projection.eventCount);
    expect(new Set(stored.map((e) => e.id)).size).toBe(stored.length); // no duplicate
    expect(double.appends.map((a) => a.outcome)).toEqual([
      "written",
      "timed_out_written",
      "written",
      "timed_out_not_written",
      "written",
    ]);
    for (const id of ["alice", "bob", "carol", "dave"])
      expect(leader.exchange.projection.state.accounts.has(id)).toBe(true);
  });

  it("keeps writing through a failover: the old leader's NotLeader is followed to the new one, each command written once", async () => {
    const a = await startDouble();
    const b = await startDouble({ cluster: a });
    b.setLeader({ host: "127.0.0.1", port: a.port });
    const leader = await gateway(openEsdbStore(a.connectionString));
    expect((await leader.open("alice")).statusCode).toBe(201);
    a.setLeader({ host: "127.0.0.1", port: b.port });
    b.setLeader("self");
    const bob = await leader.open("bob");
    expect(bob.statusCode, bob.body).toBe(201);
    expect(a.appends.map((x) => x.outcome)).toEqual(["written", "not_leader"]);
    expect(b.appends.map((x) => x.outcome)).toEqual(["written"]);
    expect(a.events("pmx")).toHaveLength(leader.exchange.projection.eventCount);
    expect(await leader.health()).toMatchObject({ status: "ok", writable: true });
  });

  it("given a follower whose subscription the server drops, then health is degraded while it is not following, it resubscribes with back-off, catches up by itself and health is ok again", async () => {
    const a = await startDouble(); // the leader's node
    const b = await startDouble({ cluster: a }); // the follower's node, same cluster
    const leader = await gateway(openEsdbStore(a.connectionString));
    for (const id of ["alice", "bob"]) expect((await leader.open(id)).statusCode).toBe(201);
    const follower = await gateway(openEsdbStore(b.connectionString), {
      leader: "http://leader.example:8080",
      resubscribe: { firstDelayMs: 20, maxDelayMs: 200 },
    });
    const states: FollowState[] = [];
    follower.exchange.on("follow", (s) => states.push(s));
    await until(() => follower.exchange.projection.eventCount === leader.exchange.projection.eventCount);
    expect(await follower.health()).toMatchObject({
      status: "ok",
      role: "follower",
      follow: { state: "following" },
    });

    // b restarts: the follower's subscription ends and it cannot resubscribe while b is down.
    const droppedAt = Date.now();
    b.setUnavailable(true);
    await until(async () => (await follower.health()).status === "degraded");
    for (const id of ["carol", "dave", "erin"]) expect((await leader.open(id)).statusCode).toBe(201);
    await new Promise((r) => setTimeout(r, 300)); // a few attempts fail meanwhile
    const degraded = await follower.health();
    expect(degraded).toMatchObject({
      status: "degraded",
      role: "follower",
      follow: { state: "reconnecting" },
    });
    expect(degraded.reason).toMatch(/not following the log/);
    expect(Date.parse(degraded.follow.since)).toBeGreaterThanOrEqual(droppedAt - 5);
    expect(degraded.follow.attempts).toBeGreaterThanOrEqual(2);
    expect(degraded.follow.lastError).toMatch(/UNAVAILABLE|Not Ready/);
    expect(follower.exchange.projection.eventCount).toBeLessThan(leader.exchange.projection.eventCount);

    b.setUnavailable(false);
    await until(async () => (await follower.health()).status === "ok");
    expect(follower.exchange.projection.eventCount).toBe(leader.exchange.projection.eventCount);
    expect(follower.exchange.projection.head).toBe(leader.exchange.projection.head);
    expect(follower.exchange.projection.stateHash()).toBe(leader.exchange.projection.stateHash());
    expect(await follower.health()).toMatchObject({ status: "ok", follow: { state: "following" } });
    // It went through reconnecting, then caught up from how far behind it was when it resubscribed.
    const seen = states.map((s) => s.state);
    expect(seen[0]).toBe("reconnecting");
    expect(seen.at(-1)).toBe("following");
    const catchingUp = states.find((s) => s.state === "catching_up");
    expect(catchingUp?.behind).toBe(3);
    // Back-off: the wait before each attempt doubles (20, 40, 80, ... capped at 200 ms).
    const delays = states.filter((s) => s.state === "reconnecting").map((s) => s.nextAttemptInMs);
    expect(delays.length).toBeGreaterThanOrEqual(2);
    expect(delays).toEqual(delays.map((_, i) => Math.min(200, 20 * 2 ** i)));
  });
});
