// The log's hash chain: each stored event's hash covers the previous hash and the event's exact bytes.
import { createHash } from "node:crypto";

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
  return createHash("sha256")
    .update(`${previous}\n${id}\n${type}\n${data}\n${metadataWithoutHash}`)
    .digest("hex");
}

export const sha256Hex = (text: string): string => createHash("sha256").update(text).digest("hex");
