// @pmx/eventstore: the event store port, its memory, SQLite and EventStoreDB adapters, and store URLs.
export { type EsdbEventStore, openEsdbStore } from "./esdb-store.js";
export { createMemoryStore, type MemoryEventStore } from "./memory-store.js";
export {
  AppendAbortedError,
  type AppendResult,
  DuplicateEventIdError,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  type Subscription,
  WrongExpectedRevisionError,
} from "./port.js";
export {
  migrateSqliteFile,
  openSqliteStore,
  type SqliteConnectionSettings,
  type SqliteEventStore,
  type SqliteStoreOptions,
  type SqliteWriterMode,
} from "./sqlite-store.js";
export { describeStore, openStore, parseStoreUrl, type StoreLocation } from "./url.js";
