// Snapshots of the projection in the data folder: the file format, atomic writes, pruning, and the newest valid one.
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { EventStore } from "@pmx/eventstore";
import { ExchangeProjection, type ProjectionSnapshot } from "@pmx/projections";

export interface SnapshotLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** File name of the snapshot taken after `revision` events: sorts by revision. */
const fileOf = (eventCount: number): string => `snapshot-${String(eventCount).padStart(12, "0")}.json`;

/** A temporary file of a snapshot being written (named by its writer; untagged before): a crash may leave one. */
const TMP = /^snapshot-(\d{12})\.json(?:\.[a-z]+)?\.tmp$/;

export class SnapshotStore {
  /**
   * `writer` names this writer's temporary files, so that two writers of one folder (the snapshotter thread and
   * `POST /v1/admin/snapshot` on the event loop) never write the same temporary file.
   */
  constructor(
    readonly dir: string,
    private readonly logger: SnapshotLogger,
    readonly keep = 3,
    private readonly writer = "gateway",
  ) {
    if (!/^[a-z]+$/.test(writer)) throw new RangeError(`snapshot writer name must be a-z, got "${writer}"`);
  }

  /**
   * Writes the projection's snapshot atomically (temp file, fsync, rename) and keeps the newest `keep`. A temporary
   * file left by an interrupted write is overwritten by the next write of that revision, and removed once it is older
   * than every kept snapshot.
   */
  write(projection: ExchangeProjection): string {
    mkdirSync(this.dir, { recursive: true });
    const body = JSON.stringify(projection.toSnapshot());
    const checksum = createHash("sha256").update(body).digest("hex");
    const file = join(this.dir, fileOf(projection.eventCount));
    const tmp = `${file}.${this.writer}.tmp`;
    writeFileSync(tmp, `${checksum}\n${body}`);
    const fd = openSync(tmp, "r+");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    this.prune();
    return file;
  }

  /** Removes all but the newest `keep` snapshots, and temporary files older than the oldest one kept. */
  private prune(): void {
    const kept = this.files();
    for (const old of kept.splice(this.keep)) removeIfThere(join(this.dir, old));
    const oldestKept = kept.length > 0 ? Number(kept[kept.length - 1]!.slice(9, 21)) : 0;
    for (const name of readdirSync(this.dir)) {
      const tmp = TMP.exec(name);
      if (tmp && Number(tmp[1]) < oldestKept) removeIfThere(join(this.dir, name));
    }
  }

  /** Snapshot files, newest first. */
  files(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => /^snapshot-\d{12}\.json$/.test(f))
      .sort()
      .reverse();
  }

  /**
   * The newest snapshot that is intact (checksum), restores to its recorded state hash, and matches the log
   * (the log's event just before it carries the same chain hash). Others are skipped with a warning.
   */
  async newestValid(store: EventStore, stream: string): Promise<ExchangeProjection | null> {
    for (const name of this.files()) {
      const file = join(this.dir, name);
      try {
        const text = readFileSync(file, "utf8");
        const newline = text.indexOf("\n");
        const checksum = text.slice(0, newline);
        const body = text.slice(newline + 1);
        if (createHash("sha256").update(body).digest("hex") !== checksum)
          throw new Error("checksum mismatch");
        const snapshot = JSON.parse(body) as ProjectionSnapshot;
        if (snapshot.eventCount > 0) {
          let atRevision: string | null = null;
          for await (const e of store.read(stream, snapshot.eventCount - 1, 1))
            atRevision = (JSON.parse(e.metadata) as { hash: string }).hash;
          if (atRevision !== snapshot.head)
            throw new Error(
              `the log's event ${snapshot.eventCount - 1} has hash ${atRevision ?? "(none)"}, the snapshot ${snapshot.head}`,
            );
        }
        const projection = ExchangeProjection.fromSnapshot(snapshot);
        this.logger.info({ file, events: snapshot.eventCount }, "starting from snapshot");
        return projection;
      } catch (error) {
        this.logger.warn(
          { file, reason: (error as Error).message },
          "ignoring a snapshot that does not match the log",
        );
      }
    }
    return null;
  }
}

/** Another writer of the folder may have removed it first. */
function removeIfThere(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
