// The exchange service: rebuilds state from the log at start, then owns the sequencer that appends to it.
import { EventEmitter } from "node:events";
import type { Event } from "@pmx/domain";
import type { EventStore } from "@pmx/eventstore";
import { type EventMeta, ExchangeProjection } from "@pmx/projections";
import type { Clock } from "./clock.js";
import { type CommandInput, type Outcome, Sequencer, type SequencerStats } from "./sequencer.js";

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

/** Folds the whole stream into a fresh projection, verifying every event's hash; throws on the first bad one. */
export async function rebuild(
  store: EventStore,
  stream: string = STREAM,
  onProgress?: (n: number) => void,
): Promise<ExchangeProjection> {
  const projection = new ExchangeProjection();
  for await (const stored of store.read(stream, 0)) {
    const applied = projection.applyStored(stored);
    if (!applied.ok) throw new LogCorruptError(stored.revision, stored.id, applied.problem);
    if (onProgress && projection.eventCount % 10_000 === 0) onProgress(projection.eventCount);
  }
  return projection;
}

export interface ExchangeOptions {
  store: EventStore;
  clock: Clock;
  stream?: string;
  maxQueue?: number;
  maxBatch?: number;
}

export interface ExchangeEvents {
  committed: [batch: { event: Event; meta: EventMeta }[]];
  stopped: [reason: string];
  appended: [ms: number];
}

export class Exchange extends EventEmitter<ExchangeEvents> {
  private constructor(
    readonly store: EventStore,
    readonly clock: Clock,
    readonly stream: string,
    private current: ExchangeProjection,
    private readonly sequencer: Sequencer,
  ) {
    super();
  }

  static async open(options: ExchangeOptions): Promise<Exchange> {
    const stream = options.stream ?? STREAM;
    const projection = await rebuild(options.store, stream);
    let exchange: Exchange | null = null;
    const sequencer = new Sequencer({
      store: options.store,
      stream,
      projection,
      clock: options.clock,
      maxQueue: options.maxQueue,
      maxBatch: options.maxBatch,
      onCommitted: (batch) => exchange?.emit("committed", batch),
      onAppended: (ms) => exchange?.emit("appended", ms),
      onStopped: (reason) => {
        // The in-memory state ran ahead of the log with the failed batch: read the durable state back.
        void rebuild(options.store, stream)
          .then((durable) => {
            if (exchange) exchange.current = durable;
          })
          .catch(() => undefined)
          .finally(() => exchange?.emit("stopped", reason));
      },
    });
    exchange = new Exchange(options.store, options.clock, stream, projection, sequencer);
    return exchange;
  }

  /** The read side: the state as of the last decided command. */
  get projection(): ExchangeProjection {
    return this.current;
  }

  get writesStopped(): string | null {
    return this.sequencer.stopped;
  }

  get stats(): SequencerStats & { queueDepth: number } {
    return { ...this.sequencer.stats, queueDepth: this.sequencer.queueDepth };
  }

  /** Decides the command in arrival order; resolves once its events are durable (or with its rejection). */
  submit(input: CommandInput): Promise<Outcome> {
    return this.sequencer.submit(input);
  }

  /** Answers every queued command, then closes the store. */
  async close(): Promise<void> {
    await this.sequencer.close();
    await this.store.close();
  }
}
