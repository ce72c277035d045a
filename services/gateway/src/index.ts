// @pmx/gateway: the service (HTTP + WebSocket API, sequencer, auth, clock) and the replay/audit tools, for embedding and tests.

export { type AuditReport, audit } from "./audit.js";
export { type Clock, ManualClock, SystemClock } from "./clock.js";
export { ConfigError, type GatewayConfig, loadConfig } from "./config.js";
export { Exchange, LogCorruptError, rebuild, STREAM } from "./exchange.js";
export { signature } from "./http/auth.js";
export { type ReplayReport, replay } from "./replay.js";
export { type CommandInput, type Outcome, Sequencer, SequencerUnavailable } from "./sequencer.js";
export { type RunningGateway, startGateway } from "./server.js";
export { SnapshotStore } from "./snapshots.js";
export { Snapshotter } from "./snapshotter.js";
