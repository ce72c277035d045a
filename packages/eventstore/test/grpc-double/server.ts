// A protocol-level test double of an EventStoreDB / KurrentDB node: an in-process gRPC server (@grpc/grpc-js)
// speaking the wire protocol of the client @eventstore/db-client 6.2.1, built on the service definitions and
// google-protobuf message classes that the client package ships (it ships no .proto files).
//
// What it is for: proving the adapter's USE of the protocol — the messages and options it sends (exact
// expected revisions, event ids, content types, raw data and metadata bytes, read directions and counts,
// subscription checkpoints), and how it reads the answers (success, wrong expected version with a revision or
// no_stream, stream not found, subscription confirmation, catch-up then live events, idempotent successes).
// What it is NOT: EventStoreDB's semantics beyond the few modelled below. It holds events in memory; it has
// no durability, clustering, leader election, ACLs or authentication, TLS, $all reads, deletes, stream
// metadata, projections, persistent subscriptions or scavenging. Passing against it says nothing about those.
//
// Modelled from the server's source (EventStore/EventStore, src/EventStore.Core):
// - Writes (Services/Storage/ReaderIndex IndexCommitter.CheckCommit): at expected == current the events are
//   written without looking at their ids; at expected > current: wrong expected version; at expected < current:
//   an idempotent success if the ids at expected+1.. are the batch's ids (ids only, content is not compared),
//   wrong expected version otherwise. ANY / stream_exists use the id index. A success answers the batch's last
//   revision; an idempotent success answers the position of the stored batch ("batch-append" mode, like 22.x+)
//   or no position ("none" mode, like 20.x).
// - Append answers AppendResp.success / AppendResp.wrong_expected_version (Transport/Grpc/Streams.Append.cs);
//   BatchAppend answers BatchAppendResp with a google.rpc.Status whose details pack
//   event_store.client.WrongExpectedVersion (Streams.BatchAppend.cs, Status.cs, WrongExpectedVersion.cs).
// - A stream read of a missing stream answers one ReadResp.stream_not_found and ends.
// - A subscription answers ReadResp.confirmation first, then the events after its checkpoint (exclusive:
//   Enumerators.StreamSubscription starts at revision + 1), then caught_up, then live events until cancelled.
// - ServerFeatures: "batch-append" answers the supported methods like a 21.10+ node, so the client uses
//   BatchAppend; "none" leaves the service out, so calls fail UNIMPLEMENTED like on a 20.x node and the client
//   falls back to Append (dist/Client/ServerFeatures.js treats UNIMPLEMENTED as "nothing supported").
// - Gossip.Read answers this node (leader, or follower with the leader it names) for esdb+discover://.
// - Appends larger than maxAppendSize (default 1 MiB, sized like Event.SizeOnDisk: data + metadata bytes + 2 × the
//   type's length) fail with maximum-append-size-exceeded and write nothing; settable while running.
// - $all positions grow by each record's size: they have gaps and are not event counts.
//
// Faults a test switches on (the server's, where the adapter must not be more trusting than the server lets it):
// - Commit timeouts (`timeOutAppends`): the append is answered with the server's timeout — Append: status ABORTED
//   "Operation timed out" (RpcExceptions.Timeout, the client's TimeoutError); BatchAppend: a Status.Timeout error
//   (the client's DeadlineExceededError) — either AFTER the events were written (a commit that outlived its
//   deadline: the answer says failure, the log holds the events) or without writing them.
// - NotLeader (`setLeader`): a node that is not the leader refuses every call carrying `requires-leader: true`
//   (appends, reads, subscriptions) with RpcExceptions.LeaderInfo: status NOT_FOUND "Leader info available" and the
//   trailers exception=not-leader, leader-endpoint-host, leader-endpoint-port; BatchAppend fails the whole call
//   (Streams.BatchAppend.cs throws it from the write's callback). Calls without the header are served (a follower
//   forwards writes to the leader; here every node of a cluster holds the same events). Nothing is written.
// - Subscription drops (`dropSubscriptions`): the server ends live subscriber calls, with an error status (default
//   UNAVAILABLE, as when a node shuts down or a slow subscriber is dropped) or cleanly.
// - A node restarting (`setUnavailable`): its open calls and every new one fail UNAVAILABLE until switched off.
// - A cluster (`cluster` option): doubles started with the same cluster share their events, so one can be the
//   leader and another a follower that names it.
import { randomUUID } from "node:crypto";
import { GossipService } from "@eventstore/db-client/generated/gossip_grpc_pb.js";
import gossipPb from "@eventstore/db-client/generated/gossip_pb.js";
import { ServerFeaturesService } from "@eventstore/db-client/generated/serverfeatures_grpc_pb.js";
import serverFeaturesPb from "@eventstore/db-client/generated/serverfeatures_pb.js";
import sharedPb from "@eventstore/db-client/generated/shared_pb.js";
import statusPb from "@eventstore/db-client/generated/status_pb.js";
import { StreamsService } from "@eventstore/db-client/generated/streams_grpc_pb.js";
import streamsPb from "@eventstore/db-client/generated/streams_pb.js";
import * as grpc from "@grpc/grpc-js";
import anyPb from "google-protobuf/google/protobuf/any_pb.js";
import emptyPb from "google-protobuf/google/protobuf/empty_pb.js";

