// Snapshots (written by the snapshotter thread; start-up = newest valid snapshot + tail) and followers (read-only).
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "@pmx/eventstore";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../src/clock.js";
import { Exchange, rebuild, STREAM } from "../src/exchange.js";
import type { CommandInput } from "../src/sequencer.js";
import { SnapshotStore } from "../src/snapshots.js";
import { CapturingLogger } from "./support.js";

const T0 = Date.parse("2026-01-01T00:00:00Z");

const capture = () => new CapturingLogger();

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "pmx-snap-"));
  dirs.push(d);
  return d;
};

/** A day of trading: 6 accounts, one market, `orders` crossing and resting orders. */
function workload(orders: number): CommandInput[] {
  const commands: CommandInput[] = [];
  const accounts = ["a", "b", "c", "d", "e", "f"];
  for (const accountId of accounts) {
    commands.push({ type: "OpenAccount", accountId });
    commands.push({ type: "Deposit", accountId, amount: "1000000", reference: "seed" });
  }
  commands.push({
    type: "ListMarket",
    marketId: "m",
    question: "Will it?",
    tickSize: "0.01",
    resolvesAt: "2027-01-01T00:00:00Z",
  });
  for (let i = 0; i < orders; i++) {
    const accountId = accounts[i % accounts.length]!;
    const price = (40 + ((i * 7) % 21)) / 100;
    commands.push({
      type: "PlaceOrder",
      accountId,
      marketId: "m",
      clientOrderId: `c-${i}`,
      side: "buy",
      outcome: i % 2 === 0 ? "YES" : "NO",
      price: price.toFixed(2),
      quantity: String(1 + (i % 9)),
      timeInForce: "GTC",
      postOnly: false,
      leverage: "1",
    });
  }
  return commands;
}

async function submitAll(exchange: Exchange, commands: CommandInput[]): Promise<void> {
  // Volleys of 50 concurrent submissions: group commits form, and many batches are committed.
  for (let i = 0; i < commands.length; i += 50) {
    const results = await Promise.all(commands.slice(i, i + 50).map((c) => exchange.submit(c)));
    const refused = results.filter((r) => !r.ok);
    expect(refused, JSON.stringify(refused.slice(0, 3))).toEqual([]);
  }
}

