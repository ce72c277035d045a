// The SQLite append worker: a worker thread with its own connection that runs appends in call order, off the event loop.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import {
  AppendAbortedError,
  type AppendResult,
  DuplicateEventIdError,
  type ExpectedRevision,
  type NewEvent,
  WrongExpectedRevisionError,
} from "./port.js";

/** What the worker needs to open its connection the way `openSqliteStore` opens the main one. */
export interface SqliteWriterSettings {
  readonly path: string;
  readonly busyTimeoutMs: number;
}

export interface SqliteWriter {
  /** Appends on the worker's connection: one BEGIN IMMEDIATE transaction, committed before it resolves. */
  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  /** Appends not yet answered by the worker. */
  readonly pending: number;
  /** Lets every pending append finish, then closes the worker's connection and ends the thread. */
  close(): Promise<void>;
}

/** A failure as it crosses the thread boundary: enough to rebuild the same error class on this side. */
type WireError =
  | { kind: "wrong_revision"; stream: string; expected: ExpectedRevision; actual: number | "no_stream" }
  | { kind: "duplicate_id"; stream: string; eventId: string }
  | { kind: "aborted"; stream: string }
  | { kind: "sqlite"; message: string; code: string }
  | { kind: "other"; message: string; name: string };

type Reply = { id: number; result: AppendResult } | { id: number; error: WireError };

/**
 * The worker's source, plain JavaScript run with `eval: true`, so that it works the same from `src` (vitest) and
 * `dist`. It mirrors `appendSync` in sqlite-store.ts: expected-revision check, idempotent retry, duplicate id.
 * Messages are handled one at a time, synchronously, so appends are applied in the order they were posted.
 */
const WORKER_SOURCE = `
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.betterSqlite3);
const db = new Database(workerData.path);
db.pragma("busy_timeout = " + workerData.busyTimeoutMs);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
const lastStmt = db.prepare("SELECT MAX(revision) AS r FROM events WHERE stream = ?");
const storedStmt = db.prepare(
  "SELECT id, type, data, metadata FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?",
);
const insertStmt = db.prepare(
  "INSERT INTO events (stream, revision, id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)",
);
class Refused extends Error {
  constructor(wire) {
    super(wire.kind);
    this.wire = wire;
  }
}
const last = (stream) => {
  const row = lastStmt.get(stream);
  return row && row.r !== null ? row.r : "no_stream";
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
const isUniqueIdViolation = (error) =>
  error instanceof Database.SqliteError &&
  error.code === "SQLITE_CONSTRAINT_UNIQUE" &&
  error.message.includes("events.id");
const appendTx = db.transaction((stream, events, expected) => {
  const actual = last(stream);
  if (actual !== expected) {
    const first = firstRevision(expected);
    if (isStoredBatch(storedStmt.all(stream, first, events.length), events)) {
      return { nextExpectedRevision: first + events.length - 1, written: false };
    }
    throw new Refused({ kind: "wrong_revision", stream, expected, actual });
  }
  let revision = firstRevision(expected);
  for (const e of events) {
    try {
      insertStmt.run(stream, revision++, e.id, e.type, e.data, e.metadata);
    } catch (error) {
      if (isUniqueIdViolation(error)) throw new Refused({ kind: "duplicate_id", stream, eventId: e.id });
      throw error;
    }
  }
  return { nextExpectedRevision: revision - 1, written: true };
});
const wireError = (error) => {
  if (error instanceof Refused) return error.wire;
  if (error instanceof Database.SqliteError) return { kind: "sqlite", message: error.message, code: error.code };
  return { kind: "other", message: String(error && error.message), name: String(error && error.name) };
};
// Failed appends, numbered in order: the stream and the last revision each would have written. Each append
// carries how many failure answers its caller had received when it called (failuresSeen). One called before a
// failure was known, on the same stream, expecting a revision at or past what the failed one would have written,
// counted on that failed batch: it is not attempted (a revision that matches by chance, because another writer
// appended as many events, would put it after events its caller never saw). Others are attempted as usual.
const failed = [];
let failedBase = 0; // failed[0] is failure number failedBase; those below every later caller's count are dropped
const countedOnFailure = (message) => {
  if (message.failuresSeen > failedBase) {
    failed.splice(0, message.failuresSeen - failedBase);
    failedBase = message.failuresSeen;
  }
  const expected = message.expected === "no_stream" ? -1 : message.expected;
  return failed.some((f) => f.stream === message.stream && expected >= f.lastRevision);
};
parentPort.on("message", (message) => {
  if (message.close) {
    db.close();
    parentPort.close();
    return;
  }
  if (countedOnFailure(message)) {
    parentPort.postMessage({ id: message.id, error: { kind: "aborted", stream: message.stream } });
    return;
  }
  try {
    parentPort.postMessage({ id: message.id, result: appendTx.immediate(message.stream, message.events, message.expected) });
  } catch (error) {
    failed.push({ stream: message.stream, lastRevision: firstRevision(message.expected) + message.events.length - 1 });
    parentPort.postMessage({ id: message.id, error: wireError(error) });
  }
});
`;