const { AppendReq, AppendResp, BatchAppendReq, BatchAppendResp, ReadReq, ReadResp } = streamsPb;
type AppendReq = InstanceType<typeof AppendReq>;
type AppendResp = InstanceType<typeof AppendResp>;
type BatchAppendReq = InstanceType<typeof BatchAppendReq>;
type BatchAppendResp = InstanceType<typeof BatchAppendResp>;
type ReadReq = InstanceType<typeof ReadReq>;
type ReadResp = InstanceType<typeof ReadResp>;
type ProposedMessage = InstanceType<typeof AppendReq.ProposedMessage>;
type BatchProposedMessage = InstanceType<typeof BatchAppendReq.ProposedMessage>;

/** An event as the double stores it: the bytes the client sent. */
export interface StoredEvent {
  readonly stream: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
  readonly created: bigint;
  readonly commitPosition: bigint;
  readonly preparePosition: bigint;
}

/** An append's expected revision as it arrived on the wire. */
export type WireExpected =
  | { readonly kind: "revision"; readonly revision: bigint }
  | { readonly kind: "no_stream" }
  | { readonly kind: "any" }
  | { readonly kind: "stream_exists" };

export interface AppendCall {
  readonly method: "Append" | "BatchAppend";
  readonly stream: string;
  readonly expected: WireExpected;
  readonly events: number;
  readonly outcome:
    | "written"
    | "idempotent"
    | "wrong_expected_version"
    | "rejected"
    | "not_leader"
    | "timed_out_written"
    | "timed_out_not_written";
  /** The call carried `requires-leader: true`. */
  readonly requiresLeader: boolean;
}

export interface ReadCall {
  readonly stream: string;
  readonly subscription: boolean;
  readonly from: "start" | "end" | bigint;
  readonly direction: "forwards" | "backwards";
  readonly count: bigint | undefined;
  /** The call carried `requires-leader: true`. */
  readonly requiresLeader: boolean;
}

export interface EsdbDoubleOptions {
  /**
   * "batch-append" (default): ServerFeatures lists BatchAppend, as a 21.10+ node does, and the client appends
   * through it. "none": no ServerFeatures service, as on a 20.x node: the client appends through Append.
   */
  readonly features?: "batch-append" | "none";
  /** Largest append in bytes (data + metadata + 2 × type length per event). Default 1 MiB, as the server's. */
  readonly maxAppendSize?: number;
  /** Another double of the same cluster: both hold the same events (one leader, the others followers). */
  readonly cluster?: EsdbDouble;
}

/** Where a node says the leader is. */
export interface LeaderEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface EsdbDouble {
  readonly port: number;
  /** `esdb://127.0.0.1:PORT?tls=false` */
  readonly connectionString: string;
  /** Every append received, in order. */
  readonly appends: readonly AppendCall[];
  /** Every Read call received (reads and subscriptions), in order. */
  readonly reads: readonly ReadCall[];
  /** The stored events of a stream (empty if none). */
  events(stream: string): readonly StoredEvent[];
  /** Subscriptions currently open (to `stream`, or to any stream). */
  liveSubscriptions(stream?: string): number;
  /** Forgets a stream, as if an operator had removed it: it reads as missing and its ids are free again. */
  dropStream(stream: string): void;
  /**
   * The next append is carried out but answered with a timeout, as when the client's deadline passes after the
   * server has written (the answer is lost). The same as `timeOutAppends({ committed: true })`.
   */
  loseNextAppendAnswer(): void;
  /**
   * The next `count` appends (default 1) are answered with the server's commit timeout; `committed`: true, after
   * writing their events (timeout-then-commit); false, without writing them; "late", without writing them yet: the
   * commit lands just before the next append is handled (after the client has read the stream back). A refused
   * append (wrong expected version, too large) or an idempotent one is answered as such and does not use one up.
   */
  timeOutAppends(options: { committed: boolean | "late"; count?: number }): void;
  /**
   * "self": this node is the leader (the default). An endpoint: this node is a follower naming that leader, and
   * refuses with NotLeader every call that requires the leader.
   */
  setLeader(leader: "self" | LeaderEndpoint): void;
  /**
   * Ends the live subscriptions (to `stream`, or all) from the server's side: with `code` (default UNAVAILABLE) or,
   * with "end", cleanly. Answers how many were ended.
   */
  dropSubscriptions(options?: { stream?: string; code?: grpc.status | "end" }): number;
  /**
   * On: the node is restarting — its open BatchAppend calls and subscriptions fail UNAVAILABLE, and so does every new
   * call until switched off.
   */
  setUnavailable(on: boolean): void;
  setMaxAppendSize(bytes: number): void;
  stop(): Promise<void>;
  /** The events of the cluster this node belongs to (pass the double as another one's `cluster` option). */
  readonly storage: ClusterStorage;
}

