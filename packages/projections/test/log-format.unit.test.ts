// Reading the log strictly: chain, metadata and event checks of decodeStoredEvent, the audit's byte-equal fast path
// (applyIfRecorded) and a projection without views, each against the writer's encodeCommandEvents.
import { createHash } from "node:crypto";
import { canonicalJson, type Event } from "@pmx/domain";
import { describe, expect, it } from "vitest";
import { chainHash, GENESIS_HASH } from "../src/chain.js";
import { ExchangeProjection } from "../src/exchange-projection.js";
import {
  chainProblem,
  decodeStoredEvent,
  eventDataText,
  eventIdOf,
  isLogMetadata,
  LogMetadata,
  type StoredEvent,
  uuidV5,
} from "../src/log-format.js";
import { rechained, SMALL_LOG_COMMANDS, writeSmallLog } from "./small-log.js";

/** The small log; every event's metadata carries its index within its command (checked as it is written). */
const writeLog = () => writeSmallLog((meta, index) => expect(meta.index).toBe(index));

/** One digit of the text changed to another (same length). */
const oneDigitChanged = (text: string, marker: string): string => {
  let i = text.indexOf(marker) + marker.length;
  while (!/[0-9]/.test(text[i]!)) i++;
  return text.slice(0, i) + (text[i] === "9" ? "8" : String(Number(text[i]) + 1)) + text.slice(i + 1);
};

function replayAll(
  log: StoredEvent[],
  views = true,
): { projection: ExchangeProjection; problem?: string; at?: number } {
  const projection = new ExchangeProjection(undefined, { views });
  for (let i = 0; i < log.length; i++) {
    const applied = projection.applyStored(log[i]!);
    if (!applied.ok) return { projection, problem: applied.problem, at: i };
  }
  return { projection };
}

