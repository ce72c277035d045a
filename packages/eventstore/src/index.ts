// @pmx/eventstore: the event store port, its memory, SQLite and EventStoreDB adapters, and store URLs.
export { type EsdbEventStore, type EsdbStoreOptions, esdbAppendSize, openEsdbStore } from "./esdb-store.js";
export { createMemoryStore, type MemoryEventStore } from "./memory-store.js";
export {
  AppendAbortedError,
  AppendFailedError,
  type AppendResult,
  AppendTooLargeError,
  DuplicateEventIdError,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  StoreNotLeaderError,
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
