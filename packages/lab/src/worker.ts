// A worker thread of the pool: runs the tasks it is sent and posts back their results (or the error, in words).
import { parentPort } from "node:worker_threads";
import { describeError } from "./errors.js";
import { type RunTask, runTask } from "./task.js";

parentPort?.on("message", (message: { id: number; task: RunTask }) => {
  try {
    parentPort!.postMessage({ id: message.id, result: runTask(message.task) });
  } catch (error) {
    parentPort!.postMessage({ id: message.id, error: describeError(error) });
  }
});
