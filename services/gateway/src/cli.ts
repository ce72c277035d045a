#!/usr/bin/env node
// The `pmx` command line: serve, replay, audit, lab.
import type { KeyObject } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { openStore, parseStoreUrl } from "@pmx/eventstore";
import { audit } from "./audit.js";
import { type Checkpoint, checkpointSignedBy, publicKeyFromBase64 } from "./checkpoints.js";
import { ConfigError, loadConfig } from "./config.js";
import { STREAM } from "./exchange.js";
import { proofFileProblem } from "./liabilities.js";
import { type Pin, type PinResult, parsePin, replay } from "./replay.js";
import { startGateway } from "./server.js";

/** Each command's usage, printed by `pmx COMMAND --help` and with any error in its arguments. */
const COMMAND_USAGE = {
  serve: `usage: pmx serve [--follow]
  start the gateway (settings from PMX_* variables; see README)
  --follow      tail the log read-only, serve reads, refuse writes (503 naming PMX_LEADER_URL);
                POST /v1/admin/promote makes it the leader`,
  replay: `usage: pmx replay --store URL [--verify] [--expect-head REVISION:HEAD ...] [--json]
  fold the log: event count, hash-chain head, state hash
  --store URL   the event store (or PMX_STORE); --store=URL works too
  --verify      recompute the chain and the state; exit 1 on the first bad event
  --expect-head REVISION:HEAD
                a head you trust (a PMX-HEAD header you kept, a checkpoint): exit 1 unless the log's chain has
                exactly this head after that revision (repeatable)
  --json        the report as one JSON line`,
  audit: `usage: pmx audit --store URL [--operator-key KEY [--checkpoints FILE]] [--json]
  re-decide every recorded command, verify every stored signature (Ed25519 account requests against the keys the log
  registers; operator commands against --operator-key) and check the solvency identity after every event; exit 1 on
  the first difference, naming the command
  --store URL   the event store (or PMX_STORE); --store=URL works too
  --checkpoints FILE
                a saved GET /v1/audit/checkpoints answer: exit 1 unless every checkpoint is signed by the operator
                key and the log has its head and state hash at its revision
  --operator-key KEY
                the operator's public key you saved (GET /v1/audit/operator-key: base64 of 32 bytes): every
                operator-signed command must verify with it
  --json        the report as one JSON line`,
  "verify-liabilities": `usage: pmx verify-liabilities --root ROOT --proof FILE [--json]
  check an account's proof of liabilities: exit 0 when the proof leads from its leaf to ROOT with sums that cover
  the leaf, 1 otherwise
  --root ROOT   the root you trust (GET /v1/audit/liabilities → root, 64 hex), published by the operator
  --proof FILE  a saved GET /v1/account/liabilities-proof answer
  --json        the result as one JSON line`,
} as const;

const USAGE = `usage:
  pmx serve [--follow]                       start the gateway (settings from PMX_* variables; see README)
                                             --follow: tail the log read-only, serve reads, refuse writes (503
                                             naming PMX_LEADER_URL); POST /v1/admin/promote makes it the leader
  pmx replay --store URL [--verify] [--expect-head REVISION:HEAD ...] [--json]
                                             fold the log: event count, hash-chain head, state hash
                                             --verify: recompute the chain and the state; exit 1 on the first bad event
                                             --expect-head: exit 1 unless the chain has this head after that revision
  pmx audit --store URL [--operator-key KEY [--checkpoints FILE]] [--json]
                                             re-decide every recorded command, verify its stored signature and
                                             check the solvency identity after every event; exit 1 on the first
                                             difference (--operator-key: operator signatures must verify with it)
                                             --checkpoints: exit 1 unless each saved checkpoint is the key's and the
                                             log has its head and state hash at its revision
  pmx verify-liabilities --root ROOT --proof FILE [--json]
                                             check an account's proof of liabilities against a published root
  pmx lab [--scenario NAME] [--policies A,B] [--html FILE] [--json FILE]
                                             the jump-risk lab: replay a price path under risk policies (pmx lab --help)
  pmx COMMAND --help                         one command's options
store URLs: sqlite:PATH | memory: | esdb://USER:PASSWORD@HOST:PORT?tls=true
options take their value as --name VALUE or --name=VALUE; an unknown option or a stray argument exits 2`;

