// Authentication: the operator's bearer token and signed account requests, HMAC-SHA256 or Ed25519 (±30 s, no replays: replay-guard.ts).
import { createHash, createHmac, timingSafeEqual, verify as verifyBytes } from "node:crypto";
import { publicKeyFromBase64 } from "../checkpoints.js";
import {
  algorithmOf,
  type Credential,
  type CredentialStore,
  type KeyScope,
  scopeOf,
} from "../credentials.js";
import { ReplayGuard, ReplayGuardUnavailable } from "../replay-guard.js";
import { gatewayError } from "./errors.js";

/** The request an Ed25519 key signed, exactly as received: stored with the command it gives (`SignedRequest`). */
export interface SignedRequestBytes {
  keyId: string;
  timestamp: string;
  method: string;
  path: string;
  body: string;
  /** base64 of the Ed25519 signature of timestamp + METHOD + path + body. */
  signature: string;
}

export type Principal =
  | { kind: "operator" }
  | {
      kind: "account";
      accountId: string;
      apiKey: string;
      scope: KeyScope;
      /** Present when an Ed25519 key signed the request: what the log stores with the command. */
      signed?: SignedRequestBytes;
    };

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

/** The exact bytes a key signs: timestamp + METHOD + pathWithQuery + rawBody (UTF-8). */
export const signedText = (
  timestamp: string,
  method: string,
  pathWithQuery: string,
  rawBody: string,
): string => timestamp + method.toUpperCase() + pathWithQuery + rawBody;

/** True when `sig` (base64) is the Ed25519 signature of `text` by the public key (base64 of 32 raw bytes). */
export function ed25519Verifies(publicKey: string, text: string, sig: string): boolean {
  try {
    return verifyBytes(
      null,
      Buffer.from(text, "utf8"),
      publicKeyFromBase64(publicKey),
      Buffer.from(sig, "base64"),
    );
  } catch {
    return false;
  }
}

/**
 * Whether the request's signature is the credential's: hex HMAC-SHA256 for HMAC keys, base64 Ed25519 for Ed25519
 * keys. Answers what the replay guard remembers (64 hex: the HMAC, or SHA-256 of the Ed25519 signature), or null.
 */
export function verifiedSignature(
  credential: Credential,
  timestamp: string,
  method: string,
  pathWithQuery: string,
  rawBody: string,
  given: string,
): string | null {
  if (algorithmOf(credential) === "ed25519") {
    const text = signedText(timestamp, method, pathWithQuery, rawBody);
    // The replay guard keeps 64 hex digits a signature: an Ed25519 one is kept as its SHA-256.
    return ed25519Verifies(credential.publicKey ?? "", text, given)
      ? createHash("sha256").update(`ed25519:${given}`).digest("hex")
      : null;
  }
  const expected = signature(credential.apiSecret, timestamp, method, pathWithQuery, rawBody);
  return constantTimeEqual(given.toLowerCase(), expected) ? expected : null;
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
    const expected = verifiedSignature(credential, h.timestamp, method, pathWithQuery, rawBody, h.signature);
    if (expected === null) throw gatewayError("BAD_SIGNATURE", "the signature does not match the request");
    const scope = scopeOf(credential);
    const write = method !== "GET" && method !== "HEAD";
    if (write && scope === "read")
      throw gatewayError("KEY_SCOPE", "a read key signs only GET requests; use a trade key for writes");
    const ed25519 = algorithmOf(credential) === "ed25519";
    if (write && !ed25519 && this.credentials.signsWithEd25519(credential.accountId))
      throw gatewayError(
        "ED25519_REQUIRED",
        "this account registered an Ed25519 trade key: its writes are signed with an Ed25519 key, so that each is kept in the log with its signature",
      );
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
    const principal: Principal = { kind: "account", accountId: credential.accountId, apiKey: h.key, scope };
    if (ed25519)
      principal.signed = {
        keyId: h.key,
        timestamp: h.timestamp,
        method: method.toUpperCase(),
        path: pathWithQuery,
        body: rawBody,
        signature: h.signature,
      };
    return principal;
  }
}
