// Signed checkpoints for outside auditors: the operator's Ed25519 key and the log positions it has signed.
import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign as signBytes,
  verify as verifyBytes,
} from "node:crypto";
import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { buildTree, type Claim, type LiabilityTree, LiabilityTrees } from "./liabilities.js";

/** One signed log position: the chain head and the state hash after the event at `revision`. */
export interface Checkpoint {
  readonly revision: number;
  readonly head: string;
  readonly stateHash: string;
  /** When it was signed (ISO time). */
  readonly at: string;
  /** base64 of the Ed25519 signature of `checkpointMessage(revision, head, stateHash)`. */
  readonly signature: string;
}

/** The exact bytes an operator signs for a checkpoint (UTF-8). */
export const checkpointMessage = (revision: number, head: string, stateHash: string): string =>
  `pmx-checkpoint:${revision}:${head}:${stateHash}`;

/** The exact bytes an operator signs for a liabilities root (UTF-8). */
export const liabilitiesMessage = (revision: number, root: string, total: string): string =>
  `pmx-liabilities:${revision}:${root}:${total}`;

/** DER prefix of an Ed25519 SubjectPublicKeyInfo: the raw 32-byte key follows it. */
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** The public key as base64 of its 32 raw bytes (what `GET /v1/audit/operator-key` shows). */
export function rawPublicKeyBase64(key: KeyObject): string {
  const der = key.export({ type: "spki", format: "der" });
  return der.subarray(SPKI_PREFIX.length).toString("base64");
}

/** An Ed25519 public key from base64 of its 32 raw bytes; throws on anything else. */
export function publicKeyFromBase64(raw: string): KeyObject {
  const bytes = Buffer.from(raw.trim(), "base64");
  if (bytes.length !== 32 || bytes.toString("base64") !== raw.trim())
    throw new Error("an Ed25519 public key is base64 of exactly 32 bytes");
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, bytes]), format: "der", type: "spki" });
}

/** True when `signature` (base64) is the key's signature of the checkpoint's message. */
export function checkpointSignedBy(checkpoint: Checkpoint, publicKey: KeyObject): boolean {
  const message = Buffer.from(checkpointMessage(checkpoint.revision, checkpoint.head, checkpoint.stateHash));
  try {
    return verifyBytes(null, message, publicKey, Buffer.from(checkpoint.signature, "base64"));
  } catch {
    return false;
  }
}

/**
 * The operator key and the checkpoints signed with it. In a data folder: `operator-key.pem` (PKCS#8, mode 600,
 * generated at first start) and `checkpoints.jsonl` (one checkpoint a line, appended and fsynced); without a folder
 * (an in-memory gateway) both live in memory only.
 */
export class Checkpoints {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  private readonly list: Checkpoint[] = [];
  private readonly file: string | null;
  /** The Merkle-sum tree of the accounts' claims at the latest checkpoint (liabilities.ts). */
  readonly liabilities: LiabilityTrees;
  /** The key of the leaves' salts: derived from the operator key, so it needs no file of its own. */
  private readonly saltKey: Buffer;

  constructor(dataDir: string | null) {
    const keyFile = dataDir ? join(dataDir, "operator-key.pem") : null;
    if (keyFile && existsSync(keyFile)) {
      this.privateKey = createPrivateKey(readFileSync(keyFile, "utf8"));
    } else {
      this.privateKey = generateKeyPairSync("ed25519").privateKey;
      if (keyFile)
        writeFileSync(keyFile, this.privateKey.export({ type: "pkcs8", format: "pem" }), {
          mode: 0o600,
          flag: "wx",
        });
    }
    this.publicKey = createPublicKey(this.privateKey);
    this.saltKey = createHash("sha256")
      .update("pmx-liability-salt-key:")
      .update(this.privateKey.export({ type: "pkcs8", format: "der" }))
      .digest();
    this.liabilities = new LiabilityTrees(dataDir);
    this.file = dataDir ? join(dataDir, "checkpoints.jsonl") : null;
    if (this.file && existsSync(this.file))
      for (const line of readFileSync(this.file, "utf8").split("\n"))
        if (line.trim() !== "") this.list.push(JSON.parse(line) as Checkpoint);
  }

  get operatorKey(): { algorithm: "ed25519"; publicKey: string } {
    return { algorithm: "ed25519", publicKey: rawPublicKeyBase64(this.publicKey) };
  }

  /**
   * Builds and keeps the Merkle-sum tree of `claims` at a checkpoint's revision, signed by the operator key as
   * `pmx-liabilities:{revision}:{root}:{total}`; a revision already kept is not rebuilt.
   */
  recordLiabilities(revision: number, claims: Claim[]): LiabilityTree & { signature: string } {
    const kept = this.liabilities.latest as (LiabilityTree & { signature: string }) | null;
    if (kept && kept.revision === revision) return kept;
    const tree = buildTree(revision, claims, (accountId) =>
      createHmac("sha256", this.saltKey).update(`${revision}:${accountId}`).digest("hex"),
    );
    const signed = { ...tree, signature: this.signText(liabilitiesMessage(revision, tree.root, tree.total)) };
    this.liabilities.keep(signed);
    return signed;
  }

  /** base64 of the operator key's Ed25519 signature of `text` (UTF-8): how operator commands are recorded. */
  signText(text: string): string {
    return signBytes(null, Buffer.from(text, "utf8"), this.privateKey).toString("base64");
  }

  /** The last checkpoint signed, if any. */
  get last(): Checkpoint | null {
    return this.list.at(-1) ?? null;
  }

  /** Signs the position (a position already signed is returned as it was) and keeps it durably. */
  sign(revision: number, head: string, stateHash: string, atMs: number): Checkpoint {
    const last = this.last;
    if (last && last.revision === revision && last.head === head) return last;
    const message = Buffer.from(checkpointMessage(revision, head, stateHash));
    const checkpoint: Checkpoint = {
      revision,
      head,
      stateHash,
      at: new Date(atMs).toISOString(),
      signature: signBytes(null, message, this.privateKey).toString("base64"),
    };
    if (this.file) {
      appendFileSync(this.file, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
      const fd = openSync(this.file, "r+");
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    this.list.push(checkpoint);
    return checkpoint;
  }

  /** Newest first: up to `limit` checkpoints strictly below revision `before` (all when null). */
  page(limit: number, before: number | null): { checkpoints: Checkpoint[]; nextCursor: string | null } {
    const older = before === null ? this.list : this.list.filter((c) => c.revision < before);
    const checkpoints = older.slice(-limit).reverse();
    const more = older.length > limit;
    return { checkpoints, nextCursor: more ? String(checkpoints.at(-1)!.revision) : null };
  }
}
