// Gateway settings from the environment, validated; defaults as in the HTTP API contract.
import { dirname, resolve } from "node:path";
import { parseStoreUrl } from "@pmx/eventstore";

export interface GatewayConfig {
  host: string;
  port: number;
  storeUrl: string;
  /** Folder for the operator token and account credentials. */
  dataDir: string;
  operatorToken: string | null;
  clock: "system" | "manual";
  logLevel: string;
  bodyLimitBytes: number;
  /** Requests per second allowed per API key / per client IP (token buckets, burst = 2 s worth). */
  rateLimitPerKey: number;
  rateLimitPerIp: number;
  maxQueue: number;
  maxBatch: number;
  /** Most bytes one append may carry (group commits split by size; a bigger single command is refused). */
  maxAppendBytes: number;
  /** Group commits whose append may be in flight at once (the store must apply appends in call order). */
  maxAppendsInFlight: number;
  /** Where a SQLite store's appends run: "worker" (a writer thread, the event loop stays free) or "thread". */
  sqliteWriter: "worker" | "thread";
  /** WebSocket stream: messages a connection may send per second (bursts of twice that). */
  streamMessagesPerSecond: number;
  /** WebSocket stream: open connections per client address. */
  streamConnectionsPerIp: number;
  /** Open (resting) orders one account may hold across all markets (422 TOO_MANY_OPEN_ORDERS beyond). */
  maxOpenOrdersPerAccount: number;
  /** Timestamp window of signed requests, ms. */
  signatureWindowMs: number;
  /** With the system clock: how often a Tick command runs scheduled work (fee accrual, deadlines, auction ends). */
  tickMs: number;
  /** Write a snapshot every this many events (0: never). */
  snapshotEvery: number;
  /** Sign a checkpoint every this many events (0: only on POST /v1/admin/checkpoint). */
  checkpointEvery: number;
  /** Follow the log read-only (`pmx serve --follow`, or PMX_FOLLOW=1). */
  follow: boolean;
  /** Where writes go while following (named in the 503 answer). */
  leaderUrl: string | null;
}

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, not "${raw}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const storeUrl = env.PMX_STORE || "sqlite:./data/pmx.db";
  const where = parseStoreUrl(storeUrl);
  const dataDir = env.PMX_DATA_DIR
    ? resolve(env.PMX_DATA_DIR)
    : where.kind === "sqlite" && where.path !== ":memory:"
      ? dirname(where.path)
      : resolve("data");
  const sqliteWriter = env.PMX_SQLITE_WRITER || "worker";
  if (sqliteWriter !== "worker" && sqliteWriter !== "thread")
    throw new ConfigError(`PMX_SQLITE_WRITER must be "worker" or "thread", not "${sqliteWriter}"`);
  const clock = env.PMX_CLOCK || "system";
  if (clock !== "system" && clock !== "manual")
    throw new ConfigError(`PMX_CLOCK must be "system" or "manual", not "${clock}"`);
  return {
    host: env.PMX_HOST || "127.0.0.1",
    port: integer(env, "PMX_PORT", 8080, 0, 65535),
    storeUrl,
    dataDir,
    operatorToken: env.PMX_OPERATOR_TOKEN || null,
    clock,
    logLevel: env.PMX_LOG_LEVEL || "info",
    bodyLimitBytes: integer(env, "PMX_BODY_LIMIT", 64 * 1024, 256, 16 * 1024 * 1024),
    rateLimitPerKey: integer(env, "PMX_RATE_LIMIT_PER_KEY", 2000, 1, 10_000_000),
    rateLimitPerIp: integer(env, "PMX_RATE_LIMIT_PER_IP", 20_000, 1, 10_000_000),
    maxQueue: integer(env, "PMX_MAX_QUEUE", 10_000, 1, 10_000_000),
    maxBatch: integer(env, "PMX_MAX_BATCH", 1_000, 1, 100_000),
    maxAppendBytes: integer(env, "PMX_MAX_APPEND_BYTES", 900 * 1024, 64 * 1024, 64 * 1024 * 1024),
    maxAppendsInFlight: integer(env, "PMX_MAX_APPENDS_IN_FLIGHT", 2, 1, 64),
    sqliteWriter,
    streamMessagesPerSecond: integer(env, "PMX_STREAM_MESSAGES_PER_SECOND", 20, 1, 1_000_000),
    streamConnectionsPerIp: integer(env, "PMX_STREAM_CONNECTIONS_PER_IP", 32, 1, 1_000_000),
    maxOpenOrdersPerAccount: integer(env, "PMX_MAX_OPEN_ORDERS", 1000, 1, 10_000_000),
    signatureWindowMs: 30_000,
    tickMs: integer(env, "PMX_TICK_MS", 1000, 10, 3_600_000),
    snapshotEvery: integer(env, "PMX_SNAPSHOT_EVERY", 100_000, 0, 1_000_000_000),
    checkpointEvery: integer(env, "PMX_CHECKPOINT_EVERY", 100_000, 0, 1_000_000_000),
    follow: env.PMX_FOLLOW === "1" || env.PMX_FOLLOW === "true",
    leaderUrl: env.PMX_LEADER_URL || null,
  };
}