/** What the nodes of one cluster share: the events, the id index, the positions, the live subscribers. */
export interface ClusterStorage {
  readonly streams: Map<string, StoredEvent[]>;
  readonly idIndex: Map<string, { stream: string; revision: number }>;
  readonly listeners: Map<string, Set<() => void>>;
  position: bigint;
}

interface Proposed {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

type WriteOutcome =
  | { readonly kind: "written" | "idempotent"; readonly last: number; readonly position: bigint | undefined }
  | { readonly kind: "wrong_expected_version"; readonly current: number }
  /** A timeout fault: answered with the server's timeout, after writing the events or without. */
  | { readonly kind: "timed_out"; readonly written: boolean };

class WireError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
    readonly trailers: Record<string, string> = {},
  ) {
    super(message);
  }
  toServiceError(): Partial<grpc.StatusObject> {
    const metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(this.trailers)) metadata.set(k, v);
    return { code: this.code, details: this.message, metadata };
  }
  /** For `call.emit("error", ...)` on a streaming call: grpc-js sends its code, details and trailers. */
  toCallError(): Error {
    return Object.assign(new Error(this.message), this.toServiceError());
  }
}

const HOST = "127.0.0.1";

export async function startEsdbDouble(options: EsdbDoubleOptions = {}): Promise<EsdbDouble> {
  const features = options.features ?? "batch-append";
  let maxAppendSize = options.maxAppendSize ?? 1024 * 1024;
  const storage: ClusterStorage = options.cluster?.storage ?? {
    streams: new Map(),
    idIndex: new Map(),
    listeners: new Map(),
    position: 1_000n,
  };
  const { streams, idIndex, listeners } = storage;
  const appends: AppendCall[] = [];
  const reads: ReadCall[] = [];
  const subscriptionsOpen = new Map<string, number>();
  const countSubscription = (stream: string, delta: number) =>
    subscriptionsOpen.set(stream, (subscriptionsOpen.get(stream) ?? 0) + delta);
  /** Ends one live subscription from the server's side. */
  const droppers = new Map<string, Set<(code: grpc.status | "end") => void>>();
  let timeouts: { committed: boolean | "late"; left: number } | null = null;
  /** A timed-out append whose commit lands later: just before the next append is handled. */
  let lateCommit: { stream: string; expected: WireExpected; proposed: readonly Proposed[] } | null = null;
  let leader: "self" | LeaderEndpoint = "self";
  let unavailable = false;
  /** Open BatchAppend calls (the client keeps one open across appends): a restarting node breaks them. */
  const batchAppendCalls = new Set<{ fail: (error: WireError) => void }>();
  /** Takes one timeout fault for an append that would succeed, if one is set. */
  const takeTimeout = (): { committed: boolean | "late" } | null => {
    if (!timeouts) return null;
    const t = timeouts;
    if (--t.left <= 0) timeouts = null;
    return { committed: t.committed };
  };
  const requiresLeader = (metadata: grpc.Metadata) => metadata.get("requires-leader")[0] === "true";
  /** The NotLeader refusal (RpcExceptions.LeaderInfo) when this node is a follower and the call needs the leader. */
  const notLeader = (metadata: grpc.Metadata): WireError | null =>
    leader !== "self" && requiresLeader(metadata)
      ? new WireError(grpc.status.NOT_FOUND, "Leader info available", {
          exception: "not-leader",
          "leader-endpoint-host": leader.host,
          "leader-endpoint-port": String(leader.port),
        })
      : null;
  const unavailableError = () => new WireError(grpc.status.UNAVAILABLE, "Server Is Not Ready");

  const wake = (stream: string) => {
    for (const l of listeners.get(stream) ?? []) l();
  };

  const write = (stream: string, expected: WireExpected, proposed: readonly Proposed[]): WriteOutcome => {
    if (lateCommit) {
      const late = lateCommit;
      lateCommit = null;
      const saved = timeouts;
      timeouts = null;
      write(late.stream, late.expected, late.proposed);
      timeouts = saved;
    }
    const log = streams.get(stream) ?? [];
    const current = log.length - 1;
    if (expected.kind === "any" || expected.kind === "stream_exists") {
      if (expected.kind === "stream_exists" && current < 0)
        return { kind: "wrong_expected_version", current };
      const found = proposed.map((p) => idIndex.get(p.id));
      if (found.every((f) => f?.stream === stream) && found.length > 0) {
        const lastFound = found[found.length - 1]!;
        return {
          kind: "idempotent",
          last: lastFound.revision,
          position: idempotentPosition(log[lastFound.revision]!),
        };
      }
      if (found[0]?.stream === stream) return { kind: "wrong_expected_version", current }; // partly stored
    } else {
      const exp = expected.kind === "no_stream" ? -1 : Number(expected.revision);
      if (exp > current) return { kind: "wrong_expected_version", current };
      if (exp < current) {
        for (let i = 0; i < proposed.length; i++) {
          if (log[exp + 1 + i]?.id !== proposed[i]!.id) return { kind: "wrong_expected_version", current };
        }
        const last = exp + proposed.length;
        return { kind: "idempotent", last, position: idempotentPosition(log[last]!) };
      }
    }
    // Only an append that would write can time out: a refusal or an idempotent answer is not slow to commit.
    const timeout = takeTimeout();
    if (timeout?.committed === "late") lateCommit = { stream, expected, proposed };
    if (timeout && timeout.committed !== true) return { kind: "timed_out", written: false };
    const commitPosition = storage.position;
    const created = BigInt(Date.now()) * 10_000n;
    for (const p of proposed) {
      const revision = log.length;
      log.push({ stream, revision, ...p, created, commitPosition, preparePosition: storage.position });
      idIndex.set(p.id, { stream, revision });
      storage.position += BigInt(64 + p.data.length + p.metadata.length + p.type.length * 2); // a record's size: gaps
    }
    streams.set(stream, log);
    wake(stream);
    if (timeout) return { kind: "timed_out", written: true };
    return { kind: "written", last: log.length - 1, position: commitPosition };
  };

  const idempotentPosition = (e: StoredEvent): bigint | undefined =>
    features === "none" ? undefined : e.commitPosition;

  /** What `appends` records of a write's outcome. */
  const recorded = (o: WriteOutcome): AppendCall["outcome"] =>
    o.kind === "timed_out" ? (o.written ? "timed_out_written" : "timed_out_not_written") : o.kind;

  const checkSize = (proposed: readonly Proposed[]) => {
    let size = 0;
    for (const p of proposed) size += p.data.length + p.metadata.length + p.type.length * 2;
    if (size > maxAppendSize) {
      throw new WireError(grpc.status.INVALID_ARGUMENT, `Maximum Append Size of ${maxAppendSize} Exceeded.`, {
        exception: "maximum-append-size-exceeded",
        "maximum-append-size": String(maxAppendSize),
      });
    }
  };

  // --- Streams.Append: client streaming; the options message first, then one proposed message per event.
  const append: grpc.handleClientStreamingCall<AppendReq, AppendResp> = (call, callback) => {
    if (unavailable) return callback(unavailableError().toServiceError());
    let stream: string | undefined;
    let expected: WireExpected | undefined;
    const proposed: Proposed[] = [];
    let failure: WireError | undefined;
    call.on("data", (req: AppendReq) => {
      if (failure) return;
      try {
        if (stream === undefined) {
          if (!req.hasOptions()) throw new WireError(grpc.status.INVALID_ARGUMENT, "options must come first");
          const o = req.getOptions()!;
          stream = streamName(o.getStreamIdentifier());
          expected = appendExpected(o);
        } else {
          if (!req.hasProposedMessage())
            throw new WireError(grpc.status.INVALID_ARGUMENT, "options sent twice");
          proposed.push(fromProposed(req.getProposedMessage()!));
        }
      } catch (error) {
        failure = asWireError(error);
      }
    });
    call.on("error", () => {}); // a cancelled call: nothing to answer
    call.on("end", () => {
      if (!failure && (stream === undefined || expected === undefined)) {
        failure = new WireError(grpc.status.INVALID_ARGUMENT, "no options");
      }
      if (failure) return callback(failure.toServiceError());
      const s = stream!;
      const exp = expected!;
      const record = (outcome: AppendCall["outcome"]) =>
        appends.push({
          method: "Append",
          stream: s,
          expected: exp,
          events: proposed.length,
          outcome,
          requiresLeader: requiresLeader(call.metadata),
        });
      const refused = notLeader(call.metadata);
      if (refused) {
        record("not_leader");
        return callback(refused.toServiceError());
      }
      try {
        checkSize(proposed);
      } catch (error) {
        record("rejected");
        return callback(asWireError(error).toServiceError());
      }
      const outcome = write(s, exp, proposed);
      record(recorded(outcome));
      if (outcome.kind === "timed_out") {
        // Streams.Append answers a commit timeout with RpcExceptions.Timeout: ABORTED.
        return callback(new WireError(grpc.status.ABORTED, "Operation timed out").toServiceError());
      }
      const resp = new AppendResp();
      if (outcome.kind === "wrong_expected_version") {
        const wev = new AppendResp.WrongExpectedVersion();
        if (outcome.current < 0) wev.setCurrentNoStream(new sharedPb.Empty());
        else wev.setCurrentRevision(String(outcome.current));
        if (exp.kind === "revision") wev.setExpectedRevision(exp.revision.toString());
        else if (exp.kind === "no_stream") wev.setExpectedNoStream(new sharedPb.Empty());
        else if (exp.kind === "any") wev.setExpectedAny(new sharedPb.Empty());
        else wev.setExpectedStreamExists(new sharedPb.Empty());
        resp.setWrongExpectedVersion(wev);
      } else {
        const success = new AppendResp.Success();
        success.setCurrentRevision(String(outcome.last));
        if (outcome.position === undefined) success.setNoPosition(new sharedPb.Empty());
        else {
          const p = new AppendResp.Position();
          p.setCommitPosition(outcome.position.toString());
          p.setPreparePosition(outcome.position.toString());
          success.setPosition(p);
        }
        resp.setSuccess(success);
      }
      callback(null, resp);
    });
  };

  // --- Streams.BatchAppend: bidirectional; requests carry a correlation id, options on the first, is_final on
  // the last; one response per finished request.
  const batchAppend: grpc.handleBidiStreamingCall<BatchAppendReq, BatchAppendResp> = (call) => {
    if (unavailable) {
      call.on("error", () => {});
      call.emit("error", unavailableError().toCallError());
      return;
    }
    const pending = new Map<string, { stream: string; expected: WireExpected; proposed: Proposed[] }>();
    const open = {
      fail: (error: WireError) => {
        batchAppendCalls.delete(open);
        call.emit("error", error.toCallError());
      },
    };
    batchAppendCalls.add(open);
    call.on("close", () => batchAppendCalls.delete(open));
    call.on("data", (req: BatchAppendReq) => {
      const correlation = uuidText(req.getCorrelationId());
      const resp = new BatchAppendResp();
      resp.setCorrelationId(req.getCorrelationId());
      try {
        if (req.hasOptions()) {
          const o = req.getOptions()!;
          pending.set(correlation, {
            stream: streamName(o.getStreamIdentifier()),
            expected: batchExpected(o),
            proposed: [],
          });
        }
        const p = pending.get(correlation);
        if (!p) return;
        resp.setStreamIdentifier(identifier(p.stream));
        for (const m of req.getProposedMessagesList()) p.proposed.push(fromProposed(m));
        if (!req.getIsFinal()) return;
        pending.delete(correlation);
        const record = (outcome: AppendCall["outcome"]) =>
          appends.push({
            method: "BatchAppend",
            ...summary(p),
            outcome,
            requiresLeader: requiresLeader(call.metadata),
          });
        const refused = notLeader(call.metadata);
        if (refused) {
          // Streams.BatchAppend.cs throws the LeaderInfo exception from the write's callback: the whole call fails.
          record("not_leader");
          call.emit("error", refused.toCallError());
          return;
        }
        try {
          checkSize(p.proposed);
        } catch (error) {
          record("rejected");
          throw error;
        }
        const outcome = write(p.stream, p.expected, p.proposed);
        record(recorded(outcome));
        if (outcome.kind === "timed_out") {
          resp.setError(status(grpc.status.DEADLINE_EXCEEDED, "Timeout", new sharedPb.Timeout(), "Timeout"));
        } else if (outcome.kind === "wrong_expected_version") {
          const wev = new sharedPb.WrongExpectedVersion();
          if (outcome.current < 0) wev.setCurrentNoStream(new emptyPb.Empty());
          else wev.setCurrentStreamRevision(String(outcome.current));
          const e = p.expected;
          if (e.kind === "revision") wev.setExpectedStreamPosition(e.revision.toString());
          else if (e.kind === "no_stream") wev.setExpectedNoStream(new emptyPb.Empty());
          else if (e.kind === "any") wev.setExpectedAny(new emptyPb.Empty());
          else wev.setExpectedStreamExists(new emptyPb.Empty());
          resp.setError(
            status(grpc.status.ALREADY_EXISTS, "WrongExpectedVersion", wev, "WrongExpectedVersion"),
          );
        } else {
          const success = new BatchAppendResp.Success();
          success.setCurrentRevision(String(outcome.last));
          if (outcome.position === undefined) success.setNoPosition(new emptyPb.Empty());
          else {
            const pos = new sharedPb.AllStreamPosition();
            pos.setCommitPosition(outcome.position.toString());
            pos.setPreparePosition(outcome.position.toString());
            success.setPosition(pos);
          }
          resp.setSuccess(success);
        }
      } catch (error) {
        const w = asWireError(error);
        if (w.trailers.exception === "maximum-append-size-exceeded") {
          const max = new sharedPb.MaximumAppendSizeExceeded();
          max.setMaxappendsize(maxAppendSize);
          resp.setError(status(grpc.status.INVALID_ARGUMENT, w.message, max, "MaximumAppendSizeExceeded"));
        } else {
          const bad = new sharedPb.BadRequest();
          bad.setMessage(w.message);
          resp.setError(status(grpc.status.INVALID_ARGUMENT, "BadRequest", bad, "BadRequest"));
        }
      }
      call.write(resp);
    });
    call.on("error", () => {});
    call.on("end", () => call.end());
  };

  // --- Streams.Read: server streaming; stream reads forwards/backwards with a count, and stream subscriptions.
  const read: grpc.handleServerStreamingCall<ReadReq, ReadResp> = (call) => {
    const o = call.request.getOptions();
    if (!o?.hasStream()) {
      call.destroy(
        Object.assign(new Error("only stream reads are implemented by the double"), {
          code: grpc.status.UNIMPLEMENTED,
        }),
      );
      return;
    }
    const so = o.getStream()!;
    const stream = streamName(so.getStreamIdentifier());
    const from: ReadCall["from"] = so.hasStart() ? "start" : so.hasEnd() ? "end" : BigInt(so.getRevision());
    const structured = o.getUuidOption()?.hasStructured() ?? false;
    const backwards = o.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
    const subscription = o.hasSubscription();
    reads.push({
      stream,
      subscription,
      from,
      direction: backwards ? "backwards" : "forwards",
      count: o.hasCount() ? BigInt(o.getCount()) : undefined,
      requiresLeader: requiresLeader(call.metadata),
    });
    const refused = unavailable ? unavailableError() : notLeader(call.metadata);
    if (refused) {
      call.on("error", () => {});
      call.emit("error", refused.toCallError());
      return;
    }
    let cancelled = false;
    const waiting = new Set<() => void>();
    const send = (resp: ReadResp) =>
      new Promise<void>((resolve) => {
        if (cancelled || call.write(resp)) return resolve();
        const done = () => {
          waiting.delete(done);
          resolve();
        };
        waiting.add(done);
        call.once("drain", done);
      });
    const stopSending = () => {
      cancelled = true;
      for (const w of [...waiting]) w();
    };
    call.on("cancelled", stopSending);
    call.on("error", stopSending);

    if (!subscription) {
      void (async () => {
        const log = streams.get(stream) ?? [];
        if (log.length === 0) {
          const nf = new ReadResp.StreamNotFound();
          nf.setStreamIdentifier(identifier(stream));
          const resp = new ReadResp();
          resp.setStreamNotFound(nf);
          await send(resp);
          return call.end();
        }
        let count = o.hasCount() ? BigInt(o.getCount()) : BigInt(Number.MAX_SAFE_INTEGER);
        const startAt = (r: bigint) => Number(r > BigInt(log.length) ? BigInt(log.length) : r);
        if (backwards) {
          let i =
            from === "start" ? 0 : from === "end" ? log.length - 1 : Math.min(startAt(from), log.length - 1);
          for (; i >= 0 && count > 0n && !cancelled; i--, count--) await send(eventResp(log[i]!, structured));
        } else {
          let i = from === "start" ? 0 : from === "end" ? log.length : startAt(from);
          for (; i < log.length && count > 0n && !cancelled; i++, count--)
            await send(eventResp(log[i]!, structured));
        }
        if (!cancelled) call.end();
      })();
      return;
    }

    // A subscription: confirmation, catch-up after the checkpoint, caught_up, then live until cancelled.
    countSubscription(stream, 1);
    let next = from === "start" ? 0 : from === "end" ? (streams.get(stream)?.length ?? 0) : Number(from) + 1;
    let signal: (() => void) | undefined;
    const listener = () => {
      const s = signal;
      signal = undefined;
      s?.();
    };
    let set = listeners.get(stream);
    if (!set) listeners.set(stream, (set = new Set()));
    set.add(listener);
    let open = true;
    let dropSet = droppers.get(stream);
    if (!dropSet) droppers.set(stream, (dropSet = new Set()));
    const drop = (code: grpc.status | "end") => {
      finish();
      if (code === "end") call.end();
      else call.emit("error", new WireError(code, "Subscription dropped by the server").toCallError());
    };
    dropSet.add(drop);
    const finish = () => {
      if (open) {
        open = false;
        countSubscription(stream, -1);
        set.delete(listener);
        dropSet.delete(drop);
        stopSending();
        listener();
      }
    };
    call.on("cancelled", finish);
    call.on("error", finish);
    call.on("close", finish);
    void (async () => {
      const confirmation = new ReadResp.SubscriptionConfirmation();
      confirmation.setSubscriptionId(randomUUID());
      const first = new ReadResp();
      first.setConfirmation(confirmation);
      await send(first);
      let caughtUp = false;
      while (!cancelled) {
        const log = streams.get(stream) ?? [];
        if (next < log.length) {
          await send(eventResp(log[next]!, structured));
          next++;
          continue;
        }
        if (!caughtUp) {
          caughtUp = true;
          const resp = new ReadResp();
          resp.setCaughtUp(new ReadResp.CaughtUp());
          await send(resp);
          continue;
        }
        await new Promise<void>((resolve) => (signal = resolve));
      }
    })();
  };

  const server = new grpc.Server();
  server.addService(StreamsService, { read, append, batchAppend } as grpc.UntypedServiceImplementation);
  let port = 0;
  server.addService(GossipService, {
    read: (_call: unknown, callback: grpc.sendUnaryData<InstanceType<typeof gossipPb.ClusterInfo>>) => {
      const member = (host: string, memberPort: number, state: number) => {
        const endpoint = new gossipPb.EndPoint();
        endpoint.setAddress(host);
        endpoint.setPort(memberPort);
        const m = new gossipPb.MemberInfo();
        const id = new sharedPb.UUID();
        id.setString(randomUUID());
        m.setInstanceId(id);
        m.setTimeStamp(String(BigInt(Date.now()) * 10_000n));
        m.setState(state as gossipPb.MemberInfo.VNodeState);
        m.setIsAlive(true);
        m.setHttpEndPoint(endpoint);
        return m;
      };
      const { LEADER, FOLLOWER } = gossipPb.MemberInfo.VNodeState;
      // This node as it is, and the leader it names (when it is a follower).
      const members =
        leader === "self"
          ? [member(HOST, port, LEADER)]
          : [member(HOST, port, FOLLOWER), member(leader.host, leader.port, LEADER)];
      const info = new gossipPb.ClusterInfo();
      info.setMembersList(members);
      callback(null, info);
    },
  });
  if (features === "batch-append") {
    server.addService(ServerFeaturesService, {
      getSupportedMethods: (
        _call: unknown,
        callback: grpc.sendUnaryData<InstanceType<typeof serverFeaturesPb.SupportedMethods>>,
      ) => {
        const methods = [
          ["event_store.client.streams.streams", "read", ["position", "events"]],
          ["event_store.client.streams.streams", "append", []],
          ["event_store.client.streams.streams", "batchappend", ["deadline_duration"]],
          ["event_store.client.gossip.gossip", "read", []],
          ["event_store.client.server_features.serverfeatures", "getsupportedmethods", []],
        ] as const;
        const result = new serverFeaturesPb.SupportedMethods();
        result.setEventStoreServerVersion("24.10.0");
        result.setMethodsList(
          methods.map(([service, method, feats]) => {
            const m = new serverFeaturesPb.SupportedMethod();
            m.setServiceName(service);
            m.setMethodName(method);
            m.setFeaturesList([...feats]);
            return m;
          }),
        );
        callback(null, result);
      },
    });
  }

  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${HOST}:0`, grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );

  return {
    port,
    connectionString: `esdb://${HOST}:${port}?tls=false`,
    appends,
    reads,
    events: (stream) => streams.get(stream) ?? [],
    liveSubscriptions: (stream) =>
      stream === undefined
        ? [...subscriptionsOpen.values()].reduce((a, b) => a + b, 0)
        : (subscriptionsOpen.get(stream) ?? 0),
    loseNextAppendAnswer() {
      timeouts = { committed: true, left: 1 };
    },
    timeOutAppends({ committed, count = 1 }) {
      timeouts = count > 0 ? { committed, left: count } : null;
    },
    setLeader(l) {
      leader = l;
    },
    dropSubscriptions({ stream, code = grpc.status.UNAVAILABLE } = {}) {
      const sets = stream === undefined ? [...droppers.values()] : [droppers.get(stream) ?? new Set()];
      const all = sets.flatMap((set) => [...set]);
      for (const drop of all) drop(code);
      return all.length;
    },
    setUnavailable(on) {
      unavailable = on;
      if (!on) return;
      for (const c of [...batchAppendCalls]) c.fail(unavailableError());
      for (const drop of [...droppers.values()].flatMap((set) => [...set])) drop(grpc.status.UNAVAILABLE);
    },
    setMaxAppendSize(bytes) {
      maxAppendSize = bytes;
    },
    storage,
    dropStream(stream) {
      for (const e of streams.get(stream) ?? []) idIndex.delete(e.id);
      streams.delete(stream);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const set of listeners.values()) for (const l of set) l();
        server.tryShutdown(() => resolve());
        setTimeout(() => server.forceShutdown(), 500).unref();
      }),
  };
}

