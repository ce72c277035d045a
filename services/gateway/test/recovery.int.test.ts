// Issue 14, finding 6: a leader whose store cannot be written says so in /v1/health (degraded, with the reason),
// and resumes writing by itself once the store is writable again — no restart.
import { createMemoryStore, type EventStore } from "@pmx/eventstore";
import { afterEach, describe, expect, it } from "vitest";
import { SystemClock } from "../src/clock.js";
import { Exchange } from "../src/exchange.js";
import { injectedApp, until } from "./support.js";

/** A memory store whose appends fail (and whose files a probe reports unwritable) while `broken` is set. */
function faultyStore(): { store: EventStore; fault: { broken: string | null } } {
  const inner = createMemoryStore();
  const fault = { broken: null as string | null };
  const store = new Proxy(inner, {
    get(target, key, receiver) {
      if (key === "append")
        return (...args: Parameters<EventStore["append"]>) =>
          fault.broken ? Promise.reject(new Error(fault.broken)) : target.append(...args);
      const v = Reflect.get(target, key, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  }) as EventStore;
  return { store, fault };
}

describe("writes stopped by a store fault", () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  it("given read-only files, then health is degraded with the reason before any write fails; given a failed append, writes stop, health says degraded, and once the store is writable writes resume without a restart", async () => {
    const { store, fault } = faultyStore();
    const exchange = await Exchange.open({
      store,
      clock: new SystemClock(),
      recovery: { probe: () => fault.broken, firstDelayMs: 20, maxDelayMs: 100 },
    });
    const { app, health, openAccount: open } = await injectedApp(exchange);
    closers.push(
      () => exchange.close(),
      () => app.close(),
    );
    expect(await health()).toMatchObject({ status: "ok", writable: true });

    fault.broken = "EROFS: read-only file system";
    await new Promise((r) => setTimeout(r, 1100)); // the probe's answer is kept a second
    expect(await health()).toMatchObject({
      status: "degraded",
      writable: false,
      reason: expect.stringMatching(/EROFS/),
    });

    fault.broken = "ENOSPC: no space left on device";
    const failed = await open("alice");
    expect(failed.statusCode).toBe(503);
    const h = await health();
    expect(h).toMatchObject({ status: "degraded", writable: false });
    expect(h.reason).toMatch(/ENOSPC/);
    expect((await open("bob")).json().error.code).toBe("WRITES_STOPPED");

    fault.broken = null;
    await until(async () => (await health()).status === "ok");
    expect(await health()).toMatchObject({ status: "ok", writable: true });
    const ok = await open("carol");
    expect(ok.statusCode, ok.body).toBe(201);
    expect(exchange.projection.state.accounts.has("carol")).toBe(true);
    expect(exchange.projection.state.accounts.has("alice")).toBe(false);
  });
});
