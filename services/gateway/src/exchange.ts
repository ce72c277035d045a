// The exchange service: rebuilds state from the log at start, then owns the sequencer (and the snapshotter thread).
import { EventEmitter } from "node:events";
import type { Event } from "@pmx/domain";
import {
  type EventStore,
  type SqliteEventStore,
  type Subscription,
  WrongExpectedRevisionError,
} from "@pmx/eventstore";
import { type EventMeta, ExchangeProjection } from "@pmx/projections";
import type { Checkpoint, Checkpoints } from "./checkpoints.js";
import type { Clock } from "./clock.js";
import { claimsOf } from "./liabilities.js";
import {
  type CommandInput,
  type Outcome,
  Sequencer,
  type SequencerStats,
  SequencerUnavailable,
  type SubmitAuth,
} from "./sequencer.js";
import type { SnapshotLogger, SnapshotStore } from "./snapshots.js";
import { Snapshotter } from "./snapshotter.js";

export const STREAM = "pmx";

export class LogCorruptError extends Error {
  constructor(
    readonly revision: number,
    readonly eventId: string,
    readonly problem: string,
  ) {
    super(`event ${revision} (${eventId}) does not verify: ${problem}`);
  }
}

/**
 * Folds the stream into a projection, verifying every event's position and hash; throws on the first bad one. From
 * genesis, or onward from `from` (a projection restored from a snapshot). Then asks the store whether any row sits
 * where reads cannot see it (a revision or stream changed in a SQLite file: the file holds only this stream).
 */
export async function rebuild(
  store: EventStore,
  stream: string = STREAM,
  onProgress?: (n: number) => void,
  from?: ExchangeProjection,
): Promise<ExchangeProjection> {
  const projection = from ?? new ExchangeProjection();
  for await (const stored of store.read(stream, projection.eventCount)) {
    const applied = projection.applyRecorded(stored, stream);
    if (!applied.ok) throw new LogCorruptError(stored.revision, stored.id, applied.problem);
    if (onProgress && projection.eventCount % 10_000 === 0) onProgress(projection.eventCount);
  }
  const open = projection.commandOpen;
  if (open)
    throw new LogCorruptError(
      projection.eventCount,
      `${open.commandId}/${open.next}`,
      `the log ends inside command ${open.commandId}: ${open.next} of its ${open.count} events are stored`,
    );
  const misplaced = await store.positionsProblem?.(stream, { soleStream: true });
  if (misplaced) throw new LogCorruptError(projection.eventCount, "(store)", misplaced);
  return projection;
}

