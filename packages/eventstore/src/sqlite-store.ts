// The durable event store on one SQLite file (better-sqlite3): WAL, synchronous=FULL, BEGIN IMMEDIATE appends.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { checkAfter, checkAppend, checkRead, checkStream } from "./batch.js";
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
import {
  batchParts,
  checkTables,
  encodeBatch,
  hasTable,
  type Layout,
  layoutV1,
  layoutV2,
  migrateV1ToV2,
  migrateV2ToV1,
  refusalOf,
  SCHEMA_V1,
  SCHEMA_V2,
  SCHEMA_VERSION,
} from "./sqlite-layout.js";
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

  const { db, layout: openedLayout } = readOnly
    ? openReadOnly(path, busyTimeoutMs)
    : openWritable(path, busyTimeoutMs);

  const layout: Layout = openedLayout;
  const tails = new Tails();
  let closed = false;
  // In worker mode a file gets its own writer connection (":memory:" is private to a connection, so it cannot),
  // started by the first append: a store that only reads (a follower) never starts the thread.
  const onWorker = writerMode === "worker" && path !== ":memory:" && path !== "";
  let writer: SqliteWriter | null = null;
  const assertOpen = () => {
    if (closed) throw new Error(`event store ${path} is closed`);
  };

  const last = (stream: string): number | "no_stream" => layout.last(stream);

  const appendTx = (
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): AppendResult => {
    if (!layout.append) throw new Error(`event store ${path}: schema version ${layout.version} is read only`);
    try {
      return layout.append(stream, encodeBatch(events), expected);
    } catch (error) {
      const refused = refusalOf(error);
      if (refused?.kind === "wrong_revision")
        throw new WrongExpectedRevisionError(refused.stream, refused.expected, refused.actual);
      if (refused?.kind === "duplicate_id") throw new DuplicateEventIdError(refused.stream, refused.eventId);
      throw error;
    }
  };

  const appendSync = (
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): AppendResult => {
    assertOpen();
    if (readOnly) throw new Error(`event store ${path} is open read-only`);
    checkAppend(stream, events, expected);
    const result = appendTx(stream, events, expected);
    if (result.written) tails.wake(stream);
    return result;
  };

  // The unique (stream, revision) constraint (checked at open) makes "n events, lowest 0, highest n−1" (and, in
  // version 2, each batch starting where the one before it ends) mean exactly the revisions 0..n−1, each once.
  const positionsProblemSync = (stream: string, options: { soleStream?: boolean } = {}): string | null => {
    assertOpen();
    checkStream(stream);
    const { n, lo, hi, breaks } = layout.span(stream);
    if (n > 0 && (lo !== 0 || hi !== n - 1 || breaks > 0))
      return `stream ${stream} holds ${n} events at revisions ${lo}..${hi}, not exactly 0..${n - 1}: a stored revision was changed`;
    if (options.soleStream) {
      const others = layout.others(stream);
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
    return layout.page(stream, fromRevision, maxCount);
  };

  const appendOnWorker = async (
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> => {
    assertOpen();
    checkAppend(stream, events, expected);
    writer ??= startSqliteWriter({ path, busyTimeoutMs });
    const result = await writer.append(stream, batchParts(events), expected);
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
        fetch: (from, max) => (closed ? [] : layout.page(stream, from, max)),
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

/**
 * A connection that writes: WAL, synchronous=FULL, and the schema created, checked or migrated in one transaction.
 * A version-1 file (one row per event) is migrated to version 2 in that transaction: all or nothing (see
 * docs/operations.md for the backup taken before).
 */
function openWritable(path: string, busyTimeoutMs: number): { db: Database.Database; layout: Layout } {
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
      if (version < SCHEMA_VERSION && hasTable(db, "events")) {
        checkTables(db, path, SCHEMA_V1);
        migrateV1ToV2(db);
      } else db.exec(SCHEMA_V2);
      if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
      checkTables(db, path, SCHEMA_VERSION);
    }).immediate();
    return { db, layout: layoutV2(db, false) };
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * A read-only connection to an existing event store: SQLITE_OPEN_READONLY, so nothing this connection does can
 * write the database (it reads the WAL through the shared-memory index like any reader). The schema must be there:
 * version 2, or version 1 read as it is (`pmx replay` and `pmx audit` read a file of either version unchanged).
 */
function openReadOnly(path: string, busyTimeoutMs: number): { db: Database.Database; layout: Layout } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`); // a connection setting, not stored in the file
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version !== SCHEMA_VERSION && version !== SCHEMA_V1)
      throw new Error(
        `${path}: event store schema version ${version}, this code reads ${SCHEMA_V1} and ${SCHEMA_VERSION} (open it for writing first)`,
      );
    checkTables(db, path, version);
    return { db, layout: version === SCHEMA_V1 ? layoutV1(db) : layoutV2(db, true) };
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Converts the event store file at `path` to schema `version` (2: the batch layout; 1: the row-per-event layout,
 * for going back to code that reads only version 1) in one transaction, and answers the versions and the number of
 * events. Nothing else may have the file open for writing (stop the gateway first); take a backup before.
 */
export function migrateSqliteFile(
  path: string,
  version: 1 | 2,
  options: { busyTimeoutMs?: number } = {},
): { from: number; to: number; events: number } {
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5_000}`);
    return db
      .transaction(() => {
        const from = db.pragma("user_version", { simple: true }) as number;
        if (from !== SCHEMA_V1 && from !== SCHEMA_VERSION)
          throw new Error(`${path}: event store schema version ${from}, this code converts 1 and 2`);
        checkTables(db, path, from);
        let events: number;
        if (from === version) events = layoutV2OrV1(db, from).span ?? 0;
        else if (version === SCHEMA_VERSION) events = migrateV1ToV2(db).events;
        else events = migrateV2ToV1(db).events;
        db.pragma(`user_version = ${version}`);
        checkTables(db, path, version);
        return { from, to: version, events };
      })
      .immediate();
  } finally {
    db.close();
  }
}

function layoutV2OrV1(db: Database.Database, version: number): { span: number } {
  const table =
    version === SCHEMA_V1
      ? "SELECT COUNT(*) AS n FROM events"
      : "SELECT IFNULL(SUM(count), 0) AS n FROM batches";
  return { span: (db.prepare(table).get() as { n: number }).n };
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
