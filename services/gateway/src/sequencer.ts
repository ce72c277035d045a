// The single writer: decides commands in arrival order, group-commits their events, answers once they are durable.
import type { Command, Event, Rejection } from "@pmx/domain";
import { decide, Event as EventCodec } from "@pmx/domain";
import { type EventStore, WrongExpectedRevisionError } from "@pmx/eventstore";
import {
  type EventMeta,
  type ExchangeProjection,
  encodeCommandEvents,
  type StoredEvent,
} from "@pmx/projections";
import type { Clock } from "./clock.js";

/** A command as submitted: the sequencer stamps its time. */
export type CommandInput = Command extends infer C
  ? C extends { at: number }
    ? Omit<C, "at">
    : never
  : never;

export type Outcome =
  | { ok: true; seq: number; events: Event[]; at: number }
  | { ok: false; rejection: Rejection };

const EVENT_CODECS = new Map(EventCodec.types.map((c) => [c.name, c]));
const isValidEvent = (e: Event): boolean => EVENT_CODECS.get(e.type)?.decode(e)._tag === "Right";

export class SequencerUnavailable extends Error {
  constructor(
    readonly code: "SEQUENCER_SATURATED" | "WRITES_STOPPED" | "SHUTTING_DOWN" | "NOT_LEADER",
    message: string,
  ) {
    super(message);
  }
}

export interface SequencerOptions {
  readonly store: EventStore;
  readonly stream: string;
  readonly projection: ExchangeProjection;
  readonly clock: Clock;
  /** Most commands waiting; beyond it submissions are refused (503) rather than queued without bound. */
  readonly maxQueue?: number;
  /** Most commands decided into one group commit. */
  readonly maxBatch?: number;
  /** Called with each durable batch: the events and their metadata, in log order. */
  readonly onCommitted?: (batch: { event: Event; meta: EventMeta }[]) => void;
  /** Called after each append with its duration in milliseconds. */
  readonly onAppended?: (ms: number) => void;
  /** Called once when writes stop for good (a concurrency conflict or a failed append). */
  readonly onStopped?: (reason: string, error: unknown) => void;
}

interface Pending {
  input: CommandInput;
  resolve: (outcome: Outcome) => void;
  reject: (error: unknown) => void;
}

export interface SequencerStats {
  queueDepth: number;
  eventsAppended: number;
  batchesCommitted: number;
  commandsCommitted: number;
  lastAppendMs: number;
}

export class Sequencer {
  private readonly queue: Pending[] = [];
  private running = false;
  private stoppedReason: string | null = null;
  private closing = false;
  private idleWaiters: (() => void)[] = [];
  readonly stats: SequencerStats = {
    queueDepth: 0,
    eventsAppended: 0,
    batchesCommitted: 0,
    commandsCommitted: 0,
    lastAppendMs: 0,
  };
  private readonly maxQueue: number;
  private readonly maxBatch: number;

  constructor(private readonly options: SequencerOptions) {
    this.maxQueue = options.maxQueue ?? 10_000;
    this.maxBatch = options.maxBatch ?? 1_000;
  }

