// Whether a SQLite store's files can be written now: a small file written, fsynced and removed beside the database.
import { accessSync, closeSync, constants, fsyncSync, openSync, unlinkSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";

/** Why the database at `path` cannot be written now (read-only files or folder, a full disk), or null. */
export function probeSqliteFile(path: string): string | null {
  try {
    for (const f of [path, `${path}-wal`])
      try {
        accessSync(f, constants.W_OK);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    const probe = join(dirname(path), ".pmx-write-probe");
    const fd = openSync(probe, "w", 0o600);
    try {
      writeSync(fd, Buffer.alloc(8192, 0));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
      unlinkSync(probe);
    }
    return null;
  } catch (error) {
    return `the store's files cannot be written (${(error as Error).message})`;
  }
}
