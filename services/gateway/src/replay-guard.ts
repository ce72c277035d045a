// The replay guard: signatures of signed writes seen within the timestamp window, kept in the data folder so that a
// restart or a promoted follower refuses them too.
import {
  closeSync,
  existsSync,
  fdatasync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";

export const REPLAY_GUARD_FILE = "replay-guard.log";

/** The guard could not record a signature durably: the request is refused rather than left replayable. */
export class ReplayGuardUnavailable extends Error {}

/**
 * Remembers each signature until its timestamp leaves the window (`expiresAt = timestamp + window`). With a folder,
 * the leader appends one line `expiresAt signature` per signature to `replay-guard.log` (mode 600) before the request
 * is acted on (a process crash loses nothing: the line is in the kernel's cache; the file is fdatasync'ed every
 * second), reads the live lines back at start and on promotion, and rewrites the file with only the live entries
 * once it holds twice as many lines as there are live ones (so it stays bounded by the window's traffic).
 * A follower reads the file but never writes it (the leader owns it).
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  private readonly file: string | null;
  private fd: number | null = null;
  private lines = 0;
  private syncTimer: NodeJS.Timeout | null = null;
  private dirty = false;

  constructor(
    private readonly windowMs: number,
    dataDir: string | null,
    private readonly nowMs: () => number,
    lead = true,
  ) {
    this.file = dataDir ? join(dataDir, REPLAY_GUARD_FILE) : null;
    this.load();
    if (lead) this.lead();
  }

  /** Entries kept in memory now (for tests and metrics). */
  get size(): number {
    return this.seen.size;
  }

  /** Reads the live entries of the file (the old leader's, on promotion) into memory. */
  private load(): void {
    if (!this.file || !existsSync(this.file)) return;
    const now = this.nowMs();
    for (const line of readFileSync(this.file, "utf8").split("\n")) {
      const m = /^(\d{1,16}) ([0-9a-f]{64})$/.exec(line);
      if (!m) continue; // a torn last line of a crash: nothing was acted on for it
      const expiresAt = Number(m[1]);
      if (expiresAt >= now && (this.seen.get(m[2]!) ?? 0) < expiresAt) this.seen.set(m[2]!, expiresAt);
    }
  }

  /** Becomes the writer of the file (at start as leader, or on promotion): reloads it, then rewrites it compactly. */
  lead(): void {
    if (!this.file || this.fd !== null) return;
    this.load();
    this.compact();
    this.syncTimer = setInterval(() => this.sync(), 1000);
    this.syncTimer.unref();
  }

  /** True the first time a signature is seen while its timestamp is in the window; records it durably first. */
  firstTime(sig: string, timestampMs: number): boolean {
    const now = this.nowMs();
    // Drop expired entries from the front (roughly arrival order): constant time per request on average.
    for (const [s, expiresAt] of this.seen) {
      if (expiresAt >= now) break;
      this.seen.delete(s);
    }
    const known = this.seen.get(sig);
    if (known !== undefined && known >= now) return false;
    const expiresAt = Math.max(timestampMs, now) + this.windowMs;
    if (this.fd !== null) {
      try {
        writeSync(this.fd, `${expiresAt} ${sig}\n`);
      } catch (error) {
        throw new ReplayGuardUnavailable(
          `the replay guard could not record the signature (${(error as Error).message})`,
        );
      }
      this.dirty = true;
      if (++this.lines > Math.max(10_000, 2 * this.seen.size)) this.compact();
    }
    this.seen.set(sig, expiresAt);
    return true;
  }

  /** Rewrites the file with the live entries only (temp file, fsync, rename) and appends to it from then on. */
  private compact(): void {
    if (!this.file) return;
    const now = this.nowMs();
    let text = "";
    let n = 0;
    for (const [s, expiresAt] of this.seen)
      if (expiresAt >= now) {
        text += `${expiresAt} ${s}\n`;
        n += 1;
      }
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    if (this.fd !== null) closeSync(this.fd);
    this.fd = openSync(this.file, "a", 0o600);
    this.lines = n;
  }

  private sync(): void {
    if (this.fd === null || !this.dirty) return;
    this.dirty = false;
    fdatasync(this.fd, () => undefined);
  }

  close(): void {
    if (this.syncTimer) clearInterval(this.syncTimer);
    if (this.fd !== null) {
      try {
        fsyncSync(this.fd);
      } catch {
        /* closing anyway */
      }
      closeSync(this.fd);
      this.fd = null;
    }
  }
}
