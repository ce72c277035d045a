// The log's hash chain: each stored event's hash covers the previous hash and the event's exact bytes.
import * as crypto from "node:crypto";

/** SHA-256 of a text as hex: Node's one-shot `crypto.hash` (20.12+: no Hash object per call), else a Hash. */
const sha256: (text: string) => string =
  typeof crypto.hash === "function"
    ? (text) => crypto.hash("sha256", text, "hex")
    : (text) => crypto.createHash("sha256").update(text).digest("hex");

/** The chain's value before the first event. */
export const GENESIS_HASH = "0".repeat(64);

/**
 * hash_i = SHA-256(hash_{i-1} ‖ id ‖ type ‖ data ‖ metadata-without-hash), fields separated by a newline,
 * all as the exact stored text (metadata as canonical JSON without its `hash` key).
 */
export function chainHash(
  previous: string,
  id: string,
  type: string,
  data: string,
  metadataWithoutHash: string,
): string {
  return sha256(`${previous}\n${id}\n${type}\n${data}\n${metadataWithoutHash}`);
}

export const sha256Hex = (text: string): string => sha256(text);
