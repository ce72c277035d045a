// `pmx audit`: re-decides every recorded command against the replayed state, checks who signed it (signature-audit.ts)
// and the solvency identity after every event.
import type { KeyObject } from "node:crypto";
import { canonicalJson, decideLogCommand, type Event, solvency } from "@pmx/domain";
import type { EventStore, RecordedEvent } from "@pmx/eventstore";
import {
  ExchangeProjection,
  isLogMetadata,
  positionProblem,
  type RecordedCommand,
  recordedCommandOf,
} from "@pmx/projections";
import { Progress } from "./progress.js";
import { SignatureAudit } from "./signature-audit.js";

export interface AuditReport {
  ok: boolean;
  events: number;
  commands: number;
  head: string;
  stateHash: string;
  /** Ed25519 signatures that verified: account-signed requests (one per command) and operator commands. */
  signaturesVerified: number;
  /** Commands an account sends that carry no signature (HMAC-signed requests are not stored). */
  unsignedAccountCommands: number;
  /** Operator-signed commands not checked, because no operator key was given (`--operator-key`). */
  operatorSignaturesUnchecked: number;
  /** The first difference found, when there is one. */
  failure?: { revision: number; seq: number; problem: string };
  ms: number;
}

const eventText = (e: Event): string => canonicalJson(e);

export async function audit(
  store: EventStore,
  stream: string,
  options: { progress?: boolean; operatorKey?: KeyObject } = {},
): Promise<AuditReport> {
  const started = performance.now();
  const last = options.progress ? await store.lastRevision(stream) : "no_stream";
  const bar = new Progress("audit", last === "no_stream" ? 0 : last + 1);
  // The audit reports the state, head and counts only: the projection's trade/fill/order views are not built.
  const projection = new ExchangeProjection(undefined, { views: false });
  /** The events re-deciding the current command gives, and how many of them the log has matched so far. */
  let expected: readonly Event[] = [];
  let next = 0;
  let current: RecordedCommand | null = null;
  let failure: AuditReport["failure"];
  const signatures = new SignatureAudit(options.operatorKey ?? null);

  const fail = (stored: RecordedEvent, seq: number, problem: string) => {
    failure = { revision: stored.revision, seq, problem };
  };

  for await (const stored of store.read(stream, 0)) {
    const misplaced = positionProblem(stored, stream, projection.eventCount);
    if (misplaced !== null) {
      fail(stored, 0, misplaced);
      break;
    }
    // The command is re-decided against the state before its first event, before that event is applied.
    let meta: { index: number; count: number; seq: number; command?: unknown };
    try {
      meta = JSON.parse(stored.metadata) as typeof meta;
    } catch {
      fail(stored, 0, "metadata is not JSON");
      break;
    }
    if (typeof meta !== "object" || meta === null || Array.isArray(meta)) {
      fail(stored, 0, "metadata is not a JSON object");
      break;
    }
    if (meta.index === 0) {
      if (next < expected.length) {
        fail(stored, meta.seq, `command ${current?.seq} recorded fewer events than re-deciding it gives`);
        break;
      }
      const probe = recordedCommandOf(meta as never);
      if (!probe) {
        fail(stored, meta.seq, "the first event of a command does not carry a valid command");
        break;
      }
      current = probe;
      const unauthorized = signatures.check(probe);
      if (unauthorized !== null) {
        fail(stored, meta.seq, unauthorized);
        break;
      }
      const decision = decideLogCommand(probe.command, projection.state);
      if (decision._tag === "Left") {
        fail(
          stored,
          meta.seq,
          `re-deciding command ${probe.seq} (${probe.command.type}) is now rejected: ${decision.left.code}`,
        );
        break;
      }
      expected = decision.right;
      next = 0;
      if (expected.length !== meta.count) {
        fail(
          stored,
          meta.seq,
          `command ${probe.seq} re-decides to ${expected.length} events; the log holds ${meta.count}`,
        );
        break;
      }
    }
    const want = next < expected.length ? expected[next] : undefined;
    next += 1;
    // Fast path: the stored bytes verify against the chain and are exactly the re-decided event's stored form, so the
    // re-decided event is applied. Otherwise the stored event is read strictly and compared as text, to say why.
    if (!(want && isLogMetadata(meta) && projection.applyIfRecorded(stored, meta, want))) {
      const applied = projection.applyStored(stored);
      if (!applied.ok) {
        fail(stored, meta.seq, applied.problem);
        break;
      }
      const wantText = want === undefined ? undefined : eventText(want);
      if (wantText !== eventText(applied.event)) {
        fail(
          stored,
          meta.seq,
          `event differs from re-deciding command ${meta.seq}: recorded ${eventText(applied.event)}, re-decided ${wantText}`,
        );
        break;
      }
    }
    const s = solvency(projection.state);
    if (!s.balanced) {
      fail(
        stored,
        meta.seq,
        `solvency identity broken after this event: net deposits ${s.totals.netDeposits} ≠ held ${s.totals.heldTotal}`,
      );
      break;
    }
    if ((projection.eventCount & 4095) === 0) bar.update(projection.eventCount);
  }
  if (!failure && next < expected.length)
    failure = {
      revision: projection.eventCount,
      seq: current?.seq ?? 0,
      problem: "the log ends inside a command",
    };
  // Rows the reads above cannot see: moved to a negative revision or to another stream (the file holds one stream).
  const misplaced = failure ? null : await store.positionsProblem?.(stream, { soleStream: true });
  if (misplaced) failure = { revision: projection.eventCount, seq: current?.seq ?? 0, problem: misplaced };
  bar.update(projection.eventCount);
  bar.finish();
  const report: AuditReport = {
    ok: !failure,
    events: projection.eventCount,
    commands: projection.lastSeq,
    head: projection.head,
    stateHash: projection.stateHash(),
    signaturesVerified: signatures.signaturesVerified,
    unsignedAccountCommands: signatures.unsignedAccountCommands,
    operatorSignaturesUnchecked: signatures.operatorSignaturesUnchecked,
    ms: Math.round(performance.now() - started),
  };
  if (failure) report.failure = failure;
  return report;
}
