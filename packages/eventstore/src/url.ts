// Store URLs: which adapter a configuration string opens ("memory:", "sqlite:PATH", "esdb://...").
import { resolve } from "node:path";
import { openEsdbStore } from "./esdb-store.js";
import { createMemoryStore } from "./memory-store.js";
import type { EventStore } from "./port.js";
import { openSqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";

export type StoreLocation =
  | { readonly kind: "memory" }
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "esdb"; readonly url: string };

const FORMS = `"memory:", "sqlite:PATH" or "esdb://HOST:PORT" (also esdb+discover://, kurrentdb://, kurrentdb+discover://)`;

/**
 * Parses a store URL. `sqlite:PATH`: a relative PATH is resolved against the current directory
 * ("sqlite::memory:" is an in-memory SQLite database).
 */
export function parseStoreUrl(url: string): StoreLocation {
  if (typeof url !== "string") throw new TypeError(`event store URL must be a string: ${FORMS}`);
  const u = url.trim();
  if (u === "memory:" || u === "memory://") return { kind: "memory" };
  if (u.startsWith("sqlite:")) {
    const path = u.slice("sqlite:".length);
    if (path === "") throw new Error(`event store URL "${url}" has no file path: use "sqlite:PATH"`);
    return { kind: "sqlite", path: path === ":memory:" ? path : resolve(path) };
  }
  if (/^(esdb|kurrentdb)(\+discover)?:\/\//i.test(u)) return { kind: "esdb", url: u };
  throw new Error(`unknown event store URL "${redact(u)}": use ${FORMS}`);
}

/** Opens the store a URL names (`options` apply to SQLite). An EventStoreDB store connects on its first call. */
export function openStore(url: string, options: SqliteStoreOptions = {}): EventStore {
  const where = parseStoreUrl(url);
  switch (where.kind) {
    case "memory":
      return createMemoryStore();
    case "sqlite":
      return openSqliteStore(where.path, options);
    case "esdb":
      return openEsdbStore(where.url);
  }
}

/** A one-line description of the store a URL names, for logs (credentials removed). */
export function describeStore(url: string): string {
  const where = parseStoreUrl(url);
  switch (where.kind) {
    case "memory":
      return "memory (in-process, not durable)";
    case "sqlite":
      return where.path === ":memory:"
        ? "sqlite in-memory database (not durable)"
        : `sqlite file ${where.path}`;
    case "esdb":
      return `EventStoreDB ${redact(where.url)}`;
  }
}

/** Removes a password from a URL's user-info part. */
function redact(url: string): string {
  return url.replace(/^([a-z+]+:\/\/)([^@/]*)@/i, (_m, scheme: string, user: string) => {
    const name = user.split(":")[0];
    return `${scheme}${name}:***@`;
  });
}
