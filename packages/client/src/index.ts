// @pmx/client: a typed TypeScript client for the pmx HTTP API (signing, Retry-After back-off, idempotency keys,
// pagination) and its WebSocket book (deltas applied, gaps detected, resubscribed).
export { BookStream, type BookStreamOptions } from "./book-stream.js";
export { type ClientOptions, PmxApiError, PmxClient } from "./client.js";
export { authHeaders, type Credentials, ed25519Signature, hmacSignature } from "./signing.js";
export type * from "./types.js";
