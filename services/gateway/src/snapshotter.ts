// The leader's periodic snapshots off the event loop: starts the snapshotter thread, logs what it reports, stops it.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { SnapshotLogger, SnapshotStore } from "./snapshots.js";

/** What the thread is started with (`workerData`). */
export interface SnapshotterData {
  /** The SQLite file of the log (opened read-only by the thread). */
  readonly path: string;
  readonly stream: string;
  /** The snapshot folder and how many snapshots it keeps (as the gateway's `SnapshotStore`). */
  readonly dir: string;
  readonly keep: number;
  /** A snapshot at the first command boundary at least this many events after the previous one. */
  readonly every: number;
  readonly pollIntervalMs: number;
  readonly busyTimeoutMs: number;
  /** Events read per query. */
  readonly pageSize: number;
}

/** What the thread reports. */
export type SnapshotterMessage =
  | { type: "started"; events: number }
  | { type: "written"; file: string; events: number; ms: number }
  | { type: "notWritten"; events: number; reason: string }
  /** It has folded the whole log as far as it can see it: `events` events. */
  | { type: "caughtUp"; events: number }
  | { type: "log"; obj: object; msg: string }
  | { type: "failed"; reason: string };

export interface SnapshotterOptions {
  /** The SQLite file of the log. */
  path: string;
  stream: string;
  store: SnapshotStore;
  every: number;
  logger?: SnapshotLogger;
  /** How often the thread looks for new events once it has caught up. Default 100 ms. */
  pollIntervalMs?: number;
}

/**
 * The thread's code: the compiled `dist/snapshot-worker.js` of this package. The path is relative to the package
 * folder, so it resolves the same from `src` (tests run the TypeScript) and from `dist` (production); `npm test` and
 * `npm start` build first.
 */
export const SNAPSHOT_WORKER_URL = new URL("../dist/snapshot-worker.js", import.meta.url);

/** How long `close` lets the thread finish what it is doing before terminating it. */
const STOP_GRACE_MS = 1_000;

export class Snapshotter {
  private readonly worker: Worker;
  private folded = -1;
  private waiters: { events: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  private ended: string | null = null;
  private hasExited = false;
  private closing = false;
  private readonly exited: Promise<void>;
  /** Snapshots written by the thread since it started (files, oldest first). */
  readonly written: { file: string; events: number; ms: number }[] = [];

  private constructor(
    options: SnapshotterOptions,
    private readonly logger: SnapshotLogger | undefined,
  ) {
    const data: SnapshotterData = {
      path: options.path,
      stream: options.stream,
      dir: options.store.dir,
      keep: options.store.keep,
      every: options.every,
      pollIntervalMs: options.pollIntervalMs ?? 100,
      busyTimeoutMs: 5_000,
      pageSize: 1_000,
    };
    this.worker = new Worker(SNAPSHOT_WORKER_URL, { workerData: data, name: "pmx-snapshotter" });
    this.worker.unref(); // never what keeps the process alive
    this.worker.on("message", (m: SnapshotterMessage) => this.onMessage(m));
    this.worker.on("error", (error) => this.end(`the snapshotter failed: ${error.message}`));
    this.exited = new Promise((resolve) => {
      this.worker.once("exit", (code) => {
        this.hasExited = true;
        if (code === 0 || this.closing) this.end("the snapshotter stopped", false);
        else this.end(`the snapshotter exited with code ${code}`);
        resolve();
      });
    });
  }

  /**
   * Starts the thread; null (with a warning) when its code is not built, so that the caller can snapshot on the
   * event loop instead.
   */
  static start(options: SnapshotterOptions): Snapshotter | null {
    if (!existsSync(fileURLToPath(SNAPSHOT_WORKER_URL))) {
      options.logger?.warn(
        { file: fileURLToPath(SNAPSHOT_WORKER_URL) },
        "snapshot worker not built (npm run build): periodic snapshots are written on the event loop",
      );
      return null;
    }
    return new Snapshotter(options, options.logger);
  }

  /** Events the thread had folded when it last reached the end of the log (-1 before it first did). */
  get position(): number {
    return this.folded;
  }

  /** Why the thread is no longer running, or null while it is. */
  get stopped(): string | null {
    return this.ended;
  }

  /**
   * Resolves once the thread has folded at least `events` events and written any snapshot due by then (it reports
   * its position only between pages, after their snapshots); rejects if it stops first.
   */
  reached(events: number): Promise<void> {
    if (this.folded >= events) return Promise.resolve();
    if (this.ended) return Promise.reject(new Error(this.ended));
    return new Promise((resolve, reject) => this.waiters.push({ events, resolve, reject }));
  }

  /**
   * Asks the thread to stop between pages, and terminates it if it has not within a second (mid-write: the
   * snapshot's temporary file is left, never renamed, and ignored).
   */
  async close(): Promise<void> {
    if (this.hasExited) return;
    this.closing = true;
    this.worker.postMessage({ type: "stop" });
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), STOP_GRACE_MS);
    });
    const late = (await Promise.race([this.exited, grace])) === "late";
    clearTimeout(timer);
    if (late) await this.worker.terminate();
    await this.exited;
  }

  private onMessage(m: SnapshotterMessage): void {
    switch (m.type) {
      case "started":
        this.logger?.info({ events: m.events }, "snapshotter started");
        break;
      case "written":
        this.written.push({ file: m.file, events: m.events, ms: m.ms });
        this.logger?.info({ file: m.file, events: m.events, ms: m.ms }, "snapshot written");
        break;
      case "notWritten":
        this.logger?.warn({ events: m.events, reason: m.reason }, "snapshot not written");
        break;
      case "caughtUp":
        this.folded = m.events;
        this.waiters = this.waiters.filter((w) => {
          if (w.events > m.events) return true;
          w.resolve();
          return false;
        });
        break;
      case "log":
        this.logger?.info(m.obj, m.msg);
        break;
      case "failed":
        this.end(`the snapshotter failed: ${m.reason}`);
        break;
    }
  }

  private end(reason: string, warn = true): void {
    if (this.ended) return;
    this.ended = reason;
    if (warn) this.logger?.warn({ reason }, "snapshotter stopped: no periodic snapshots");
    for (const w of this.waiters.splice(0)) w.reject(new Error(reason));
  }
}
