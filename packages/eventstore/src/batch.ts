// Argument checks and the idempotent-retry rule shared by every adapter.
import { DuplicateEventIdError, type ExpectedRevision, type NewEvent } from "./port.js";

/** Throws a TypeError/RangeError for malformed arguments, DuplicateEventIdError for an id repeated in the batch. */
export function checkAppend(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): void {
  checkStream(stream);
  if (expected !== "no_stream" && !isRevision(expected)) {
    throw new RangeError(`expected revision must be "no_stream" or an integer >= 0, got ${String(expected)}`);
  }
  if (!Array.isArray(events) || events.length === 0) throw new RangeError("append needs at least one event");
  const seen = new Set<string>();
  for (const e of events) {
    if (typeof e?.id !== "string" || e.id === "") throw new TypeError("event id must be a non-empty string");
    if (typeof e.type !== "string" || e.type === "")
      throw new TypeError(`event ${e.id}: type must be a non-empty string`);
    if (typeof e.data !== "string") throw new TypeError(`event ${e.id}: data must be JSON text (a string)`);
    if (typeof e.metadata !== "string")
      throw new TypeError(`event ${e.id}: metadata must be JSON text (a string)`);
    if (seen.has(e.id)) throw new DuplicateEventIdError(stream, e.id);
    seen.add(e.id);
  }
}

export function checkStream(stream: string): void {
  if (typeof stream !== "string" || stream === "") throw new TypeError("stream must be a non-empty string");
}

export function checkRead(stream: string, fromRevision: number, maxCount: number): void {
  checkStream(stream);
  if (!isRevision(fromRevision))
    throw new RangeError(`fromRevision must be an integer >= 0, got ${fromRevision}`);
  if (maxCount !== Number.POSITIVE_INFINITY && !isRevision(maxCount)) {
    throw new RangeError(`maxCount must be an integer >= 0, got ${maxCount}`);
  }
}

export function checkAfter(after: number | "start"): void {
  if (after !== "start" && !isRevision(after)) {
    throw new RangeError(`afterRevision must be "start" or an integer >= 0, got ${String(after)}`);
  }
}

/** Revision the first event of a batch gets when appended at `expected`. */
export function firstRevision(expected: ExpectedRevision): number {
  return expected === "no_stream" ? 0 : expected + 1;
}

/**
 * True when the events stored from `firstRevision(expected)` on are the batch itself, byte for byte (ids, types,
 * data, metadata): a retry of an append that already happened. Equal ids with other content are another writer's
 * events (ids derived from a sequence can coincide), never a retry.
 */
export function isStoredBatch(stored: readonly NewEvent[], events: readonly NewEvent[]): boolean {
  if (stored.length < events.length) return false;
  for (let i = 0; i < events.length; i++) {
    const a = stored[i]!;
    const b = events[i]!;
    if (a.id !== b.id || a.type !== b.type || a.data !== b.data || a.metadata !== b.metadata) return false;
  }
  return true;
}

function isRevision(n: unknown): n is number {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
}
