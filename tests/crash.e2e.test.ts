// Crash safety with a real child process and a real SQLite file: bursts of concurrent signed orders, the gateway
// killed with SIGKILL in the middle of each burst (after k acknowledgements, or after a seeded random delay), then
// restarted on the SAME file. Every acknowledged order must be in the file and served after the restart, no
// command may be torn, `pmx replay --verify` and `pmx audit` must pass on the crashed file, and re-sending every
// request of the burst (same clientOrderId and content, fresh signatures) must neither duplicate nor lose any order.
//
// All iterations continue on one file (one gateway data folder): each crash is recovered from a log that already
// holds the previous iterations, so recovery is exercised repeatedly on a growing, many-times-crashed file.
import { copyFileSync, existsSync } from "node:fs";
import { Agent } from "node:http";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type ApiResponse, Client, type Credential, sendInPieces } from "./support/client.js";
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

/** Iterations (kill points); each one a burst, a SIGKILL, a restart and all the checks. */
const ITERATIONS = 20;
/** Orders in flight at once in each burst, each with its own clientOrderId. */
const BURST = 160;

const MARKETS = [
  { marketId: "crash-cents", tickSize: "0.01", ticks: 100, takerFeeBps: 20 },
  { marketId: "crash-mils", tickSize: "0.001", ticks: 1000, takerFeeBps: 7 },
] as const;
/** Accounts that trade in every burst; the two first also sell the shares they minted during the setup. */
const FIXED = ["ann", "ben", "cat", "dan", "eve"] as const;
const SELLERS = [
  { account: "ann", outcome: "YES" },
  { account: "ben", outcome: "NO" },
] as const;
const MINTED = 2000;

interface OrderBody {
  clientOrderId: string;
  marketId: string;
  side: "buy" | "sell";
  outcome: "YES" | "NO";
  price: string;
  quantity: string;
  timeInForce: "GTC" | "IOC" | "FOK";
  postOnly: boolean;
}

interface Planned {
  account: string;
  body: OrderBody;
}

type KillPlan = { kind: "acks"; k: number } | { kind: "delay"; ms: number };

interface LogRow {
  revision: number;
  type: string;
  data: string;
  metadata: string;
}

interface Meta {
  commandId: string;
  seq: number;
  index: number;
  count: number;
  hash: string;
  command?: { type: string };
}

/** Every event of the file, read with a read-only connection (the gateway is dead or serving: WAL makes it safe). */
function readLog(dbPath: string): LogRow[] {
  return storedEvents(dbPath).map((e) => ({
    revision: e.revision,
    type: e.type,
    data: e.data,
    metadata: e.metadata,
  }));
}

/**
 * Problems with the log's structure (none expected): revisions 0..n−1 without gaps, commands numbered 1, 2, 3 …
 * in log order, each command's events contiguous with `index` 0..count−1 and the same `count`, the first one
 * carrying the command, and the last command of the file complete (no torn tail).
 */
function tornProblems(rows: readonly LogRow[]): { problems: string[]; commands: number } {
  const problems: string[] = [];
  let expectedSeq = 1;
  let open: { commandId: string; seq: number; count: number; next: number } | null = null;
  rows.forEach((row, i) => {
    if (row.revision !== i) problems.push(`revision ${row.revision} at position ${i}`);
    const m = JSON.parse(row.metadata) as Meta;
    if (open === null) {
      if (m.index !== 0) problems.push(`revision ${row.revision}: ${m.commandId} starts at index ${m.index}`);
      if (m.seq !== expectedSeq)
        problems.push(`revision ${row.revision}: seq ${m.seq}, expected ${expectedSeq}`);
      if (m.command === undefined)
        problems.push(`revision ${row.revision}: first event of ${m.commandId} has no command`);
      expectedSeq = m.seq + 1;
      open = { commandId: m.commandId, seq: m.seq, count: m.count, next: 0 };
    } else if (m.commandId !== open.commandId || m.seq !== open.seq || m.count !== open.count) {
      problems.push(
        `revision ${row.revision}: ${m.commandId} (seq ${m.seq}) interleaves ${open.commandId}, which has ${open.next} of ${open.count} events`,
      );
      return;
    }
    if (m.index !== open.next)
      problems.push(`revision ${row.revision}: ${m.commandId} index ${m.index}, expected ${open.next}`);
    open.next = m.index + 1;
    if (open.next === open.count) open = null;
  });
  if (open !== null) {
    const o = open as { commandId: string; count: number; next: number };
    problems.push(`the log ends inside ${o.commandId}: ${o.next} of its ${o.count} events (a torn batch)`);
  }
  return { problems, commands: expectedSeq - 1 };
}

