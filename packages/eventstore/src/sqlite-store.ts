// The durable event store on one SQLite file (better-sqlite3): WAL, synchronous=FULL, BEGIN IMMEDIATE appends.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { checkAfter, checkAppend, checkRead, checkStream, firstRevision, isStoredBatch } from "./batch.js";
import {
  type AppendResult,
  DuplicateEventIdError,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  type Subscription,
  WrongExpectedRevisionError,
} from "./port.js";
import { type SqliteWriter, startSqliteWriter } from "./sqlite-writer.js";
import { Tail, Tails } from "./tail.js";

export interface SqliteStoreOptions {
  /** How often a caught-up subscription looks for events written by other connections. Default 50 ms. */
  readonly pollIntervalMs?: number;
  /** How long a write waits for another connection's write lock before SQLITE_BUSY. Default 5,000 ms. */
  readonly busyTimeoutMs?: number;
  /** Rows per query when reading or catching up a subscription. Default 10,000. */
  readonly readPageSize?: number;
  /**
   * Where `append` runs. "thread" (default): on the caller's thread, as `appendSync`, blocking it through the
   * commit and its fsync. "worker": on a worker thread with its own connection to the file (same pragmas), in
   * call order, so the caller's event loop keeps running while a batch is made durable; reads and
   * subscriptions stay on this connection. `appendSync` always runs on this thread.
   */
  readonly writer?: SqliteWriterMode;
  /**
   * Open the file read-only (it must exist, created by a writer): no schema transaction, no pragma that writes,
   * and `append` / `appendSync` refuse. For readers that follow another process's or thread's log (the snapshotter).
   */
  readonly readOnly?: boolean;
}

export type SqliteWriterMode = "thread" | "worker";

export interface SqliteEventStore extends EventStore {
  /** The file this store writes (as given to `openSqliteStore`). */
  readonly path: string;
  /**
   * `append` without the promise, for the sequencer's hot path: one BEGIN IMMEDIATE transaction, committed
   * (fsynced, synchronous=FULL) before it returns. Blocks the thread while another connection holds the
   * write lock, up to `busyTimeoutMs`.
   */
  appendSync(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): AppendResult;
  /** Up to `maxCount` events of the stream from `fromRevision` (inclusive), in order. */
  readBatch(stream: string, fromRevision: number, maxCount: number): RecordedEvent[];
  /** See `EventStore.positionsProblem`: always there on a SQLite file. */
  positionsProblem(stream: string, options?: { soleStream?: boolean }): Promise<string | null>;
  /** `positionsProblem` without the promise. */
  positionsProblemSync(stream: string, options?: { soleStream?: boolean }): string | null;
  /** `lastRevision` without the promise. */
  lastRevisionSync(stream: string): number | "no_stream";
  /** The durability settings in force on this connection, read back from SQLite (for logs and tests). */
  connectionSettings(): SqliteConnectionSettings;
}

export interface SqliteConnectionSettings {
  /** "wal" for a file (SQLite keeps "memory" for ":memory:"). */
  readonly journalMode: string;
  /** 2 = FULL. */
  readonly synchronous: number;
  readonly busyTimeoutMs: number;
}

const SCHEMA_VERSION = 1;