export interface ExchangeOptions {
  store: EventStore;
  clock: Clock;
  stream?: string;
  maxQueue?: number;
  maxBatch?: number;
  /** Group commits in flight at once when the store applies appends in call order (see `Sequencer`). */
  maxAppendsInFlight?: number;
  /** Open orders one account may hold (a new GTC order beyond: TOO_MANY_OPEN_ORDERS). */
  maxOpenOrders?: number;
  /**
   * Start from the newest valid snapshot, and, while leading, write one every `every` events (0: never write). On a
   * SQLite file the snapshotter thread writes them, off the event loop (`Snapshotter`); on other stores, or when its
   * code is not built, the event loop does, between group commits. `pollIntervalMs`: how often the thread looks for
   * new events once caught up (default 100).
   */
  snapshots?: { store: SnapshotStore; every: number; pollIntervalMs?: number };
  /** Follow the log read-only instead of writing it; `leader` names where writes go (for the 503 answer). */
  follow?: { leader: string | null };
  logger?: SnapshotLogger & { error(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /**
   * After an append failed (not another writer): `probe` answers why the store cannot be written now, or null; it
   * runs every `firstDelayMs` (doubling up to `maxDelayMs`) until it answers null, then the durable state is read
   * back and writes resume, without a restart. Health also asks it (at most once a second) while writes run.
   */
  recovery?: { probe?: () => string | null; firstDelayMs?: number; maxDelayMs?: number };
  /** Sign a checkpoint of the durable log every `every` events while leading (0: only when asked). */
  checkpoints?: { store: Checkpoints; every: number };
}

export interface ExchangeEvents {
  committed: [batch: { event: Event; meta: EventMeta }[]];
  stopped: [reason: string];
  appended: [ms: number];
  promoted: [];
  resumed: [];
}

const NO_STATS: SequencerStats = {
  queueDepth: 0,
  eventsAppended: 0,
  batchesCommitted: 0,
  commandsCommitted: 0,
  lastAppendMs: 0,
};

export class Exchange extends EventEmitter<ExchangeEvents> {
  private sequencer: Sequencer | null = null;
  private following: Subscription | null = null;
  private followProblem: string | null = null;
  private lastSnapshotAt: number;
  private snapshotThread: Snapshotter | null = null;
  /** Periodic snapshots on the event loop (no snapshotter thread for this store). */
  private snapshotsInLoop = false;

  private constructor(
    private readonly options: ExchangeOptions,
    readonly stream: string,
    private current: ExchangeProjection,
  ) {
    super();
    this.lastSnapshotAt = current.eventCount;
  }

  get store(): EventStore {
    return this.options.store;
  }

  get clock(): Clock {
    return this.options.clock;
  }

  /** Opens the log: newest valid snapshot (if any) plus the tail, then leads (writes) or follows (reads). */
  static async open(options: ExchangeOptions): Promise<Exchange> {
    const stream = options.stream ?? STREAM;
    const fromSnapshot = options.snapshots
      ? await options.snapshots.store.newestValid(options.store, stream)
      : null;
    const projection = await rebuild(options.store, stream, undefined, fromSnapshot ?? undefined);
    const exchange = new Exchange(options, stream, projection);
    if (options.follow) exchange.startFollowing();
    else exchange.startLeading();
    return exchange;
  }

  get role(): "leader" | "follower" {
    return this.sequencer ? "leader" : "follower";
  }

  /** Where writes go when this gateway follows (null when unknown). */
  get leader(): string | null {
    return this.options.follow?.leader ?? null;
  }

  private startLeading(): void {
    this.sequencer = this.newSequencer();
    this.startSnapshots();
  }

  private recoveryTimer: NodeJS.Timeout | null = null;
  private lastProbe: { at: number; problem: string | null } = { at: Number.NEGATIVE_INFINITY, problem: null };
  private closed = false;

  /** Why the store cannot be written now (the probe), asked at most once a second; null when it can. */
  storeProblem(): string | null {
    const probe = this.options.recovery?.probe;
    if (!probe || !this.sequencer) return null;
    const now = performance.now();
    if (now - this.lastProbe.at >= 1000) {
      let problem: string | null;
      try {
        problem = probe();
      } catch (error) {
        problem = (error as Error).message;
      }
      this.lastProbe = { at: now, problem };
    }
    return this.lastProbe.problem;
  }

  /** Probes the store with a growing delay; once it is writable, reads the durable state back and writes again. */
  private scheduleRecovery(delayMs: number): void {
    const max = this.options.recovery?.maxDelayMs ?? 30_000;
    this.recoveryTimer = setTimeout(() => {
      this.recoveryTimer = null;
      if (this.closed) return;
      this.lastProbe.at = Number.NEGATIVE_INFINITY;
      let problem: string | null;
      try {
        problem = this.options.recovery?.probe?.() ?? null;
      } catch (error) {
        problem = (error as Error).message;
      }
      if (problem !== null) return this.scheduleRecovery(Math.min(max, delayMs * 2));
      void rebuild(this.options.store, this.stream)
        .then((durable) => {
          if (this.closed) return;
          this.current = durable;
          this.sequencer = this.newSequencer();
          this.options.logger?.info({ events: durable.eventCount }, "writes resumed");
          this.emit("resumed");
        })
        .catch(() => this.scheduleRecovery(Math.min(max, delayMs * 2)));
    }, delayMs);
    this.recoveryTimer.unref();
  }

  private newSequencer(): Sequencer {
    const { store, clock } = this.options;
    return new Sequencer({
      store,
      stream: this.stream,
      projection: this.current,
      clock,
      maxQueue: this.options.maxQueue,
      maxBatch: this.options.maxBatch,
      maxAppendsInFlight: this.options.maxAppendsInFlight,
      maxOpenOrders: this.options.maxOpenOrders,
      ...(this.options.checkpoints
        ? { signAsOperator: this.options.checkpoints.store.signText.bind(this.options.checkpoints.store) }
        : {}),
      onCommitted: (batch) => {
        this.emit("committed", batch);
        if (this.snapshotsInLoop) this.maybeSnapshot();
        this.maybeCheckpoint();
      },
      onAppended: (ms) => this.emit("appended", ms),
      onStopped: (reason, error) => {
        // The in-memory state ran ahead of the log with the failed batch: read the durable state back.
        void rebuild(store, this.stream)
          .then((durable) => {
            this.current = durable;
          })
          .catch(() => undefined)
          .finally(() => {
            this.emit("stopped", reason);
            // Another writer is final (fencing); a failed append (a full disk, read-only files) is retried.
            if (!(error instanceof WrongExpectedRevisionError) && !this.closed)
              this.scheduleRecovery(this.options.recovery?.firstDelayMs ?? 1000);
          });
      },
    });
  }

  /** The leader's periodic snapshots: the snapshotter thread on a SQLite file, else the event loop. */
  private startSnapshots(): void {
    const snapshots = this.options.snapshots;
    if (!snapshots || snapshots.every <= 0) return;
    const path = sqliteFileOf(this.options.store);
    this.snapshotThread = path
      ? Snapshotter.start({
          path,
          stream: this.stream,
          store: snapshots.store,
          every: snapshots.every,
          logger: this.options.logger,
          pollIntervalMs: snapshots.pollIntervalMs,
        })
      : null;
    this.snapshotsInLoop = this.snapshotThread === null;
    this.lastSnapshotAt = this.current.eventCount;
  }

  /** The thread writing this leader's periodic snapshots (null: none, or they are written on the event loop). */
  get snapshotter(): Snapshotter | null {
    return this.snapshotThread;
  }

  /** Tails the log (a catch-up subscription; polling for SQLite), verifying and applying every event. */
  private startFollowing(): void {
    const after = this.current.eventCount === 0 ? "start" : this.current.eventCount - 1;
    this.following = this.options.store.subscribe(
      this.stream,
      after,
      (stored) => {
        const applied = this.current.applyRecorded(stored, this.stream);
        if (!applied.ok) throw new LogCorruptError(stored.revision, stored.id, applied.problem);
        this.emit("committed", [{ event: applied.event, meta: applied.metadata }]);
      },
      (error) => {
        this.followProblem = (error as Error).message;
        this.options.logger?.error({ reason: this.followProblem }, "following the log stopped");
      },
    );
  }

  /** A follower becomes the leader: it stops tailing, catches up with the log, and starts writing. */
  async promote(): Promise<void> {
    if (this.sequencer) return;
    await this.following?.close();
    this.following = null;
    this.current = await rebuild(this.options.store, this.stream, undefined, this.current);
    this.options.follow = undefined;
    this.startLeading();
    this.emit("promoted");
  }

  /** A periodic snapshot on the event loop, for stores the snapshotter thread cannot follow (not a SQLite file). */
  private maybeSnapshot(): void {
    const snapshots = this.options.snapshots;
    if (!snapshots || snapshots.every <= 0) return;
    if (this.current.eventCount - this.lastSnapshotAt < snapshots.every) return;
    this.lastSnapshotAt = this.current.eventCount;
    const write = () => {
      this.lastSnapshotAt = this.current.eventCount;
      const started = performance.now();
      try {
        const file = snapshots.store.write(this.current);
        const ms = Math.round(performance.now() - started);
        this.options.logger?.info({ file, events: this.current.eventCount, ms }, "snapshot written");
      } catch (error) {
        this.options.logger?.warn({ reason: (error as Error).message }, "snapshot not written");
      }
    };
    // With appends in flight the state runs ahead of the log: the snapshot waits until it is all durable.
    if (this.sequencer) this.sequencer.whenDurable(write);
    else write();
  }

  /**
   * Writes a snapshot of the decided state now, on the event loop (between commands): the operator's
   * `POST /v1/admin/snapshot`. Nothing is answered while it is written.
   */
  snapshotNow(): string | null {
    return this.options.snapshots ? this.options.snapshots.store.write(this.current) : null;
  }

  /** A signed checkpoint once `checkpoints.every` more events are durable (on the event loop, between commands). */
  private maybeCheckpoint(): void {
    const checkpoints = this.options.checkpoints;
    if (!checkpoints || checkpoints.every <= 0) return;
    const last = checkpoints.store.last?.revision ?? -1;
    if (this.current.eventCount - 1 - last < checkpoints.every) return;
    void this.checkpointNow().catch((error: Error) =>
      this.options.logger?.error({ reason: error.message }, "checkpoint not signed"),
    );
  }

  /**
   * Signs the log position all decided commands reach once they are durable (`POST /v1/admin/checkpoint`): the
   * revision of the last event, the chain head after it and the state hash there. Null without a checkpoint store or
   * an event.
   */
  checkpointNow(): Promise<Checkpoint | null> {
    const checkpoints = this.options.checkpoints;
    if (!checkpoints) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const sign = () => {
        try {
          const p = this.current;
          if (p.eventCount === 0) return resolve(null);
          const checkpoint = checkpoints.store.sign(
            p.eventCount - 1,
            p.head,
            p.stateHash(),
            this.options.clock.now(),
          );
          // The accounts' claims at the same position: the proof of liabilities of this checkpoint.
          checkpoints.store.recordLiabilities(checkpoint.revision, claimsOf(p.state));
          resolve(checkpoint);
        } catch (error) {
          reject(error);
        }
      };
      // With appends in flight the state runs ahead of the log: the checkpoint waits until it is all durable.
      if (this.sequencer) this.sequencer.whenDurable(sign);
      else sign();
    });
  }

