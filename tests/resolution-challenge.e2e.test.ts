// Issue 15, resolution with a challenge window, end to end through the real gateway (SQLite, manual clock): a market
// with two holders, a proposal challengeable for an hour, a challenge with a bond, a ruling that overturns the
// proposal, payouts per the final outcome only, the solvency identity balanced, and `pmx audit` passing on the log.
import { afterAll, describe, expect, it } from "vitest";
import { Client, type Credential, expectApiError, type Json } from "./support/client.js";
import { readEvents, runPmx, startGateway, stopAllGateways, T0 } from "./support/gateway.js";

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

afterAll(stopAllGateways);

describe("a challenged proposal overturned by the operator's ruling, through the gateway", () => {
  it("YES proposed for an hour, challenged by carol (bond 100), ruled NO: nothing paid during the window, bob paid 100 on NO, carol's bond back, the log audits", async () => {
    const gateway = await startGateway();
    const api = new Client(gateway.url, gateway.token);
    await api.setClock(T0);
    const who: Record<string, Credential> = {};
    for (const name of ["alice", "bob", "carol"]) {
      who[name] = await api.openAccount(name);
      await api.deposit(name, "1000", `wire-${name}`);
    }
    await api.listMarket({ marketId: "m1", resolvesAt: "2030-01-01T00:00:00Z" });
    const order = (name: string, outcome: "YES" | "NO", price: string, id: string) =>
      api.as(who[name]!, "POST", "/v1/orders", {
        clientOrderId: id,
        marketId: "m1",
        side: "buy",
        outcome,
        price,
        quantity: "100",
      });
    expect((await order("bob", "NO", "0.4", "bob-no")).status).toBe(201);
    expect((await order("alice", "YES", "0.6", "alice-yes")).status).toBe(201); // a MINT: alice 100 YES, bob 100 NO
    const account = async (name: string): Promise<Json> => {
      const res = await api.as(who[name]!, "GET", "/v1/account");
      expect(res.status, res.text).toBe(200);
      return res.body;
    };
    const market = async (): Promise<Json> => {
      const res = await api.send({ method: "GET", path: "/v1/markets/m1", headers: {} });
      expect(res.status, res.text).toBe(200);
      return res.body;
    };

    // The proposal: the market halts and shows its resolution; nothing is paid.
    const proposedAt = T0 + HOUR;
    await api.setClock(proposedAt);
    const proposed = await api.op("POST", "/v1/markets/m1/resolve", {
      outcome: "YES",
      challengeSeconds: 3600,
    });
    expect(proposed.status, proposed.text).toBe(200);
    const resolution = {
      proposed: "YES",
      proposedAt: iso(proposedAt),
      finalAt: iso(proposedAt + HOUR),
      challengeBond: "100",
      challenges: [],
      ruling: null,
    };
    expect(proposed.body).toMatchObject({ status: "halted", phase: "halted", resolution });
    expect((await market()).resolution).toEqual(resolution);
    expect((await account("alice")).cash).toBe("940");
    expectApiError(await order("carol", "NO", "0.5", "late"), 422, "MARKET_NOT_OPEN");
    expectApiError(
      await api.op("POST", "/v1/markets/m1/resolve", { outcome: "NO", challengeSeconds: 60 }),
      409,
      "RESOLUTION_PENDING",
    );
    expectApiError(await api.op("POST", "/v1/markets/m1/rule", { outcome: "NO" }), 409, "NOT_CHALLENGED");

    // The challenge: a bond reserved from carol's cash; a retry appends nothing; too small a bond is refused.
    await api.setClock(proposedAt + 10 * 60_000);
    const challenge = { bond: "100", reference: "ch-1" };
    const challenged = await api.as(who.carol!, "POST", "/v1/markets/m1/challenge", challenge);
    expect(challenged.status, challenged.text).toBe(200);
    expect(challenged.body.resolution.challenges).toEqual([
      { accountId: "carol", bond: "100", reference: "ch-1", at: iso(proposedAt + 10 * 60_000) },
    ]);
    const length = await gateway.logLength();
    expect((await api.as(who.carol!, "POST", "/v1/markets/m1/challenge", challenge)).status).toBe(200);
    expect(await gateway.logLength()).toBe(length);
    expectApiError(
      await api.as(who.bob!, "POST", "/v1/markets/m1/challenge", { bond: "99", reference: "b" }),
      422,
      "BOND_TOO_SMALL",
    );
    expect(await account("carol")).toMatchObject({ cash: "900", reserved: "100" });

    // Past finalAt, challenged: the clock's tick resolves nothing; a late challenge is refused.
    await api.setClock(proposedAt + 2 * HOUR);
    expect((await market()).status).toBe("halted");
    expectApiError(
      await api.as(who.bob!, "POST", "/v1/markets/m1/challenge", { bond: "100", reference: "late" }),
      422,
      "CHALLENGE_WINDOW_CLOSED",
    );
    expect((await account("bob")).cash).toBe("960");

    // The ruling overturns the proposal: NO is final, the bond goes back, bob's NO shares pay 1 each.
    const ruled = await api.op("POST", "/v1/markets/m1/rule", { outcome: "NO" });
    expect(ruled.status, ruled.text).toBe(200);
    expect(ruled.body).toMatchObject({ status: "resolved", outcome: "NO" });
    expect(ruled.body.resolution).toBeUndefined();
    expect(await account("alice")).toMatchObject({ cash: "940", reserved: "0" });
    expect(await account("bob")).toMatchObject({ cash: "1060", reserved: "0" });
    expect(await account("carol")).toMatchObject({ cash: "1000", reserved: "0" });
    await api.expectSolvent();

    const log = readEvents(gateway.dbPath);
    const types = log.map((e) => e.type).filter((type) => type !== "ClockAdvanced");
    const from = types.indexOf("ResolutionProposed");
    expect(types.slice(from - 1)).toEqual([
      "MarketHalted",
      "ResolutionProposed",
      "ResolutionChallenged",
      "ResolutionRuled",
      "MarketResolved",
      "PositionSettled",
      "PositionSettled",
    ]);
    expect(log.find((e) => e.type === "ResolutionRuled")!.data).toMatchObject({
      outcome: "NO",
      bondsTo: "challengers",
    });

    // The bond moved within cash + reserved and back: carol's activity shows only her deposit.
    const activity = await api.as(who.carol!, "GET", "/v1/account/activity");
    expect(activity.status, activity.text).toBe(200);
    expect(activity.body.entries.map((e: Json) => e.type)).toEqual(["deposit"]);

    expect(await gateway.stop()).toBe(0);
    const audited = await runPmx(["audit", "--store", gateway.storeUrl]);
    expect(audited.code, audited.stdout + audited.stderr).toBe(0);
  }, 120_000);

  it("a ruling that confirms the proposal pays the bond to market:m2, shown in the challenger's activity as challenge_bond −100; the log audits", async () => {
    const gateway = await startGateway();
    const api = new Client(gateway.url, gateway.token);
    await api.setClock(T0);
    const dave = await api.openAccount("dave");
    await api.deposit("dave", "1000", "wire-dave");
    await api.listMarket({ marketId: "m2", resolvesAt: "2030-01-01T00:00:00Z" });
    const proposed = await api.op("POST", "/v1/markets/m2/resolve", { outcome: "NO", challengeSeconds: 600 });
    expect(proposed.status, proposed.text).toBe(200);
    const challenged = await api.as(dave, "POST", "/v1/markets/m2/challenge", {
      bond: "100",
      reference: "d-1",
    });
    expect(challenged.status, challenged.text).toBe(200);
    await api.setClock(T0 + 600_000);
    const ruled = await api.op("POST", "/v1/markets/m2/rule", { outcome: "NO" });
    expect(ruled.status, ruled.text).toBe(200);
    expect(ruled.body).toMatchObject({ status: "resolved", outcome: "NO", insurance: "100" });
    const account = await api.as(dave, "GET", "/v1/account");
    expect(account.body).toMatchObject({ cash: "900", reserved: "0" });
    const activity = await api.as(dave, "GET", "/v1/account/activity");
    expect(activity.body.entries[0]).toMatchObject({
      type: "challenge_bond",
      marketId: "m2",
      amount: "-100",
      cashAfter: "900",
    });
    await api.expectSolvent();
    expect(await gateway.stop()).toBe(0);
    const audited = await runPmx(["audit", "--store", gateway.storeUrl]);
    expect(audited.code, audited.stdout + audited.stderr).toBe(0);
  }, 120_000);
});
