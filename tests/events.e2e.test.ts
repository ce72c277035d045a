// Issue 15 through the real gateway and SQLite store: a four-candidate event, market makers quoting all four, a
// conversion of NO into collateral and YES, a proposal (harris) challenged and overturned by the operator's ruling
// (trump), payouts per the final outcome only, solvency balanced, `pmx audit` on the log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, type Credential, expectApiError, type Json } from "./support/client.js";
import { type Gateway, runPmx, startGateway, stopAllGateways, T0 } from "./support/gateway.js";
import { Decimal } from "./support/ledger.js";
import { OpenApiChecker } from "./support/openapi.js";

const CANDIDATES = ["trump", "harris", "kennedy", "other"] as const;
const EVENT = "pres";

describe("an event of four candidates through the gateway", () => {
  let gw: Gateway;
  let api: Client;
  let oa: OpenApiChecker;
  const who: Record<string, Credential> = {};
  const cash = async (name: string): Promise<Decimal> => {
    const res = await api.as(who[name]!, "GET", "/v1/account");
    return new Decimal((res.body as { cash: string }).cash);
  };
  const positionOf = async (name: string, marketId: string): Promise<Json | undefined> => {
    const res = await api.as(who[name]!, "GET", "/v1/account");
    return (res.body as { positions: Json[] }).positions.find((p) => p.marketId === marketId && !p.leveraged);
  };

  beforeAll(async () => {
    gw = await startGateway();
    api = new Client(gw.url, gw.token);
    oa = new OpenApiChecker(api);
    await oa.load();
    await api.setClock(T0);
    for (const name of ["mm", "alice", "bob"]) {
      who[name] = await api.openAccount(name);
      await api.deposit(name, name === "mm" ? "10000" : "1000", `wire-${name}`);
    }
  }, 30_000);

  afterAll(async () => {
    await stopAllGateways();
  });

  it("POST /v1/events lists four markets naming the event; each trades on its own book; GET /v1/markets?eventId= finds them", async () => {
    const listed = oa.check(
      "POST",
      "/v1/events",
      await api.op("POST", "/v1/events", {
        eventId: EVENT,
        title: "Who wins?",
        resolvesAt: new Date(T0 + 30 * 86_400_000).toISOString(),
        outcomes: CANDIDATES.map((c) => ({ marketId: c, question: `Will ${c} win?` })),
      }),
    );
    expect(listed.status, listed.text).toBe(201);
    expect(listed.body).toMatchObject({ eventId: EVENT, status: "open", convertedYes: "0", escrow: "0" });
    expect((listed.body as { markets: Json[] }).markets.map((m) => [m.marketId, m.eventId])).toEqual(
      CANDIDATES.map((c) => [c, EVENT]),
    );
    const filtered = await api.send({ method: "GET", path: `/v1/markets?eventId=${EVENT}`, headers: {} });
    expect((filtered.body as { markets: Json[] }).markets.map((m) => m.marketId)).toEqual([...CANDIDATES]);
    // mm quotes YES bids on every candidate; alice sells them (buys NO) 20 each: a MINT per market.
    const yesBids: Record<string, string> = { trump: "0.55", harris: "0.35", kennedy: "0.05", other: "0.03" };
    for (const c of CANDIDATES) {
      const bid = await api.as(who.mm!, "POST", "/v1/orders", {
        clientOrderId: `mm-${c}`,
        marketId: c,
        side: "buy",
        outcome: "YES",
        price: yesBids[c],
        quantity: "20",
      });
      expect(bid.status, bid.text).toBe(201);
      const no = (1 - Number(yesBids[c])).toFixed(2);
      const sell = await api.as(who.alice!, "POST", "/v1/orders", {
        clientOrderId: `alice-${c}`,
        marketId: c,
        side: "buy",
        outcome: "NO",
        price: no,
        quantity: "20",
        timeInForce: "IOC",
      });
      expect(sell.status, sell.text).toBe(201);
      expect((sell.body as { filledQuantity: string }).filledQuantity).toBe("20");
    }
    // alice paid 20 × (0.45 + 0.65 + 0.95 + 0.97) = 60.40 for 20 NO of each.
    expect((await cash("alice")).toFixed()).toBe("939.6");
  });

  it("alice converts 20 NO of harris, kennedy and other: 40 back and 20 YES of trump; the event holds 20 for them; a retry changes nothing", async () => {
    const body = { marketIds: ["harris", "kennedy", "other"], quantity: "20", reference: "conv-1" };
    const res = oa.check(
      "POST",
      "/v1/events/{eventId}/convert",
      await api.as(who.alice!, "POST", `/v1/events/${EVENT}/convert`, body),
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ released: "40", quantity: "20" });
    expect((await cash("alice")).toFixed()).toBe("979.6");
    expect(await positionOf("alice", "trump")).toMatchObject({ yes: "20", no: "20" });
    expect(await positionOf("alice", "harris")).toBeUndefined();
    const retry = await api.as(who.alice!, "POST", `/v1/events/${EVENT}/convert`, body);
    expect(retry.status).toBe(200);
    expect((await cash("alice")).toFixed()).toBe("979.6");
    const event = oa.check(
      "GET",
      "/v1/events/{eventId}",
      await api.send({ method: "GET", path: `/v1/events/${EVENT}`, headers: {} }),
    );
    expect(event.body).toMatchObject({ convertedYes: "20", escrow: "20" });
    await api.expectSolvent();
  });

  it("refuses: more NO than alice holds (422 INSUFFICIENT_SHARES), a market outside the event (422 INVALID_EVENT), resolving or challenging one market alone (422 EVENT_MARKET), a challenge or ruling with no proposal (409 NO_PENDING_RESOLUTION), an unknown event (404)", async () => {
    const head = await gw.logLength();
    expectApiError(
      oa.check(
        "POST",
        "/v1/events/{eventId}/convert",
        await api.as(who.alice!, "POST", `/v1/events/${EVENT}/convert`, {
          marketIds: ["trump"],
          quantity: "21",
          reference: "conv-2",
        }),
      ),
      422,
      "INSUFFICIENT_SHARES",
    );
    expectApiError(
      await api.as(who.alice!, "POST", `/v1/events/${EVENT}/convert`, {
        marketIds: ["trump", "nowhere"],
        quantity: "1",
        reference: "conv-3",
      }),
      422,
      "INVALID_EVENT",
    );
    expectApiError(
      await api.op("POST", "/v1/markets/trump/resolve", { outcome: "YES" }),
      422,
      "EVENT_MARKET",
    );
    expectApiError(
      await api.as(who.bob!, "POST", "/v1/markets/harris/challenge", { bond: "100", reference: "early" }),
      422,
      "EVENT_MARKET",
    );
    expectApiError(
      oa.check(
        "POST",
        "/v1/events/{eventId}/challenge",
        await api.as(who.bob!, "POST", `/v1/events/${EVENT}/challenge`, { bond: "100", reference: "early" }),
      ),
      409,
      "NO_PENDING_RESOLUTION",
    );
    expectApiError(
      oa.check(
        "POST",
        "/v1/events/{eventId}/rule",
        await api.op("POST", `/v1/events/${EVENT}/rule`, { winner: "trump" }),
      ),
      409,
      "NO_PENDING_RESOLUTION",
    );
    expectApiError(
      await api.send({ method: "GET", path: "/v1/events/none", headers: {} }),
      404,
      "UNKNOWN_EVENT",
    );
    expect(await gw.logLength()).toBe(head);
  });

  it("harris is proposed with a one-hour window: every market halts, nothing is paid; bob challenges with a 100 bond", async () => {
    const before = await cash("mm");
    const res = oa.check(
      "POST",
      "/v1/events/{eventId}/resolve",
      await api.op("POST", `/v1/events/${EVENT}/resolve`, { winner: "harris", challengeSeconds: 3600 }),
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      status: "open",
      resolution: {
        proposed: "WINNER",
        winner: "harris",
        challengeBond: "100",
        challenges: [],
        ruling: null,
      },
    });
    for (const m of (res.body as { markets: Json[] }).markets) expect(m.status).toBe("halted");
    expectApiError(
      await api.as(who.mm!, "POST", "/v1/orders", {
        clientOrderId: "during-window",
        marketId: "trump",
        side: "buy",
        outcome: "YES",
        price: "0.5",
        quantity: "1",
      }),
      422,
      "MARKET_NOT_OPEN",
    );
    expectApiError(
      await api.op("POST", `/v1/events/${EVENT}/resolve`, { winner: "trump" }),
      409,
      "RESOLUTION_PENDING",
    );
    expect((await cash("mm")).toFixed()).toBe(before.toFixed());
    const bob = await cash("bob");
    const challenged = oa.check(
      "POST",
      "/v1/events/{eventId}/challenge",
      await api.as(who.bob!, "POST", `/v1/events/${EVENT}/challenge`, { bond: "100", reference: "ch-1" }),
    );
    expect(challenged.status, challenged.text).toBe(200);
    expect(challenged.body).toMatchObject({
      resolution: { challenges: [{ accountId: "bob", bond: "100", reference: "ch-1" }] },
    });
    expect((await cash("bob")).toFixed()).toBe(bob.minus(100).toFixed());
    await api.expectSolvent();
  });

  it("the ruling overturns it (trump), returning bob's bond; at finalAt trump's YES pay 1 (mm 20, alice 20), every NO of the others 1; solvency holds and pmx audit passes", async () => {
    const before = { mm: await cash("mm"), alice: await cash("alice"), bob: await cash("bob") };
    const ruled = oa.check(
      "POST",
      "/v1/events/{eventId}/rule",
      await api.op("POST", `/v1/events/${EVENT}/rule`, { winner: "trump" }),
    );
    expect(ruled.status, ruled.text).toBe(200);
    expect(ruled.body).toMatchObject({
      status: "open",
      resolution: {
        proposed: "WINNER",
        winner: "trump",
        ruling: { outcome: "WINNER", winner: "trump", bondsTo: "challengers" },
      },
    });
    expect((await cash("bob")).minus(before.bob).toFixed()).toBe("100");
    expect((await cash("mm")).toFixed()).toBe(before.mm.toFixed()); // nothing paid before finalAt
    await api.setClock(T0 + 2 * 3_600_000);
    const res = oa.check(
      "GET",
      "/v1/events/{eventId}",
      await api.send({ method: "GET", path: `/v1/events/${EVENT}`, headers: {} }),
    );
    expect(res.body).toMatchObject({ status: "resolved", winner: "trump", escrow: "0" });
    const outcomes = (res.body as { markets: Json[] }).markets.map((m) => [m.marketId, m.outcome]);
    expect(outcomes).toEqual([
      ["trump", "YES"],
      ["harris", "NO"],
      ["kennedy", "NO"],
      ["other", "NO"],
    ]);
    // mm: 20 YES of trump → 20 (its YES of the others lose). alice: 20 YES of trump → 20; her 20 NO of trump lose.
    expect((await cash("mm")).minus(before.mm).toFixed()).toBe("20");
    expect((await cash("alice")).minus(before.alice).toFixed()).toBe("20");
    for (const c of CANDIDATES) {
      const m = await api.send({ method: "GET", path: `/v1/markets/${c}`, headers: {} });
      expect((m.body as { escrow: string }).escrow).toBe("0");
    }
    await api.expectSolvent();
    await gw.stop();
    const audit = await runPmx(["audit", "--store", gw.storeUrl]);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
  });
});
