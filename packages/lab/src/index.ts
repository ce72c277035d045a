// @pmx/lab: the jump-risk lab. Price paths and a simulated population run through the real decider under each risk
// policy; per-policy results, the fair-fee question, and the JSON / HTML / terminal reports.
export { LAB_USAGE, runLabCli, scenarioFromArgs } from "./cli.js";
export * from "./event-lab.js";
export * from "./exchange.js";
export * from "./lab.js";
export * from "./paths.js";
export * from "./policy.js";
export * from "./population.js";
export * from "./prng.js";
export { colorOf, comparisonRows, htmlReport, money2, terminalSummary } from "./report.js";
export * from "./scenario.js";
export * from "./simulate.js";
export * from "./stats.js";
export { type RunTask, runTask } from "./task.js";
