// The WebSocket stream at GET /v1/stream: trades and book channels per market, and an authenticated account channel.
import type { FastifyInstance } from "fastify";
import type { CredentialStore } from "../credentials.js";
import type { Exchange } from "../exchange.js";

export async function attachStream(
  _app: FastifyInstance,
  _exchange: Exchange,
  _credentials: CredentialStore,
): Promise<void> {}
