// The log as an auditor sees it: a few hundred commands written to a real SQLite file through the real gateway,
// then `pmx replay` and `pmx audit` in new processes must reproduce the gateway's hash-chain head, and one
// changed byte anywhere (an event's data, its metadata, the last event) must be caught and located.
import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, Client, type Credential, expectApiError } from "./support/client.js";
import {
  changeRows,
  type Gateway,
  runPmx,
  startGateway,
  stopAllGateways,
  storedEvents,
  T0,
  tempDir,
} from "./support/gateway.js";
import { prng } from "./support/random.js";

interface ReplayReport {
  ok: boolean;
  events: number;
  commands: number;
  head: string;
  stateHash: string;
  bad?: { revision: number; id: string; type: string; problem: string };
}

interface AuditReport {
  ok: boolean;
  events: number;
  head: string;
  stateHash: string;
  failure?: { revision: number; seq: number; problem: string };
}

const MARKETS = [
  { marketId: "r-cents", tickSize: "0.01", ticks: 100, takerFeeBps: 20 },
  // A 0.001 tick and 7 bps make fees with more than 6 places, rounded up: the log must carry them exactly.
  { marketId: "r-mils", tickSize: "0.001", ticks: 1000, takerFeeBps: 7 },
];
const ACCOUNTS = ["ann", "ben", "cat", "dan", "eve", "fay"];

/** A copy of the database file (and its WAL, if any) in a new folder. */
function copyDb(src: string, name: string): string {
  const dir = tempDir("pmx-tamper-");
  const dst = join(dir, `${name}.db`);
  copyFileSync(src, dst);
  for (const suffix of ["-wal", "-shm"])
    if (existsSync(src + suffix)) copyFileSync(src + suffix, dst + suffix);
  return dst;
}

/**
 * Changes ONE byte of one column of the event at `revision`: the digit at the index `pick` chooses, to another
 * digit. Answers the text before and after.
 */
function tamper(
  dbPath: string,
  revision: number,
  column: "data" | "metadata",
  pick: (text: string) => number,
): { before: string; after: string } {
  return changeRows(dbPath, (db) => {
    const row = db.prepare(`SELECT ${column} AS text FROM events WHERE revision = ?`).get(revision) as
      | { text: string }
      | undefined;
    if (!row) throw new Error(`no event at revision ${revision}`);
    const before = row.text;
    const i = pick(before);
    const digit = Number(before[i]);
    if (!Number.isInteger(digit)) throw new Error(`character ${i} of ${before} is not a digit`);
    const after = before.slice(0, i) + String(digit === 9 ? 8 : digit + 1) + before.slice(i + 1);
    expect(after.length).toBe(before.length);
    expect([...after].filter((ch, k) => ch !== before[k])).toHaveLength(1);
    const changed = db.prepare(`UPDATE events SET ${column} = ? WHERE revision = ?`).run(after, revision);
    expect(changed.changes).toBe(1);
    return { before, after };
  });
}

/** Index of the last digit of the first run of digits after `marker` in `text`. */
const lastDigitAfter = (marker: string) => (text: string) => {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`${marker} not in ${text}`);
  let i = at + marker.length;
  while (!/[0-9]/.test(text[i]!)) i++;
  while (/[0-9]/.test(text[i + 1]!)) i++;
  return i;
};
const lastDigit = (text: string) => {
  for (let i = text.length - 1; i >= 0; i--) if (/[0-9]/.test(text[i]!)) return i;
  throw new Error(`no digit in ${text}`);
};

/** The log's events (read-only, through the store) that `keep` keeps. */
function eventsOf(
  dbPath: string,
  keep: (e: { revision: number; type: string }) => boolean = () => true,
): { revision: number; type: string; data: string }[] {
  return storedEvents(dbPath)
    .filter(keep)
    .map((e) => ({ revision: e.revision, type: e.type, data: e.data }));
}

