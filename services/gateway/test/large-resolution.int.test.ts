// Issue 17: a market with 20,000 holders resolves with no append over the limit. Through the gateway's own Exchange
// (sequencer, group commits, ContinueSettlement pieces), on the real SQLite store and on EventStoreDB (the adapter
// against the gRPC double, which refuses an append over the server's 1 MiB as the server does): every append is
// weighed as it is made, every winner is paid exactly 1 a share, and a replay of the stored log keeps the solvency
// identity after every single event (and every invariant at each piece's end).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Command, invariantViolations, solvency } from "@pmx/domain";
import { type EventStore, esdbAppendSize, openEsdbStore, openSqliteStore } from "@pmx/eventstore";
import { ExchangeProjection } from "@pmx/projections";
import { afterAll, describe, expect, it } from "vitest";
import { startEsdbDouble } from "../../../packages/eventstore/test/grpc-double/server.js";
import { ManualClock } from "../src/clock.js";
import { Exchange } from "../src/exchange.js";
import { appendBytesOf, type CommandInput } from "../src/sequencer.js";

const HOLDERS = 20_000;
const LIMIT = 900 * 1024;
const T0 = Date.UTC(2024, 10, 1);

/** The store, with every append's weight (the sequencer's count and the server's) recorded before it is made. */
function weighed(store: EventStore, appends: number[], server: number[]): EventStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === "append")
        return (
          stream: string,
          events: Parameters<EventStore["append"]>[1],
          expected: Parameters<EventStore["append"]>[2],
        ) => {
          appends.push(appendBytesOf(events));
          server.push(esdbAppendSize(events));
          return target.append(stream, events, expected);
        };
      const value = Reflect.get(target, key, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe(`a market with ${HOLDERS.toLocaleString("en-US")} holders resolves in bounded appends`, () => {
  const dir = mkdtempSync(join(tmpdir(), "pmx-large-"));
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("on SQLite: no append over 900 KiB, every winner paid exactly 1 a share, solvency after every event", async () => {
    await resolveTwentyThousandHolders((appends, server) =>
      weighed(openSqliteStore(join(dir, "pmx.db")), appends, server),
    );
  }, 300_000);

  it("on EventStoreDB (the gRPC double, 1 MiB per append as the server): the same, none refused", async () => {
    const double = await startEsdbDouble();
    closers.push(() => double.stop());
    const server: number[] = [];
    await resolveTwentyThousandHolders(
      (appends, sizes) => weighed(openEsdbStore(double.connectionString), appends, sizes),
      server,
    );
  }, 300_000);

  /** Builds the market, resolves it, and checks every claim of the test's title. */
  async function resolveTwentyThousandHolders(
    open: (appends: number[], server: number[]) => EventStore,
    server: number[] = [],
  ): Promise<void> {
    const appends: number[] = [];
    const store = open(appends, server);
    const exchange = await Exchange.open({ store, clock: new ManualClock(T0), maxAppendBytes: LIMIT });
    closers.push(() => exchange.close());
    const all = async (inputs: CommandInput[]) => {
      for (let i = 0; i < inputs.length; i += 5_000) {
        const outcomes = await Promise.all(inputs.slice(i, i + 5_000).map((c) => exchange.submit(c)));
        const refused = outcomes.find((o) => !o.ok);
        if (refused) throw new Error(`refused: ${JSON.stringify(refused)}`);
      }
    };
    const ids = Array.from({ length: HOLDERS }, (_, i) => `h${i}`);
    await all([
      { type: "OpenAccount", accountId: "mm" },
      { type: "Deposit", accountId: "mm", amount: "20000", reference: "mm" },
      {
        type: "ListMarket",
        marketId: "big",
        question: "Big?",
        tickSize: "0.01",
        resolvesAt: "2030-01-01T00:00:00Z",
      },
    ] as CommandInput[]);
    await all(ids.map((accountId) => ({ type: "OpenAccount", accountId }) as CommandInput));
    await all(
      ids.map((accountId) => ({ type: "Deposit", accountId, amount: "1", reference: "d" }) as CommandInput),
    );
    const order = (accountId: string, outcome: "YES" | "NO", quantity: number, tif: "GTC" | "IOC") =>
      ({
        type: "PlaceOrder",
        accountId,
        marketId: "big",
        clientOrderId: `${accountId}-${outcome}`,
        side: "buy",
        outcome,
        price: "0.5",
        quantity: String(quantity),
        timeInForce: tif,
        postOnly: false,
        leverage: "1",
      }) as CommandInput;
    await all([order("mm", "NO", HOLDERS, "GTC")]);
    await all(ids.map((id) => order(id, "YES", 1, "IOC")));
    expect(exchange.projection.state.markets.get("big")!.pairs).toBe(HOLDERS);

    const settled = new Promise<void>((resolve) =>
      exchange.on("committed", (batch) => {
        if (batch.some(({ event }) => event.type === "SettlementCompleted")) resolve();
      }),
    );
    const resolved = await exchange.submit({ type: "ResolveMarket", marketId: "big", outcome: "YES" });
    expect(resolved.ok && resolved.events.at(-1)).toEqual({ type: "SettlementContinues", marketId: "big" });
    await settled;

    // Every append within the limit; the settlement alone took more than 20 of them.
    expect(Math.max(...appends)).toBeLessThanOrEqual(LIMIT);
    const state = exchange.projection.state;
    for (const id of ids) expect(state.accounts.get(id)!.cash.toFixed(), id).toBe("1.5");
    expect(state.accounts.get("mm")!.cash.toFixed()).toBe("10000");
    expect(state.markets.get("big")!.escrow.toFixed()).toBe("0");
    expect(state.markets.get("big")!.settlementPending).toBe(false);

    // A replay of what was stored: the identity after every event, every invariant after each settlement piece.
    const replay = new ExchangeProjection();
    let events = 0;
    let pieces = 0;
    let commandType = "";
    for await (const stored of store.read("pmx")) {
      const applied = replay.applyRecorded(stored, "pmx");
      if (!applied.ok) throw new Error(applied.problem);
      events += 1;
      if (!solvency(replay.state).balanced) throw new Error(`unbalanced after event ${events}`);
      const meta = applied.metadata;
      // The command is recorded with its first event.
      if (meta.index === 0) commandType = (meta.command as Command).type;
      if (meta.index === meta.count - 1 && commandType === "ContinueSettlement") {
        pieces += 1;
        expect(invariantViolations(replay.state)).toEqual([]);
      }
    }
    expect(events).toBe(exchange.projection.eventCount);
    expect(pieces).toBeGreaterThanOrEqual(HOLDERS / 1_000);
    expect(replay.stateHash()).toBe(exchange.projection.stateHash());
    expect(Math.max(...server)).toBeLessThanOrEqual(1024 * 1024);
  }
});