describe("the log's format, read strictly", () => {
  const { log, writer } = writeLog();
  const types = log.map((e) => e.type);

  it("given the written log, then it holds a trade and multi-event commands, and replaying it gives the writer's head and state hash", () => {
    expect(types).toContain("TradeExecuted");
    expect(log.length).toBeGreaterThan(SMALL_LOG_COMMANDS.length);
    const { projection, problem } = replayAll(log);
    expect(problem).toBeUndefined();
    expect(projection.head).toBe(writer.head);
    expect(projection.stateHash()).toBe(writer.stateHash());
    expect(projection.eventCount).toBe(log.length);
  });

  it("given the chain hash, then it is SHA-256 over the newline-joined fields (the stored format)", () => {
    const expected = createHash("sha256").update(`${GENESIS_HASH}\nid\nT\n{}\n{"a":1}`).digest("hex");
    expect(chainHash(GENESIS_HASH, "id", "T", "{}", '{"a":1}')).toBe(expected);
  });

  it("given every stored event, then its data is eventDataText of the event (canonical JSON without type)", () => {
    const { projection } = replayAll([]);
    for (const e of log) {
      const decoded = decodeStoredEvent(e, projection.head);
      expect(decoded.ok).toBe(true);
      if (!decoded.ok) return;
      const { type: _t, ...rest } = decoded.event;
      expect(eventDataText(decoded.event)).toBe(canonicalJson(rest));
      expect(eventDataText(decoded.event)).toBe(e.data);
      projection.applyStored(e);
    }
  });

  it("given metadata values, then isLogMetadata accepts exactly what LogMetadata.decode accepts", () => {
    const good = JSON.parse(log[0]!.metadata) as Record<string, unknown>;
    const samples: unknown[] = [
      good,
      { ...good, command: undefined },
      { ...good, extra: 1 },
      null,
      [],
      "x",
      3,
      [good],
    ];
    for (const key of ["commandId", "seq", "at", "index", "count", "hash"]) {
      const { [key]: _dropped, ...without } = good;
      samples.push(without, { ...good, [key]: null }, { ...good, [key]: "1" }, { ...good, [key]: 1 });
    }
    for (const s of samples)
      expect(isLogMetadata(s), JSON.stringify(s)).toBe(
        LogMetadata.is(s) && LogMetadata.decode(s)._tag === "Right",
      );
  });

  it("given one digit of a deposit's data changed, then replay fails at it with a hash mismatch", () => {
    const at = types.indexOf("Deposited");
    const tampered = log.slice();
    tampered[at] = { ...log[at]!, data: oneDigitChanged(log[at]!.data, '"amount":') };
    const r = replayAll(tampered, false);
    expect(r.at).toBe(at);
    expect(r.problem).toMatch(/^hash mismatch: stored [0-9a-f]{12}…, recomputed [0-9a-f]{12}…$/);
  });

  it("given metadata without its hash member, then it is refused as carrying no hash", () => {
    const e = log[0]!;
    const broken = { ...e, metadata: e.metadata.replace('"hash":"', '"hush":"') };
    expect(chainProblem(broken, GENESIS_HASH)).toBe("metadata carries no hash");
    expect(decodeStoredEvent(broken, GENESIS_HASH)).toEqual({
      ok: false,
      problem: "metadata carries no hash",
    });
  });

  it("given a re-chained log whose event has an unknown field, a field of the wrong type, or data that is not an object, then replay refuses it as not a valid event", () => {
    const at = types.indexOf("Deposited");
    const withData = (data: string) => rechained(log, at, (e) => ({ ...e, data }));
    for (const data of [
      log[at]!.data.replace("{", '{"bonus":"1",'),
      log[at]!.data.replace('"amount":"1000"', '"amount":1000'),
      "[1,2]",
      '"text"',
      "null",
    ]) {
      const r = replayAll(withData(data));
      expect(r.at, data).toBe(at);
      expect(r.problem, data).toBe("not a valid Deposited event");
    }
    const notJson = replayAll(withData("{"));
    expect(notJson.problem).toBe("data or metadata is not valid JSON");
  });

  it("given a re-chained log whose data carries a type of its own, then the stored type wins (as before)", () => {
    const at = types.indexOf("Deposited");
    const r = replayAll(
      rechained(log, at, (e) => ({ ...e, data: e.data.replace("{", '{"type":"Withdrawn",') })),
    );
    expect(r.problem).toBeUndefined();
  });

  it("given a re-chained log whose metadata lacks a field or has an unknown event type, then replay names the problem", () => {
    const at = 2;
    const noSeq = rechained(log, at, (e) => ({ ...e, metadata: e.metadata.replace(/,"seq":\d+/, "") }));
    expect(replayAll(noSeq)).toMatchObject({ at, problem: "metadata does not have the log's fields" });
    const unknown = rechained(log, at, (e) => ({ ...e, type: "Gift" }));
    expect(replayAll(unknown)).toMatchObject({ at, problem: "unknown event type Gift" });
  });

  it("given the events of a command out of order (re-chained), then replay says the command is cut short", () => {
    const at = log.findIndex((e) => (JSON.parse(e.metadata) as LogMetadata).count > 1);
    const swapped = log.slice();
    [swapped[at], swapped[at + 1]] = [log[at + 1]!, log[at]!];
    const r = replayAll(rechained(swapped, at, (e) => e));
    expect(r.at).toBe(at);
    expect(r.problem).toMatch(/^event 1 of command cmd-\d+ without the events before it$/);
  });

  it("given a projection without views, then it reaches the same head and state hash and holds no trades or fills", () => {
    const { projection } = replayAll(log, false);
    expect(projection.head).toBe(writer.head);
    expect(projection.stateHash()).toBe(writer.stateHash());
    expect(projection.lastSeq).toBe(writer.lastSeq);
    expect(projection.commandOpen).toBeNull();
    expect(writer.recentTrades("rain", 10).length).toBeGreaterThan(0);
    expect(projection.recentTrades("rain", 10)).toEqual([]);
    expect(projection.orderIdsOf("alice")).toEqual([]);
  });
});

