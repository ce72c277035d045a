// The SQLite file's layouts. Version 2 (written): one row per append (a batch) holding its events, with a compact
// integer id table; version 1 (read as it is, migrated when opened for writing): one row per event.
import type Database from "better-sqlite3";
import type { AppendResult, ExpectedRevision, NewEvent, RecordedEvent } from "./port.js";

export const SCHEMA_VERSION = 2;
/** The row-per-event layout of the first release: read as it is, migrated to version 2 by a writer. */
export const SCHEMA_V1 = 1;

/**
 * Version 2.
 *
 * `batches`: one row per append. `position` is the global position of the batch's first event (events stored before
 * it in the whole file, 0-based: the next batch's position is `position + count`); `revision` that event's revision
 * in `stream`. `body` is the batch's events' fields concatenated (id, type, data, metadata of the first event, then of
 * the second, …) exactly as appended, and `lengths` their lengths: 4 unsigned 32-bit little-endian integers per event,
 * in UTF-16 code units (JavaScript string lengths). Reads by revision (unique (stream, revision)) and by global
 * position (the integer primary key) are one B-tree seek each.
 *
 * `event_ids`: the store-wide uniqueness of event ids (the port's DuplicateEventIdError) without a text index: each
 * id's 53-bit key (`idKeyOf`, FNV-1a over its UTF-16 code units in two lanes; part of the format) maps to the global
 * position of the event carrying it. Keys that collide take the next free key (linear probing; no key is ever
 * deleted), so an id is found by probing from its key until a free key or an entry whose event has that id.
 */
export const SCHEMA_V2 = `
CREATE TABLE IF NOT EXISTS batches (
  position INTEGER PRIMARY KEY CHECK (position >= 0),
  stream TEXT NOT NULL,
  revision INTEGER NOT NULL,
  count INTEGER NOT NULL CHECK (count >= 1),
  lengths BLOB NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (stream, revision)
) STRICT;
CREATE TABLE IF NOT EXISTS event_ids (
  key INTEGER PRIMARY KEY,
  position INTEGER NOT NULL
) STRICT;
`;

export const SCHEMA_V1_TABLE = `
CREATE TABLE IF NOT EXISTS events (
  global_position INTEGER PRIMARY KEY,
  stream TEXT NOT NULL,
  revision INTEGER NOT NULL,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  metadata TEXT NOT NULL,
  UNIQUE (stream, revision)
) STRICT;
`;

/** The id key function of version 2 (part of the file format: changing it makes stored ids unfindable). */
const ID_KEY_SOURCE = `
const MAX_KEY = 9007199254740992; // 2^53: keys are integers in [0, 2^53)
const idKeyOf = (id) => {
  let a = 0x811c9dc5 | 0;
  let b = 0x9747b28c | 0;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 13;
  }
  return (a >>> 0) * 2097152 + ((b >>> 0) & 0x1fffff);
};
`;

/** The 53-bit key of an event id in version 2's event_ids table (before probing). */
export const idKeyOf = new Function(`${ID_KEY_SOURCE}; return idKeyOf;`)() as (id: string) => number;

/**
 * The version-2 reads and the append, as plain JavaScript: the body of `function (db) { … }` returning them. It runs
 * on the caller's thread (`layoutV2`) and in the append worker (sqlite-writer.ts) alike, so there is one append.
 * A refusal is thrown as `{ refused: { kind, … } }`.
 */
