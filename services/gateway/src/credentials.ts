// Secrets kept outside the event log: the operator token and the accounts' API keys (HMAC secrets, Ed25519 public keys), in the data folder.
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";

/** What a key may do: `trade` signs every request; `read` only GETs (any other method is 403 KEY_SCOPE). */
export type KeyScope = "trade" | "read";

/**
 * One API key of an account. HMAC keys (`hmac-sha256`) hold the secret itself: the verifier recomputes the HMAC, so
 * the secret cannot be stored hashed. Ed25519 keys hold only the account's public key (the private key never
 * reaches the gateway) and are also registered in the log (`AccountKeyRegistered`), where auditors read them.
 */
export interface Credential {
  apiKey: string;
  accountId: string;
  /** The HMAC secret; the empty string for an Ed25519 key. */
  apiSecret: string;
  /** Absent in files written before keys had scopes: `trade`. */
  scope?: KeyScope;
  algorithm?: "hmac-sha256" | "ed25519";
  /** base64 of the 32 raw bytes of an Ed25519 public key. */
  publicKey?: string;
  label?: string | null;
  /** ISO time of issue; absent in files written before keys were listed. */
  createdAt?: string;
}

/** A key as `GET /v1/account/keys` shows it: never a secret. */
export interface KeyListing {
  apiKey: string;
  scope: KeyScope;
  algorithm: "hmac-sha256" | "ed25519";
  label: string | null;
  createdAt: string | null;
  publicKey?: string;
}

export const scopeOf = (c: Credential): KeyScope => c.scope ?? "trade";
export const algorithmOf = (c: Credential): "hmac-sha256" | "ed25519" => c.algorithm ?? "hmac-sha256";

