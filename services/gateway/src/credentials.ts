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

/** API keys and secrets of accounts. In a folder: `credentials.json` (mode 600); without one: memory only. */
export class CredentialStore {
  private readonly byKey = new Map<string, Credential>();
  private readonly file: string | null;

  constructor(dataDir: string | null) {
    this.file = dataDir ? join(dataDir, "credentials.json") : null;
    if (this.file && existsSync(this.file)) {
      const parsed = JSON.parse(readFileSync(this.file, "utf8")) as { credentials: Credential[] };
      for (const c of parsed.credentials) this.byKey.set(c.apiKey, c);
    }
  }

  /** Issues a new key and secret for the account and makes them durable before answering. */
  issue(accountId: string): Credential {
    const credential: Credential = {
      apiKey: `pk_${randomBytes(12).toString("hex")}`,
      accountId,
      apiSecret: randomBytes(32).toString("hex"),
    };
    this.byKey.set(credential.apiKey, credential);
    if (this.file)
      writeFileDurably(this.file, JSON.stringify({ credentials: [...this.byKey.values()] }, null, 1));
    return credential;
  }

  /** Forgets a key issued for an account that was then not opened. */
  revoke(apiKey: string): void {
    if (!this.byKey.delete(apiKey)) return;
    if (this.file)
      writeFileDurably(this.file, JSON.stringify({ credentials: [...this.byKey.values()] }, null, 1));
  }

  lookup(apiKey: string): Credential | undefined {
    return this.byKey.get(apiKey);
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