  /** The operator key and its checkpoints (null when this gateway keeps none). */
  get checkpoints(): Checkpoints | null {
    return this.options.checkpoints?.store ?? null;
  }

  /** The read side: the state as of the last decided command. */
  get projection(): ExchangeProjection {
    return this.current;
  }

  /** Why this gateway does not take writes now, or null when it does. */
  get writesStopped(): string | null {
    if (!this.sequencer)
      return `this gateway follows the log read-only${this.leader ? `; the leader is ${this.leader}` : ""}${this.followProblem ? ` (following stopped: ${this.followProblem})` : ""}`;
    return this.sequencer.stopped;
  }

  get stats(): SequencerStats & { queueDepth: number } {
    if (!this.sequencer) return { ...NO_STATS };
    return { ...this.sequencer.stats, queueDepth: this.sequencer.queueDepth };
  }

  /** Decides the command in arrival order; resolves once its events are durable (or with its rejection). */
  submit(input: CommandInput, auth?: SubmitAuth): Promise<Outcome> {
    if (!this.sequencer)
      return Promise.reject(
        new SequencerUnavailable(
          "NOT_LEADER",
          `this gateway follows the log read-only; send writes to ${this.leader ?? "the leader"}`,
        ),
      );
    return this.sequencer.submit(input, auth);
  }

  /** Stops the snapshotter thread, answers every queued command, then closes the store. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.recoveryTimer) clearTimeout(this.recoveryTimer);
    await this.snapshotThread?.close();
    await this.following?.close();
    await this.sequencer?.close();
    await this.options.store.close();
  }
}

/** The file of a SQLite store (its `path`), or null for other stores and in-memory databases. */
function sqliteFileOf(store: EventStore): string | null {
  const path = (store as Partial<SqliteEventStore>).path;
  return typeof path === "string" && path !== "" && path !== ":memory:" ? path : null;
}