describe("snapshots", () => {
  it("given a log with snapshots every 500 events, when the gateway starts again, then it starts from the newest snapshot and reaches the state hash of a replay from genesis", async () => {
    const dir = tempDir();
    const db = join(dir, "pmx.db");
    const logger = capture();
    const snapshots = new SnapshotStore(join(dir, "snapshots"), logger);
    const writer = await Exchange.open({
      store: openSqliteStore(db),
      clock: new ManualClock(T0),
      snapshots: { store: snapshots, every: 500, pollIntervalMs: 10 },
      logger,
    });
    // The snapshots are the snapshotter thread's: wait until it has seen the (empty) log, then until it has folded
    // all of it (and written what was due) before closing.
    const thread = writer.snapshotter;
    expect(thread, "a leader on a SQLite file snapshots on its thread").not.toBeNull();
    await thread!.reached(0);
    await submitAll(writer, workload(1500));
    const events = writer.projection.eventCount;
    const hash = writer.projection.stateHash();
    await thread!.reached(events);
    await writer.close();
    expect(snapshots.files().length).toBeGreaterThanOrEqual(1);
    expect(snapshots.files().length).toBeLessThanOrEqual(3);
    expect(thread!.written.length).toBeGreaterThanOrEqual(1);

    const logger2 = capture();
    const restarted = await Exchange.open({
      store: openSqliteStore(db),
      clock: new ManualClock(T0),
      snapshots: { store: new SnapshotStore(join(dir, "snapshots"), logger2), every: 500 },
      logger: logger2,
    });
    const started = logger2.infos.find((l) => l.msg === "starting from snapshot");
    expect(started, "started from a snapshot").toBeDefined();
    expect(started!.obj.events).toBeGreaterThan(0);
    expect(started!.obj.events as number).toBeLessThanOrEqual(events);
    expect(restarted.projection.eventCount).toBe(events);
    expect(restarted.projection.stateHash()).toBe(hash);
    await restarted.close();

    const store = openSqliteStore(db);
    const genesis = await rebuild(store, STREAM);
    expect(genesis.stateHash()).toBe(hash);
    expect(genesis.head).toBe(restarted.projection.head);
    await store.close();
  });

  it("given the newest snapshot has a changed byte and another does not match the log, when the gateway starts, then both are ignored with a warning and it still reaches the same state", async () => {
    const dir = tempDir();
    const db = join(dir, "pmx.db");
    const snapDir = join(dir, "snapshots");
    const logger = capture();
    const snapshots = new SnapshotStore(snapDir, logger, 5);
    const writer = await Exchange.open({
      store: openSqliteStore(db),
      clock: new ManualClock(T0),
      snapshots: { store: snapshots, every: 300, pollIntervalMs: 10 },
      logger,
    });
    await writer.snapshotter!.reached(0);
    await submitAll(writer, workload(900));
    const hash = writer.projection.stateHash();
    await writer.snapshotter!.reached(writer.projection.eventCount);
    await writer.close();
    const files = snapshots.files();
    expect(files.length).toBeGreaterThanOrEqual(3);
    // Newest: one byte changed. Second newest: a snapshot whose head is not the log's.
    const newest = join(snapDir, files[0]!);
    const text = readFileSync(newest, "utf8");
    const at = text.indexOf('"cash":"') + 8;
    writeFileSync(newest, text.slice(0, at) + (text[at] === "9" ? "8" : "9") + text.slice(at + 1));
    const second = join(snapDir, files[1]!);
    const body = readFileSync(second, "utf8").slice(65);
    const forged = JSON.parse(body) as { head: string };
    forged.head = "f".repeat(64);
    const forgedBody = JSON.stringify(forged);
    writeFileSync(second, `${createHash("sha256").update(forgedBody).digest("hex")}\n${forgedBody}`);

    const logger2 = capture();
    const restarted = await Exchange.open({
      store: openSqliteStore(db),
      clock: new ManualClock(T0),
      snapshots: { store: new SnapshotStore(snapDir, logger2, 5), every: 300 },
      logger: logger2,
    });
    const warnings = logger2.warns;
    expect(warnings.map((w) => w.obj.file)).toEqual([newest, second]);
    expect(warnings[0]!.obj.reason).toMatch(/checksum/);
    expect(warnings[1]!.obj.reason).toMatch(/hash/);
    expect(restarted.projection.stateHash()).toBe(hash);
    await restarted.close();
  });
});

describe("followers", () => {
  it("given a leader writing a burst, when a follower tails the same file, then it reaches the same state hash, refuses writes naming the leader, and once promoted takes writes", async () => {
    const dir = tempDir();
    const db = join(dir, "pmx.db");
    const clock = new ManualClock(T0);
    const leader = await Exchange.open({ store: openSqliteStore(db, { pollIntervalMs: 10 }), clock });
    await submitAll(leader, workload(50));
    const follower = await Exchange.open({
      store: openSqliteStore(db, { pollIntervalMs: 10 }),
      clock: new ManualClock(T0),
      follow: { leader: "http://leader.example:8080" },
    });
    expect(follower.role).toBe("follower");
    await submitAll(
      leader,
      workload(400)
        .slice(13)
        .map((c) => (c.type === "PlaceOrder" ? { ...c, clientOrderId: `x-${c.clientOrderId}` } : c)),
    );
    const target = leader.projection.eventCount;
    for (let i = 0; i < 300 && follower.projection.eventCount < target; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(follower.projection.eventCount).toBe(target);
    expect(follower.projection.head).toBe(leader.projection.head);
    expect(follower.projection.stateHash()).toBe(leader.projection.stateHash());

    await expect(follower.submit({ type: "OpenAccount", accountId: "zed" })).rejects.toMatchObject({
      code: "NOT_LEADER",
      message: expect.stringContaining("http://leader.example:8080"),
    });
    expect(follower.writesStopped).toContain("read-only");

    // The leader is gone; the follower is promoted and writes after the leader's last event.
    await leader.close();
    await follower.promote();
    expect(follower.role).toBe("leader");
    const outcome = await follower.submit({ type: "OpenAccount", accountId: "zed" });
    expect(outcome.ok).toBe(true);
    expect(follower.projection.eventCount).toBe(target + 1);
    await follower.close();

    const store = openSqliteStore(db);
    expect((await rebuild(store, STREAM)).eventCount).toBe(target + 1);
    await store.close();
  });
});
