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
  /** Most bytes one append may carry (see the Sequencer's `maxAppendBytes`). */
  maxAppendBytes?: number;
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
  /**
   * Follow the log read-only instead of writing it; `leader` names where writes go (for the 503 answer). When the
   * subscription ends (the server dropped it, a failover, a restart), it is opened again from the last event applied
   * after `firstDelayMs` (default 100), doubling up to `maxDelayMs` (default 30,000) while it keeps failing.
   */
  follow?: { leader: string | null; resubscribe?: { firstDelayMs?: number; maxDelayMs?: number } };
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

/**
 * Where a follower is with the log. following: subscribed and caught up with the log's end as read when it subscribed;
 * catching_up: subscribed again after a drop, applying the events it missed; reconnecting: the subscription ended, the
 * next attempt is due in `nextAttemptInMs`; stopped: an event does not verify (not retried: the log needs an operator).
 */
export interface FollowState {
  readonly state: "following" | "catching_up" | "reconnecting" | "stopped";
  /** When it last stopped following (ms since the epoch, wall clock); null while following. */
  readonly sinceMs: number | null;
  /** Events between the last one applied and the log's end as last read; null when not known. */
  readonly behind: number | null;
  /** Why the subscription ended (null while following). */
  readonly lastError: string | null;
  /** Attempts to subscribe again since it stopped following. */
  readonly attempts: number;
  /** While reconnecting: the wait before the next attempt. */
  readonly nextAttemptInMs: number | null;
}

/** A follower subscribed and caught up. */
const FOLLOWING: FollowState = {
  state: "following",
  sinceMs: null,
  behind: 0,
  lastError: null,
  attempts: 0,
  nextAttemptInMs: null,
};