describe("applyIfRecorded: the audit's byte-equal fast path", () => {
  const { log, writer } = writeLog();
  const decodedEvents: Event[] = [];
  {
    const p = new ExchangeProjection();
    for (const e of log) {
      const d = decodeStoredEvent(e, p.head);
      if (!d.ok) throw new Error(d.problem);
      decodedEvents.push(d.event);
      p.applyStored(e);
    }
  }
  const metaOf = (e: StoredEvent) => JSON.parse(e.metadata) as LogMetadata;

  it("given each stored event and the event it was written from, then it applies them all and ends at the writer's head and state", () => {
    const p = new ExchangeProjection(undefined, { views: false });
    log.forEach((e, i) => {
      expect(p.applyIfRecorded(e, metaOf(e), decodedEvents[i]!), `event ${i}`).toBe(true);
    });
    expect(p.head).toBe(writer.head);
    expect(p.stateHash()).toBe(writer.stateHash());
  });

  /** Applies the log up to `at` through the fast path, then offers `stored` with `expected`; answers whether it was applied and whether anything changed. */
  const offer = (at: number, stored: StoredEvent, expected: Event, meta = metaOf(stored)) => {
    const p = new ExchangeProjection(undefined, { views: false });
    for (let i = 0; i < at; i++) p.applyIfRecorded(log[i]!, metaOf(log[i]!), decodedEvents[i]!);
    const before = { head: p.head, count: p.eventCount, hash: p.stateHash() };
    const applied = p.applyIfRecorded(stored, meta, expected);
    const unchanged =
      p.head === before.head && p.eventCount === before.count && p.stateHash() === before.hash;
    return { applied, unchanged };
  };

  it("given stored data one byte away from the expected event's, with the chain re-computed over it, then it is not applied and nothing changes", () => {
    const at = log.findIndex((e) => e.type === "Deposited");
    const tampered = rechained(log, at, (e) => ({ ...e, data: oneDigitChanged(e.data, '"amount":') }))[at]!;
    expect(chainProblem(tampered, (JSON.parse(log[at - 1]!.metadata) as LogMetadata).hash)).toBeNull();
    expect(offer(at, tampered, decodedEvents[at]!)).toEqual({ applied: false, unchanged: true });
  });

  it("given an expected event of another type, a broken chain, or an event out of its command's order, then it is not applied and nothing changes", () => {
    const at = log.findIndex((e) => e.type === "Deposited");
    const e = log[at]!;
    expect(offer(at, e, { ...decodedEvents[at]!, type: "Withdrawn" } as Event)).toEqual({
      applied: false,
      unchanged: true,
    });
    expect(offer(at, { ...e, data: oneDigitChanged(e.data, '"amount":') }, decodedEvents[at]!)).toEqual({
      applied: false,
      unchanged: true,
    });
    const otherTime = {
      ...e,
      metadata: e.metadata.replace(`"at":${metaOf(e).at}`, `"at":${metaOf(e).at + 1}`),
    };
    expect(otherTime.metadata).not.toBe(e.metadata);
    expect(offer(at, otherTime, decodedEvents[at]!)).toEqual({ applied: false, unchanged: true });
    expect(offer(at, e, decodedEvents[at]!, { ...metaOf(e), index: 1 })).toEqual({
      applied: false,
      unchanged: true,
    });
    expect(offer(at, e, decodedEvents[at]!)).toEqual({ applied: true, unchanged: false });
  });
});

describe("event ids", () => {
  /** RFC 4122 §4.3 as first written: SHA-1 over namespace bytes and name, version and variant bits set. */
  const byTheBook = (namespace: string, name: string): string => {
    const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
    const bytes = createHash("sha1").update(ns).update(name).digest().subarray(0, 16);
    bytes[6] = (bytes[6]! & 0x0f) | 0x50;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = bytes.toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };

  it("are UUIDv5: the known vector of the DNS namespace, and the same ids as the RFC's construction for any name", () => {
    expect(uuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org")).toBe(
      "886313e1-3b8a-5372-9b90-0c9aee199e5d",
    );
    const ns = "5b3c1f52-8f0e-4c7a-9d0e-6f1a2b3c4d5e";
    for (const name of ["c-1/0", "c-123456/2", "", "ü-é/3", "x".repeat(300), "c-\u{1F600}/1"])
      expect(uuidV5(ns, name), name).toBe(byTheBook(ns, name));
    for (let i = 0; i < 2000; i++) expect(eventIdOf(`c-${i}`, i % 5)).toBe(byTheBook(ns, `c-${i}/${i % 5}`));
  });
});
