// The single writer: decides commands in arrival order, group-commits their events, answers once they are durable.
import type { Event, LogCommand, Rejection } from "@pmx/domain";
import { decideLogCommand, Event as EventCodec } from "@pmx/domain";
import { type EventStore, WrongExpectedRevisionError } from "@pmx/eventstore";
import {
  type CommandAuth,
  type EventMeta,
  type ExchangeProjection,
  encodeCommandEvents,
  operatorCommandMessage,
  type SignedRequest,
  type StoredEvent,
} from "@pmx/projections";
import type { Clock } from "./clock.js";

/** A command as submitted: the sequencer stamps its time. */
export type CommandInput = LogCommand extends infer C
  ? C extends { at: number }
    ? Omit<C, "at">
    : never
  : never;

/** Who sent a command: an account's Ed25519-signed request (stored as is), or the operator (signed when recorded). */
export type SubmitAuth = SignedRequest | { by: "operator" };

export type Outcome =
  /** `revision` and `head`: the log position (last event, chain hash after it) that holds the command's effect. */
  | { ok: true; seq: number; events: Event[]; at: number; revision: number; head: string }
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

/**
 * A command refused before the decider, by an admission rule of this gateway (the open-order cap): it appends
 * nothing, so re-deciding the log (`pmx audit`) is unaffected.
 */
export class AdmissionRefused extends Error {
  constructor(
    readonly code: "TOO_MANY_OPEN_ORDERS" | "COMMAND_TOO_LARGE",
    message: string,
    readonly details: Record<string, string | number>,
  ) {
    super(message);
  }
}

export interface SequencerOptions {
  /** Open orders one account may hold; a new resting (GTC) order beyond it is refused (default: no cap). */
  readonly maxOpenOrders?: number;
  readonly store: EventStore;
  readonly stream: string;
  readonly projection: ExchangeProjection;
  readonly clock: Clock;
  /** Most commands waiting; beyond it submissions are refused (503) rather than queued without bound. */
  readonly maxQueue?: number;
  /** Most commands decided into one group commit. */
  readonly maxBatch?: number;
  /**
   * Most bytes one append may carry (its events' type, data and metadata, with 64 bytes of overhead each): a group
   * commit that would grow past it ends before the command that would cross it (that command starts the next one),
   * and a single command past it is refused, appending nothing. Default 900 KiB, under EventStoreDB's 1 MiB.
   */
  readonly maxAppendBytes?: number;
  /**
   * Most group commits whose append is in flight at once, when the store applies appends in call order
   * (`appendsInOrder`): batch k+1 is decided while batch k is being made durable. Default 2. A store
   * without that guarantee gets one at a time, whatever this says.
   */
  readonly maxAppendsInFlight?: number;
  /** Called with each durable batch: the events and their metadata, in log order. */
  readonly onCommitted?: (batch: { event: Event; meta: EventMeta }[]) => void;
  /** Called after each append with its duration in milliseconds (from the call, so queueing behind others counts). */
  readonly onAppended?: (ms: number) => void;
  /** Called once when writes stop for good (a concurrency conflict or a failed append). */
  readonly onStopped?: (reason: string, error: unknown) => void;
  /** base64 Ed25519 signature by the operator key of a text (operator commands are recorded with it). */
  readonly signAsOperator?: (text: string) => string;
}

