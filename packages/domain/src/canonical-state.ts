// The canonical text of a state: everything that matters, in a fixed order, for the state hash.
import { canonicalJson, writeCanonicalJson } from "./canonical-json.js";
import { snapshotOf } from "./snapshot.js";
import type { State } from "./state.js";

/**
 * A deterministic serialization of the whole state (accounts, markets with their books, pools, insurance,
 * leveraged positions, orders, totals): the snapshot form, whose collections keep the order the log built them
 * in (the same for every replay), with object keys sorted.
 */
export function canonicalState(state: State): string {
  return canonicalJson(snapshotOf(state));
}

/** Feeds the canonical state text to `write` piece by piece (for hashing states too large for one string). */
export function writeCanonicalState(state: State, write: (piece: string) => void): void {
  writeCanonicalJson(snapshotOf(state), write);
}