interface Waiting {
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/** Starts the append worker on `settings.path` (the file must already hold the schema). */
export function startSqliteWriter(settings: SqliteWriterSettings): SqliteWriter {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      path: settings.path,
      busyTimeoutMs: settings.busyTimeoutMs,
      betterSqlite3: createRequire(import.meta.url).resolve("better-sqlite3"),
    },
  });
  worker.unref(); // an idle writer does not keep the process alive; a pending append does (see `track`)
  const waiting = new Map<number, Waiting>();
  let nextId = 0;
  /** Failure answers received (attempted appends that failed), sent with each append: see WORKER_SOURCE. */
  let failuresSeen = 0;
  let broken: Error | null = null;
  let exited: Promise<void> | null = null;

  let closing = false;
  const track = () => (waiting.size > 0 || closing ? worker.ref() : worker.unref());
  const failAll = (error: Error) => {
    broken ??= error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
    track();
  };

  worker.on("message", (reply: Reply) => {
    const w = waiting.get(reply.id);
    if (!w) return;
    waiting.delete(reply.id);
    track();
    if ("error" in reply) {
      if (reply.error.kind !== "aborted") failuresSeen += 1;
      w.reject(errorFrom(reply.error));
    } else w.resolve(reply.result);
  });
  worker.on("error", (error) => failAll(new Error(`the SQLite writer thread failed: ${error.message}`)));
  const exit = new Promise<void>((resolve) =>
    worker.once("exit", (code) => {
      failAll(new Error(`the SQLite writer thread exited (code ${code})`));
      resolve();
    }),
  );

  return {
    get pending() {
      return waiting.size;
    },
    append(stream, events, expected) {
      if (broken) return Promise.reject(broken);
      const id = nextId++;
      return new Promise<AppendResult>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        track();
        worker.postMessage({ id, stream, events, expected, failuresSeen });
      });
    },
    close() {
      exited ??= (async () => {
        closing = true;
        worker.ref(); // the process waits for the thread to end
        if (!broken) worker.postMessage({ close: true }); // queued behind every pending append
        await exit;
      })();
      return exited;
    },
  };
}

function errorFrom(wire: WireError): Error {
  switch (wire.kind) {
    case "wrong_revision":
      return new WrongExpectedRevisionError(wire.stream, wire.expected, wire.actual);
    case "duplicate_id":
      return new DuplicateEventIdError(wire.stream, wire.eventId);
    case "aborted":
      return new AppendAbortedError(wire.stream);
    case "sqlite":
      return new Database.SqliteError(wire.message, wire.code);
    case "other":
      return Object.assign(new Error(wire.message), { name: wire.name });
  }
}
