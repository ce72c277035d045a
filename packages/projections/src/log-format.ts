// How domain events are written to and read from the log: canonical JSON data, metadata, chained hashes, ids.
import * as crypto from "node:crypto";
import { canonicalJson, Event, LogCommand } from "@pmx/domain";
import * as t from "io-ts";
import { chainHash } from "./chain.js";

/** An event as the store holds it (structurally the event store's NewEvent / RecordedEvent). */
export interface StoredEvent {
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

/**
 * A stored event with the position the store read it at (structurally the event store's RecordedEvent). The
 * position columns are not hashed (the stored bytes of existing logs stay as they are): the chain fixes each event's
 * place in the log, and `positionProblem` requires the stored position to be exactly that place.
 */
export interface PositionedEvent extends StoredEvent {
  readonly stream: string;
  readonly revision: number;
}

/**
 * Null when `stored` is where the hash chain puts it: in `stream`, at `revision` (the number of events before it);
 * otherwise what is wrong. Readers call it before the chain check, so a moved row is named as moved.
 */
export function positionProblem(stored: PositionedEvent, stream: string, revision: number): string | null {
  if (stored.stream !== stream)
    return `stored in stream ${JSON.stringify(stored.stream)}, read as stream ${JSON.stringify(stream)}`;
  if (stored.revision !== revision)
    return `stored at revision ${stored.revision}, but the chain puts it at revision ${revision} (the log's revisions must run 0, 1, 2, … without a gap)`;
  return null;
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
  t.partial({ command: t.unknown, auth: t.unknown }),
]);
export type LogMetadata = t.TypeOf<typeof LogMetadata>;

/**
 * Who authorized a command, stored with it (metadata `auth` of its first event; absent on commands recorded before,
 * so their bytes are unchanged). `account`: the HTTP request exactly as an account's Ed25519 key signed it
 * (signature = base64 Ed25519 of timestamp + method + path + body); `sameRequest`: a later command of that request
 * (a batch), which is stored once. `operator`: the operator key's Ed25519 signature
 * (base64) of `operatorCommandMessage(commandId, command)`.
 */
export const SignedRequest = t.exact(
  t.type({
    by: t.literal("account"),
    keyId: t.string,
    timestamp: t.string,
    method: t.string,
    path: t.string,
    body: t.string,
    signature: t.string,
  }),
  "SignedRequest",
);
export type SignedRequest = t.TypeOf<typeof SignedRequest>;
export const OperatorSignature = t.exact(
  t.type({ by: t.literal("operator"), signature: t.string }),
  "OperatorSignature",
);
/** A later command of the same signed request (a batch): the request is stored once, with command `commandId`. */
export const SameSignedRequest = t.exact(
  t.type({ by: t.literal("sameRequest"), commandId: t.string }),
  "SameSignedRequest",
);
export const CommandAuth = t.union([SignedRequest, SameSignedRequest, OperatorSignature]);
export type CommandAuth = t.TypeOf<typeof CommandAuth>;

/** The exact text (UTF-8) the operator key signs for an operator command: its id and canonical JSON. */
export const operatorCommandMessage = (commandId: string, command: LogCommand): string =>
  `pmx-command:${commandId}:${canonicalJson(command)}`;

/** A command as recorded: its id, sequence number, the command (with its time) and who authorized it, if stored. */
export interface RecordedCommand {
  readonly commandId: string;
  readonly seq: number;
  readonly command: LogCommand;
  readonly auth?: CommandAuth;
}

/** Fixed namespace for pmx event ids (UUIDv5 over "commandId/index"). */
const EVENT_ID_NAMESPACE = "5b3c1f52-8f0e-4c7a-9d0e-6f1a2b3c4d5e";

const namespaceBytes = new Map<string, Buffer>();
const bytesOfNamespace = (namespace: string): Buffer => {
  let bytes = namespaceBytes.get(namespace);
  if (!bytes) {
    bytes = Buffer.from(namespace.replace(/-/g, ""), "hex");
    if (namespaceBytes.size < 64) namespaceBytes.set(namespace, bytes);
  }
  return bytes;
};

/** SHA-1 of bytes as hex: Node's one-shot `crypto.hash` where it exists (20.12+), else a Hash object. */
const sha1Hex: (bytes: Buffer) => string =
  typeof crypto.hash === "function"
    ? (bytes) => crypto.hash("sha1", bytes, "hex")
    : (bytes) => crypto.createHash("sha1").update(bytes).digest("hex");

/** A name-based UUID (version 5, SHA-1) of `name` in `namespace`: the same command and index always give the same id. */
export function uuidV5(namespace: string, name: string): string {
  const ns = bytesOfNamespace(namespace);
  const input = Buffer.allocUnsafe(ns.length + Buffer.byteLength(name, "utf8"));
  ns.copy(input, 0);
  input.write(name, ns.length, "utf8");
  const hex = sha1Hex(input);
  // RFC 4122: the version nibble (byte 6's high half) is 5, the variant bits (byte 8's top two) are 10.
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const eventIdOf = (commandId: string, index: number): string =>
  uuidV5(EVENT_ID_NAMESPACE, `${commandId}/${index}`);

/** An event's stored `data`: the canonical JSON of its fields without `type` (which is stored in its own column). */
export function eventDataText(event: Event): string {
  const { type: _type, ...rest } = event;
  return canonicalJson(rest);
}

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
    const type = event.type;
    const id = eventIdOf(recorded.commandId, index);
    const data = eventDataText(event);
    const meta: Record<string, unknown> = {
      commandId: recorded.commandId,
      seq: recorded.seq,
      at: recorded.command.at,
      index,
      count: events.length,
    };
    if (index === 0) {
      meta.command = recorded.command;
      if (recorded.auth !== undefined) meta.auth = recorded.auth;
    }
    const withoutHash = canonicalJson(meta);
    head = chainHash(head, id, type, data, withoutHash);
    hashes.push(head);
    stored.push({ id, type, data, metadata: withHash(withoutHash, head) });
  });
  return { stored, hashes, head };
}

