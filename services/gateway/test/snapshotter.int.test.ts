// The snapshotter thread: the leader's periodic snapshots, written off the event loop from the log itself.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "@pmx/eventstore";
import type { ProjectionSnapshot } from "@pmx/projections";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../src/clock.js";
import { Exchange, rebuild, STREAM } from "../src/exchange.js";
import type { CommandInput } from "../src/sequencer.js";
import { SnapshotStore } from "../src/snapshots.js";
import { CapturingLogger } from "./support.js";

const T0 = Date.parse("2026-01-01T00:00:00Z");

const dirs: string[] = [];
const open: Exchange[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close().catch(() => undefined)));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "pmx-snapshotter-"));
  dirs.push(d);
  return d;
};
const opened = async (options: Parameters<typeof Exchange.open>[0]) => {
  const e = await Exchange.open(options);
  open.push(e);
  return e;
};

/** `accounts` funded accounts, `markets` markets, then `orders` buy orders that cross often (GTC and IOC). */
function workload(orders: number, accounts = 6, markets = 1): CommandInput[] {
  const commands: CommandInput[] = [];
  for (let a = 0; a < accounts; a++) {
    commands.push({ type: "OpenAccount", accountId: `a${a}` });
    commands.push({ type: "Deposit", accountId: `a${a}`, amount: "100000000", reference: "seed" });
  }
  for (let m = 0; m < markets; m++)
    commands.push({
      type: "ListMarket",
      marketId: `m${m}`,
      question: `Market ${m}?`,
      tickSize: "0.001",
      resolvesAt: "2027-01-01T00:00:00Z",
    });
  for (let i = 0; i < orders; i++) {
    const ticks = 480 + ((i * 37) % 41);
    commands.push({
      type: "PlaceOrder",
      accountId: `a${i % accounts}`,
      marketId: `m${i % markets}`,
      clientOrderId: `c${i}`,
      side: "buy",
      outcome: i % 2 === 0 ? "YES" : "NO",
      price: (ticks / 1000).toFixed(3),
      quantity: String(1 + (i % 20)),
      timeInForce: i % 5 === 0 ? "IOC" : "GTC",
      postOnly: false,
      leverage: "1",
    });
  }
  return commands;
}

async function submitVolleys(exchange: Exchange, commands: CommandInput[], size: number): Promise<void> {
  for (let i = 0; i < commands.length; i += size) {
    const results = await Promise.all(commands.slice(i, i + size).map((c) => exchange.submit(c)));
    expect(results.filter((r) => !r.ok)).toEqual([]);
  }
}

/** A snapshot file's body (after its checksum line), checked against the checksum. */
function bodyOf(file: string): string {
  const text = readFileSync(file, "utf8");
  const newline = text.indexOf("\n");
  const body = text.slice(newline + 1);
  expect(createHash("sha256").update(body).digest("hex")).toBe(text.slice(0, newline));
  return body;
}

