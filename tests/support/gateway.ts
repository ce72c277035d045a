// The real gateway as a child process (`node services/gateway/dist/cli.js serve`) on a temporary SQLite file,
// and the `pmx` command line run in a new process. Every child started here is killed by `stopAllGateways()`.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { migrateSqliteFile, openSqliteStore, type RecordedEvent } from "@pmx/eventstore";
import Database from "better-sqlite3";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI = join(REPO_ROOT, "services/gateway/dist/cli.js");

/** The operator token every test gateway is started with (PMX_OPERATOR_TOKEN). */
export const OPERATOR_TOKEN = "test-operator-token-7f3a9c";

/** A fixed, realistic start for manual clocks: 2024-11-05T12:00:00Z, in ms since epoch. */
export const T0 = Date.UTC(2024, 10, 5, 12, 0, 0);

export interface Gateway {
  /** `http://127.0.0.1:PORT`, the same across restarts. */
  readonly url: string;
  readonly token: string;
  readonly dataDir: string;
  readonly dbPath: string;
  /** `sqlite:<dbPath>`, for `pmx replay` and `pmx audit`. */
  readonly storeUrl: string;
  readonly env: Readonly<Record<string, string>>;
  /**
   * Sends the signal (SIGTERM by default) and waits for the process to end; answers its exit code (null when it
   * ended by a signal). After `killAfterMs` (10 s by default) it is killed with SIGKILL.
   */
  stop(signal?: NodeJS.Signals, options?: { killAfterMs?: number }): Promise<number | null>;
  /** Stops the process if it runs, then starts a new one on the same file, port and settings. */
  restart(): Promise<void>;
  /** Number of events in the log, from `GET /v1/health` → `events`. */
  logLength(): Promise<number>;
  /** Number of events in the log, read from the SQLite file itself (read-only). */
  logLengthOnDisk(): number;
  /** What the current process wrote to stdout and stderr (the last 64 KiB), for failure messages. */
  output(): string;
}

interface Running {
  child: ChildProcess;
  exited: Promise<number | null>;
  out: string[];
}

const live = new Set<ChildProcess>();
const folders = new Set<string>();

/** Kills every gateway still running and removes their temporary folders; for `afterAll`. */
export async function stopAllGateways(): Promise<void> {
  const waits = [...live].map(
    (child) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  );
  await Promise.all(waits);
  live.clear();
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  folders.clear();
}

// Last resort when the test worker itself ends without running `afterAll`.
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export function tempDir(prefix = "pmx-e2e-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  folders.add(dir);
  return dir;
}

/** A TCP port that was free a moment ago (the gateway logs its URL only at info level, so we choose it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function requireBuild(): void {
  if (!existsSync(CLI))
    throw new Error(
      `${CLI} does not exist: build the gateway first (\`npm test\` at the root builds it; or \`npx tsc -p\` each package and services/gateway)`,
    );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function spawnGateway(env: Record<string, string>): Running {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PMX_")));
  const child = spawn(process.execPath, [CLI, "serve"], {
    cwd: REPO_ROOT,
    env: { ...inherited, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  const out: string[] = [];
  let size = 0;
  const keep = (chunk: Buffer) => {
    out.push(chunk.toString("utf8"));
    size += chunk.length;
    while (size > 64 * 1024 && out.length > 1) size -= out.shift()!.length;
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      live.delete(child);
      resolve(code);
    });
  });
  return { child, exited, out };
}

async function waitHealthy(url: string, running: Running, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void running.exited.then((code) => {
    exitCode = code;
  });
  while (Date.now() < deadline) {
    if (exitCode !== undefined)
      throw new Error(
        `the gateway exited (code ${exitCode}) before it was healthy:\n${running.out.join("")}`,
      );
    try {
      const res = await fetch(`${url}/v1/health`);
      if (res.status === 200) {
        await res.json();
        return;
      }
      await res.body?.cancel();
    } catch {
      // not listening yet
    }
    await sleep(20);
  }
  throw new Error(`the gateway at ${url} was not healthy within ${timeoutMs} ms:\n${running.out.join("")}`);
}

export interface StartOptions {
  /** Extra PMX_* settings (override the defaults below). */
  env?: Record<string, string>;
  /** Serve the same data folder and SQLite file as this (running or stopped) gateway, on a port of its own. */
  sameFileAs?: Gateway;
}