function summary(p: { stream: string; expected: WireExpected; proposed: readonly Proposed[] }) {
  return { stream: p.stream, expected: p.expected, events: p.proposed.length };
}

function appendExpected(o: InstanceType<typeof AppendReq.Options>): WireExpected {
  if (o.hasRevision()) return { kind: "revision", revision: BigInt(o.getRevision()) };
  if (o.hasNoStream()) return { kind: "no_stream" };
  if (o.hasAny()) return { kind: "any" };
  if (o.hasStreamExists()) return { kind: "stream_exists" };
  throw new WireError(grpc.status.INVALID_ARGUMENT, "no expected stream revision");
}

function batchExpected(o: InstanceType<typeof BatchAppendReq.Options>): WireExpected {
  if (o.hasStreamPosition()) return { kind: "revision", revision: BigInt(o.getStreamPosition()) };
  if (o.hasNoStream()) return { kind: "no_stream" };
  if (o.hasAny()) return { kind: "any" };
  if (o.hasStreamExists()) return { kind: "stream_exists" };
  throw new WireError(grpc.status.INVALID_ARGUMENT, "no expected stream position");
}

function fromProposed(m: ProposedMessage | BatchProposedMessage): Proposed {
  const meta = m.getMetadataMap();
  const type = meta.get("type");
  const contentType = meta.get("content-type");
  if (type === undefined) throw missing("type");
  if (contentType === undefined) throw missing("content-type");
  return {
    id: uuidText(m.getId()),
    type,
    contentType,
    data: m.getData_asU8(),
    metadata: m.getCustomMetadata_asU8(),
  };
}