const SCHEMA = `
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

interface Row {
  stream: string;
  revision: number;
  id: string;
  type: string;
  data: string;
  metadata: string;
}

/** Opens (creating it, and its folder, if missing) the SQLite event store at `path`. ":memory:" works too. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteEventStore {
  const pollIntervalMs = positive(options.pollIntervalMs ?? 50, "pollIntervalMs");
  const busyTimeoutMs = positive(options.busyTimeoutMs ?? 5_000, "busyTimeoutMs", true);
  const pageSize = positive(options.readPageSize ?? 10_000, "readPageSize");
  const writerMode = writerModeOf(options.writer);
  const readOnly = options.readOnly === true;
  if (readOnly && (path === ":memory:" || path === ""))
    throw new RangeError(
      "a read-only store needs a file (an in-memory database is private to its connection)",
    );
  if (!readOnly && path !== ":memory:" && path !== "") mkdirSync(dirname(path), { recursive: true });

  const db = readOnly ? openReadOnly(path, busyTimeoutMs) : openWritable(path, busyTimeoutMs);

  const lastStmt = db.prepare<[string], { r: number | null }>(
    "SELECT MAX(revision) AS r FROM events WHERE stream = ?",
  );
  const pageStmt = db.prepare<[string, number, number], Row>(
    "SELECT stream, revision, id, type, data, metadata FROM events" +
      " WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?",
  );
  const storedStmt = db.prepare<[string, number, number], NewEvent>(
    "SELECT id, type, data, metadata FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?",
  );
  const spanStmt = db.prepare<[string], { n: number; lo: number | null; hi: number | null }>(
    "SELECT COUNT(*) AS n, MIN(revision) AS lo, MAX(revision) AS hi FROM events WHERE stream = ?",
  );
  const othersStmt = db.prepare<[string], { stream: string; n: number }>(
    "SELECT stream, COUNT(*) AS n FROM events WHERE stream <> ? GROUP BY stream ORDER BY stream LIMIT 4",
  );
  const insertStmt = db.prepare<[string, number, string, string, string, string]>(
    "INSERT INTO events (stream, revision, id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)",
  );

  const tails = new Tails();
  let closed = false;
  // In worker mode a file gets its own writer connection (":memory:" is private to a connection, so it cannot),
  // started by the first append: a store that only reads (a follower) never starts the thread.
  const onWorker = writerMode === "worker" && path !== ":memory:" && path !== "";
  let writer: SqliteWriter | null = null;
  const assertOpen = () => {
    if (closed) throw new Error(`event store ${path} is closed`);
  };

  const last = (stream: string): number | "no_stream" => lastStmt.get(stream)?.r ?? "no_stream";

  const appendTx = db.transaction(
    (stream: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendResult => {
      const actual = last(stream);
      if (actual !== expected) {
        const first = firstRevision(expected);
        if (isStoredBatch(storedStmt.all(stream, first, events.length), events)) {
          return { nextExpectedRevision: first + events.length - 1, written: false };
        }
        throw new WrongExpectedRevisionError(stream, expected, actual);
      }
      let revision = firstRevision(expected);
      for (const e of events) {
        try {
          insertStmt.run(stream, revision++, e.id, e.type, e.data, e.metadata);
        } catch (error) {
          if (isUniqueIdViolation(error)) throw new DuplicateEventIdError(stream, e.id);
          throw error;
        }
      }
      return { nextExpectedRevision: revision - 1, written: true };
    },
  );

  const appendSync = (
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): AppendResult => {
    assertOpen();
    if (readOnly) throw new Error(`event store ${path} is open read-only`);
    checkAppend(stream, events, expected);
    const result = appendTx.immediate(stream, events, expected);
    if (result.written) tails.wake(stream);
    return result;
  };

  // The unique (stream, revision) constraint (checked at open) makes "n rows, lowest 0, highest n−1" mean exactly
  // the revisions 0..n−1, each once.
  const positionsProblemSync = (stream: string, options: { soleStream?: boolean } = {}): string | null => {
    assertOpen();
    checkStream(stream);
    const { n, lo, hi } = spanStmt.get(stream) ?? { n: 0, lo: null, hi: null };
    if (n > 0 && (lo !== 0 || hi !== n - 1))
      return `stream ${stream} holds ${n} events at revisions ${lo}..${hi}, not exactly 0..${n - 1}: a stored revision was changed`;
    if (options.soleStream) {
      const others = othersStmt.all(stream);
      if (others.length > 0)
        return `the store holds events of streams other than ${stream} (${others
          .slice(0, 3)
          .map((o) => `${JSON.stringify(o.stream)}: ${o.n}`)
          .join(", ")}${others.length > 3 ? ", …" : ""}): a stored stream was changed`;
    }
    return null;
  };

  const readBatch = (stream: string, fromRevision: number, maxCount: number): RecordedEvent[] => {
    assertOpen();
    checkRead(stream, fromRevision, maxCount);
    if (maxCount === 0) return [];
    return pageStmt.all(stream, fromRevision, maxCount);
  };

  const appendOnWorker = async (
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> => {
    assertOpen();
    checkAppend(stream, events, expected);
    writer ??= startSqliteWriter({ path, busyTimeoutMs });
    const result = await writer.append(stream, events, expected);
    if (result.written && !closed) tails.wake(stream);
    return result;
  };

  return {
    path,
    appendsInOrder: true,
    appendSync,
    readBatch,
    connectionSettings() {
      assertOpen();
      return {
        journalMode: db.pragma("journal_mode", { simple: true }) as string,
        synchronous: db.pragma("synchronous", { simple: true }) as number,
        busyTimeoutMs: db.pragma("busy_timeout", { simple: true }) as number,
      };
    },
    positionsProblemSync,
    async positionsProblem(stream, options) {
      return positionsProblemSync(stream, options);
    },
    lastRevisionSync(stream) {
      assertOpen();
      checkStream(stream);
      return last(stream);
    },
    async append(stream, events, expectedRevision) {
      if (onWorker && !readOnly) return appendOnWorker(stream, events, expectedRevision);
      return appendSync(stream, events, expectedRevision);
    },
    async *read(stream, fromRevision = 0, maxCount = Number.POSITIVE_INFINITY) {
      checkRead(stream, fromRevision, maxCount);
      let next = fromRevision;
      let remaining = maxCount;
      while (remaining > 0) {
        const want = Math.min(pageSize, remaining);
        const page = readBatch(stream, next, want); // one page in memory at a time; no statement held open
        yield* page;
        if (page.length < want) return;
        next = page[page.length - 1]!.revision + 1;
        remaining -= page.length;
      }
    },
    async lastRevision(stream) {
      assertOpen();
      checkStream(stream);
      return last(stream);
    },
    subscribe(stream, afterRevision, onEvent, onError): Subscription {
      assertOpen();
      checkStream(stream);
      checkAfter(afterRevision);
      const tail = new Tail({
        stream,
        from: afterRevision === "start" ? 0 : afterRevision + 1,
        fetch: (from, max) => (closed ? [] : pageStmt.all(stream, from, max)),
        pageSize: Math.min(pageSize, 1_000),
        pollIntervalMs,
        onEvent,
        onError,
        onEnd: (t) => tails.remove(t),
      });
      tails.add(tail);
      return tail;
    },
    async close() {
      if (closed) return;
      closed = true;
      await writer?.close(); // after the appends already called: they finish first
      await tails.closeAll();
      db.close();
    },
  };
}

/** A connection that writes: WAL, synchronous=FULL, and the schema created (or checked) in one transaction. */
function openWritable(path: string, busyTimeoutMs: number): Database.Database {
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`); // first: the statements below may wait for another process
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.transaction(() => {
      const version = db.pragma("user_version", { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new Error(
          `${path}: event store schema version ${version} is newer than this code (${SCHEMA_VERSION})`,
        );
      }
      db.exec(SCHEMA);
      if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
      checkSchema(db, path);
    }).immediate();
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * A read-only connection to an existing event store: SQLITE_OPEN_READONLY, so nothing this connection does can
 * write the database (it reads the WAL through the shared-memory index like any reader). The schema must be there.
 */
function openReadOnly(path: string, busyTimeoutMs: number): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`); // a connection setting, not stored in the file
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version !== SCHEMA_VERSION)
      throw new Error(
        `${path}: event store schema version ${version}, this code reads ${SCHEMA_VERSION} (open it for writing first)`,
      );
    checkSchema(db, path);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * The events table must be the one `SCHEMA` creates: STRICT (a revision is an integer, never text or a real), with
 * the unique constraints on (stream, revision) and on id. `CREATE TABLE IF NOT EXISTS` keeps a table someone else
 * created, so without this a file whose table lacks them would take a second row at a revision already stored.
 */
function checkSchema(db: Database.Database, path: string): void {
  const table = db
    .prepare("SELECT strict FROM pragma_table_list WHERE name = 'events' AND schema = 'main'")
    .get() as { strict: number } | undefined;
  const uniques = (
    db.prepare("SELECT name FROM pragma_index_list('events') WHERE \"unique\" = 1").all() as {
      name: string;
    }[]
  ).map(({ name }) =>
    (db.prepare("SELECT name FROM pragma_index_info(?) ORDER BY seqno").all(name) as { name: string }[])
      .map((c) => c.name)
      .join(","),
  );
  const missing = [
    table?.strict === 1 ? null : "STRICT",
    uniques.includes("stream,revision") ? null : "UNIQUE (stream, revision)",
    uniques.includes("id") ? null : "UNIQUE (id)",
  ].filter((m) => m !== null);
  if (missing.length > 0)
    throw new Error(
      `${path}: the events table lacks ${missing.join(", ")}: not an event store this code wrote`,
    );
}

function isUniqueIdViolation(error: unknown): boolean {
  return (
    error instanceof Database.SqliteError &&
    error.code === "SQLITE_CONSTRAINT_UNIQUE" &&
    error.message.includes("events.id")
  );
}

function writerModeOf(mode: unknown): SqliteWriterMode {
  if (mode === undefined) return "thread";
  if (mode === "thread" || mode === "worker") return mode;
  throw new RangeError(`writer must be "thread" or "worker", got ${String(mode)}`);
}

function positive(n: number, name: string, allowZero = false): number {
  if (!Number.isSafeInteger(n) || n < (allowZero ? 0 : 1))
    throw new RangeError(`${name} must be a positive integer`);
  return n;
}