/** `account/clientOrderId` → the orderIds of every OrderAccepted for it in the log (exactly one expected). */
function acceptedOrders(rows: readonly LogRow[]): Map<string, string[]> {
  const byClient = new Map<string, string[]>();
  for (const row of rows) {
    if (row.type !== "OrderAccepted") continue;
    const d = JSON.parse(row.data) as { orderId: string; accountId: string; clientOrderId: string };
    const key = `${d.accountId}/${d.clientOrderId}`;
    byClient.set(key, [...(byClient.get(key) ?? []), d.orderId]);
  }
  return byClient;
}

const keyOf = (p: Planned) => `${p.account}/${p.body.clientOrderId}`;

describe("crash e2e: SIGKILL in the middle of bursts of concurrent orders, restart on the same SQLite file", () => {
  afterAll(stopAllGateways);

  it(`given ${ITERATIONS} bursts of ${BURST} concurrent signed orders each cut by a SIGKILL at a different point, when the gateway restarts on the same file each time, then no acknowledged order is lost, no command is torn, the file replays and audits, and re-sending every request neither duplicates nor loses an order`, async () => {
    const started = Date.now();
    const random = prng(0xc4a54);
    const gw: Gateway = await startGateway();
    const api = new Client(gw.url, gw.token);
    await api.setClock(T0);

    // ---- setup (acknowledged, before any kill): accounts, money, two markets, minted shares to sell later ----
    const who: Record<string, Credential> = {};
    for (const name of FIXED) {
      who[name] = await api.openAccount(name);
      await api.deposit(name, "1000000", `wire-${name}`);
    }
    for (const { ticks: _, ...m } of MARKETS) await api.listMarket(m);
    /** Every clientOrderId ever placed, as `account/clientOrderId`. */
    const allPlaced = new Set<string>();
    for (const m of MARKETS) {
      const half = (m.ticks / 2 / m.ticks).toFixed(m.tickSize.length - 2);
      for (const [account, outcome] of [
        ["ann", "YES"],
        ["ben", "NO"],
      ] as const) {
        const clientOrderId = `mint-${m.marketId}-${outcome}`;
        const res = await api.as(who[account]!, "POST", "/v1/orders", {
          clientOrderId,
          marketId: m.marketId,
          side: "buy",
          outcome,
          price: half,
          quantity: String(MINTED),
        });
        expect(res.status, res.text).toBe(201);
        allPlaced.add(`${account}/${clientOrderId}`);
      }
    }
    /** Shares of each seller still free to sell, by `account/market`: sells are capped so that none is refused. */
    const sellable = new Map<string, number>();
    for (const s of SELLERS) for (const m of MARKETS) sellable.set(`${s.account}/${m.marketId}`, MINTED);

    const stats: {
      iteration: number;
      plan: string;
      acked: number;
      landedUnacked: number;
      lost: number;
      present: number;
      eventsAfterCrash: number;
      eventsAfterResend: number;
      ms: number;
    }[] = [];

    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      const t0 = Date.now();
      // One new account per iteration (acknowledged before the burst): its credential must survive the kill too.
      const fresh = `new${iteration}`;
      who[fresh] = await api.openAccount(fresh);
      await api.deposit(fresh, "100000", `wire-${fresh}`);
      const traders = [...FIXED, fresh];

      // ---- the burst: resting and crossing buys (GTC, IOC, FOK, post-only) and sells of minted shares ----
      const planned: Planned[] = [];
      for (let n = 0; n < BURST; n++) {
        const m = MARKETS[Math.floor(random() * MARKETS.length)]!;
        const price = (ticks: number) => (ticks / m.ticks).toFixed(m.tickSize.length - 2);
        const inRange = (lo: number, hi: number) => price(Math.round((lo + random() * (hi - lo)) * m.ticks));
        const clientOrderId = `i${iteration}-o${n}`;
        const roll = random();
        const seller = SELLERS[Math.floor(random() * SELLERS.length)]!;
        const quantity = 1 + Math.floor(random() * 5);
        const sellKey = `${seller.account}/${m.marketId}`;
        if (roll < 0.12 && sellable.get(sellKey)! >= quantity) {
          sellable.set(sellKey, sellable.get(sellKey)! - quantity);
          planned.push({
            account: seller.account,
            body: {
              clientOrderId,
              marketId: m.marketId,
              side: "sell",
              outcome: seller.outcome,
              price: inRange(0.4, 0.6),
              quantity: String(quantity),
              timeInForce: random() < 0.7 ? "GTC" : "IOC",
              postOnly: false,
            },
          });
          continue;
        }
        const account = traders[Math.floor(random() * traders.length)]!;
        const outcome = random() < 0.5 ? "YES" : "NO";
        const crossing = roll < 0.55;
        const tifRoll = random();
        const timeInForce = !crossing || tifRoll < 0.6 ? "GTC" : tifRoll < 0.85 ? "IOC" : "FOK";
        planned.push({
          account,
          body: {
            clientOrderId,
            marketId: m.marketId,
            side: "buy",
            outcome,
            // A buy of one outcome at p crosses a buy of the other at q when p + q ≥ 1 (a MINT).
            price: crossing ? inRange(0.56, 0.7) : inRange(0.3, 0.45),
            quantity: String(1 + Math.floor(random() * 20)),
            timeInForce,
            postOnly: timeInForce === "GTC" && random() < 0.1,
          },
        });
      }
      for (const p of planned) allPlaced.add(keyOf(p));

      // Kill points: after k acknowledgements (k from 1 to the whole burst) or after a random delay (0 to 400 ms).
      const plan: KillPlan =
        iteration % 2 === 0
          ? {
              kind: "acks",
              k: iteration === 0 ? 1 : iteration === 2 ? BURST : 1 + Math.floor(random() * BURST),
            }
          : { kind: "delay", ms: iteration === 1 ? 0 : Math.floor(random() * 400) };
      const planText = plan.kind === "acks" ? `kill after ${plan.k} acks` : `kill after ${plan.ms} ms`;

      let killed: Promise<number | null> | null = null;
      let killSentAt = 0;
      const kill = () => {
        if (killed) return;
        killSentAt = Date.now();
        killed = gw.stop("SIGKILL");
      };
      // A connection of its own for every request (no keep-alive): the burst is what is in flight, nothing more.
      const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
      const requests = planned.map((p) => api.signedRequest(who[p.account]!, "POST", "/v1/orders", p.body));
      const acks = new Map<string, ApiResponse>();
      const refusals: string[] = [];
      const errorsBeforeKill: string[] = [];
      let ackCount = 0;
      const burstStarted = Date.now();
      const sends = planned.map((p, i) =>
        sendInPieces(gw.url, agent, requests[i]!).then(
          (res) => {
            if (res.status === 201 || res.status === 200) {
              acks.set(keyOf(p), res);
              ackCount += 1;
              if (plan.kind === "acks" && ackCount === plan.k) kill();
            } else refusals.push(`${keyOf(p)}: ${res.status} ${res.text}`);
          },
          (error: Error) => {
            if (!killed) errorsBeforeKill.push(`${keyOf(p)}: ${error.message}`);
          },
        ),
      );
      if (plan.kind === "delay") setTimeout(kill, plan.ms);
      await Promise.all(sends);
      const burstMs = Date.now() - burstStarted;
      kill(); // the whole burst was answered before the kill point: kill now, right after the last answer
      expect(await killed!, "the gateway ended by SIGKILL, not by itself").toBeNull();
      agent.destroy();
      expect(refusals, "every order of the burst is valid and funded: none may be refused").toEqual([]);
      expect(errorsBeforeKill, "no request may fail before the kill").toEqual([]);

      // ---- the crashed file, as the dead gateway left it ----
      const crashed = readLog(gw.dbPath);
      const torn = tornProblems(crashed);
      expect(torn.problems, "no command of the crashed log is torn").toEqual([]);
      const onDisk = acceptedOrders(crashed);
      const missing: string[] = [];
      for (const [key, res] of acks) {
        const ids = onDisk.get(key);
        if (!ids?.includes(res.body.orderId))
          missing.push(
            `${key} acknowledged as ${res.body.orderId} (${res.status}) but the file has ${ids ?? "nothing"}`,
          );
      }
      expect(missing, "every acknowledged order is in the file the killed gateway left").toEqual([]);
      for (const [key, ids] of onDisk) expect(ids, `${key} accepted once`).toHaveLength(1);
      const landed = planned.filter((p) => onDisk.has(keyOf(p)));
      const landedUnacked = landed.filter((p) => !acks.has(keyOf(p))).length;

      // `pmx replay --verify` and `pmx audit` on the crashed file, while the gateway restarts on it (it appends nothing).
      const [replayed, audited] = await Promise.all([
        runPmx(["replay", "--verify", "--store", gw.storeUrl, "--json"]),
        runPmx(["audit", "--store", gw.storeUrl, "--json"]),
        gw.restart(),
      ]);
      expect(replayed.code, replayed.stdout + replayed.stderr).toBe(0);
      const replay = JSON.parse(replayed.stdout) as {
        ok: boolean;
        events: number;
        commands: number;
        head: string;
      };
      expect(replay).toMatchObject({ ok: true, events: crashed.length, commands: torn.commands });
      expect(audited.code, audited.stdout + audited.stderr).toBe(0);
      expect(JSON.parse(audited.stdout)).toMatchObject({
        ok: true,
        events: crashed.length,
        head: replay.head,
      });

      // ---- after the restart: the same log, every acknowledged order served ----
      await api.syncClock();
      const health = await api.health();
      expect(health, "the restarted gateway rebuilt exactly the crashed file").toMatchObject({
        events: crashed.length,
        sequence: torn.commands,
        head: replay.head,
      });
      const reads = await Promise.all(
        [...acks].map(async ([key, ack]) => {
          const account = key.split("/")[0]!;
          const res = await api.as(who[account]!, "GET", `/v1/orders/${ack.body.orderId}`);
          return { key, ack, res };
        }),
      );
      for (const { key, ack, res } of reads) {
        expect(res.status, `${key}: GET /v1/orders/${ack.body.orderId} → ${res.text}`).toBe(200);
        expect(res.body, key).toMatchObject({
          orderId: ack.body.orderId,
          clientOrderId: ack.body.clientOrderId,
          accountId: ack.body.accountId,
          marketId: ack.body.marketId,
        });
      }

      // ---- re-send ALL the requests of the burst: same clientOrderId and content, fresh timestamps/signatures ----
      const resent = await Promise.all(
        planned.map(async (p) => ({ p, res: await api.as(who[p.account]!, "POST", "/v1/orders", p.body) })),
      );
      const wrongRepeats: string[] = [];
      for (const { p, res } of resent) {
        const key = keyOf(p);
        const first = onDisk.get(key)?.[0];
        const context = `${key} re-sent: ${res.status} ${res.text}`;
        if (first !== undefined) {
          // Already in the log (acknowledged or not): the repeat answers 200 with the same order.
          expect(res.status, context).toBe(200);
          expect(res.body.orderId, context).toBe(first);
          const ack = acks.get(key);
          // The API answers a repeat with the first answer: the same body as the acknowledgement.
          if (ack && JSON.stringify(res.body) !== JSON.stringify(ack.body))
            wrongRepeats.push(`${key}: first ${ack.text}\n  repeat ${res.text}`);
        } else {
          expect(res.status, context).toBe(201);
          expect(res.body.clientOrderId, context).toBe(p.body.clientOrderId);
        }
      }
      expect(wrongRepeats, "a repeat answers the first answer").toEqual([]);

      // ---- afterwards: one order per clientOrderId, as many orders as clientOrderIds, solvency balanced ----
      const after = readLog(gw.dbPath);
      expect(tornProblems(after).problems).toEqual([]);
      const accepted = acceptedOrders(after);
      const duplicated = [...accepted].filter(([, ids]) => ids.length !== 1);
      expect(duplicated, "every clientOrderId maps to exactly one order in the log").toEqual([]);
      expect(new Set(accepted.keys())).toEqual(allPlaced);
      const listed = new Map<string, string[]>();
      for (const account of Object.keys(who)) {
        const res = await api.op("GET", `/v1/orders?accountId=${account}&limit=1000`);
        expect(res.status, res.text).toBe(200);
        const orders = res.body.orders as { orderId: string; clientOrderId: string }[];
        expect(orders.length, `${account} has fewer than 1000 orders (no paging)`).toBeLessThan(1000);
        for (const o of orders) {
          const key = `${account}/${o.clientOrderId}`;
          listed.set(key, [...(listed.get(key) ?? []), o.orderId]);
        }
      }
      expect([...listed].filter(([, ids]) => ids.length !== 1)).toEqual([]);
      expect(listed.size, "orders served = distinct clientOrderIds placed").toBe(allPlaced.size);
      for (const [key, ids] of listed) expect(ids, key).toEqual(accepted.get(key));
      await api.expectSolvent();
      expect(await gw.logLength()).toBe(after.length);

      const s = {
        iteration,
        plan: planText,
        acked: acks.size,
        landedUnacked,
        lost: BURST - landed.length,
        present: landed.length,
        eventsAfterCrash: crashed.length,
        eventsAfterResend: after.length,
        ms: Date.now() - t0,
      };
      stats.push(s);
      console.log(
        `crash #${iteration} ${planText} (burst answered in ${burstMs} ms, kill sent ${killSentAt - burstStarted} ms in): ` +
          `acked ${s.acked}/${BURST}, orders found after restart ${s.present} (${s.landedUnacked} durable but unacknowledged, ` +
          `${s.lost} never written), events in the log ${s.eventsAfterCrash} after the crash, ${s.eventsAfterResend} after re-sending; ${s.ms} ms`,
      );
    }

    // The kill points did cut bursts: some iterations lost unacknowledged requests, some acknowledged only part.
    expect(
      stats.some((s) => s.acked < BURST),
      "some kill landed mid-burst",
    ).toBe(true);
    expect(
      stats.some((s) => s.lost > 0),
      "some requests never reached the log before a kill",
    ).toBe(true);

    // A clean stop at the end: the final file verifies and audits too.
    const final = await api.health();
    expect(await gw.stop("SIGTERM")).toBe(0);
    const [replayed, audited] = await Promise.all([
      runPmx(["replay", "--verify", "--store", gw.storeUrl, "--json"]),
      runPmx(["audit", "--store", gw.storeUrl]),
    ]);
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(0);
    expect(JSON.parse(replayed.stdout)).toMatchObject({ ok: true, events: final.events, head: final.head });
    expect(audited.code, audited.stdout + audited.stderr).toBe(0);
    console.log(
      `crash e2e: ${ITERATIONS} kills, ${stats.reduce((n, s) => n + s.acked, 0)} acknowledged orders all present, ` +
        `${final.events} events, ${Date.now() - started} ms`,
    );
  }, 240_000);
});