function missing(property: string): WireError {
  return new WireError(grpc.status.INVALID_ARGUMENT, `Required metadata property ${property} is missing`, {
    exception: "missing-required-metadata-property",
    "required-properties": property,
  });
}

function eventResp(e: StoredEvent, structured: boolean): ReadResp {
  const record = new ReadResp.ReadEvent.RecordedEvent();
  record.setId(uuidMessage(e.id, structured));
  record.setStreamIdentifier(identifier(e.stream));
  record.setStreamRevision(String(e.revision));
  record.setPreparePosition(e.preparePosition.toString());
  record.setCommitPosition(e.commitPosition.toString());
  const meta = record.getMetadataMap();
  meta.set("type", e.type);
  meta.set("content-type", e.contentType);
  meta.set("created", e.created.toString());
  record.setCustomMetadata(e.metadata);
  record.setData(e.data);
  const event = new ReadResp.ReadEvent();
  event.setEvent(record);
  event.setNoPosition(new sharedPb.Empty());
  const resp = new ReadResp();
  resp.setEvent(event);
  return resp;
}

function status(
  code: grpc.status,
  message: string,
  details: { serializeBinary(): Uint8Array },
  type: string,
) {
  const any = new anyPb.Any();
  any.pack(details.serializeBinary(), `event_store.client.${type}`);
  const s = new statusPb.Status();
  s.setCode(code as number);
  s.setMessage(message);
  s.setDetails(any);
  return s;
}

