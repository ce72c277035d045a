// A small log for tests of the log's readers: eight commands (two accounts, a market, a MINT trade) written as the sequencer writes them.
import { type Command, canonicalJson, decide } from "@pmx/domain";
import { chainHash, GENESIS_HASH } from "../src/chain.js";
import { ExchangeProjection } from "../src/exchange-projection.js";
import { encodeCommandEvents, type LogMetadata, type StoredEvent } from "../src/log-format.js";

const AT = Date.parse("2025-01-01T00:00:00Z");

const order = (
  accountId: string,
  outcome: "YES" | "NO",
  price: string,
  quantity: string,
  n: number,
): Command => ({
  type: "PlaceOrder",
  at: AT + n,
  accountId,
  marketId: "rain",
  clientOrderId: `c-${n}`,
  side: "buy",
  outcome,
  price,
  quantity,
  timeInForce: "GTC",
  postOnly: false,
  leverage: "1",
});

export const SMALL_LOG_COMMANDS: readonly Command[] = [
  { type: "OpenAccount", at: AT, accountId: "alice" },
  { type: "OpenAccount", at: AT, accountId: "bob" },
  { type: "Deposit", at: AT, accountId: "alice", amount: "1000", reference: "d-1" },
  { type: "Deposit", at: AT, accountId: "bob", amount: "500.5", reference: "d-1" },
  {
    type: "ListMarket",
    at: AT,
    marketId: "rain",
    question: "Rain tomorrow?",
    tickSize: "0.01",
    resolvesAt: "2030-01-01T00:00:00Z",
    takerFeeBps: 20,
  },
  order("alice", "YES", "0.6", "10", 1),
  order("bob", "NO", "0.4", "15", 2), // a MINT trade, the rest rests
  order("bob", "NO", "0.3", "3", 3),
];

/**
 * The commands decided and written as the sequencer writes them; answers the stored log and the writer's
 * projection. `onMeta` sees each event's metadata and its index within its command as it is applied.
 */
export function writeSmallLog(onMeta?: (meta: LogMetadata, index: number) => void): {
  log: StoredEvent[];
  writer: ExchangeProjection;
} {
  const writer = new ExchangeProjection();
  const log: StoredEvent[] = [];
  SMALL_LOG_COMMANDS.forEach((command, i) => {
    const decision = decide(command, writer.state);
    if (decision._tag === "Left") throw new Error(`${command.type} rejected: ${decision.left.code}`);
    const recorded = { commandId: `cmd-${i + 1}`, seq: i + 1, command };
    const { stored } = encodeCommandEvents(recorded, decision.right, writer.head);
    stored.forEach((s, index) => {
      const meta = JSON.parse(s.metadata) as LogMetadata;
      onMeta?.(meta, index);
      writer.apply(decision.right[index]!, meta);
    });
    log.push(...stored);
  });
  return { log, writer };
}

/** `log` with event `at` replaced by `change(event)` and every hash from there on recomputed: a consistent chain. */
export function rechained(
  log: StoredEvent[],
  at: number,
  change: (e: StoredEvent) => StoredEvent,
): StoredEvent[] {
  const out = log.slice(0, at);
  let head = at === 0 ? GENESIS_HASH : (JSON.parse(log[at - 1]!.metadata) as LogMetadata).hash;
  for (let i = at; i < log.length; i++) {
    const e = i === at ? change(log[i]!) : log[i]!;
    const { hash: _old, ...meta } = JSON.parse(e.metadata) as LogMetadata;
    const withoutHash = canonicalJson(meta);
    head = chainHash(head, e.id, e.type, e.data, withoutHash);
    const cut = withoutHash.lastIndexOf('"index":');
    out.push({ ...e, metadata: `${withoutHash.slice(0, cut)}"hash":"${head}",${withoutHash.slice(cut)}` });
  }
  return out;
}
