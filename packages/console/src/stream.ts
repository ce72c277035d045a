// The WebSocket stream of this origin (GET /v1/stream): trades and book channels of the markets on screen,
// re-subscribed after a reconnect.
import type { Json } from "./api.js";

type Listener = (msg: Json) => void;

export class Stream {
  private ws: WebSocket | null = null;
  private readonly wanted = new Set<string>();
  private readonly listeners = new Set<Listener>();
  private retry = 500;
  private closed = false;
  /** Called with true when connected, false when the connection is lost. */
  onStatus: (live: boolean) => void = () => {};

  connect(): void {
    if (this.closed) return;
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/v1/stream`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      this.retry = 500;
      this.onStatus(true);
      for (const key of this.wanted) this.send("subscribe", key);
    };
    ws.onmessage = (e) => {
      let msg: Json;
      try {
        msg = JSON.parse(String(e.data));
      } catch {
        return;
      }
      for (const l of this.listeners) l(msg);
    };
    ws.onclose = () => {
      this.onStatus(false);
      if (this.ws === ws && !this.closed) {
        setTimeout(() => this.connect(), this.retry);
        this.retry = Math.min(this.retry * 2, 10_000);
      }
    };
  }

  /** Subscribes to a market's `trades` or `book` channel (kept across reconnects). */
  subscribe(channel: "trades" | "book", marketId: string): void {
    const key = `${channel}|${marketId}`;
    if (this.wanted.has(key)) return;
    this.wanted.add(key);
    this.send("subscribe", key);
  }

  unsubscribeAll(): void {
    for (const key of this.wanted) this.send("unsubscribe", key);
    this.wanted.clear();
  }

  listen(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
  }

  private send(op: string, key: string): void {
    const [channel, marketId] = key.split("|");
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ op, channel, marketId }));
  }
}