export interface ExchangeEvents {
  committed: [batch: { event: Event; meta: EventMeta }[]];
  follow: [state: FollowState];
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
    this.resumeSettlements();
  }

  /** Markets with a ContinueSettlement in flight (one at a time each). */
  private readonly settling = new Set<string>();

  /** A settlement in pieces left unfinished (a restart, a recovery): its next pieces are sent again. */
  private resumeSettlements(): void {
    for (const market of this.current.state.markets.values())
      if (market.settlementPending) this.continueSettlement(market.marketId);
  }

  /**
   * Sends the market's next ContinueSettlement, and again after it until its settlement completes, so that holders
   * are paid within a few group commits of the resolution, however many they are (each piece is bounded in bytes).
   */
  private continueSettlement(marketId: string): void {
    if (!this.sequencer || this.closed || this.settling.has(marketId)) return;
    this.settling.add(marketId);
    this.sequencer.submit({ type: "ContinueSettlement", marketId }).then(
      () => {
        this.settling.delete(marketId);
        if (this.current.state.markets.get(marketId)?.settlementPending) this.continueSettlement(marketId);
      },
      // Writes stopped, or shutting down: resumeSettlements sends it again when writes resume.
      () => this.settling.delete(marketId),
    );
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
          this.resumeSettlements();
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
      maxAppendBytes: this.options.maxAppendBytes,
      maxAppendsInFlight: this.options.maxAppendsInFlight,
      maxOpenOrders: this.options.maxOpenOrders,
      ...(this.options.checkpoints
        ? { signAsOperator: this.options.checkpoints.store.signText.bind(this.options.checkpoints.store) }
        : {}),
      onCommitted: (batch) => {
        this.emit("committed", batch);
        for (const { event } of batch)
          if (event.type === "SettlementContinues") this.continueSettlement(event.marketId);
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

  private followState: FollowState = FOLLOWING;
  private resubscribeTimer: NodeJS.Timeout | null = null;
  /** Set from the start of `promote`: no subscription is opened again meanwhile. */
  private promoting = false;
  private get stopsFollowing(): boolean {
    return this.closed || this.promoting || this.sequencer !== null;
  }

  /** Where this follower is with the log (null while leading). */
  get follow(): FollowState | null {
    return this.sequencer ? null : this.followState;
  }

  private setFollowState(next: Partial<FollowState>): void {
    this.followState = { ...this.followState, ...next };
    this.followProblem = this.followState.state === "following" ? null : this.followState.lastError;
    this.emit("follow", this.followState);
  }

  /** Tails the log (a catch-up subscription; polling for SQLite), verifying and applying every event. */
  private startFollowing(): void {
    this.subscribeAfter(this.current.eventCount - 1);
  }

  /**
   * Subscribes after the last applied event; `end`: the log's last revision as read just before (the follower is
   * catching up until it has applied it). A subscription that ends is opened again after a back-off.
   */
  private subscribeAfter(end: number | "no_stream"): void {
    const applied = () => this.current.eventCount - 1;
    const target = end === "no_stream" ? -1 : end;
    if (target > applied()) this.setFollowState({ state: "catching_up", behind: target - applied() });
    else if (this.followState.state !== "following") this.caughtUp();
    const after = this.current.eventCount === 0 ? "start" : this.current.eventCount - 1;
    const subscription = this.options.store.subscribe(
      this.stream,
      after,
      (stored) => {
        const result = this.current.applyRecorded(stored, this.stream);
        if (!result.ok) throw new LogCorruptError(stored.revision, stored.id, result.problem);
        this.emit("committed", [{ event: result.event, meta: result.metadata }]);
        if (this.followState.state === "catching_up") {
          if (applied() >= target) this.caughtUp();
          else this.followState = { ...this.followState, behind: target - applied() };
        }
      },
      (error) => {
        if (this.following !== subscription) return;
        this.following = null;
        const reason = (error as Error)?.message || String(error);
        if (error instanceof LogCorruptError) {
          this.setFollowState({
            state: "stopped",
            sinceMs: Date.now(),
            lastError: reason,
            nextAttemptInMs: null,
          });
          this.options.logger?.error({ reason }, "following the log stopped: an event does not verify");
          return;
        }
        this.options.logger?.error({ reason }, "following the log stopped; subscribing again");
        this.scheduleResubscribe(reason);
      },
    );
    this.following = subscription;
  }

  private caughtUp(): void {
    this.setFollowState(FOLLOWING);
  }

  /** Subscribes again after the back-off, from the last event applied, once the log's end can be read. */
  private scheduleResubscribe(reason: string): void {
    const { firstDelayMs = 100, maxDelayMs = 30_000 } = this.options.follow?.resubscribe ?? {};
    const attempts = this.followState.state === "following" ? 0 : this.followState.attempts;
    const delayMs = Math.min(maxDelayMs, firstDelayMs * 2 ** attempts);
    this.setFollowState({
      state: "reconnecting",
      sinceMs: this.followState.sinceMs ?? Date.now(),
      lastError: reason,
      attempts,
      nextAttemptInMs: delayMs,
      behind: this.followState.state === "following" ? null : this.followState.behind,
    });
    this.resubscribeTimer = setTimeout(() => {
      this.resubscribeTimer = null;
      if (this.stopsFollowing) return;
      this.followState = { ...this.followState, attempts: this.followState.attempts + 1 };
      this.options.store.lastRevision(this.stream).then(
        (end) => {
          if (this.stopsFollowing) return;
          this.subscribeAfter(end);
          this.options.logger?.info({ from: this.current.eventCount }, "following the log again");
        },
        (error: unknown) => {
          if (!this.stopsFollowing) this.scheduleResubscribe((error as Error)?.message || String(error));
        },
      );
    }, delayMs);
    this.resubscribeTimer.unref();
  }

  /** A follower becomes the leader: it stops tailing, catches up with the log, and starts writing. */
  async promote(): Promise<void> {
    if (this.sequencer) return;
    this.promoting = true;
    if (this.resubscribeTimer) clearTimeout(this.resubscribeTimer);
    this.resubscribeTimer = null;
    await this.following?.close();
    this.following = null;
    try {
      this.current = await rebuild(this.options.store, this.stream, undefined, this.current);
    } catch (error) {
      // Still a follower: it follows the log again (with back-off) and the operator may promote it later.
      this.promoting = false;
      if (!this.closed) this.scheduleResubscribe(`promotion failed: ${(error as Error).message}`);
      throw error;
    }
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
    if (this.resubscribeTimer) clearTimeout(this.resubscribeTimer);
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
