// Secrets kept outside the event log: the operator token and each account's API key and secret, in the data folder.
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
  writeFileSync,
} from "node:fs";
import { join } from "node:path";

export interface Credential {
  apiKey: string;
  accountId: string;
  apiSecret: string;
}

/** Writes a file so that a crash leaves either the old or the new content: temp file, fsync, rename. */
function writeFileDurably(path: string, content: string): void {
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

/**
 * API keys and secrets of accounts. In a folder: `credentials.json` (mode 600); without one: memory only.
 * A key is valid only once it is durable in the file, and only while its account exists in the log
 * (`accountExists`): a key left in the file by a creation that failed after it was written opens nothing, and the
 * next creation of that account id replaces it.
 */
export class CredentialStore {
  private readonly byKey = new Map<string, Credential>();
  private readonly file: string | null;

  constructor(
    dataDir: string | null,
    private readonly accountExists: (accountId: string) => boolean = () => true,
  ) {
    this.file = dataDir ? join(dataDir, "credentials.json") : null;
    if (this.file && existsSync(this.file)) {
      const parsed = JSON.parse(readFileSync(this.file, "utf8")) as { credentials: Credential[] };
      for (const c of parsed.credentials) this.byKey.set(c.apiKey, c);
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
  }

  /**
   * Issues a new key and secret for an account about to be opened, durable before it is valid. Any key the file
   * still holds for this account id is a leftover of a creation that failed (the account does not exist): it is
   * dropped in the same write, so the account ends with exactly one key.
   */
  issue(accountId: string): Credential {
    const credential: Credential = {
      apiKey: `pk_${randomBytes(12).toString("hex")}`,
      accountId,
      apiSecret: randomBytes(32).toString("hex"),
    };
    this.commit([...[...this.byKey.values()].filter((c) => c.accountId !== accountId), credential]);
    return credential;
  }

  /** Forgets a key issued for an account that was then not opened (at once in memory; in the file when it can). */
  revoke(apiKey: string): void {
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
