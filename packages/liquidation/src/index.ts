// @pmx/liquidation: the pure risk maths of the credit layer (decimal.js; no events, clock, randomness or I/O).
export * as Auction from "./auction.js";
export * as Money from "./decimal.js";
export * as Funding from "./funding.js";
export * as Leverage from "./leverage.js";
export * as Liquidation from "./liquidation-plan.js";
export * as Marks from "./mark.js";
export * as RiskParams from "./params.js";
export * as PoolValue from "./pool-value.js";
export * as Margin from "./position.js";
export * as Simulation from "./simulate.js";
export * as SocializedLoss from "./socialized-loss.js";
export * as Waterfall from "./waterfall.js";
