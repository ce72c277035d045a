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
  violations?: string[];
  ms: number;
}

export async function replay(
  store: EventStore,
  stream: string,
  options: { verify: boolean; progress?: boolean },
): Promise<ReplayReport> {
  const started = performance.now();
  const total = options.progress ? await store.lastRevision(stream) : "no_stream";
  const bar = new Progress(options.verify ? "verify" : "replay", total === "no_stream" ? 0 : total + 1);
  // The report holds the state, head and counts only: the projection's trade/fill/order views are not built.
  const projection = new ExchangeProjection(undefined, { views: false });
  let bad: ReplayReport["bad"];
  for await (const stored of store.read(stream, 0)) {
    const applied = projection.applyRecorded(stored, stream);
    if (!applied.ok) {
      bad = { revision: stored.revision, id: stored.id, type: stored.type, problem: applied.problem };
      break;
    }
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
  if (bad) report.bad = bad;
  if (violations.length > 0) report.violations = violations;
  return report;
}