/** Writes a file so that a crash leaves either the old or the new content: temp file, fsync, rename. */
export function writeFileDurably(path: string, content: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  const fd = openSync(tmp, "r+");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** The key file could not be written: nothing was issued (or the revocation is kept in memory only). */
export class CredentialsNotStored extends Error {}

const newKeyId = (prefix: "pk" | "ek"): string => `${prefix}_${randomBytes(12).toString("hex")}`;

/**
 * API keys of accounts. In a folder: `credentials.json` (mode 600); without one: memory only.
 * A key is valid only once it is durable in the file, and only while its account exists in the log
 * (`accountExists`): a key left in the file by a creation that failed after it was written opens nothing, and the
 * next creation of that account id replaces it. A revoked key is removed from the file before the revocation is
 * answered, so it stays revoked across restarts.
 */
export class CredentialStore {
  private readonly byKey = new Map<string, Credential>();
  private readonly file: string | null;
  /** The stamp of the file content `byKey` holds. */
  private loadedStamp = "";

  constructor(
    dataDir: string | null,
    private readonly accountExists: (accountId: string) => boolean = () => true,
  ) {
    this.file = dataDir ? join(dataDir, "credentials.json") : null;
    if (this.file && existsSync(this.file)) {
      this.loadedStamp = this.stamp();
      this.load(readFileSync(this.file, "utf8"));
    }
  }

  /** What identifies the file's current content: a write replaces it by a rename (a new inode). */
  private stamp(): string {
    try {
      const s = statSync(this.file!);
      return `${s.ino}:${s.mtimeMs}:${s.size}`;
    } catch {
      return "";
    }
  }

  private load(text: string): void {
    const parsed = JSON.parse(text) as { credentials: Credential[] };
    this.byKey.clear();
    for (const c of parsed.credentials) this.byKey.set(c.apiKey, c);
  }

  /**
   * Re-reads the file when another process replaced it (a follower on the same data folder sees the leader's new
   * and revoked keys at once); a file that does not parse leaves the keys as they were.
   */
  private fresh(): void {
    if (!this.file) return;
    const stamp = this.stamp();
    if (stamp === this.loadedStamp || stamp === "") return;
    try {
      this.load(readFileSync(this.file, "utf8"));
      this.loadedStamp = stamp;
    } catch {
      // Written by tmp + rename, the file is never half-written; anything else keeps the last good set.
    }
  }

  /** Writes `next` durably, then (only then) makes it the set of keys; throws CredentialsNotStored otherwise. */
  private commit(next: Credential[]): void {
    if (this.file)
      try {
        writeFileDurably(this.file, JSON.stringify({ credentials: next }, null, 1));
      } catch (error) {
        throw new CredentialsNotStored(`the key file could not be written (${(error as Error).message})`);
      }
    this.byKey.clear();
    for (const c of next) this.byKey.set(c.apiKey, c);
    if (this.file) this.loadedStamp = this.stamp();
  }

  /**
   * Issues a new key and secret for an account about to be opened, durable before it is valid. Any key the file
   * still holds for this account id is a leftover of a creation that failed (the account does not exist): it is
   * dropped in the same write, so the account ends with exactly one key.
   */
  issue(accountId: string, atMs: number): Credential {
    this.fresh();
    const credential: Credential = {
      apiKey: newKeyId("pk"),
      accountId,
      apiSecret: randomBytes(32).toString("hex"),
      scope: "trade",
      algorithm: "hmac-sha256",
      label: null,
      createdAt: new Date(atMs).toISOString(),
    };
    this.commit([...[...this.byKey.values()].filter((c) => c.accountId !== accountId), credential]);
    return credential;
  }

  /** One more HMAC key for an existing account (its other keys stay), durable before it is answered. */
  addHmac(accountId: string, scope: KeyScope, label: string | null, atMs: number): Credential {
    this.fresh();
    const credential: Credential = {
      apiKey: newKeyId("pk"),
      accountId,
      apiSecret: randomBytes(32).toString("hex"),
      scope,
      algorithm: "hmac-sha256",
      label,
      createdAt: new Date(atMs).toISOString(),
    };
    this.commit([...this.byKey.values(), credential]);
    return credential;
  }

  /** A new id for an Ed25519 key (registered in the log first, then `addEd25519`). */
  static newEd25519KeyId(): string {
    return newKeyId("ek");
  }

  /** An Ed25519 key whose registration is in the log: only its public key is kept. */
  addEd25519(
    apiKey: string,
    accountId: string,
    scope: KeyScope,
    publicKey: string,
    label: string | null,
    atMs: number,
  ): Credential {
    this.fresh();
    const credential: Credential = {
      apiKey,
      accountId,
      apiSecret: "",
      scope,
      algorithm: "ed25519",
      publicKey,
      label,
      createdAt: new Date(atMs).toISOString(),
    };
    this.commit([...this.byKey.values(), credential]);
    return credential;
  }

  /** The account's keys as listed (no secrets), oldest first. */
  listOf(accountId: string): KeyListing[] {
    this.fresh();
    return [...this.byKey.values()]
      .filter((c) => c.accountId === accountId)
      .map((c) => ({
        apiKey: c.apiKey,
        scope: scopeOf(c),
        algorithm: algorithmOf(c),
        label: c.label ?? null,
        createdAt: c.createdAt ?? null,
        ...(c.publicKey ? { publicKey: c.publicKey } : {}),
      }));
  }

  /** Whether the account holds an Ed25519 key of scope trade (then its writes must be Ed25519-signed). */
  signsWithEd25519(accountId: string): boolean {
    this.fresh();
    for (const c of this.byKey.values())
      if (c.accountId === accountId && algorithmOf(c) === "ed25519" && scopeOf(c) === "trade") return true;
    return false;
  }

  /** Revokes a key for good: removed from the file before this returns (throws CredentialsNotStored otherwise). */
  revokeDurably(apiKey: string): void {
    this.fresh();
    if (!this.byKey.has(apiKey)) return;
    this.commit([...this.byKey.values()].filter((c) => c.apiKey !== apiKey));
  }

  /** Forgets a key issued for an account that was then not opened (at once in memory; in the file when it can). */
  revoke(apiKey: string): void {
    this.fresh();
    if (!this.byKey.has(apiKey)) return;
    const next = [...this.byKey.values()].filter((c) => c.apiKey !== apiKey);
    try {
      this.commit(next);
    } catch {
      // The file keeps the key until the next write; it opens nothing meanwhile (its account does not exist).
      this.byKey.delete(apiKey);
    }
  }

  lookup(apiKey: string): Credential | undefined {
    this.fresh();
    const c = this.byKey.get(apiKey);
    return c && this.accountExists(c.accountId) ? c : undefined;
  }
}

/**
 * The operator token: PMX_OPERATOR_TOKEN when set; otherwise the one kept in `operator-token` in the data folder,
 * generated (and reported as new, to be printed once) on first start.
 */
export function operatorToken(
  dataDir: string | null,
  fromEnv: string | null,
): { token: string; generated: boolean } {
  if (fromEnv) return { token: fromEnv, generated: false };
  if (!dataDir) return { token: randomBytes(24).toString("hex"), generated: true };
  const file = join(dataDir, "operator-token");
  if (existsSync(file)) return { token: readFileSync(file, "utf8").trim(), generated: false };
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(24).toString("hex");
  writeFileDurably(file, `${token}\n`);
  chmodSync(file, 0o600);
  return { token, generated: true };
}
