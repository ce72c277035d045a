// The SQLite append worker: a worker thread with its own connection that runs appends in call order, off the event loop.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import {
  AppendAbortedError,
  type AppendResult,
  DuplicateEventIdError,
  type ExpectedRevision,
  WrongExpectedRevisionError,
} from "./port.js";
import { type BatchParts, LAYOUT_V2_SOURCE, SCHEMA_VERSION } from "./sqlite-layout.js";

/** What the worker needs to open its connection the way `openSqliteStore` opens the main one. */
export interface SqliteWriterSettings {
  readonly path: string;
  readonly busyTimeoutMs: number;
}

export interface SqliteWriter {
  /** Appends on the worker's connection: one BEGIN IMMEDIATE transaction, committed before it resolves. */
  append(stream: string, batch: BatchParts, expected: ExpectedRevision): Promise<AppendResult>;
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
 * `dist`. Its append is LAYOUT_V2_SOURCE's, the same as `appendSync`'s: expected-revision check, idempotent retry,
 * duplicate id. The batch arrives as its fields and their lengths (`batchParts`); the worker concatenates them.
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
if (db.pragma("user_version", { simple: true }) !== ${SCHEMA_VERSION})
  throw new Error("the event store file is not at schema version ${SCHEMA_VERSION}");
const layout = (function (db) {
${LAYOUT_V2_SOURCE}
})(db);
class Refused extends Error {
  constructor(wire) {
    super(wire.kind);
    this.wire = wire;
  }
}
const firstRevision = (expected) => (expected === "no_stream" ? 0 : expected + 1);
const wireError = (error) => {
  if (error instanceof Refused) return error.wire;
  if (error && typeof error === "object" && error.refused) return error.refused;
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
    const b = message.batch;
    const batch = { body: b.parts.join(""), lengths: Buffer.from(b.lengths.buffer, b.lengths.byteOffset, b.lengths.byteLength), count: b.count };
    parentPort.postMessage({ id: message.id, result: layout.append(message.stream, batch, message.expected) });
  } catch (error) {
    failed.push({ stream: message.stream, lastRevision: firstRevision(message.expected) + message.batch.count - 1 });
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
    append(stream, batch, expected) {
      if (broken) return Promise.reject(broken);
      const id = nextId++;
      return new Promise<AppendResult>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        track();
        worker.postMessage({ id, stream, batch, expected, failuresSeen });
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
