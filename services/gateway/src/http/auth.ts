// Authentication: the operator's bearer token and HMAC-SHA256 signed account requests (±30 s, no replays).
import { createHmac, timingSafeEqual } from "node:crypto";
import type { CredentialStore } from "../credentials.js";
import { gatewayError } from "./errors.js";

export type Principal = { kind: "operator" } | { kind: "account"; accountId: string; apiKey: string };

/** Compares two strings in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  if (x.length !== y.length) {
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

/** hex(HMAC-SHA256(secret, timestamp + METHOD + pathWithQuery + rawBody)). */
export function signature(
  secret: string,
  timestamp: string,
  method: string,
  pathWithQuery: string,
  rawBody: string,
): string {
  return createHmac("sha256", secret)
    .update(timestamp + method.toUpperCase() + pathWithQuery + rawBody)
    .digest("hex");
}

export interface SignedHeaders {
  key: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

/** Remembers signatures of state-changing requests for the timestamp window, to refuse exact replays. */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  constructor(private readonly windowMs: number) {}
  /** True the first time a signature is seen within the window. */
  firstTime(sig: string, nowMs: number): boolean {
    // Entries are kept in arrival order: drop expired ones from the front, stopping at the first still inside the
    // window (each entry is dropped once: constant time per request on average, whatever the rate).
    for (const [s, t] of this.seen) {
      if (t >= nowMs - 2 * this.windowMs) break;
      this.seen.delete(s);
    }
    if (this.seen.has(sig)) return false;
    this.seen.set(sig, nowMs);
    return true;
  }
}

export class Authenticator {
  private readonly replays: ReplayGuard;
  constructor(
    private readonly operatorToken: string,
    private readonly credentials: CredentialStore,
    private readonly nowMs: () => number,
    private readonly windowMs: number,
  ) {
    this.replays = new ReplayGuard(windowMs);
  }

  /** The operator, from `Authorization: Bearer <token>`, or null when that header is absent. */
  operator(authorization: string | undefined): Principal | null {
    if (authorization === undefined) return null;
    const m = /^Bearer (.+)$/.exec(authorization);
    if (!m || !constantTimeEqual(m[1]!, this.operatorToken))
      throw gatewayError("UNAUTHENTICATED", "the bearer token is not the operator's");
    return { kind: "operator" };
  }

  /** The account that signed the request; throws 401 with the precise reason otherwise. */
  /**
   * `admit` runs once the signature verified and before the request counts as seen (rate limits go there, so a
   * request refused by a limit can be re-sent as it was).
   */
  account(
    h: SignedHeaders,
    method: string,
    pathWithQuery: string,
    rawBody: string,
    admit: (apiKey: string) => void = () => undefined,
  ): Principal {
    if (!h.key || !h.timestamp || !h.signature)
      throw gatewayError("UNAUTHENTICATED", "signed requests carry PMX-KEY, PMX-TIMESTAMP and PMX-SIGNATURE");
    const credential = this.credentials.lookup(h.key);
    if (!credential) throw gatewayError("UNAUTHENTICATED", "unknown API key");
    if (!/^\d{1,16}$/.test(h.timestamp))
      throw gatewayError("UNAUTHENTICATED", "PMX-TIMESTAMP is milliseconds since epoch");
    const now = this.nowMs();
    const skew = Number(h.timestamp) - now;
    if (Math.abs(skew) > this.windowMs)
      throw gatewayError(
        "STALE_TIMESTAMP",
        `the timestamp is ${Math.round(skew / 1000)} s from the gateway's clock (±30 s allowed)`,
        { gatewayTime: now },
      );
    const expected = signature(credential.apiSecret, h.timestamp, method, pathWithQuery, rawBody);
    if (!constantTimeEqual(h.signature.toLowerCase(), expected))
      throw gatewayError("BAD_SIGNATURE", "the signature does not match the request");
    admit(h.key);
    if (method !== "GET" && !this.replays.firstTime(expected, now))
      throw gatewayError(
        "REPLAYED_SIGNATURE",
        "this signed request was already received; sign a retry with a new timestamp",
      );
    return { kind: "account", accountId: credential.accountId, apiKey: h.key };
  }
}
