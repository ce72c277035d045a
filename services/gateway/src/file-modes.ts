// The data folder's permissions: only the gateway's user may read it (folder 700, files 600).
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Files the gateway keeps in its data folder (the SQLite file's own name is added by the caller). */
const KEPT = [
  "operator-token",
  "credentials.json",
  "replay-guard.log",
  "operator-key.pem",
  "checkpoints.jsonl",
  "liabilities.json",
];

/**
 * From now on every file and folder this process creates is private (umask 077: SQLite gives its WAL and shared
 * memory the database file's mode); the data folder is created 700, and what an older version left readable by
 * others (the folder, its known files, snapshots) is made private too.
 */
export function securePrivateFiles(dataDir: string, dbPath: string | null): void {
  process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tighten = (path: string, mode: number) => {
    try {
      if (existsSync(path) && (statSync(path).mode & 0o777) !== mode) chmodSync(path, mode);
    } catch {
      /* not ours to change (another owner): the gateway still runs */
    }
  };
  tighten(dataDir, 0o700);
  const files = KEPT.map((f) => join(dataDir, f));
  if (dbPath) files.push(dbPath, `${dbPath}-wal`, `${dbPath}-shm`);
  for (const f of files) tighten(f, 0o600);
  const snapshots = join(dataDir, "snapshots");
  if (existsSync(snapshots)) {
    tighten(snapshots, 0o700);
    for (const f of readdirSync(snapshots)) tighten(join(snapshots, f), 0o600);
  }
}
