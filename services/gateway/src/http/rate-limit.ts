// Token-bucket rate limits per API key and per client IP, with the wait before the next allowed request.

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Allows `perSecond` requests per second per key on average, bursts of up to `burst`. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  constructor(
    private readonly perSecond: number,
    private readonly burst: number = perSecond * 2,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** Takes `count` tokens (one a request; a batch takes one an item, at most a burst) for `key`; answers 0 when allowed, else the seconds to wait (≥ 1). */
  take(key: string, count = 1): number {
    const need = Math.min(count, this.burst);
    const now = this.nowMs();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.burst, updatedMs: now };
      this.buckets.set(key, bucket);
      if (this.buckets.size > 100_000) this.sweep(now);
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedMs) / 1000) * this.perSecond);
    bucket.updatedMs = now;
    if (bucket.tokens >= need) {
      bucket.tokens -= need;
      return 0;
    }
    return Math.max(1, Math.ceil((need - bucket.tokens) / this.perSecond));
  }

  /** Drops buckets that have refilled completely (they behave like new ones). */
  private sweep(now: number): void {
    for (const [key, b] of this.buckets)
      if (b.tokens + ((now - b.updatedMs) / 1000) * this.perSecond >= this.burst) this.buckets.delete(key);
  }
}