  /** Why writes are stopped, or null while the sequencer accepts them. */
  get stopped(): string | null {
    return this.stoppedReason;
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  /** Queues a command; resolves with its events once durable, or with its rejection. */
  submit(input: CommandInput): Promise<Outcome> {
    if (this.stoppedReason)
      return Promise.reject(new SequencerUnavailable("WRITES_STOPPED", this.stoppedReason));
    if (this.closing)
      return Promise.reject(new SequencerUnavailable("SHUTTING_DOWN", "the gateway is shutting down"));
    if (this.queue.length >= this.maxQueue)
      return Promise.reject(
        new SequencerUnavailable("SEQUENCER_SATURATED", `${this.queue.length} commands are waiting`),
      );
    return new Promise<Outcome>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.stats.queueDepth = this.queue.length;
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Stops taking commands and waits until every queued one is answered. */
  async close(): Promise<void> {
    this.closing = true;
    if (!this.running && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.stoppedReason) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.stats.queueDepth = this.queue.length;
      await this.commit(batch);
    }
    if (this.stoppedReason) {
      const error = new SequencerUnavailable("WRITES_STOPPED", this.stoppedReason);
      for (const p of this.queue.splice(0)) p.reject(error);
    }
    this.running = false;
    this.stats.queueDepth = 0;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Decides each command against the state as left by the ones before it, then appends all their events at once. */
  private async commit(batch: Pending[]): Promise<void> {
    const { projection, clock, store, stream } = this.options;
    const revisionBefore = projection.eventCount;
    const outcomes: (Outcome | { failed: unknown })[] = [];
    const stored: StoredEvent[] = [];
    const applied: { event: Event; meta: EventMeta }[] = [];
    let seq = projection.lastSeq;
    for (const pending of batch) {
      // Time never runs backwards in the log, whatever the system clock does.
      const at = Math.max(clock.now(), projection.lastAt);
      const command = { ...pending.input, at } as Command;
      let decision: ReturnType<typeof decide>;
      try {
        decision = decide(command, projection.state);
      } catch (error) {
        // A decider that throws is a bug: this request fails (500) and nothing is appended for it.
        outcomes.push({ failed: error });
        continue;
      }
      if (decision._tag === "Left") {
        outcomes.push({ ok: false, rejection: decision.left });
        continue;
      }
      const events = decision.right;
      // The log is read back through the event codecs: an event that would not decode is never written.
      const invalid = events.find((e) => !isValidEvent(e));
      if (invalid) {
        outcomes.push({
          failed: new Error(`decider produced an invalid ${invalid.type} event: ${JSON.stringify(invalid)}`),
        });
        continue;
      }
      if (events.length === 0) {
        outcomes.push({ ok: true, seq: projection.lastSeq, events, at });
        continue;
      }
      seq += 1;
      const commandId = `c-${seq}`;
      const encoded = encodeCommandEvents({ commandId, seq, command }, events, projection.head);
      events.forEach((event, index) => {
        const meta: EventMeta = {
          commandId,
          seq,
          at,
          index,
          count: events.length,
          hash: encoded.hashes[index]!,
        };
        projection.apply(event, meta);
        applied.push({ event, meta });
      });
      stored.push(...encoded.stored);
      outcomes.push({ ok: true, seq, events, at });
    }
    if (stored.length > 0) {
      const started = performance.now();
      try {
        await store.append(stream, stored, revisionBefore === 0 ? "no_stream" : revisionBefore - 1);
      } catch (error) {
        const reason =
          error instanceof WrongExpectedRevisionError
            ? `another writer appended to the log (expected revision ${error.expected}, found ${error.actual}); this gateway stopped accepting writes`
            : `appending to the log failed (${(error as Error).message}); this gateway stopped accepting writes`;
        this.stoppedReason = reason;
        const unavailable = new SequencerUnavailable("WRITES_STOPPED", reason);
        for (const p of batch) p.reject(unavailable);
        this.options.onStopped?.(reason, error);
        return;
      }
      const ms = performance.now() - started;
      this.stats.lastAppendMs = ms;
      // Listeners (metrics, streams) must never stop the sequencer: the events are durable whatever they do.
      try {
        this.options.onAppended?.(ms);
      } catch {
        /* a metrics failure is not the sequencer's */
      }
      this.stats.eventsAppended += stored.length;
      this.stats.batchesCommitted += 1;
      this.stats.commandsCommitted += outcomes.filter((o) => "ok" in o && o.ok && o.events.length > 0).length;
      try {
        this.options.onCommitted?.(applied);
      } catch {
        /* a subscriber's failure is its own; the requests are still answered */
      }
    }
    batch.forEach((p, i) => {
      const outcome = outcomes[i]!;
      if ("failed" in outcome) p.reject(outcome.failed);
      else p.resolve(outcome);
    });
  }
}
