// `pmx serve`: opens the store, rebuilds the state, serves HTTP + WebSocket, and shuts down gracefully.

import { join } from "node:path";
import { describeStore, openStore, parseStoreUrl } from "@pmx/eventstore";
import type { FastifyInstance } from "fastify";
import pino, { type Logger } from "pino";
import { Checkpoints } from "./checkpoints.js";
import { type Clock, ManualClock, SystemClock } from "./clock.js";
import type { GatewayConfig } from "./config.js";
import { CredentialStore, operatorToken } from "./credentials.js";
import { Exchange } from "./exchange.js";
import { securePrivateFiles } from "./file-modes.js";
import { buildApp } from "./http/app.js";
import { attachStream } from "./http/stream.js";
import { Metrics } from "./metrics.js";
import { SnapshotStore } from "./snapshots.js";
import { probeSqliteFile } from "./store-probe.js";

export interface RunningGateway {
  app: FastifyInstance;
  exchange: Exchange;
  url: string;
  operatorToken: string;
  close(): Promise<void>;
}

export async function startGateway(
  config: GatewayConfig,
  logger: Logger = pino({ level: config.logLevel }),
): Promise<RunningGateway> {
  const where = parseStoreUrl(config.storeUrl);
  const durable = where.kind !== "memory" && !(where.kind === "sqlite" && where.path === ":memory:");
  if (durable) securePrivateFiles(config.dataDir, where.kind === "sqlite" ? where.path : null);
  // The leader's appends run on a writer thread (started by the first append: a follower never starts it).
  const store = openStore(config.storeUrl, { writer: config.sqliteWriter });
  const started = performance.now();
  const clock: Clock = config.clock === "manual" ? new ManualClock(0) : new SystemClock();
  const exchange = await Exchange.open({
    store,
    clock,
    maxQueue: config.maxQueue,
    maxBatch: config.maxBatch,
    maxAppendBytes: config.maxAppendBytes,
    maxAppendsInFlight: config.maxAppendsInFlight,
    maxOpenOrders: config.maxOpenOrdersPerAccount,
    snapshots: durable
      ? { store: new SnapshotStore(join(config.dataDir, "snapshots"), logger), every: config.snapshotEvery }
      : undefined,
    follow: config.follow ? { leader: config.leaderUrl } : undefined,
    checkpoints: { store: new Checkpoints(durable ? config.dataDir : null), every: config.checkpointEvery },
    logger,
    recovery: where.kind === "sqlite" && durable ? { probe: () => probeSqliteFile(where.path) } : undefined,
  });
  // A manual clock resumes where the log left off, so time never runs backwards across restarts.
  if (clock instanceof ManualClock) clock.set(exchange.projection.lastAt);
  logger.info(
    {
      store: describeStore(config.storeUrl),
      events: exchange.projection.eventCount,
      head: exchange.projection.head,
      ms: Math.round(performance.now() - started),
    },
    "state rebuilt from the log",
  );
  const token = operatorToken(durable ? config.dataDir : null, config.operatorToken);
  if (token.generated) {
    // Printed once, on the start that generated it; kept in the data folder afterwards.
    process.stdout.write(
      `\npmx operator token (shown once; kept in ${durable ? "the data folder" : "memory only"}): ${token.token}\n\n`,
    );
  }
  const credentials = new CredentialStore(durable ? config.dataDir : null, (accountId) =>
    exchange.projection.state.accounts.has(accountId),
  );
  const metrics = new Metrics();
  exchange.on("appended", (ms) => metrics.appendLatency(ms));
  exchange.on("stopped", (reason) => logger.error({ reason }, "writes stopped"));
  const app = await buildApp({
    config,
    exchange,
    credentials,
    operatorToken: token.token,
    metrics,
    logger,
    dataDir: durable ? config.dataDir : null,
  });
  await attachStream(app, exchange, credentials, {
    messagesPerSecond: config.streamMessagesPerSecond,
    connectionsPerIp: config.streamConnectionsPerIp,
  });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://${config.host}:${port}`;
  logger.info({ url, clock: config.clock }, "pmx gateway listening");
  // With the system clock, time passes by itself: a Tick runs scheduled work (nothing is appended when there is none).
  const ticker =
    clock instanceof ManualClock
      ? null
      : setInterval(() => {
          if (
            exchange.role === "leader" &&
            exchange.writesStopped === null &&
            exchange.stats.queueDepth < config.maxQueue / 2
          )
            exchange
              .submit({ type: "Tick" })
              .catch((error: unknown) => logger.warn({ err: error }, "tick failed"));
        }, config.tickMs);
  ticker?.unref();
  let closing: Promise<void> | null = null;
  return {
    app,
    exchange,
    url,
    operatorToken: token.token,
    close() {
      closing ??= (async () => {
        if (ticker) clearInterval(ticker);
        await app.close();
        await exchange.close();
      })();
      return closing;
    },
  };
}
