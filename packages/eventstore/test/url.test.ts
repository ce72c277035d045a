// Store URLs open the right adapter.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { describeStore, openStore, parseStoreUrl } from "../src/index.js";
import { newEvents } from "./contract.js";

describe("store URLs", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("parses the forms", () => {
    expect(parseStoreUrl("memory:")).toEqual({ kind: "memory" });
    expect(parseStoreUrl("sqlite:/var/pmx/events.db")).toEqual({
      kind: "sqlite",
      path: "/var/pmx/events.db",
    });
    expect(parseStoreUrl("sqlite:data/events.db")).toEqual({
      kind: "sqlite",
      path: resolve("data/events.db"),
    });
    expect(parseStoreUrl("sqlite::memory:")).toEqual({ kind: "sqlite", path: ":memory:" });
    expect(parseStoreUrl("esdb://localhost:2113?tls=false")).toEqual({
      kind: "esdb",
      url: "esdb://localhost:2113?tls=false",
    });
  });

  it("rejects unknown and incomplete URLs", () => {
    expect(() => parseStoreUrl("sqlite:")).toThrow(/no file path/);
    expect(() => parseStoreUrl("postgres://x")).toThrow(/unknown event store URL/);
    expect(() => parseStoreUrl("events.db")).toThrow(/"memory:", "sqlite:PATH"/);
  });

  it("opens a memory store", async () => {
    const store = openStore("memory:");
    expect(await store.append("s", newEvents(2), "no_stream")).toEqual({
      nextExpectedRevision: 1,
      written: true,
    });
    expect(await store.lastRevision("s")).toBe(1);
    await store.close();
  });

  it("opens a SQLite file, relative to the current directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pmx-eventstore-url-"));
    dirs.push(dir);
    const rel = relative(process.cwd(), join(dir, "sub", "events.db"));
    expect(rel.startsWith("/")).toBe(false);
    const store = openStore(`sqlite:${rel}`);
    await store.append("s", newEvents(1), "no_stream");
    await store.close();
    const again = openStore(`sqlite:${join(dir, "sub", "events.db")}`);
    expect(await again.lastRevision("s")).toBe(0);
    await again.close();
  });

  it("opens the EventStoreDB adapter for esdb and kurrentdb URLs (connecting on first use)", async () => {
    expect(parseStoreUrl("kurrentdb+discover://h:2113")).toEqual({
      kind: "esdb",
      url: "kurrentdb+discover://h:2113",
    });
    for (const url of ["esdb://admin:changeit@localhost:2113", "kurrentdb://localhost:2113?tls=false"]) {
      const store = openStore(url);
      expect(store).toMatchObject({ target: expect.not.stringContaining("changeit") });
      await store.close();
    }
  });

  it("describes a store for logs without credentials", () => {
    expect(describeStore("memory:")).toMatch(/memory/);
    expect(describeStore("sqlite:/tmp/x.db")).toBe("sqlite file /tmp/x.db");
    const esdb = describeStore("esdb+discover://admin:changeit@cluster:2113");
    expect(esdb).toContain("admin");
    expect(esdb).not.toContain("changeit");
  });
});