describe("replay e2e: a few hundred commands on a real SQLite file, replayed, audited and tampered with", () => {
  let gw: Gateway;
  let api: Client;
  const who: Record<string, Credential> = {};
  let healthBeforeStop: { sequence: number; head: string; events: number };
  const statuses: Record<string, number> = {};

  beforeAll(async () => {
    gw = await startGateway();
    api = new Client(gw.url, gw.token);
    await api.setClock(T0);
    const random = prng(20241105);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const count = (res: ApiResponse, what: string) => {
      const key = `${what} ${res.status}${res.status >= 400 ? ` ${res.body?.error?.code}` : ""}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
    };

    for (const name of ACCOUNTS) {
      who[name] = await api.openAccount(name);
      await api.deposit(name, "10000", `wire-${name}-1`);
      await api.deposit(name, "2500.125", `wire-${name}-2`);
    }
    for (const { ticks: _, ...m } of MARKETS) await api.listMarket(m);

    const open: { account: string; orderId: string }[] = [];
    let n = 0;
    for (let batch = 0; batch < 30; batch++) {
      await api.setClock(T0 + (batch + 1) * 1_000);
      // Ten orders at once: the sequencer decides them in arrival order and group-commits them.
      const placing = Array.from({ length: 10 }, () => {
        const account = pick(ACCOUNTS);
        const m = pick(MARKETS);
        const priceTicks = Math.round((0.4 + random() * 0.2) * m.ticks);
        const tif = random() < 0.8 ? "GTC" : random() < 0.5 ? "IOC" : "FOK";
        const body = {
          clientOrderId: `g-${++n}`,
          marketId: m.marketId,
          side: random() < 0.75 ? "buy" : "sell",
          outcome: random() < 0.5 ? "YES" : "NO",
          price: (priceTicks / m.ticks).toFixed(m.tickSize.length - 2),
          quantity: String(1 + Math.floor(random() * 40)),
          timeInForce: tif,
          postOnly: tif === "GTC" && random() < 0.1,
        };
        return api.as(who[account]!, "POST", "/v1/orders", body).then((res) => ({ account, res }));
      });
      for (const { account, res } of await Promise.all(placing)) {
        count(res, "order");
        if (res.status === 201 && res.body.status === "open")
          open.push({ account, orderId: res.body.orderId });
      }
      for (let k = 0; k < 2 && open.length > 0; k++) {
        const [o] = open.splice(Math.floor(random() * open.length), 1);
        count(await api.as(who[o!.account]!, "DELETE", `/v1/orders/${o!.orderId}`), "cancel");
      }
    }
    for (const name of ACCOUNTS.slice(0, 3))
      count(
        await api.as(who[name]!, "POST", "/v1/withdrawals", { amount: "100.5", reference: `out-${name}` }),
        "withdrawal",
      );
    await api.setClock(T0 + 60_000);
    // The last command: the resolution of one market, so the log ends with its settlements.
    const resolved = await api.op("POST", `/v1/markets/${MARKETS[0]!.marketId}/resolve`, { outcome: "YES" });
    expect(resolved.status, resolved.text).toBe(200);
    await api.expectSolvent();

    const h = await api.health();
    healthBeforeStop = { sequence: h.sequence, head: h.head, events: h.events };
    expect(await gw.stop("SIGTERM")).toBe(0);
  });

  afterAll(stopAllGateways);

  it("given the generated traffic, then it wrote a few hundred commands, with fills, rests, cancels and refusals", () => {
    expect(healthBeforeStop.sequence, JSON.stringify(statuses)).toBeGreaterThanOrEqual(250);
    expect(statuses["order 201"]).toBeGreaterThanOrEqual(200);
    expect(statuses["cancel 200"]).toBeGreaterThan(0);
    const types = new Set(eventsOf(gw.dbPath).map((e) => e.type));
    for (const type of [
      "AccountOpened",
      "Deposited",
      "Withdrawn",
      "MarketListed",
      "OrderAccepted",
      "TradeExecuted",
      "OrderRested",
      "OrderCancelled",
      "MarketResolved",
      "PositionSettled",
    ])
      expect(types, type).toContain(type);
    const kinds = new Set(
      eventsOf(gw.dbPath, (e) => e.type === "TradeExecuted").map(
        (e) => (JSON.parse(e.data) as { kind: string }).kind,
      ),
    );
    expect([...kinds].sort()).toEqual(["MERGE", "MINT", "TRANSFER"]);
    expect(gw.logLengthOnDisk()).toBe(healthBeforeStop.events);
  });

  it("given the stopped gateway's file, when pmx replay --json runs twice in new processes, then both give the gateway's head and the same state hash", async () => {
    const first = await runPmx(["replay", "--store", gw.storeUrl, "--json"]);
    expect(first.code, first.stderr).toBe(0);
    const a = JSON.parse(first.stdout) as ReplayReport;
    expect(a).toMatchObject({
      ok: true,
      events: healthBeforeStop.events,
      commands: healthBeforeStop.sequence,
      head: healthBeforeStop.head,
    });
    expect(a.stateHash).toMatch(/^[0-9a-f]{64}$/);

    const second = await runPmx(["replay", "--store", gw.storeUrl, "--verify", "--json"]);
    expect(second.code, second.stderr).toBe(0);
    const b = JSON.parse(second.stdout) as ReplayReport;
    expect(b.stateHash).toBe(a.stateHash);
    expect(b.head).toBe(a.head);
    expect(b.ok).toBe(true);
  });

  it("given the file, when pmx audit runs, then every command re-decides to its events, solvency holds throughout, and it exits 0", async () => {
    const audited = await runPmx(["audit", "--store", gw.storeUrl, "--json"]);
    expect(audited.code, audited.stdout + audited.stderr).toBe(0);
    const report = JSON.parse(audited.stdout) as AuditReport;
    expect(report).toMatchObject({ ok: true, events: healthBeforeStop.events, head: healthBeforeStop.head });
    expect(report.failure).toBeUndefined();
  });

  const expectCaught = async (copy: string, revision: number) => {
    const store = `sqlite:${copy}`;
    const [text, json, audited] = await Promise.all([
      runPmx(["replay", "--verify", "--store", store]),
      runPmx(["replay", "--verify", "--store", store, "--json"]),
      runPmx(["audit", "--store", store]),
    ]);
    expect(text.code, text.stdout + text.stderr).toBe(1);
    expect(text.stdout).toContain(`FAILED: event ${revision} `);

    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as ReplayReport;
    expect(report.ok).toBe(false);
    expect(report.bad?.revision).toBe(revision);
    expect(report.events, "replay stops before the bad event").toBe(revision);

    expect(audited.code, audited.stdout + audited.stderr).toBe(1);
    expect(audited.stdout).toContain(`FAILED at event ${revision} `);
  };

  it("given a copy where one digit of a deposit's amount (event data) was changed, when it is replayed with --verify and audited, then both exit 1 naming that event", async () => {
    const deposits = eventsOf(gw.dbPath, (e) => e.type === "Deposited");
    const target = deposits[Math.floor(deposits.length / 2)]!;
    const copy = copyDb(gw.dbPath, "data");
    const { before, after } = tamper(copy, target.revision, "data", lastDigitAfter('"amount":'));
    expect(before).toContain('"amount":"');
    expect(after).not.toBe(before);
    await expectCaught(copy, target.revision);
  });

  it("given a copy where one digit of an event's metadata (its time) was changed, when it is replayed with --verify and audited, then both exit 1 naming that event", async () => {
    const trades = eventsOf(gw.dbPath, (e) => e.type === "TradeExecuted");
    const target = trades[Math.floor(trades.length / 3)]!;
    const copy = copyDb(gw.dbPath, "metadata");
    tamper(copy, target.revision, "metadata", lastDigitAfter('"at":'));
    await expectCaught(copy, target.revision);
  });

  /** Serving the tampered copy must fail at start-up, naming the event at `revision`. */
  const expectServeRefuses = async (copy: string, revision: number) => {
    const served = await runPmx(["serve"], {
      env: {
        PMX_STORE: `sqlite:${copy}`,
        PMX_PORT: "0",
        PMX_OPERATOR_TOKEN: "t",
        PMX_CLOCK: "manual",
        PMX_LOG_LEVEL: "warn",
      },
      timeoutMs: 20_000,
    });
    expect(served.code, served.stdout + served.stderr).not.toBe(0);
    expect(served.stderr).toContain(`event ${revision} `);
  };

  it("given a copy where one byte of the LAST event was changed, when it is replayed with --verify and audited, then both exit 1 naming it, and the gateway refuses to serve it", async () => {
    const last = healthBeforeStop.events - 1;
    const copy = copyDb(gw.dbPath, "last");
    const { before } = tamper(copy, last, "data", lastDigit);
    expect(eventsOf(gw.dbPath, (e) => e.revision === last)[0]!.data).toBe(before);
    await expectCaught(copy, last);
    await expectServeRefuses(copy, last);
  });

  /** Runs one UPDATE on a copy of the file; answers the first revision of the log's last command. */
  const moveLastCommand = (copy: string, set: string): number =>
    changeRows(copy, (db) => {
      const last = db
        .prepare("SELECT revision, metadata FROM events ORDER BY revision DESC LIMIT 1")
        .get() as {
        revision: number;
        metadata: string;
      };
      const first = last.revision - (JSON.parse(last.metadata) as { index: number }).index;
      const moved = db.prepare(`UPDATE events SET ${set} WHERE revision >= ?`).run(first);
      expect(moved.changes).toBe(last.revision - first + 1);
      return first;
    });

  it("given a copy where the last command's stored revisions were flipped negative (no byte of an event changed), when it is replayed with --verify, audited and served, then all three refuse it at that position", async () => {
    const copy = copyDb(gw.dbPath, "revision");
    const first = moveLastCommand(copy, "revision = -1 - revision");
    expect(first).toBeGreaterThan(0);
    await expectCaught(copy, first);
    await expectServeRefuses(copy, first);
  });

  it("given a copy where the last command's stored stream column was changed, when it is replayed with --verify, audited and served, then all three refuse it at that position", async () => {
    const copy = copyDb(gw.dbPath, "stream");
    const first = moveLastCommand(copy, "stream = 'pmx-elsewhere'");
    await expectCaught(copy, first);
    await expectServeRefuses(copy, first);
  });

  it("given no file at the given path (a typo), when pmx replay --verify and pmx audit run, then they fail and create nothing", async () => {
    const missing = join(tempDir("pmx-missing-"), "no-such-folder", "pmx.db");
    const replayed = await runPmx(["replay", "--verify", "--store", `sqlite:${missing}`]);
    expect(replayed.code, `replay answered: ${replayed.stdout}`).not.toBe(0);
    const audited = await runPmx([
      "audit",
      "--store",
      `sqlite:${missing.replace("no-such-folder", "another")}`,
    ]);
    expect(audited.code, `audit answered: ${audited.stdout}`).not.toBe(0);
    expect(existsSync(missing), "an auditor's read must not create an empty log").toBe(false);
  });

  it("given the gateway restarted on the file, when it is killed with SIGKILL right after acknowledging orders, then every acknowledged order is in the log and the log still verifies", async () => {
    await gw.restart();
    await api.syncClock();
    const h = await api.health();
    expect({ sequence: h.sequence, head: h.head, events: h.events }).toEqual(healthBeforeStop);

    const market = MARKETS[1]!.marketId;
    const acked = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        api
          .as(who[ACCOUNTS[i % ACCOUNTS.length]!]!, "POST", "/v1/orders", {
            clientOrderId: `k-${i}`,
            marketId: market,
            side: "buy",
            outcome: i % 2 === 0 ? "YES" : "NO",
            price: i % 2 === 0 ? "0.51" : "0.49",
            quantity: "3",
          })
          .then((res) => {
            expect(res.status, res.text).toBe(201);
            return res.body.orderId as string;
          }),
      ),
    );
    expect(await gw.stop("SIGKILL")).toBeNull();

    const accepted = new Set(
      eventsOf(gw.dbPath, (e) => e.type === "OrderAccepted").map(
        (e) => (JSON.parse(e.data) as { orderId: string }).orderId,
      ),
    );
    for (const orderId of acked) expect(accepted, orderId).toContain(orderId);

    const replayed = await runPmx(["replay", "--verify", "--store", gw.storeUrl, "--json"]);
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(0);
    const report = JSON.parse(replayed.stdout) as ReplayReport;
    expect(report.events).toBe(gw.logLengthOnDisk());
    const audited = await runPmx(["audit", "--store", gw.storeUrl]);
    expect(audited.code, audited.stdout + audited.stderr).toBe(0);
  });
});

describe("replay e2e: a second writer on the same SQLite file", () => {
  afterAll(stopAllGateways);

  it("given gateway A writing a file, when gateway B is started on the same file and both append, then no acknowledged command is missing from the log: the stale writer is fenced with 503 WRITES_STOPPED", async () => {
    const a = await startGateway();
    const apiA = new Client(a.url, a.token);
    await apiA.setClock(T0);
    const alice = await apiA.openAccount("alice");
    await apiA.deposit("alice", "1000", "wire-alice-1");

    // B rebuilds from the same file (2 events) and takes the next command number, exactly as A would.
    const b = await startGateway({ sameFileAs: a });
    const apiB = new Client(b.url, b.token);
    await apiB.syncClock();
    const fromB = await apiB.op("POST", "/v1/accounts/alice/deposits", { amount: "5", reference: "from-b" });
    expect(fromB.status, fromB.text).toBe(200);

    // A's state is now behind the log: its next append must be refused (fenced), not acknowledged.
    const fromA = await apiA.op("POST", "/v1/accounts/alice/deposits", { amount: "7", reference: "from-a" });
    const deposits = eventsOf(a.dbPath, (e) => e.type === "Deposited").map(
      (e) => JSON.parse(e.data) as { reference: string },
    );
    const references = deposits.map((d) => d.reference);
    if (fromA.status === 200)
      expect(references, `A answered 200 ${fromA.text} for a deposit the log does not hold`).toContain(
        "from-a",
      );
    expectApiError(fromA, 503, "WRITES_STOPPED");
    expect(references).toEqual(["wire-alice-1", "from-b"]);
    const health = await apiA.health();
    expect(health).toMatchObject({ writable: false });
    const readBack = await apiA.as(alice, "GET", "/v1/account");
    expect(readBack.body).toMatchObject({ cash: "1005" });
  });
});
