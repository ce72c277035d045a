// How domain events are written to and read from the log: canonical JSON data, metadata, chained hashes, ids.
import { createHash } from "node:crypto";
import { Command, canonicalJson, Event } from "@pmx/domain";
import * as t from "io-ts";
import { chainHash } from "./chain.js";

/** An event as the store holds it (structurally the event store's NewEvent / RecordedEvent). */
export interface StoredEvent {
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

/** Metadata of every stored event. The first event of a command also carries the command itself. */
export const LogMetadata = t.intersection([
  t.type({
    commandId: t.string,
    /** 1-based number of the command in the log. */
    seq: t.number,
    /** The command's time (ms since epoch), stamped by the sequencer. */
    at: t.number,
    /** 0-based index of the event within its command's events, and their count. */
    index: t.number,
    count: t.number,
    hash: t.string,
  }),
  t.partial({ command: t.unknown }),
]);
export type LogMetadata = t.TypeOf<typeof LogMetadata>;

/** A command as recorded: its id, sequence number and the command (with its time). */
export interface RecordedCommand {
  readonly commandId: string;
  readonly seq: number;
  readonly command: Command;
}

/** Fixed namespace for pmx event ids (UUIDv5 over "commandId/index"). */
const EVENT_ID_NAMESPACE = "5b3c1f52-8f0e-4c7a-9d0e-6f1a2b3c4d5e";

/** A name-based UUID (version 5, SHA-1) of `name` in `namespace`: the same command and index always give the same id. */
export function uuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
  const bytes = createHash("sha1").update(ns).update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const eventIdOf = (commandId: string, index: number): string =>
  uuidV5(EVENT_ID_NAMESPACE, `${commandId}/${index}`);

/** The stored form of a command's events, chained after `previousHash`; answers them and the new chain head. */
export function encodeCommandEvents(
  recorded: RecordedCommand,
  events: readonly Event[],
  previousHash: string,
): { stored: StoredEvent[]; hashes: string[]; head: string } {
  const stored: StoredEvent[] = [];
  const hashes: string[] = [];
  let head = previousHash;
  events.forEach((event, index) => {
    const { type, ...rest } = event;
    const id = eventIdOf(recorded.commandId, index);
    const data = canonicalJson(rest);
    const meta: Record<string, unknown> = {
      commandId: recorded.commandId,
      seq: recorded.seq,
      at: recorded.command.at,
      index,
      count: events.length,
    };
    if (index === 0) meta.command = recorded.command;
    const withoutHash = canonicalJson(meta);
    head = chainHash(head, id, type, data, withoutHash);
    hashes.push(head);
    stored.push({ id, type, data, metadata: canonicalJson({ ...meta, hash: head }) });
  });
  return { stored, hashes, head };
}

export type DecodedEvent =
  | { ok: true; event: Event; metadata: LogMetadata; hash: string }
  | { ok: false; problem: string };

/**
 * Reads one stored event strictly: its bytes must be canonical JSON, its data a valid event of its type, and its
 * stored hash must equal the chain recomputed from `previousHash`.
 */
export function decodeStoredEvent(stored: StoredEvent, previousHash: string): DecodedEvent {
  let data: unknown;
  let metadata: unknown;
  try {
    data = JSON.parse(stored.data);
    metadata = JSON.parse(stored.metadata);
  } catch {
    return { ok: false, problem: "data or metadata is not valid JSON" };
  }
  if (canonicalJson(data) !== stored.data) return { ok: false, problem: "data is not in canonical form" };
  if (canonicalJson(metadata) !== stored.metadata)
    return { ok: false, problem: "metadata is not in canonical form" };
  const meta = LogMetadata.decode(metadata);
  if (meta._tag === "Left") return { ok: false, problem: "metadata does not have the log's fields" };
  const { hash, ...withoutHash } = meta.right;
  const expected = chainHash(previousHash, stored.id, stored.type, stored.data, canonicalJson(withoutHash));
  if (expected !== hash)
    return {
      ok: false,
      problem: `hash mismatch: stored ${hash.slice(0, 12)}…, recomputed ${expected.slice(0, 12)}…`,
    };
  const event = Event.decode({ ...(data as object), type: stored.type });
  if (event._tag === "Left") return { ok: false, problem: `not a valid ${stored.type} event` };
  return { ok: true, event: event.right, metadata: meta.right, hash };
}

/** The command recorded on the first event of a command, decoded. */
export function recordedCommandOf(metadata: LogMetadata): RecordedCommand | null {
  if (metadata.index !== 0 || metadata.command === undefined) return null;
  const command = Command.decode(metadata.command);
  if (command._tag === "Left") return null;
  return { commandId: metadata.commandId, seq: metadata.seq, command: command.right };
}