interface Pending {
  input: CommandInput;
  auth?: SubmitAuth;
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

type Answer = Outcome | { failed: unknown };

/** A batch decided and applied to the projection; its answers wait until its events are durable. */
interface DecidedBatch {
  readonly batch: Pending[];
  readonly answers: Answer[];
  readonly stored: StoredEvent[];
  readonly applied: { event: Event; meta: EventMeta }[];
}

/** 900 KiB: an append stays under EventStoreDB's default 1 MiB `MaxAppendSize` with room for its framing. */
export const DEFAULT_MAX_APPEND_BYTES = 900 * 1024;

/** What the events weigh in an append: type, data and metadata in UTF-8, plus 64 bytes of id and framing each. */
export function appendBytesOf(stored: readonly StoredEvent[]): number {
  let bytes = 0;
  for (const e of stored)
    bytes += Buffer.byteLength(e.type) + Buffer.byteLength(e.data) + Buffer.byteLength(e.metadata) + 64;
  return bytes;
}

/** How an append ended; never a rejected promise, so that a batch waiting behind others holds no unhandled one. */
type AppendEnd = { ok: true; ms: number } | { ok: false; error: unknown };

export class Sequencer {
  private readonly queue: Pending[] = [];
  private pumpScheduled = false;
  private inFlight = 0;
  /** Settles when the newest started batch has been answered: each batch is answered after the one before. */
  private lastAnswered: Promise<void> = Promise.resolve();
  private stoppedReason: string | null = null;
  private closing = false;
  /** Work waiting for a point where every decided batch is durable (no batch is started meanwhile). */
  private whenDurableWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  readonly stats: SequencerStats = {
    queueDepth: 0,
    eventsAppended: 0,
    batchesCommitted: 0,
    commandsCommitted: 0,
    lastAppendMs: 0,
  };
  /** The last signed request recorded, and the command it was stored with. */
  private lastSigned: { auth: SubmitAuth; commandId: string } | null = null;
  private readonly maxQueue: number;
  private readonly maxBatch: number;
  private readonly maxAppendBytes: number;
  private readonly maxInFlight: number;

  constructor(private readonly options: SequencerOptions) {
    this.maxQueue = options.maxQueue ?? 10_000;
    this.maxBatch = options.maxBatch ?? 1_000;
    this.maxAppendBytes = options.maxAppendBytes ?? DEFAULT_MAX_APPEND_BYTES;
    this.maxInFlight = options.store.appendsInOrder ? Math.max(1, options.maxAppendsInFlight ?? 2) : 1;
  }

