// Authentication: the operator's bearer token and HMAC-SHA256 signed account requests (±30 s, no replays: replay-guard.ts).
import { createHmac, timingSafeEqual } from "node:crypto";
import type { CredentialStore } from "../credentials.js";
import { ReplayGuard, ReplayGuardUnavailable } from "../replay-guard.js";
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

export class Authenticator {
  constructor(
    private readonly operatorToken: string,
    private readonly credentials: CredentialStore,
    private readonly nowMs: () => number,
    private readonly windowMs: number,
    /** Signatures of signed writes seen within the window (durable in the data folder when there is one). */
    private readonly replays: ReplayGuard = new ReplayGuard(windowMs, null, nowMs),
  ) {}

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
    let first: boolean;
    try {
      first = method === "GET" || this.replays.firstTime(expected, Number(h.timestamp));
    } catch (error) {
      if (error instanceof ReplayGuardUnavailable) throw gatewayError("WRITES_STOPPED", error.message);
      throw error;
    }
    if (!first)
      throw gatewayError(
        "REPLAYED_SIGNATURE",
        "this signed request was already received; sign a retry with a new timestamp",
      );
    return { kind: "account", accountId: credential.accountId, apiKey: h.key };
  }
}
