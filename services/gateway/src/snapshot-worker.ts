// The snapshotter thread: follows the SQLite log read-only with its own projection, writes a snapshot every N events.
import { parentPort, workerData } from "node:worker_threads";
import { openSqliteStore } from "@pmx/eventstore";
import { ExchangeProjection } from "@pmx/projections";
import { SnapshotStore } from "./snapshots.js";
import type { SnapshotterData, SnapshotterMessage } from "./snapshotter.js";

const port = parentPort;
if (!port)
  throw new Error("snapshot-worker.js runs as a worker thread (started by the gateway's Snapshotter)");
const data = workerData as SnapshotterData;
const post = (message: SnapshotterMessage): void => port.postMessage(message);

let stopping = false;
let wake: (() => void) | null = null;
port.on("message", (message: { type: string }) => {
  if (message.type !== "stop") return;
  stopping = true;
  wake?.();
});

/** Waits `ms`, or less when asked to stop. */
const pause = (ms: number) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      wake = null;
      resolve();
    }
    wake = done;
  });

async function main(): Promise<void> {
  // Read side only: a read-only connection (it takes no write lock and cannot write the log).
  const store = openSqliteStore(data.path, { readOnly: true, busyTimeoutMs: data.busyTimeoutMs });
  try {
    // The store's messages (which snapshot it starts from, which it skips) go to the gateway's log as info: the
    // gateway already warned about the same files when it started.
    const snapshots = new SnapshotStore(
      data.dir,
      {
        info: (obj, msg) => post({ type: "log", obj, msg: `snapshotter: ${msg}` }),
        warn: (obj, msg) => post({ type: "log", obj, msg: `snapshotter: ${msg}` }),
      },
      data.keep,
      "snapshotter",
    );
    const projection = (await snapshots.newestValid(store, data.stream)) ?? new ExchangeProjection();
    post({ type: "started", events: projection.eventCount });
    let lastAt = projection.eventCount;
    let reported = -1;
    while (!stopping) {
      const page = store.readBatch(data.stream, projection.eventCount, data.pageSize);
      // Until it first reaches the end of the log, a snapshot is skipped when the log already holds `every` events
      // more: a newer one is due within this catch-up (a start on a long log writes one, near its end, not one per
      // `every` events). Once caught up, every snapshot due is written.
      const logEnd =
        reported < 0 && page.length === data.pageSize
          ? lastRevision(store) + 1
          : projection.eventCount + page.length;
      for (const stored of page) {
        const applied = projection.applyRecorded(stored, data.stream);
        if (!applied.ok)
          throw new Error(`event ${stored.revision} (${stored.id}) does not verify: ${applied.problem}`);
        if (
          projection.commandOpen === null &&
          projection.eventCount - lastAt >= data.every &&
          logEnd - projection.eventCount < data.every
        ) {
          lastAt = projection.eventCount;
          const started = performance.now();
          try {
            const file = snapshots.write(projection);
            post({
              type: "written",
              file,
              events: projection.eventCount,
              ms: Math.round(performance.now() - started),
            });
          } catch (error) {
            post({ type: "notWritten", events: projection.eventCount, reason: (error as Error).message });
          }
        }
      }
      if (page.length < data.pageSize) {
        if (projection.eventCount !== reported) {
          reported = projection.eventCount;
          post({ type: "caughtUp", events: reported });
        }
        await pause(data.pollIntervalMs);
      } else await new Promise((resolve) => setImmediate(resolve)); // lets a stop message in between pages
    }
  } finally {
    await store.close();
  }
}

function lastRevision(store: ReturnType<typeof openSqliteStore>): number {
  const last = store.lastRevisionSync(data.stream);
  return last === "no_stream" ? -1 : last;
}

main().then(
  () => port.close(),
  (error: unknown) => {
    post({ type: "failed", reason: (error as Error).message ?? String(error) });
    port.close();
  },
);
