// `pmx audit` and `pmx replay --verify` on a small log in a memory store: a clean log passes with the writer's head
// and state; forged logs whose chain was re-computed (so the hash alone cannot tell) are caught by the audit's
// re-deciding, each at its revision with the reason the audit gives.
import { canonicalJson } from "@pmx/domain";
import { createMemoryStore } from "@pmx/eventstore";
import type { LogMetadata, StoredEvent } from "@pmx/projections";
import { describe, expect, it } from "vitest";
// The same small log as the projections' own reader tests.
import {
  rechained,
  SMALL_LOG_COMMANDS,
  writeSmallLog,
} from "../../../packages/projections/test/small-log.js";
import { audit } from "../src/audit.js";
import { replay } from "../src/replay.js";

const STREAM = "pmx";
const metaOf = (e: StoredEvent) => JSON.parse(e.metadata) as LogMetadata & { command?: unknown };

/** The last digit of the first run of digits after `marker`, changed to another digit (same length). */
const oneDigitChanged = (text: string, marker: string): string => {
  let i = text.indexOf(marker) + marker.length;
  while (!/[0-9]/.test(text[i]!)) i++;
  while (/[0-9]/.test(text[i + 1]!)) i++;
  return text.slice(0, i) + (text[i] === "9" ? "8" : String(Number(text[i]) + 1)) + text.slice(i + 1);
};

async function storeOf(log: StoredEvent[]) {
  const store = createMemoryStore();
  if (log.length > 0) await store.append(STREAM, log, "no_stream");
  return store;
}

const audited = async (log: StoredEvent[]) => audit(await storeOf(log), STREAM);
const replayed = async (log: StoredEvent[]) => replay(await storeOf(log), STREAM, { verify: true });