/**
 * Starts `pmx serve` on a new temporary SQLite file with a manual clock, the known operator token and
 * warn-level logs, waits until `GET /v1/health` answers, and answers a handle to it.
 */
export async function startGateway(options: StartOptions = {}): Promise<Gateway> {
  requireBuild();
  const dataDir = options.sameFileAs?.dataDir ?? tempDir();
  const dbPath = options.sameFileAs?.dbPath ?? join(dataDir, "pmx.db");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PMX_STORE: `sqlite:${dbPath}`,
    PMX_HOST: "127.0.0.1",
    PMX_PORT: String(port),
    PMX_OPERATOR_TOKEN: OPERATOR_TOKEN,
    PMX_CLOCK: "manual",
    PMX_LOG_LEVEL: "warn",
    ...options.env,
  };
  let running: Running | null = spawnGateway(env);
  await waitHealthy(url, running);

  const stop = async (
    signal: NodeJS.Signals = "SIGTERM",
    options: { killAfterMs?: number } = {},
  ): Promise<number | null> => {
    const current = running;
    if (!current) return null;
    running = null;
    if (current.child.exitCode === null && current.child.signalCode === null) current.child.kill(signal);
    const timer = setTimeout(() => current.child.kill("SIGKILL"), options.killAfterMs ?? 10_000);
    try {
      return await current.exited;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    url,
    token: env.PMX_OPERATOR_TOKEN!,
    dataDir,
    dbPath,
    storeUrl: `sqlite:${dbPath}`,
    env,
    stop,
    async restart() {
      await stop();
      const next = spawnGateway(env);
      running = next;
      await waitHealthy(url, next);
    },
    async logLength() {
      const res = await fetch(`${url}/v1/health`);
      const body = (await res.json()) as { events: number };
      return body.events;
    },
    logLengthOnDisk() {
      return countEvents(dbPath);
    },
    output() {
      return running ? running.out.join("") : "";
    },
  };
}

/** Every stored event of the log's stream, byte for byte, through the event store opened read-only (safe while the gateway writes, thanks to WAL). */
export function storedEvents(dbPath: string, fromRevision = 0): RecordedEvent[] {
  const store = openSqliteStore(dbPath, { readOnly: true });
  try {
    return store.readBatch("pmx", Math.max(0, fromRevision), Number.MAX_SAFE_INTEGER);
  } finally {
    void store.close();
  }
}

/** The number of events in the log, read-only (safe while the gateway writes). */
export function countEvents(dbPath: string): number {
  const store = openSqliteStore(dbPath, { readOnly: true });
  try {
    const last = store.lastRevisionSync("pmx");
    return last === "no_stream" ? 0 : last + 1;
  } finally {
    void store.close();
  }
}

/** One event of the log as stored: its revision, type and data. */
export interface StoredEvent {
  revision: number;
  type: string;
  data: Record<string, unknown>;
}

/** The log's events after revision `after` (all by default), in order, from the file opened read-only (WAL). */
export function readEvents(dbPath: string, after = -1): StoredEvent[] {
  return storedEvents(dbPath, after + 1).map((r) => ({
    revision: r.revision,
    type: r.type,
    data: JSON.parse(r.data),
  }));
}

/**
 * Runs `change` on the file's events as one row per event (the version-1 table `events`: global_position, stream,
 * revision, id, type, data, metadata), as someone with write access to the file would: the file is converted to
 * version 1, changed, and converted back to version 2, which keeps every event's stream, revision and bytes as the
 * rows left them. Only on a file no gateway has open (a copy, or after it stopped). Answers what `change` answers.
 */
export function changeRows<T>(dbPath: string, change: (db: Database.Database) => T): T {
  migrateSqliteFile(dbPath, 1);
  const db = new Database(dbPath);
  let answer: T;
  try {
    answer = change(db);
  } finally {
    db.close();
  }
  migrateSqliteFile(dbPath, 2);
  return answer;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node services/gateway/dist/cli.js ...args` in a new process (with `env` added) and waits for it to end. */
export function runPmx(
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliResult> {
  requireBuild();
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PMX_")));
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO_ROOT,
      env: { ...inherited, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    live.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`pmx ${args.join(" ")} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once("error", reject);
    // "close", not "exit": it comes after stdout and stderr are drained.
    child.once("close", (code) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}