/** Wrong arguments: exit 2 with the message and the command's usage. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

const HELP = { help: { type: "boolean", short: "h" } } as const;
const SPECS = {
  serve: { ...HELP, follow: { type: "boolean" } },
  replay: {
    ...HELP,
    store: { type: "string" },
    verify: { type: "boolean" },
    json: { type: "boolean" },
    "expect-head": { type: "string", multiple: true },
  },
  audit: {
    ...HELP,
    store: { type: "string" },
    json: { type: "boolean" },
    checkpoints: { type: "string" },
    "operator-key": { type: "string" },
  },
  "verify-liabilities": {
    ...HELP,
    root: { type: "string" },
    proof: { type: "string" },
    json: { type: "boolean" },
  },
} as const satisfies Record<keyof typeof COMMAND_USAGE, ParseArgsConfig["options"]>;

/** Strict `parseArgs` of one command's arguments: unknown options, missing values and positionals are usage errors. */
function parse<C extends keyof typeof SPECS>(command: C, args: string[]) {
  try {
    return parseArgs({ args, options: SPECS[command], strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`pmx ${command}: ${(error as Error).message}`, COMMAND_USAGE[command]);
  }
}

/**
 * The positions an auditor pins: `--expect-head REVISION:HEAD` (replay), or a saved checkpoints answer whose every
 * signature must be the operator key's (audit). A malformed pin, file or key, or a bad signature, is an error.
 */
function pinsOf(
  command: "replay" | "audit",
  heads: string[] | undefined,
  checkpointsFile: string | undefined,
  operatorKey: string | undefined,
): { pins: Pin[] | undefined; signed: number; key?: KeyObject } {
  if (heads) {
    const pins = heads.map((text) => {
      const pin = parsePin(text);
      if (!pin)
        throw new UsageError(
          `pmx ${command}: --expect-head ${text} is not REVISION:HEAD (64 hex)`,
          COMMAND_USAGE[command],
        );
      return pin;
    });
    return { pins, signed: 0 };
  }
  if (checkpointsFile === undefined && operatorKey === undefined) return { pins: undefined, signed: 0 };
  if (operatorKey === undefined)
    throw new UsageError(`pmx ${command}: --checkpoints needs --operator-key`, COMMAND_USAGE[command]);
  let key: KeyObject;
  try {
    key = publicKeyFromBase64(operatorKey);
  } catch (error) {
    throw new UsageError(
      `pmx ${command}: --operator-key: ${(error as Error).message}`,
      COMMAND_USAGE[command],
    );
  }
  // The key alone: the audit checks the operator's signatures of commands with it.
  if (checkpointsFile === undefined) return { pins: undefined, signed: 0, key };
  const saved = JSON.parse(readFileSync(checkpointsFile, "utf8")) as { checkpoints?: Checkpoint[] };
  const checkpoints = saved.checkpoints;
  if (!Array.isArray(checkpoints) || checkpoints.length === 0)
    throw new ConfigError(
      `${checkpointsFile} holds no checkpoints (save a GET /v1/audit/checkpoints answer)`,
    );
  for (const c of checkpoints)
    if (!checkpointSignedBy(c, key))
      throw new CheckpointRefused(
        `the checkpoint at revision ${c.revision} is not signed by the operator key`,
      );
  return {
    pins: checkpoints.map((c) => ({ revision: c.revision, head: c.head, stateHash: c.stateHash })),
    signed: checkpoints.length,
    key,
  };
}

/** A checkpoint the operator key did not sign: the audit fails (exit 1), it is not a usage error. */
class CheckpointRefused extends Error {}

function printPins(pins: PinResult[] | undefined): void {
  for (const p of pins ?? [])
    process.stdout.write(
      p.ok
        ? `pinned head at revision ${p.revision}: matches\n`
        : `FAILED: pinned revision ${p.revision}: ${p.problem}\n`,
    );
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "serve": {
      const values = parse("serve", args);
      if (values.help) {
        process.stdout.write(`${COMMAND_USAGE.serve}\n`);
        return 0;
      }
      const config = loadConfig();
      if (values.follow) config.follow = true;
      const gateway = await startGateway(config);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        gateway.app.log.info({ signal }, "shutting down: draining in-flight commands");
        gateway
          .close()
          .then(() => process.exit(0))
          .catch((error) => {
            gateway.app.log.error({ err: error }, "shutdown failed");
            process.exit(1);
          });
      };
      process.on("SIGINT", () => stop("SIGINT"));
      process.on("SIGTERM", () => stop("SIGTERM"));
      return -1;
    }
    case "replay":
    case "audit": {
      const values =
        command === "replay"
          ? { ...parse("replay", args), checkpoints: undefined, "operator-key": undefined }
          : { ...parse("audit", args), verify: false, "expect-head": undefined };
      if (values.help) {
        process.stdout.write(`${COMMAND_USAGE[command]}\n`);
        return 0;
      }
      const pins = pinsOf(command, values["expect-head"], values.checkpoints, values["operator-key"]);
      const url = values.store ?? process.env.PMX_STORE;
      if (!url) throw new UsageError(`pmx ${command}: --store URL is required`, COMMAND_USAGE[command]);
      const json = values.json === true;
      // An auditor's typo must not pass as an empty, "verified" log: the file has to be there already.
      const where = parseStoreUrl(url);
      if (where.kind === "sqlite" && where.path !== ":memory:" && !existsSync(where.path))
        throw new ConfigError(`no event log at ${where.path}`);
      // Read-only: a replay or an audit never writes the log, so a version-1 file is read as it is (not migrated).
      const store = openStore(
        url,
        where.kind === "sqlite" && where.path !== ":memory:" ? { readOnly: true } : {},
      );
      try {
        if (command === "replay") {
          const verify = values.verify === true;
          const r = await replay(store, STREAM, { verify, progress: !json, pins: pins.pins });
          if (json) process.stdout.write(`${JSON.stringify(r)}\n`);
          else {
            process.stdout.write(
              `events      ${r.events}\ncommands    ${r.commands}\nhead        ${r.head}\nstate hash  ${r.stateHash}\ntime        ${r.ms} ms\n`,
            );
            if (r.bad)
              process.stdout.write(
                `FAILED: event ${r.bad.revision} (id ${r.bad.id}, ${r.bad.type}) does not verify: ${r.bad.problem}\n`,
              );
            for (const v of r.violations ?? []) process.stdout.write(`FAILED: ${v}\n`);
            printPins(r.pins);
            if (verify && r.ok)
              process.stdout.write("verified: every event's hash and the state's invariants hold\n");
          }
          return r.ok ? 0 : 1;
        }
        // Checkpoints first: a log that is not the one the operator signed fails whatever it re-decides to.
        const pinned = pins.pins
          ? await replay(store, STREAM, { verify: false, progress: false, pins: pins.pins })
          : null;
        const r = await audit(
          store,
          STREAM,
          pins.key ? { progress: !json, operatorKey: pins.key } : { progress: !json },
        );
        const checkpointsOk = pinned === null || (pinned.pins ?? []).every((p) => p.ok);
        if (json)
          process.stdout.write(
            `${JSON.stringify(pinned === null ? r : { ...r, ok: r.ok && checkpointsOk, checkpoints: pins.signed, pins: pinned.pins })}\n`,
          );
        else {
          process.stdout.write(
            `events      ${r.events}\ncommands    ${r.commands}\nhead        ${r.head}\nstate hash  ${r.stateHash}\ntime        ${r.ms} ms\n`,
          );
          process.stdout.write(
            r.failure
              ? `FAILED at event ${r.failure.revision} (command ${r.failure.seq}): ${r.failure.problem}\n`
              : "audit passed: every command re-decides to its recorded events; solvency held after every event\n",
          );
          process.stdout.write(
            `signatures  ${r.signaturesVerified} verified; ${r.unsignedAccountCommands} account commands unsigned${r.operatorSignaturesUnchecked > 0 ? `; ${r.operatorSignaturesUnchecked} operator signatures unchecked (no --operator-key)` : ""}\n`,
          );
          if (pinned) {
            process.stdout.write(`checkpoints ${pins.signed} signed by the operator key\n`);
            printPins(pinned.pins);
          }
        }
        return r.ok && checkpointsOk ? 0 : 1;
      } finally {
        await store.close();
      }
    }
    case "verify-liabilities": {
      const values = parse("verify-liabilities", args);
      if (values.help) {
        process.stdout.write(`${COMMAND_USAGE["verify-liabilities"]}\n`);
        return 0;
      }
      const usage = COMMAND_USAGE["verify-liabilities"];
      if (!values.root || !/^[0-9a-f]{64}$/.test(values.root))
        throw new UsageError("pmx verify-liabilities: --root is the root's 64 hex digits", usage);
      if (!values.proof) throw new UsageError("pmx verify-liabilities: --proof FILE is required", usage);
      if (!existsSync(values.proof)) throw new ConfigError(`no proof file at ${values.proof}`);
      const problem = proofFileProblem(readFileSync(values.proof, "utf8"), values.root);
      if (values.json === true)
        process.stdout.write(
          `${JSON.stringify({ ok: problem === null, ...(problem ? { problem } : {}) })}\n`,
        );
      else
        process.stdout.write(
          problem === null
            ? "verified: the proof leads from the leaf to the root, and the total covers the leaf\n"
            : `FAILED: ${problem}\n`,
        );
      return problem === null ? 0 : 1;
    }
    case "lab": {
      const { runLabCli } = await import("@pmx/lab");
      return runLabCli(args);
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${error.usage}\n`);
      process.exitCode = 2;
      return;
    }
    if (error instanceof CheckpointRefused) {
      process.stdout.write(`FAILED: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`pmx: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  },
);
