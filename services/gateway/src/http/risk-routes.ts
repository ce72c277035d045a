// Read-only routes of the operator console's risk views: leveraged positions by distance to liquidation, each bad
// debt's waterfall (operator), a pool's share value over time and a call auction's indicative price (public).
import { auctionView, badDebtView, riskPositionsView, shareValuePointView } from "@pmx/projections";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type * as t from "io-ts";
import type { Exchange } from "../exchange.js";
import * as B from "./bodies.js";
import { ApiError } from "./errors.js";

export interface RiskRouteDeps {
  exchange: Exchange;
  /** Throws the API error of a request that is not the operator's. */
  operator: (req: FastifyRequest) => void;
  /** Decodes with the codec, else throws the 400 naming the field (app.ts's decodeOr400). */
  decode: <A>(codec: t.Decoder<unknown, A>, value: unknown, where: string) => A;
}

export function registerRiskRoutes(app: FastifyInstance, deps: RiskRouteDeps): void {
  const { exchange, operator, decode } = deps;
  const state = () => exchange.projection.state;
  const marketOr404 = (marketId: string) => {
    const m = state().markets.get(marketId);
    if (!m) throw new ApiError(404, "UNKNOWN_MARKET", `no market ${marketId}`, { marketId });
    return m;
  };
  const query = (req: FastifyRequest) => ({ ...(req.query as object) });

  app.get("/v1/risk/positions", async (req) => {
    operator(req);
    const q = decode(B.RiskPositionsQuery, query(req), "query");
    if (q.marketId !== undefined) marketOr404(q.marketId);
    const positions = riskPositionsView(state(), q);
    return { positions: positions.slice(0, q.limit ?? 100), total: positions.length };
  });
  app.get("/v1/risk/bad-debts", async (req) => {
    operator(req);
    const q = decode(B.BadDebtsQuery, query(req), "query");
    if (q.marketId !== undefined) marketOr404(q.marketId);
    const all = exchange.projection.riskRecord.badDebtsOf(q.marketId);
    const limit = q.limit ?? 100;
    const newest = all.slice(Math.max(0, all.length - limit)).reverse();
    return { badDebts: newest.map(badDebtView), total: all.length };
  });
  app.get("/v1/markets/:marketId/pool/history", async (req) => {
    const { marketId } = decode(B.MarketIdParam, req.params, "path");
    const q = decode(B.PoolHistoryQuery, query(req), "query");
    marketOr404(marketId);
    const all = exchange.projection.riskRecord.shareValuesOf(marketId);
    const limit = q.limit ?? 1000;
    return { marketId, points: all.slice(Math.max(0, all.length - limit)).map(shareValuePointView) };
  });
  app.get("/v1/markets/:marketId/auction", async (req) => {
    const { marketId } = decode(B.MarketIdParam, req.params, "path");
    decode(B.NoQuery, query(req), "query");
    return auctionView(state(), marketOr404(marketId));
  });
}