export const LAYOUT_V2_SOURCE = `
"use strict";
${ID_KEY_SOURCE}
const lastStmt = db.prepare(
  "SELECT revision + count - 1 AS r FROM batches WHERE stream = ? ORDER BY revision DESC LIMIT 1",
);
const endStmt = db.prepare("SELECT position + count AS p FROM batches ORDER BY position DESC LIMIT 1");
const holdingStmt = db.prepare(
  "SELECT revision FROM batches WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT 1",
);
const fromStmt = db.prepare(
  "SELECT revision, count, lengths, body FROM batches WHERE stream = ? AND revision >= ? ORDER BY revision",
);
const atStmt = db.prepare(
  "SELECT stream, position, revision, count, lengths, body FROM batches WHERE position <= ? ORDER BY position DESC LIMIT 1",
);
const insertBatch = db.prepare(
  "INSERT INTO batches (position, stream, revision, count, lengths, body) VALUES (?, ?, ?, ?, ?, ?)",
);
const insertId = db.prepare("INSERT OR IGNORE INTO event_ids (key, position) VALUES (?, ?)");
const idStmt = db.prepare("SELECT position FROM event_ids WHERE key = ?");

const malformed = (stream, revision, why) =>
  new Error("stream " + stream + ": the batch stored at revision " + revision + " is malformed (" + why + ")");
/** Pushes events [from, to) of a batch row onto out (revisions from the row's). */
const slice = (row, stream, from, to, out) => {
  const L = row.lengths;
  const body = row.body;
  if (!(L instanceof Uint8Array) || L.length !== row.count * 16 || typeof body !== "string")
    throw malformed(stream, row.revision, "lengths do not match its count");
  const n = (k) => L[k] | (L[k + 1] << 8) | (L[k + 2] << 16) | (L[k + 3] << 24);
  let off = 0;
  for (let k = 0; k < from; k++) {
    const b = k * 16;
    off += (n(b) >>> 0) + (n(b + 4) >>> 0) + (n(b + 8) >>> 0) + (n(b + 12) >>> 0);
  }
  for (let k = from; k < to; k++) {
    const b = k * 16;
    const end = off + (n(b) >>> 0) + (n(b + 4) >>> 0) + (n(b + 8) >>> 0) + (n(b + 12) >>> 0);
    if (end > body.length) throw malformed(stream, row.revision, "its body is shorter than its lengths");
    const id = body.slice(off, (off += n(b) >>> 0));
    const type = body.slice(off, (off += n(b + 4) >>> 0));
    const data = body.slice(off, (off += n(b + 8) >>> 0));
    const metadata = body.slice(off, (off += n(b + 12) >>> 0));
    out.push({ stream, revision: row.revision + k, id, type, data, metadata });
  }
  if (to === row.count && off !== body.length) throw malformed(stream, row.revision, "its body is longer than its lengths");
};
const last = (stream) => {
  const row = lastStmt.get(stream);
  return row ? row.r : "no_stream";
};
/** Up to max events of the stream from revision from, in order (one page; no statement left open). */
const page = (stream, from, max) => {
  const out = [];
  if (max <= 0) return out;
  const holding = holdingStmt.get(stream, from);
  for (const row of fromStmt.iterate(stream, holding ? holding.revision : from)) {
    const lo = Math.max(0, from - row.revision);
    if (lo >= row.count) continue;
    slice(row, stream, lo, Math.min(row.count, lo + (max - out.length)), out);
    if (out.length >= max) break;
  }
  return out;
};
const idAt = (position) => {
  const row = atStmt.get(position);
  if (!row || position >= row.position + row.count) return null;
  const out = [];
  slice(row, row.stream, position - row.position, position - row.position + 1, out);
  return out[0].id;
};
const firstRevision = (expected) => (expected === "no_stream" ? 0 : expected + 1);
const isStoredBatch = (stored, events) => {
  if (stored.length < events.length) return false;
  for (let i = 0; i < events.length; i++) {
    const a = stored[i];
    const b = events[i];
    if (a.id !== b.id || a.type !== b.type || a.data !== b.data || a.metadata !== b.metadata) return false;
  }
  return true;
};
/** Stores the event ids of the batch at position (its row already inserted); throws on an id already stored. */
const storeIds = (stream, events, position) => {
  for (let i = 0; i < events.length; i++) {
    const id = events[i].id;
    let key = idKeyOf(id);
    while (insertId.run(key, position + i).changes === 0) {
      if (idAt(idStmt.get(key).position) === id) throw { refused: { kind: "duplicate_id", stream, eventId: id } };
      key = key + 1 === MAX_KEY ? 0 : key + 1;
    }
  }
};
/** batch: { body, lengths, count } as encodeBatch makes it. */
/** The ids of an encoded batch, in order (only they are needed to append it). */
const idsOf = (batch) => {
  const L = batch.lengths;
  const n = (k) => (L[k] | (L[k + 1] << 8) | (L[k + 2] << 16) | (L[k + 3] << 24)) >>> 0;
  const out = [];
  let off = 0;
  for (let k = 0; k < batch.count; k++) {
    const b = k * 16;
    out.push({ id: batch.body.slice(off, off + n(b)) });
    off += n(b) + n(b + 4) + n(b + 8) + n(b + 12);
  }
  return out;
};
const appendTx = db.transaction((stream, batch, expected) => {
  const first = firstRevision(expected);
  const actual = last(stream);
  if (actual !== expected) {
    const events = [];
    slice({ revision: 0, count: batch.count, lengths: batch.lengths, body: batch.body }, stream, 0, batch.count, events);
    if (isStoredBatch(page(stream, first, events.length), events))
      return { nextExpectedRevision: first + events.length - 1, written: false };
    throw { refused: { kind: "wrong_revision", stream, expected, actual } };
  }
  const end = endStmt.get();
  const position = end ? end.p : 0;
  insertBatch.run(position, stream, first, batch.count, batch.lengths, batch.body);
  storeIds(stream, idsOf(batch), position);
  return { nextExpectedRevision: first + batch.count - 1, written: true };
});
return {
  last,
  page,
  append: (stream, batch, expected) => appendTx.immediate(stream, batch, expected),
  storeIds,
  idKeyOf,
};
`;

