// A leveraged position that defaults, through the gateway: funded accounts, a market lending up to 5x with a narrow
// extremity move, and buys by name. The console's tests (its risk views and its pages) drive it the same way.
import { expect } from "vitest";
import type { ApiResponse, Client, Credential } from "./client.js";
import { FEE_FREE } from "./credit.js";

/** The answer has `status` (200 by default); answers it. */
export const ok = <T extends ApiResponse>(res: T, status = 200): T => {
  expect(res.status, res.text).toBe(status);
  return res;
};

/** Two market makers, a lender and two traders, with what each deposits. */
export const TRADERS: [string, string][] = [
  ["mm", "10000"],
  ["mm2", "10000"],
  ["lp", "10000"],
  ["alice", "1000"],
  ["bob", "1000"],
];

/** Opens each account and deposits its amount; answers the credentials by name. */
export async function openFunded(
  api: Client,
  deposits: [string, string][],
): Promise<Record<string, Credential>> {
  const who: Record<string, Credential> = {};
  for (const [name, amount] of deposits) {
    who[name] = await api.openAccount(name);
    await api.deposit(name, amount, `wire-${name}`);
  }
  return who;
}

/** A market without fees lending up to 5x, whose leverage cap falls fast with extremity (extremityMove 0.1). */
export const leveragedMarket = (marketId: string) => ({
  marketId,
  question: `Will ${marketId} happen?`,
  tickSize: "0.01",
  resolvesAt: "2030-01-01T00:00:00Z",
  takerFeeBps: 0,
  ...FEE_FREE,
  maxLeverage: "5",
  extremityMove: "0.1",
});

/** `POST /v1/orders` buys in `marketId`: GTC at 1x, IOC when leveraged. */
export const buyer =
  (api: Client, who: Record<string, Credential>, marketId: string) =>
  (name: string, outcome: string, price: string, quantity: number, leverage = "1") =>
    api.as(who[name]!, "POST", "/v1/orders", {
      clientOrderId: `${name}-${outcome}-${price}-${leverage}`,
      marketId,
      side: "buy",
      outcome,
      price,
      quantity: String(quantity),
      timeInForce: leverage === "1" ? "GTC" : "IOC",
      leverage,
    });