describe("pmx audit on a small log", () => {
  const { log, writer } = writeSmallLog();
  const types = log.map((e) => e.type);
  const deposit = types.indexOf("Deposited");
  const trade = types.indexOf("TradeExecuted");

  it("given the log as written, then the audit passes with the writer's head, counts and state hash, as replay --verify does", async () => {
    expect(trade).toBeGreaterThan(0);
    const report = await audited(log);
    expect(report).toMatchObject({
      ok: true,
      events: log.length,
      commands: SMALL_LOG_COMMANDS.length,
      head: writer.head,
      stateHash: writer.stateHash(),
    });
    expect(report.failure).toBeUndefined();
    const r = await replayed(log);
    expect(r).toMatchObject({ ok: true, head: writer.head, stateHash: writer.stateHash() });
  });

  it("given one digit of a deposit's amount changed and the chain re-computed, then replay --verify cannot tell but the audit reports that revision, recorded vs re-decided", async () => {
    const forged = rechained(log, deposit, (e) => ({ ...e, data: oneDigitChanged(e.data, '"amount":') }));
    expect((await replayed(forged)).ok).toBe(true);
    const report = await audited(forged);
    expect(report.ok).toBe(false);
    const seq = metaOf(log[deposit]!).seq;
    const recorded = canonicalJson({ ...JSON.parse(forged[deposit]!.data), type: "Deposited" });
    const redecided = canonicalJson({ ...JSON.parse(log[deposit]!.data), type: "Deposited" });
    expect(recorded).not.toBe(redecided);
    expect(report.failure).toEqual({
      revision: deposit,
      seq,
      problem: `event differs from re-deciding command ${seq}: recorded ${recorded}, re-decided ${redecided}`,
    });
    expect(report.events, "the audit stops at the differing event").toBe(deposit + 1);
  });

  it("given one digit of a trade's fee changed and the chain re-computed, then the audit reports that trade's revision", async () => {
    const forged = rechained(log, trade, (e) => ({ ...e, data: oneDigitChanged(e.data, '"takerFee":') }));
    const report = await audited(forged);
    expect(report.failure?.revision).toBe(trade);
    expect(report.failure?.problem).toMatch(
      /^event differs from re-deciding command \d+: recorded .*"takerFee":/,
    );
  });

  it("given one byte of an event's data changed without re-computing the chain, then the audit reports a hash mismatch at it", async () => {
    const forged = log.slice();
    forged[deposit] = { ...log[deposit]!, data: oneDigitChanged(log[deposit]!.data, '"amount":') };
    const report = await audited(forged);
    expect(report.failure?.revision).toBe(deposit);
    expect(report.failure?.problem).toMatch(/^hash mismatch: /);
  });

  it("given one digit of a trade's time (metadata) changed without re-computing the chain, then the audit reports a hash mismatch at it", async () => {
    const forged = log.slice();
    forged[trade] = { ...log[trade]!, metadata: oneDigitChanged(log[trade]!.metadata, '"at":') };
    const report = await audited(forged);
    expect(report.failure?.revision).toBe(trade);
    expect(report.failure?.problem).toMatch(/^hash mismatch: /);
  });

  it("given an event whose metadata is JSON but not an object, then the audit reports it at that revision instead of throwing", async () => {
    for (const metadata of ["null", "[]", "7"]) {
      const forged = log.slice();
      forged[trade] = { ...log[trade]!, metadata };
      const report = await audited(forged);
      expect(report.failure, metadata).toEqual({
        revision: trade,
        seq: 0,
        problem: "metadata is not a JSON object",
      });
    }
  });

  it("given an event's data written with other key order (same event, re-chained), then the audit still compares it as canonical text and passes", async () => {
    const reordered = rechained(log, deposit, (e) => {
      const data = JSON.parse(e.data) as Record<string, unknown>;
      const keys = Object.keys(data).reverse();
      return { ...e, data: JSON.stringify(Object.fromEntries(keys.map((k) => [k, data[k]]))) };
    });
    expect(reordered[deposit]!.data).not.toBe(log[deposit]!.data);
    const report = await audited(reordered);
    expect(report.failure).toBeUndefined();
    expect(report.stateHash).toBe(writer.stateHash());
  });

  it("given a recorded deposit whose command names an unknown account (re-chained), then re-deciding it is rejected and reported", async () => {
    const forged = rechained(log, deposit, (e) => ({
      ...e,
      metadata: e.metadata.replace('"accountId":"alice"', '"accountId":"zed"'),
    }));
    const report = await audited(forged);
    expect(report.failure?.revision).toBe(deposit);
    expect(report.failure?.problem).toMatch(/^re-deciding command \d+ \(Deposit\) is now rejected: /);
  });

  it("given a command's event count changed in its metadata (re-chained), then the audit reports the count", async () => {
    const forged = rechained(log, deposit, (e) => ({
      ...e,
      metadata: e.metadata.replace('"count":1', '"count":2'),
    }));
    const report = await audited(forged);
    expect(report.failure?.revision).toBe(deposit);
    expect(report.failure?.problem).toMatch(/re-decides to 1 events; the log holds 2$/);
  });

  it("given the log cut inside a multi-event command, then the audit says it ends inside a command", async () => {
    const first = log.findIndex((e) => metaOf(e).count > 1 && metaOf(e).index === 0);
    const report = await audited(log.slice(0, first + 1));
    expect(report.failure).toEqual({
      revision: first + 1,
      seq: metaOf(log[first]!).seq,
      problem: "the log ends inside a command",
    });
  });

  it("given a command's second event dropped (re-chained), then the audit reports the shortfall at the next command", async () => {
    const first = log.findIndex((e) => metaOf(e).count === 2 && metaOf(e).index === 0);
    expect(first).toBeGreaterThanOrEqual(0);
    const dropped = [...log.slice(0, first + 1), ...log.slice(first + 2)];
    const report = await audited(rechained(dropped, first + 1, (e) => e));
    expect(report.failure?.revision).toBe(first + 1);
    expect(report.failure?.problem).toBe(
      `command ${metaOf(log[first]!).seq} recorded fewer events than re-deciding it gives`,
    );
  });
});
