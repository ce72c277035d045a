// Runs the golden stream as the sequencer does and digests what it produced (golden.unit.test.ts pins the digest).
import { type Command, canonicalJson, decide, type Event } from "@pmx/domain";
import { ExchangeProjection, encodeCommandEvents, type StoredEvent, sha256Hex } from "@pmx/projections";

export interface Golden {
  commands: number;
  accepted: number;
  unchanged: number;
  rejected: number;
  events: number;
  eventsByType: Record<string, number>;
  /** SHA-256 of the concatenated canonical JSON of every event (with its type), in order. */
  eventsSha256: string;
  /** SHA-256 of every stored event as id, type, data, metadata, each followed by a newline, in order. */
  storedSha256: string;
  chainHead: string;
  /** SHA-256 of the canonical state (the gateway's and `pmx replay`'s state hash). */
  stateHash: string;
  /** Each rejected command: its index in the stream and the code. */
  rejections: string[];
}

export const storedText = (s: StoredEvent) => `${s.id}\n${s.type}\n${s.data}\n${s.metadata}\n`;

/** Decides and applies the stream as the sequencer does (commandId c-{seq}, one seq per command with events). */
export function runStream(commands: Command[]) {
  const projection = new ExchangeProjection();
  const events: Event[] = [];
  const stored: StoredEvent[] = [];
  const rejections: string[] = [];
  const perCommand: StoredEvent[][] = [];
  let seq = 0;
  let unchanged = 0;
  commands.forEach((command, i) => {
    const decision = decide(command, projection.state);
    if (decision._tag === "Left") {
      rejections.push(`${i} ${command.type} ${decision.left.code}`);
      return;
    }
    if (decision.right.length === 0) {
      unchanged += 1;
      return;
    }
    seq += 1;
    const commandId = `c-${seq}`;
    const encoded = encodeCommandEvents({ commandId, seq, command }, decision.right, projection.head);
    decision.right.forEach((event, index) => {
      projection.apply(event, {
        commandId,
        seq,
        at: command.at,
        index,
        count: decision.right.length,
        hash: encoded.hashes[index]!,
      });
      events.push(event);
    });
    stored.push(...encoded.stored);
    perCommand.push(encoded.stored);
  });
  return { projection, events, stored, perCommand, rejections, accepted: seq, unchanged };
}

export function digestOf(run: ReturnType<typeof runStream>, commands: number): Golden {
  const eventsByType: Record<string, number> = {};
  for (const e of run.events) eventsByType[e.type] = (eventsByType[e.type] ?? 0) + 1;
  return {
    commands,
    accepted: run.accepted,
    unchanged: run.unchanged,
    rejected: run.rejections.length,
    events: run.events.length,
    eventsByType: Object.fromEntries(Object.entries(eventsByType).sort(([a], [b]) => (a < b ? -1 : 1))),
    eventsSha256: sha256Hex(run.events.map((e) => canonicalJson(e)).join("")),
    storedSha256: sha256Hex(run.stored.map(storedText).join("")),
    chainHead: run.projection.head,
    stateHash: run.projection.stateHash(),
    rejections: run.rejections,
  };
}