/** A batch as version 2 stores it: its events' fields concatenated and their lengths. */
export interface EncodedBatch {
  readonly body: string;
  readonly lengths: Uint8Array;
  readonly count: number;
}

/** The version-2 form of a batch (computed on the caller's thread: one string and one small buffer cross to a worker). */
export function encodeBatch(events: readonly NewEvent[]): EncodedBatch {
  const { parts, lengths, count } = batchParts(events);
  // SQLite binds a Buffer as a BLOB: the same bytes, no copy.
  return {
    body: parts.join(""),
    lengths: Buffer.from(lengths.buffer, lengths.byteOffset, lengths.byteLength),
    count,
  };
}

/** The lengths are stored little-endian: a Uint32Array's bytes are, on every platform Node runs on in practice. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** A batch on its way to the append worker: the fields not yet concatenated (the worker joins them, off the event loop). */
export interface BatchParts {
  readonly parts: readonly string[];
  readonly lengths: Uint8Array;
  readonly count: number;
}

/** `encodeBatch` without the concatenation, for the worker (which makes the body: `parts.join("")`). */
export function batchParts(events: readonly NewEvent[]): BatchParts {
  const n = events.length;
  const words = new Uint32Array(n * 4);
  const parts: string[] = new Array(n * 4);
  for (let i = 0; i < n; i++) {
    const e = events[i]!;
    const b = i * 4;
    words[b] = e.id.length;
    words[b + 1] = e.type.length;
    words[b + 2] = e.data.length;
    words[b + 3] = e.metadata.length;
    parts[b] = e.id;
    parts[b + 1] = e.type;
    parts[b + 2] = e.data;
    parts[b + 3] = e.metadata;
  }
  let lengths = new Uint8Array(words.buffer, 0, n * 16);
  if (!LITTLE_ENDIAN) {
    const le = Buffer.alloc(n * 16);
    for (let k = 0; k < n * 4; k++) le.writeUInt32LE(words[k]!, k * 4);
    lengths = le;
  }
  return { parts, lengths, count: n };
}

/** What is thrown out of the layout for a refused append. */
export type Refusal =
  | { kind: "wrong_revision"; stream: string; expected: ExpectedRevision; actual: number | "no_stream" }
  | { kind: "duplicate_id"; stream: string; eventId: string };

export const refusalOf = (error: unknown): Refusal | null =>
  typeof error === "object" && error !== null && "refused" in error
    ? (error as { refused: Refusal }).refused
    : null;

/** The reads (and, for version 2, the append) of one connection on one layout. */
export interface Layout {
  readonly version: number;
  last(stream: string): number | "no_stream";
  page(stream: string, from: number, max: number): RecordedEvent[];
  /** Version 2 only (a version-1 file is migrated before anything is appended to it). */
  append?(stream: string, batch: EncodedBatch, expected: ExpectedRevision): AppendResult;
  /** Events stored, lowest and highest revision, and the number of breaks between batches (0 for version 1). */
  span(stream: string): { n: number; lo: number | null; hi: number | null; breaks: number };
  others(stream: string): { stream: string; n: number }[];
}

interface V2Source {
  last(stream: string): number | "no_stream";
  page(stream: string, from: number, max: number): RecordedEvent[];
  append(stream: string, batch: EncodedBatch, expected: ExpectedRevision): AppendResult;
  storeIds(stream: string, events: readonly NewEvent[], position: number): void;
  idKeyOf(id: string): number;
}

// LAYOUT_V2_SOURCE is this module's own constant, shared with the worker.
const v2Factory = new Function("db", LAYOUT_V2_SOURCE) as (db: Database.Database) => V2Source;