function identifier(stream: string) {
  const id = new sharedPb.StreamIdentifier();
  id.setStreamName(Buffer.from(stream, "utf8"));
  return id;
}

function streamName(id: InstanceType<typeof sharedPb.StreamIdentifier> | undefined): string {
  if (!id) throw new WireError(grpc.status.INVALID_ARGUMENT, "no stream identifier");
  return Buffer.from(id.getStreamName_asU8()).toString("utf8");
}

function uuidText(u: InstanceType<typeof sharedPb.UUID> | undefined): string {
  if (!u) throw new WireError(grpc.status.INVALID_ARGUMENT, "no id");
  if (u.hasStructured()) {
    const s = u.getStructured()!;
    const b = Buffer.alloc(16);
    b.writeBigInt64BE(BigInt(s.getMostSignificantBits()), 0);
    b.writeBigInt64BE(BigInt(s.getLeastSignificantBits()), 8);
    const h = b.toString("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  const text = u.getString().toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(text)) {
    throw new WireError(grpc.status.INVALID_ARGUMENT, `invalid uuid "${u.getString()}"`);
  }
  return text;
}

function uuidMessage(id: string, structured: boolean) {
  const u = new sharedPb.UUID();
  if (!structured) {
    u.setString(id);
    return u;
  }
  const b = Buffer.from(id.replace(/-/g, ""), "hex");
  const s = new sharedPb.UUID.Structured();
  s.setMostSignificantBits(b.readBigInt64BE(0).toString());
  s.setLeastSignificantBits(b.readBigInt64BE(8).toString());
  u.setStructured(s);
  return u;
}

function asWireError(error: unknown): WireError {
  return error instanceof WireError ? error : new WireError(grpc.status.INTERNAL, String(error));
}