  /** Why writes are stopped, or null while the sequencer accepts them. */
  get stopped(): string | null {
    return this.stoppedReason;
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  /** Group commits decided whose answers wait for their append (at most `maxAppendsInFlight`). */
  get appendsInFlight(): number {
    return this.inFlight;
  }

  /** Queues a command; resolves with its events once durable, or with its rejection. */
  submit(input: CommandInput, auth?: SubmitAuth): Promise<Outcome> {
    if (this.stoppedReason)
      return Promise.reject(new SequencerUnavailable("WRITES_STOPPED", this.stoppedReason));
    if (this.closing)
      return Promise.reject(new SequencerUnavailable("SHUTTING_DOWN", "the gateway is shutting down"));
    if (this.queue.length >= this.maxQueue)
      return Promise.reject(
        new SequencerUnavailable("SEQUENCER_SATURATED", `${this.queue.length} commands are waiting`),
      );
    return new Promise<Outcome>((resolve, reject) => {
      this.queue.push(auth ? { input, auth, resolve, reject } : { input, resolve, reject });
      this.stats.queueDepth = this.queue.length;
      this.schedulePump();
    });
  }

  /**
   * Runs `fn` at the next point where the projection holds exactly the durable log: once every batch decided so
   * far is answered, before the next one is decided (the queue waits meanwhile). Dropped if writes stop first.
   */
  whenDurable(fn: () => void): void {
    this.whenDurableWaiters.push(fn);
    if (this.inFlight === 0 && !this.pumpScheduled) this.pump();
  }

  /** Stops taking commands and waits until every queued one is answered. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.isIdle()) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.inFlight === 0 && this.queue.length === 0 && !this.pumpScheduled;
  }

  /** Pumps on the next turn of the event loop, so that the commands submitted meanwhile join one batch. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Starts group commits from the queue while appends may be in flight; wakes `close` once all is answered. */
  private pump(): void {
    if (this.whenDurableWaiters.length > 0) {
      if (this.inFlight > 0) return; // no new batch until those in flight are answered: the state catches up
      this.runWhenDurable();
    }
    while (this.queue.length > 0 && !this.stoppedReason && this.inFlight < this.maxInFlight) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.stats.queueDepth = this.queue.length;
      this.start(batch);
    }
    if (this.stoppedReason) this.rejectAll(this.queue.splice(0));
    this.stats.queueDepth = this.queue.length;
    if (this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
  }

  private runWhenDurable(): void {
    const waiters = this.whenDurableWaiters.splice(0);
    if (this.stoppedReason) return; // the state may hold a batch that never became durable
    for (const fn of waiters) {
      try {
        fn();
      } catch {
        /* the waiter's failure is its own (a snapshot that could not be written logs it) */
      }
    }
  }

  /** Decides the batch, starts its append at once (appends are called in decision order), answers it in turn. */
  private start(batch: Pending[]): void {
    const decided = this.decide(batch);
    const appended = this.append(decided.stored);
    this.inFlight += 1;
    this.lastAnswered = this.lastAnswered
      .then(() => this.answer(decided, appended))
      .catch((error: unknown) => {
        for (const p of decided.batch) p.reject(error); // a bug in answering: these requests fail (500)
      })
      .finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
  }

  /** Decides each command against the state as left by the ones before it and applies their events. */
  private decide(batch: Pending[]): DecidedBatch {
    const { projection, clock } = this.options;
    const answers: Answer[] = [];
    const stored: StoredEvent[] = [];
    const applied: { event: Event; meta: EventMeta }[] = [];
    let seq = projection.lastSeq;
    let bytes = 0;
    for (const [position, pending] of batch.entries()) {
      // Time never runs backwards in the log, whatever the system clock does.
      const at = Math.max(clock.now(), projection.lastAt);
      const command = { ...pending.input, at } as LogCommand;
      // Checked here, in decision order against the state the commands before it left: no race between requests.
      const refused = this.admission(command);
      if (refused) {
        answers.push({ failed: refused });
        continue;
      }
      let decision: ReturnType<typeof decideLogCommand>;
      try {
        decision = decideLogCommand(command, projection.state);
      } catch (error) {
        // A decider that throws is a bug: this request fails (500) and nothing is appended for it.
        answers.push({ failed: error });
        continue;
      }
      if (decision._tag === "Left") {
        answers.push({ ok: false, rejection: decision.left });
        continue;
      }
      const events = decision.right;
      // The log is read back through the event codecs: an event that would not decode is never written.
      const invalid = events.find((e) => !isValidEvent(e));
      if (invalid) {
        answers.push({
          failed: new Error(`decider produced an invalid ${invalid.type} event: ${JSON.stringify(invalid)}`),
        });
        continue;
      }
      if (events.length === 0) {
        answers.push({
          ok: true,
          seq: projection.lastSeq,
          events,
          at,
          revision: projection.eventCount - 1,
          head: projection.head,
        });
        continue;
      }
      seq += 1;
      const commandId = `c-${seq}`;
      const signedBefore = this.lastSigned;
      const auth = this.recordedAuth(pending.auth, commandId, command);
      const recorded = auth ? { commandId, seq, command, auth } : { commandId, seq, command };
      const encoded = encodeCommandEvents(recorded, events, projection.head);
      const size = appendBytesOf(encoded.stored);
      if (size > this.maxAppendBytes) {
        seq -= 1;
        this.lastSigned = signedBefore;
        answers.push({
          failed: new AdmissionRefused(
            "COMMAND_TOO_LARGE",
            `the command's ${events.length} events take ${size} bytes, more than one append may (${this.maxAppendBytes})`,
            { bytes: size, maxAppendBytes: this.maxAppendBytes, events: events.length },
          ),
        });
        continue;
      }
      if (bytes + size > this.maxAppendBytes) {
        // The group commit is full: this command and the rest go back to the front of the queue, decided next.
        this.lastSigned = signedBefore;
        this.queue.unshift(...batch.splice(position));
        this.stats.queueDepth = this.queue.length;
        break;
      }
      bytes += size;
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
      answers.push({ ok: true, seq, events, at, revision: projection.eventCount - 1, head: projection.head });
    }
    return { batch, answers, stored, applied };
  }

  /** What is stored with a command: the account's signed request as is, or the operator key's signature of it. */
  private recordedAuth(
    auth: SubmitAuth | undefined,
    commandId: string,
    command: LogCommand,
  ): CommandAuth | null {
    if (auth === undefined) return null;
    if (auth.by === "account") {
      // The commands of one request (a batch) are decided one after the other: the request is stored once.
      const first = this.lastSigned;
      if (first?.auth === auth) return { by: "sameRequest", commandId: first.commandId };
      this.lastSigned = { auth, commandId };
      return auth;
    }
    const sign = this.options.signAsOperator;
    return sign ? { by: "operator", signature: sign(operatorCommandMessage(commandId, command)) } : null;
  }

  /** The open-order cap: a new GTC order of an account that holds `maxOpenOrders` open ones is refused. */
  private admission(command: LogCommand): AdmissionRefused | null {
    const cap = this.options.maxOpenOrders;
    if (cap === undefined || command.type !== "PlaceOrder" || command.timeInForce !== "GTC") return null;
    const { projection } = this.options;
    if (projection.openOrderCount(command.accountId) < cap) return null;
    // A repeat of an order already placed answers as before (the decider sees it is a repeat).
    if (projection.state.accounts.get(command.accountId)?.clientOrders.has(command.clientOrderId))
      return null;
    return new AdmissionRefused(
      "TOO_MANY_OPEN_ORDERS",
      `the account holds ${cap} open orders, the most one may; cancel some first`,
      { maxOpenOrders: cap },
    );
  }

  /** Appends the batch's events after those applied before them (null: nothing to append). */
  private append(stored: StoredEvent[]): Promise<AppendEnd> | null {
    if (stored.length === 0) return null;
    const { projection, store, stream } = this.options;
    const revisionBefore = projection.eventCount - stored.length;
    const started = performance.now();
    return store.append(stream, stored, revisionBefore === 0 ? "no_stream" : revisionBefore - 1).then(
      (): AppendEnd => ({ ok: true, ms: performance.now() - started }),
      (error: unknown): AppendEnd => ({ ok: false, error }),
    );
  }

  /** Once the batches before it are answered: answers the batch when its append succeeded, else stops writes. */
  private async answer(decided: DecidedBatch, appended: Promise<AppendEnd> | null): Promise<void> {
    // Behind a failed append, nothing decided is durable (its state included the failed batch): all are refused.
    if (this.stoppedReason) return this.rejectAll(decided.batch);
    if (appended) {
      const end = await appended;
      if (this.stoppedReason) return this.rejectAll(decided.batch);
      if (!end.ok) return this.stop(end.error, decided.batch);
      this.recordDurable(decided, end.ms);
    }
    decided.batch.forEach((p, i) => {
      const answer = decided.answers[i]!;
      if ("failed" in answer) p.reject(answer.failed);
      else p.resolve(answer);
    });
  }

  private recordDurable(decided: DecidedBatch, ms: number): void {
    this.stats.lastAppendMs = ms;
    // Listeners (metrics, streams) must never stop the sequencer: the events are durable whatever they do.
    try {
      this.options.onAppended?.(ms);
    } catch {
      /* a metrics failure is not the sequencer's */
    }
    this.stats.eventsAppended += decided.stored.length;
    this.stats.batchesCommitted += 1;
    this.stats.commandsCommitted += decided.answers.filter(
      (a) => "ok" in a && a.ok && a.events.length > 0,
    ).length;
    try {
      this.options.onCommitted?.(decided.applied);
    } catch {
      /* a subscriber's failure is its own; the requests are still answered */
    }
  }

  /** Stops writes for good after a failed append: this batch and every one behind it get WRITES_STOPPED. */
  private stop(error: unknown, batch: Pending[]): void {
    const reason =
      error instanceof WrongExpectedRevisionError
        ? `another writer appended to the log (expected revision ${error.expected}, found ${error.actual}); this gateway stopped accepting writes`
        : `appending to the log failed (${(error as Error).message}); this gateway stopped accepting writes`;
    this.stoppedReason = reason;
    this.rejectAll(batch);
    try {
      this.options.onStopped?.(reason, error);
    } catch {
      /* the listener's failure changes nothing: writes are stopped */
    }
  }

  private rejectAll(pendings: Pending[]): void {
    if (pendings.length === 0) return;
    const error = new SequencerUnavailable("WRITES_STOPPED", this.stoppedReason ?? "writes stopped");
    for (const p of pendings) p.reject(error);
  }
}