describe("the snapshotter thread", () => {
  it("given a leader on a SQLite file, when commands are committed, then the thread writes at revision N the snapshot the leader's projection gives at N (same content, same state hash), and a restart starts from it with the state hash of a genesis replay", async () => {
    const dir = tempDir();
    const db = join(dir, "pmx.db");
    const snapDir = join(dir, "snapshots");
    // Left behind by interrupted writes (this writer's and the former naming): never read, removed once old.
    const stale = [
      join(snapDir, "snapshot-000000000001.json.snapshotter.tmp"),
      join(snapDir, "snapshot-000000000002.json.tmp"),
    ];
    mkdirSync(snapDir, { recursive: true });
    for (const f of stale) writeFileSync(f, "half a snapshot");

    const logger = new CapturingLogger();
    const every = 150;
    const leader = await opened({
      store: openSqliteStore(db),
      clock: new ManualClock(T0),
      snapshots: { store: new SnapshotStore(snapDir, logger, 100), every, pollIntervalMs: 10 },
      logger,
    });
    const thread = leader.snapshotter!;
    expect(thread).not.toBeNull();
    await thread.reached(0);
    // One command at a time: after each answer the leader's projection is exactly the durable log, so what it would
    // write at that revision is known for every command boundary.
    const atBoundary = new Map<number, string>();
    for (const command of workload(260)) {
      const outcome = await leader.submit(command);
      expect(outcome.ok).toBe(true);
      atBoundary.set(leader.projection.eventCount, JSON.stringify(leader.projection.toSnapshot()));
    }
    const events = leader.projection.eventCount;
    const hash = leader.projection.stateHash();
    await thread.reached(events);

    // The revisions due: the first command boundary at least `every` events after the previous snapshot.
    const due: number[] = [];
    for (const n of atBoundary.keys()) if (n - (due.at(-1) ?? 0) >= every) due.push(n);
    expect(due.length).toBeGreaterThanOrEqual(3);
    expect(thread.written.map((w) => w.events)).toEqual(due);
    for (const w of thread.written) {
      // Equal content (JSON key order may differ: the leader holds objects as decided, the thread as decoded) and
      // the same state hash.
      const got = JSON.parse(bodyOf(w.file)) as ProjectionSnapshot;
      const want = JSON.parse(atBoundary.get(w.events)!) as ProjectionSnapshot;
      expect(got.stateHash).toBe(want.stateHash);
      expect(got.head).toBe(want.head);
      expect(got).toEqual(want);
    }
    const written = logger.infos.filter((l) => l.msg === "snapshot written");
    expect(written.map((l) => l.obj.events)).toEqual(due);
    expect(written.every((l) => typeof l.obj.ms === "number" && typeof l.obj.file === "string")).toBe(true);
    expect(logger.warns).toEqual([]);
    // The stale temporary files were older than every kept snapshot: gone.
    expect(stale.map(existsSync)).toEqual([false, false]);
    await leader.close();
    expect(thread.stopped).not.toBeNull();

    const logger2 = new CapturingLogger();
    const restarted = await opened({
      store: openSqliteStore(db),
      clock: new ManualClock(T0),
      snapshots: { store: new SnapshotStore(snapDir, logger2, 100), every, pollIntervalMs: 10 },
      logger: logger2,
    });
    expect(logger2.infos.find((l) => l.msg === "starting from snapshot")?.obj.events).toBe(due.at(-1));
    expect(logger2.warns).toEqual([]);
    expect(restarted.projection.eventCount).toBe(events);
    expect(restarted.projection.stateHash()).toBe(hash);
    // Its own thread starts from the same snapshot, not from genesis.
    await restarted.snapshotter!.reached(events);
    expect(logger2.infos.find((l) => l.msg === "snapshotter started")?.obj.events).toBe(due.at(-1));
    await restarted.close();

    const store = openSqliteStore(db);
    const genesis = await rebuild(store, STREAM);
    expect(genesis.stateHash()).toBe(hash);
    await store.close();
  });

  it("given the snapshot folder cannot be written, when a snapshot is due, then the thread's failure is a warning and the leader keeps answering", async () => {
    const dir = tempDir();
    const blocker = join(dir, "not-a-folder");
    writeFileSync(blocker, "");
    const logger = new CapturingLogger();
    const leader = await opened({
      store: openSqliteStore(join(dir, "pmx.db")),
      clock: new ManualClock(T0),
      snapshots: {
        store: new SnapshotStore(join(blocker, "snapshots"), logger),
        every: 50,
        pollIntervalMs: 10,
      },
      logger,
    });
    await leader.snapshotter!.reached(0);
    await submitVolleys(leader, workload(60), 20);
    await leader.snapshotter!.reached(leader.projection.eventCount);
    const warnings = logger.warns.filter((w) => w.msg === "snapshot not written");
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(String(warnings[0]!.obj.reason)).toMatch(/ENOTDIR|not a directory/);
    expect(leader.snapshotter!.stopped).toBeNull();
    expect((await leader.submit({ type: "OpenAccount", accountId: "late" })).ok).toBe(true);
    expect(leader.writesStopped).toBeNull();
  });

  it("given a follower with snapshots configured, then it writes none; once promoted, its thread does", async () => {
    const dir = tempDir();
    const db = join(dir, "pmx.db");
    const snapDir = join(dir, "snapshots");
    const leader = await opened({ store: openSqliteStore(db), clock: new ManualClock(T0) });
    await submitVolleys(leader, workload(40), 20);
    const follower = await opened({
      store: openSqliteStore(db, { pollIntervalMs: 10 }),
      clock: new ManualClock(T0),
      snapshots: { store: new SnapshotStore(snapDir, new CapturingLogger()), every: 20, pollIntervalMs: 10 },
      follow: { leader: null },
    });
    expect(follower.snapshotter).toBeNull();
    await submitVolleys(
      leader,
      workload(120)
        .map((c) => (c.type === "PlaceOrder" ? { ...c, clientOrderId: `x${c.clientOrderId}` } : c))
        .slice(13),
      20,
    );
    const target = leader.projection.eventCount;
    for (let i = 0; i < 300 && follower.projection.eventCount < target; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(follower.projection.eventCount).toBe(target);
    expect(new SnapshotStore(snapDir, new CapturingLogger()).files()).toEqual([]);

    await leader.close();
    await follower.promote();
    const thread = follower.snapshotter!;
    expect(thread).not.toBeNull();
    await thread.reached(target);
    expect(thread.written.length).toBeGreaterThanOrEqual(1);
    expect(thread.written.at(-1)!.events).toBeLessThanOrEqual(target);
  });
});

describe("the event loop while the thread writes a snapshot", () => {
  it("given a state whose snapshot holds the event loop for a measured time when written in-loop, when the thread replays the log and writes it, then a timer on the event loop keeps firing with gaps far below that time", async () => {
    const dir = tempDir();
    const db = join(dir, "pmx.db");
    const quiet = new CapturingLogger();
    // ~100,000 events: 100 accounts, 4 markets, 50,000 orders in volleys of 2,000.
    const builder = await opened({
      store: openSqliteStore(db),
      clock: new ManualClock(T0),
      maxBatch: 2000,
      logger: quiet,
    });
    await submitVolleys(builder, workload(50_000, 100, 4), 2000);
    const events = builder.projection.eventCount;
    // The in-loop cost of this state's snapshot, as the leader paid it before (best of two).
    const inLoop = new SnapshotStore(join(dir, "in-loop"), quiet);
    const inLoopMs = Math.min(
      ...[0, 1].map(() => {
        const t = performance.now();
        inLoop.write(builder.projection);
        return performance.now() - t;
      }),
    );
    await builder.close();
    expect(inLoopMs, "the state is big enough for its snapshot to take a while").toBeGreaterThan(150);

    const logger = new CapturingLogger();
    const snapDir = join(dir, "snapshots");
    const leader = await opened({
      store: openSqliteStore(db),
      clock: new ManualClock(T0),
      snapshots: { store: new SnapshotStore(snapDir, logger), every: 1000, pollIntervalMs: 10 },
      logger,
    });
    // From here the thread replays the log from genesis and writes one snapshot near its end; the event loop runs a
    // 5 ms timer and answers a command now and then.
    let last = performance.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 5);
    let answers = 0;
    let commands = 0;
    const thread = leader.snapshotter!;
    const reached = thread.reached(events);
    let done = false;
    void reached.finally(() => {
      done = true;
    });
    while (!done) {
      const outcome = await leader.submit({ type: "OpenAccount", accountId: `late-${commands++}` });
      if (outcome.ok) answers++;
      await new Promise((r) => setTimeout(r, 20));
    }
    await reached;
    clearInterval(timer);

    // It wrote the snapshot of the whole state while the timer ran (the log at ~`events`; a second one may follow
    // once the late commands add `every` events more).
    expect(thread.written.length).toBeGreaterThanOrEqual(1);
    const snap = thread.written[0]!;
    expect(snap.events).toBeGreaterThan(events - 1000);
    const body = JSON.parse(bodyOf(snap.file)) as ProjectionSnapshot;
    expect(body.eventCount).toBe(snap.events);
    // The thread's own write took about what the event loop would have been held for (same state, same code) …
    expect(snap.ms).toBeGreaterThan(inLoopMs / 4);
    // … while the event loop was never held for more than a fraction of it (generous: a noisy 2-core machine).
    expect(
      maxGap,
      `largest timer gap ${Math.round(maxGap)} ms, in-loop snapshot ${Math.round(inLoopMs)} ms`,
    ).toBeLessThan(inLoopMs / 3);
    expect(answers).toBe(commands);
    expect(answers).toBeGreaterThan(0);
    expect(logger.warns).toEqual([]);
  }, 120_000);
});
