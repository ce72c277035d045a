// The subscription loop shared by the adapters: catch up page by page, then wait for a wake-up or a poll.
import type { RecordedEvent, Subscription } from "./port.js";

export interface TailOptions {
  readonly stream: string;
  /** First revision to deliver. */
  readonly from: number;
  /** Events of the stream from `fromRevision` on, at most `max`; synchronous so nothing runs between. */
  readonly fetch: (fromRevision: number, max: number) => readonly RecordedEvent[];
  readonly pageSize: number;
  /** Poll interval when caught up; 0 = wait only for `wake()` (appends through the same instance). */
  readonly pollIntervalMs: number;
  readonly onEvent: (event: RecordedEvent) => void | Promise<void>;
  readonly onError?: (error: unknown) => void;
  /** Called once when the loop has ended (closed or failed). */
  readonly onEnd: (tail: Tail) => void;
}

/**
 * One subscription. Delivers events one at a time, in order, awaiting the handler. The first error of the
 * handler or the store goes to `onError` and ends the subscription (no event is skipped silently).
 */
export class Tail implements Subscription {
  readonly stream: string;
  private next: number;
  private closed = false;
  private inHandler = false;
  private pendingWake: (() => void) | undefined;
  private readonly done: Promise<void>;

  constructor(private readonly o: TailOptions) {
    this.stream = o.stream;
    this.next = o.from;
    this.done = this.run().finally(() => o.onEnd(this));
  }

  /** Something was appended to the stream (or the subscription is closing): stop waiting. */
  wake(): void {
    const w = this.pendingWake;
    this.pendingWake = undefined;
    w?.();
  }

  /**
   * No handler call starts after this. Resolves when the loop has stopped; when called from inside this
   * subscription's own handler it resolves at once (the handler's own call finishes after it).
   */
  close(): Promise<void> {
    this.closed = true;
    this.wake();
    return this.inHandler ? Promise.resolve() : this.done;
  }

  private async run(): Promise<void> {
    await Promise.resolve(); // never call the handler before subscribe() has returned
    while (!this.closed) {
      let page: readonly RecordedEvent[];
      try {
        page = this.o.fetch(this.next, this.o.pageSize);
      } catch (error) {
        this.fail(error);
        return;
      }
      if (page.length === 0) {
        await this.waitForChange();
        continue;
      }
      for (const event of page) {
        if (this.closed) return;
        this.inHandler = true;
        try {
          const r = this.o.onEvent(event);
          if (r !== undefined) await r;
        } catch (error) {
          this.fail(error);
          return;
        } finally {
          this.inHandler = false;
        }
        this.next = event.revision + 1;
      }
      // Let timers and I/O run between pages while catching up on a long stream.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private waitForChange(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.closed) return resolve();
      let timer: NodeJS.Timeout | undefined;
      this.pendingWake = () => {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      };
      if (this.o.pollIntervalMs > 0) timer = setTimeout(() => this.wake(), this.o.pollIntervalMs);
    });
  }

  private fail(error: unknown): void {
    this.closed = true;
    if (this.o.onError) {
      try {
        this.o.onError(error);
      } catch (inner) {
        console.error(`eventstore: onError of a subscription to ${this.stream} threw`, inner);
      }
    } else {
      console.error(`eventstore: subscription to ${this.stream} ended by an error`, error);
    }
  }
}

/** The live subscriptions of a store, by stream. */
export class Tails {
  private readonly byStream = new Map<string, Set<Tail>>();

  add(tail: Tail): void {
    let set = this.byStream.get(tail.stream);
    if (!set) this.byStream.set(tail.stream, (set = new Set()));
    set.add(tail);
  }

  remove(tail: Tail): void {
    const set = this.byStream.get(tail.stream);
    if (!set) return;
    set.delete(tail);
    if (set.size === 0) this.byStream.delete(tail.stream);
  }

  wake(stream: string): void {
    const set = this.byStream.get(stream);
    if (set) for (const t of set) t.wake();
  }

  async closeAll(): Promise<void> {
    const all = [...this.byStream.values()].flatMap((s) => [...s]);
    await Promise.all(all.map((t) => t.close()));
  }
}
