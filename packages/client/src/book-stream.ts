// A market's book kept from the WebSocket book channel: the snapshot, then each delta applied in order. A delta whose
// prevSequence is not the sequence held means a message was missed: the stream resubscribes and starts from a snapshot.
import WebSocket from "ws";
import type { Level } from "./types.js";

export interface BookStreamOptions {
  /** Called after each snapshot or delta is applied, with the book as it now stands. */
  readonly onBook?: (book: BookStream) => void;
  /** Called when a gap is seen (before resubscribing). */
  readonly onGap?: (held: number, prevSequence: number) => void;
}

interface BookMessage {
  channel: string;
  marketId?: string;
  type?: "snapshot" | "delta";
  sequence?: number;
  prevSequence?: number;
  data: { bids: Level[]; asks: Level[] };
}

export class BookStream {
  private readonly bidLevels = new Map<string, string>();
  private readonly askLevels = new Map<string, string>();
  /** The sequence of the book held (-1 until the first snapshot, and while resubscribing). */
  sequence = -1;
  /** Gaps seen so far (each followed by a resubscription). */
  gaps = 0;
  /** For tests: a message number (0-based, deltas only) to drop as if lost on the way. */
  dropDelta: number | null = null;
  private deltas = 0;
  private readonly ready: Promise<void>;

  private constructor(
    private readonly ws: WebSocket,
    readonly marketId: string,
    private readonly options: BookStreamOptions,
  ) {
    this.ready = new Promise((resolve, reject) => {
      ws.once("open", () => {
        this.subscribe();
        resolve();
      });
      ws.once("error", reject);
    });
    ws.on("message", (raw) => this.onMessage(JSON.parse(String(raw)) as BookMessage));
  }

  static open(baseUrl: string, marketId: string, options: BookStreamOptions = {}): BookStream {
    return new BookStream(new WebSocket(`${baseUrl.replace(/^http/, "ws")}/v1/stream`), marketId, options);
  }

  /** Resolves once connected and subscribed (the snapshot follows). */
  opened(): Promise<void> {
    return this.ready;
  }

  private subscribe(): void {
    this.ws.send(JSON.stringify({ op: "subscribe", channel: "book", marketId: this.marketId }));
  }

  private onMessage(m: BookMessage): void {
    if (m.channel !== "book" || m.marketId !== this.marketId) return;
    if (m.type === "snapshot") {
      this.bidLevels.clear();
      this.askLevels.clear();
      for (const l of m.data.bids) this.bidLevels.set(l.price, l.quantity);
      for (const l of m.data.asks) this.askLevels.set(l.price, l.quantity);
      this.sequence = m.sequence ?? -1;
      this.options.onBook?.(this);
      return;
    }
    if (this.deltas++ === this.dropDelta) return;
    if (this.sequence === -1) return; // resubscribing: the snapshot comes next
    if (m.prevSequence !== this.sequence) {
      this.gaps += 1;
      this.options.onGap?.(this.sequence, m.prevSequence ?? -1);
      this.sequence = -1;
      this.ws.send(JSON.stringify({ op: "unsubscribe", channel: "book", marketId: this.marketId }));
      this.subscribe();
      return;
    }
    for (const l of m.data.bids)
      l.quantity === "0" ? this.bidLevels.delete(l.price) : this.bidLevels.set(l.price, l.quantity);
    for (const l of m.data.asks)
      l.quantity === "0" ? this.askLevels.delete(l.price) : this.askLevels.set(l.price, l.quantity);
    this.sequence = m.sequence ?? this.sequence;
    this.options.onBook?.(this);
  }

  private levels(side: Map<string, string>, descending: boolean): Level[] {
    const list = [...side].map(([price, quantity]) => ({ price, quantity }));
    return list.sort((a, b) =>
      descending ? Number(b.price) - Number(a.price) : Number(a.price) - Number(b.price),
    );
  }

  /** Best (highest) bid first, YES terms. */
  get bids(): Level[] {
    return this.levels(this.bidLevels, true);
  }

  /** Best (lowest) ask first, YES terms. */
  get asks(): Level[] {
    return this.levels(this.askLevels, false);
  }

  /** Resolves once the book held reflects `sequence` (or a later one); rejects after `timeoutMs`. */
  async reach(sequence: number, timeoutMs = 5_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.sequence < sequence) {
      if (Date.now() > until) throw new Error(`book ${this.marketId}: at ${this.sequence}, not ${sequence}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.ws.close();
  }
}