export type DecodedEvent =
  | { ok: true; event: Event; metadata: LogMetadata; hash: string }
  | { ok: false; problem: string };

/**
 * Reads one stored event strictly: its stored hash must equal the chain recomputed from `previousHash` over its
 * exact bytes, its data and metadata must be JSON, its metadata must have the log's fields and its data must be a
 * valid event of its type (io-ts, the type's own codec: the log is a trust boundary).
 */
export function decodeStoredEvent(stored: StoredEvent, previousHash: string): DecodedEvent {
  const problem = chainProblem(stored, previousHash);
  if (problem !== null) return { ok: false, problem };
  let data: unknown;
  let metadata: unknown;
  try {
    data = JSON.parse(stored.data);
    metadata = JSON.parse(stored.metadata);
  } catch {
    return { ok: false, problem: "data or metadata is not valid JSON" };
  }
  if (!isLogMetadata(metadata)) return { ok: false, problem: "metadata does not have the log's fields" };
  const codec = EVENT_CODECS.get(stored.type);
  if (!codec) return { ok: false, problem: `unknown event type ${stored.type}` };
  // The codec sees the data with `type` set (it overrides a `type` inside the data): the parsed object is ours to
  // complete in place; anything else is spread as before, so the codec refuses it the same way.
  let input: object;
  if (typeof data === "object" && data !== null && !Array.isArray(data)) {
    (data as { type: string }).type = stored.type;
    input = data;
  } else input = { ...(data as object), type: stored.type };
  const event = codec.decode(input);
  if (event._tag === "Left") return { ok: false, problem: `not a valid ${stored.type} event` };
  return { ok: true, event: event.right as Event, metadata, hash: metadata.hash };
}

/**
 * Whether a parsed metadata value has the log's fields: exactly what `LogMetadata.decode` accepts (a non-array
 * object whose commandId and hash are strings and seq, at, index and count numbers; `command` is anything), checked
 * by hand because it runs for every event.
 */
export function isLogMetadata(u: unknown): u is LogMetadata {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return false;
  const m = u as Record<string, unknown>;
  return (
    typeof m.commandId === "string" &&
    typeof m.seq === "number" &&
    typeof m.at === "number" &&
    typeof m.index === "number" &&
    typeof m.count === "number" &&
    typeof m.hash === "string"
  );
}

/**
 * Null when the stored event's hash is the chain recomputed from `previousHash` over its exact stored bytes;
 * otherwise what is wrong.
 */
export function chainProblem(stored: StoredEvent, previousHash: string): string | null {
  const metadata = stored.metadata;
  const at = metadata.lastIndexOf(HASH_KEY);
  if (at < 0) return "metadata carries no hash";
  const start = at + HASH_KEY.length;
  if (metadata.charCodeAt(start + 64) !== QUOTE || metadata.charCodeAt(start + 65) !== COMMA)
    return "metadata carries no hash";
  const hash = metadata.slice(start, start + 64);
  const expected = chainHash(
    previousHash,
    stored.id,
    stored.type,
    stored.data,
    metadata.slice(0, at) + metadata.slice(start + 66),
  );
  if (expected === hash) return null;
  return `hash mismatch: stored ${hash.slice(0, 12)}…, recomputed ${expected.slice(0, 12)}…`;
}

/** Each event type's own codec, so a stored event is checked against its type alone (not the whole union). */
const EVENT_CODECS = new Map<string, t.Decoder<unknown, unknown>>(Event.types.map((c) => [c.name, c]));

/**
 * The stored metadata is canonical JSON with sorted keys, so its `hash` member sits between `count` and `index`
 * as `"hash":"<64 hex>",`: the text the hash was computed over is the stored text without exactly that member.
 */
const HASH_KEY = '"hash":"';
const QUOTE = 0x22;
const COMMA = 0x2c;

/** Puts the hash member into canonical metadata text (it sorts right before `index`). */
function withHash(withoutHash: string, hash: string): string {
  const at = withoutHash.lastIndexOf('"index":');
  return `${withoutHash.slice(0, at)}${HASH_KEY}${hash}",${withoutHash.slice(at)}`;
}

/** The command recorded on the first event of a command, decoded (null when it, or its `auth`, is not valid). */
export function recordedCommandOf(metadata: LogMetadata): RecordedCommand | null {
  if (metadata.index !== 0 || metadata.command === undefined) return null;
  const command = LogCommand.decode(metadata.command);
  if (command._tag === "Left") return null;
  const recorded = { commandId: metadata.commandId, seq: metadata.seq, command: command.right };
  if (metadata.auth === undefined) return recorded;
  const auth = CommandAuth.decode(metadata.auth);
  return auth._tag === "Left" ? null : { ...recorded, auth: auth.right };
}