export function layoutV2(db: Database.Database, readOnly: boolean): Layout {
  const source = v2Factory(db);
  const spanStmt = db.prepare<[string], { n: number; lo: number | null; hi: number | null }>(
    "SELECT IFNULL(SUM(count), 0) AS n, MIN(revision) AS lo, MAX(revision + count) - 1 AS hi FROM batches WHERE stream = ?",
  );
  const breaksStmt = db.prepare<[string], { b: number }>(
    "SELECT COUNT(*) AS b FROM (SELECT revision, LAG(revision + count) OVER (ORDER BY revision) AS previous" +
      " FROM batches WHERE stream = ?) WHERE previous IS NOT NULL AND previous <> revision",
  );
  const othersStmt = db.prepare<[string], { stream: string; n: number }>(
    "SELECT stream, SUM(count) AS n FROM batches WHERE stream <> ? GROUP BY stream ORDER BY stream LIMIT 4",
  );
  const layout: Layout = {
    version: 2,
    last: (stream) => source.last(stream),
    page: (stream, from, max) => source.page(stream, from, max),
    span(stream) {
      const { n, lo, hi } = spanStmt.get(stream) ?? { n: 0, lo: null, hi: null };
      return { n, lo, hi, breaks: n > 0 ? (breaksStmt.get(stream)?.b ?? 0) : 0 };
    },
    others: (stream) => othersStmt.all(stream),
  };
  if (readOnly) return layout;
  return { ...layout, append: (stream, batch, expected) => source.append(stream, batch, expected) };
}

/** Version 1, read as it is (read-only connections). */
export function layoutV1(db: Database.Database): Layout {
  const lastStmt = db.prepare<[string], { r: number | null }>(
    "SELECT MAX(revision) AS r FROM events WHERE stream = ?",
  );
  const pageStmt = db.prepare<[string, number, number], RecordedEvent>(
    "SELECT stream, revision, id, type, data, metadata FROM events" +
      " WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?",
  );
  const spanStmt = db.prepare<[string], { n: number; lo: number | null; hi: number | null }>(
    "SELECT COUNT(*) AS n, MIN(revision) AS lo, MAX(revision) AS hi FROM events WHERE stream = ?",
  );
  const othersStmt = db.prepare<[string], { stream: string; n: number }>(
    "SELECT stream, COUNT(*) AS n FROM events WHERE stream <> ? GROUP BY stream ORDER BY stream LIMIT 4",
  );
  return {
    version: 1,
    last: (stream) => lastStmt.get(stream)?.r ?? "no_stream",
    page: (stream, from, max) => (max <= 0 ? [] : pageStmt.all(stream, from, max)),
    span: (stream) => ({ ...(spanStmt.get(stream) ?? { n: 0, lo: null, hi: null }), breaks: 0 }),
    others: (stream) => othersStmt.all(stream),
  };
}

/** Events per batch row when a version-1 file is migrated (its appends' boundaries are not recorded). */
const MIGRATION_BATCH = 1_000;

/**
 * Rewrites a version-1 file's events into the version-2 tables and drops the version-1 table, inside the caller's
 * transaction (all or nothing). Rows are taken in global-position order; a batch ends where the stream changes, the
 * revision does not follow the previous one, or it holds MIGRATION_BATCH events: each event keeps its stream,
 * revision and bytes, so whatever reading version 1 shows (a gap, a moved row) reads the same in version 2.
 */
export function migrateV1ToV2(db: Database.Database): { events: number; batches: number } {
  db.exec(SCHEMA_V2);
  const source = v2Factory(db);
  const pageStmt = db.prepare<[number, number], NewEvent & { g: number; stream: string; revision: number }>(
    "SELECT global_position AS g, stream, revision, id, type, data, metadata FROM events" +
      " WHERE global_position > ? ORDER BY global_position LIMIT ?",
  );
  const insertBatch = db.prepare(
    "INSERT INTO batches (position, stream, revision, count, lengths, body) VALUES (?, ?, ?, ?, ?, ?)",
  );
  let position = 0;
  let batches = 0;
  let pending: (NewEvent & { stream: string; revision: number })[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const first = pending[0]!;
    const batch = encodeBatch(pending);
    insertBatch.run(position, first.stream, first.revision, batch.count, batch.lengths, batch.body);
    source.storeIds(first.stream, pending, position);
    position += pending.length;
    batches += 1;
    pending = [];
  };
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const rows = pageStmt.all(after, 10_000);
    for (const row of rows) {
      const previous = pending[pending.length - 1];
      if (
        previous &&
        (previous.stream !== row.stream ||
          previous.revision + 1 !== row.revision ||
          pending.length >= MIGRATION_BATCH)
      )
        flush();
      pending.push({
        stream: row.stream,
        revision: row.revision,
        id: row.id,
        type: row.type,
        data: row.data,
        metadata: row.metadata,
      });
      after = row.g;
    }
    if (rows.length < 10_000) break;
  }
  flush();
  db.exec("DROP TABLE events");
  return { events: position, batches };
}

