// The canonical text of a state: everything that matters, in a fixed order, for the state hash.
import { canonicalJson } from "./canonical-json.js";
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
