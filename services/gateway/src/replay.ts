// `pmx replay`: folds the log from genesis and reports the event count, chain head and state hash; --verify checks every byte.

import { invariantViolations } from "@pmx/domain";
import type { EventStore } from "@pmx/eventstore";
import { ExchangeProjection } from "@pmx/projections";
import { Progress } from "./progress.js";

export interface ReplayReport {
  ok: boolean;
  events: number;
  commands: number;
  head: string;
  stateHash: string;
  /** The first event that does not verify, when one does not. */
  bad?: { revision: number; id: string; type: string; problem: string };
  /** Each pinned position checked (`--expect-head`, `--checkpoints`): what the log holds there against the pin. */
  pins?: PinResult[];
  violations?: string[];
  ms: number;
}

/** A log position an outsider pinned: the chain head (and, from a checkpoint, the state hash) after `revision`. */
export interface Pin {
  readonly revision: number;
  readonly head: string;
  readonly stateHash?: string;
}

export interface PinResult {
  readonly revision: number;
  readonly ok: boolean;
  /** Why it does not hold: the head or state hash the log has there, or that the log ends before it. */
  readonly problem?: string;
}

/** Parses `REVISION:HEAD` (a `PMX-HEAD` header's value); null when it is not one. */
export function parsePin(text: string): Pin | null {
  const m = /^([0-9]{1,15}):([0-9a-f]{64})$/.exec(text.trim());
  return m ? { revision: Number(m[1]), head: m[2]! } : null;
}

export async function replay(
  store: EventStore,
  stream: string,
  options: { verify: boolean; progress?: boolean; pins?: readonly Pin[] },
): Promise<ReplayReport> {
  const started = performance.now();
  const total = options.progress ? await store.lastRevision(stream) : "no_stream";
  const bar = new Progress(options.verify ? "verify" : "replay", total === "no_stream" ? 0 : total + 1);
  // The report holds the state, head and counts only: the projection's trade/fill/order views are not built.
  const projection = new ExchangeProjection(undefined, { views: false });
  let bad: ReplayReport["bad"];
  const pinsAt = new Map<number, Pin[]>();
  for (const pin of options.pins ?? []) pinsAt.set(pin.revision, [...(pinsAt.get(pin.revision) ?? []), pin]);
  const pinned: PinResult[] = [];
  for await (const stored of store.read(stream, 0)) {
    const applied = projection.applyRecorded(stored, stream);
    if (!applied.ok) {
      bad = { revision: stored.revision, id: stored.id, type: stored.type, problem: applied.problem };
      break;
    }
    const here = pinsAt.get(stored.revision);
    if (here) for (const pin of here) pinned.push(checkPin(pin, projection));
    if ((projection.eventCount & 4095) === 0) bar.update(projection.eventCount);
  }
  bar.update(projection.eventCount);
  bar.finish();
  const open = projection.commandOpen;
  if (!bad && open)
    bad = {
      revision: projection.eventCount,
      id: "(missing)",
      type: "(missing)",
      problem: `the log ends inside command ${open.commandId}: ${open.next} of its ${open.count} events are stored`,
    };
  // Rows the reads above cannot see: moved to a negative revision or to another stream (the file holds one stream).
  const misplaced = bad ? null : await store.positionsProblem?.(stream, { soleStream: true });
  if (misplaced)
    bad = { revision: projection.eventCount, id: "(store)", type: "(store)", problem: misplaced };
  const violations = options.verify && !bad ? invariantViolations(projection.state) : [];
  const report: ReplayReport = {
    ok: !bad && violations.length === 0,
    events: projection.eventCount,
    commands: projection.lastSeq,
    head: projection.head,
    stateHash: projection.stateHash(),
    ms: Math.round(performance.now() - started),
  };
  if (options.pins && options.pins.length > 0) {
    for (const pin of options.pins)
      if (!pinned.some((p) => p.revision === pin.revision))
        pinned.push({
          revision: pin.revision,
          ok: false,
          problem: `the log ends at revision ${projection.eventCount - 1}, before the pinned revision`,
        });
    report.pins = pinned.sort((a, b) => a.revision - b.revision);
    if (pinned.some((p) => !p.ok)) report.ok = false;
  }
  if (bad) report.bad = bad;
  if (violations.length > 0) report.violations = violations;
  return report;
}

/** What the log holds after the pinned revision against the pin: the chain head, and the state hash when pinned. */
function checkPin(pin: Pin, projection: ExchangeProjection): PinResult {
  if (projection.head !== pin.head)
    return {
      revision: pin.revision,
      ok: false,
      problem: `the log's head there is ${projection.head}, pinned ${pin.head}`,
    };
  if (pin.stateHash !== undefined) {
    const stateHash = projection.stateHash();
    if (stateHash !== pin.stateHash)
      return {
        revision: pin.revision,
        ok: false,
        problem: `the state hash there is ${stateHash}, pinned ${pin.stateHash}`,
      };
  }
  return { revision: pin.revision, ok: true };
}