/**
 * The way back (for a rollback to code that reads only version 1): every event of the version-2 tables as one
 * version-1 row, in global-position order, inside the caller's transaction; the version-2 tables are dropped.
 */
export function migrateV2ToV1(db: Database.Database): { events: number } {
  db.exec(SCHEMA_V1_TABLE);
  const source = v2Factory(db);
  const streams = db.prepare<[], { stream: string }>("SELECT DISTINCT stream FROM batches").all();
  const insert = db.prepare(
    "INSERT INTO events (global_position, stream, revision, id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const positionOf = db.prepare<[string, number], { position: number; revision: number }>(
    "SELECT position, revision FROM batches WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT 1",
  );
  let events = 0;
  for (const { stream } of streams) {
    const first = db
      .prepare<[string], { r: number }>("SELECT MIN(revision) AS r FROM batches WHERE stream = ?")
      .get(stream);
    let from = first?.r ?? 0;
    for (;;) {
      const page = source.page(stream, from, 10_000);
      for (const e of page) {
        const holder = positionOf.get(stream, e.revision)!;
        insert.run(
          holder.position + (e.revision - holder.revision) + 1,
          stream,
          e.revision,
          e.id,
          e.type,
          e.data,
          e.metadata,
        );
        events += 1;
      }
      if (page.length < 10_000) break;
      from = page[page.length - 1]!.revision + 1;
    }
  }
  db.exec("DROP TABLE batches; DROP TABLE event_ids");
  return { events };
}

/**
 * A table must be the one its layout creates: STRICT, with its unique constraints. `CREATE TABLE IF NOT EXISTS` keeps
 * a table someone else created, so without this a file whose table lacks them could take a second row at a
 * revision already stored.
 */
export function checkTables(db: Database.Database, path: string, version: number): void {
  const strict = (name: string) =>
    (
      db.prepare("SELECT strict FROM pragma_table_list WHERE name = ? AND schema = 'main'").get(name) as
        | { strict: number }
        | undefined
    )?.strict === 1;
  const uniques = (table: string) =>
    (
      db.prepare('SELECT name FROM pragma_index_list(?) WHERE "unique" = 1').all(table) as { name: string }[]
    ).map(({ name }) =>
      (db.prepare("SELECT name FROM pragma_index_info(?) ORDER BY seqno").all(name) as { name: string }[])
        .map((c) => c.name)
        .join(","),
    );
  const pk = (table: string) =>
    (db.prepare("SELECT name FROM pragma_table_info(?) WHERE pk = 1").all(table) as { name: string }[])
      .map((c) => c.name)
      .join(",");
  if (version === 1) {
    const u = uniques("events");
    const missing = [
      strict("events") ? null : "STRICT",
      u.includes("stream,revision") ? null : "UNIQUE (stream, revision)",
      u.includes("id") ? null : "UNIQUE (id)",
    ].filter((m) => m !== null);
    if (missing.length > 0)
      throw new Error(
        `${path}: the events table lacks ${missing.join(", ")}: not an event store this code wrote`,
      );
    return;
  }
  const missing = [
    strict("batches") ? null : "batches STRICT",
    uniques("batches").includes("stream,revision") ? null : "batches UNIQUE (stream, revision)",
    pk("batches") === "position" ? null : "batches PRIMARY KEY (position)",
    strict("event_ids") ? null : "event_ids STRICT",
    pk("event_ids") === "key" ? null : "event_ids PRIMARY KEY (key)",
  ].filter((m) => m !== null);
  if (missing.length > 0)
    throw new Error(
      `${path}: the event store tables lack ${missing.join(", ")}: not an event store this code wrote`,
    );
}

export const hasTable = (db: Database.Database, name: string): boolean =>
  db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(name) !== undefined;
