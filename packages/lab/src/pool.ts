// Runs tasks on worker threads (one per core by default) or in this thread; results come back in task order, so
// the report does not depend on which worker finished first.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { describeError } from "./errors.js";
import type { RunResult } from "./simulate.js";
import { type RunTask, runTask } from "./task.js";

export interface PoolOptions {
  readonly workers: number;
  /** Called after each finished task with the number done so far. */
  readonly onProgress?: (done: number) => void;
}

/** The compiled worker beside this module (absent when running from TypeScript sources, e.g. under vitest). */
function workerFile(): string | null {
  const url = new URL("./worker.js", import.meta.url);
  if (!import.meta.url.endsWith(".js")) return null;
  const file = fileURLToPath(url);
  return existsSync(file) ? file : null;
}

export async function runTasks(tasks: readonly RunTask[], options: PoolOptions): Promise<RunResult[]> {
  const file = workerFile();
  const count = Math.min(options.workers, tasks.length);
  if (file === null || count <= 1) {
    const results: RunResult[] = [];
    for (const task of tasks) {
      try {
        results.push(runTask(task));
      } catch (error) {
        throw new Error(describeError(error));
      }
      options.onProgress?.(results.length);
      // Let a progress bar draw between runs.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return results;
  }
  const results: RunResult[] = new Array(tasks.length);
  let next = 0;
  let done = 0;
  const workers = Array.from({ length: count }, () => new Worker(file));
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const send = () => {
              if (next >= tasks.length) return resolve();
              const id = next++;
              worker.postMessage({ id, task: tasks[id] });
            };
            worker.on("message", (m: { id: number; result?: RunResult; error?: string }) => {
              if (m.error !== undefined) return reject(new Error(m.error));
              results[m.id] = m.result!;
              done += 1;
              options.onProgress?.(done);
              send();
            });
            worker.on("error", reject);
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