// The guarantee above ("no command is torn") is only as good as the checks that would notice a torn one. SQLite
// never tears a transaction, so a torn tail is made here by hand: the last event of a crashed file's last command
// is removed, exactly what a batch written event by event and cut by the kill would leave. Every reader that
// vouches for the log must refuse it: the structural check of this file, `pmx replay --verify`, `pmx audit`, and
// `pmx serve`, which would otherwise append the next command after a half-applied one and bury it mid-log.
describe("crash e2e: a log whose last command was cut short", () => {
  afterAll(stopAllGateways);

  it("given a crashed file whose last command (a resolution with two settlements) lost its last event, when it is checked, replayed with --verify, audited and served, then each of them refuses it", async () => {
    const gw = await startGateway();
    const api = new Client(gw.url, gw.token);
    await api.setClock(T0);
    const ann = await api.openAccount("ann");
    const ben = await api.openAccount("ben");
    await api.deposit("ann", "100", "wire-ann");
    await api.deposit("ben", "100", "wire-ben");
    await api.listMarket({ marketId: "torn" });
    const order = { marketId: "torn", side: "buy", quantity: "4" };
    const a = await api.as(ann, "POST", "/v1/orders", {
      ...order,
      clientOrderId: "a",
      outcome: "YES",
      price: "0.6",
    });
    expect(a.status, a.text).toBe(201);
    const b = await api.as(ben, "POST", "/v1/orders", {
      ...order,
      clientOrderId: "b",
      outcome: "NO",
      price: "0.5",
    });
    expect(b.status, b.text).toBe(201);
    const resolved = await api.op("POST", "/v1/markets/torn/resolve", { outcome: "YES" });
    expect(resolved.status, resolved.text).toBe(200);
    expect(await gw.stop("SIGKILL")).toBeNull();

    // A copy of the data folder (log, WAL, credentials) without the last event: MarketResolved, ann's settlement, and
    // not ben's (which pays 0, so every balance and invariant still holds: only the structure shows the cut).
    const dir = tempDir("pmx-torn-");
    const copy = join(dir, "pmx.db");
    for (const suffix of ["", "-wal", "-shm"])
      if (existsSync(gw.dbPath + suffix)) copyFileSync(gw.dbPath + suffix, copy + suffix);
    copyFileSync(join(gw.dataDir, "credentials.json"), join(dir, "credentials.json"));
    changeRows(copy, (db) => {
      const last = db
        .prepare("SELECT revision, type, metadata FROM events ORDER BY revision DESC LIMIT 1")
        .get() as LogRow;
      const meta = JSON.parse(last.metadata) as Meta;
      expect({ type: last.type, index: meta.index, count: meta.count }).toEqual({
        type: "PositionSettled",
        index: 2,
        count: 3,
      });
      expect(db.prepare("DELETE FROM events WHERE revision = ?").run(last.revision).changes).toBe(1);
    });

    // This file's own check (the one the crash test relies on) sees the cut.
    const rows = readLog(copy);
    expect(tornProblems(rows).problems).toEqual([
      `the log ends inside ${(JSON.parse(rows[rows.length - 1]!.metadata) as Meta).commandId}: 2 of its 3 events (a torn batch)`,
    ]);

    const store = `sqlite:${copy}`;
    const [replayed, audited] = await Promise.all([
      runPmx(["replay", "--verify", "--store", store, "--json"]),
      runPmx(["audit", "--store", store, "--json"]),
    ]);
    expect.soft(replayed.code, `pmx replay --verify passed a torn log: ${replayed.stdout}`).toBe(1);
    expect.soft(JSON.parse(replayed.stdout)).toMatchObject({ ok: false });
    expect.soft(audited.code, audited.stdout + audited.stderr).toBe(1);
    expect.soft(JSON.parse(audited.stdout)).toMatchObject({
      ok: false,
      failure: { problem: "the log ends inside a command" },
    });

    // The gateway must not start on it: it would append the next command after the half-applied one.
    let served: Gateway | null = null;
    let refusal = "";
    try {
      served = await startGateway({ env: { PMX_STORE: store } });
    } catch (error) {
      refusal = (error as Error).message;
    }
    let evidence = "";
    if (served) {
      const api2 = new Client(served.url, served.token);
      await api2.syncClock();
      const health = await api2.health();
      const deposit = await api2.op("POST", "/v1/accounts/ann/deposits", {
        amount: "1",
        reference: "after-tear",
      });
      const benNow = await api2.as(ben, "GET", "/v1/account");
      evidence =
        `pmx serve started on a log ending inside a command: health ${JSON.stringify(health)}; ` +
        `a deposit was then answered ${deposit.status} and appended after the torn command; ` +
        `ben still holds NO shares of the resolved market: ${benNow.text}`;
      await served.stop("SIGTERM");
    }
    expect.soft(served === null ? "refused" : evidence, refusal).toBe("refused");
  });
});
