// `pmx audit`'s check of who authorized each command: account requests signed with an Ed25519 key registered in the
// log, and operator commands signed with the operator key. Reads only the log (and the operator key, when given).
import { type KeyObject, verify as verifyBytes } from "node:crypto";
import { canonicalJson, type LogCommand } from "@pmx/domain";
import { operatorCommandMessage, type RecordedCommand, type SignedRequest } from "@pmx/projections";
import { commandsOfSignedRequest } from "./http/account-commands.js";
import { ed25519Verifies, signedText } from "./http/auth.js";

/** Commands only an account sends (no operator route gives them). */
const ACCOUNT_ONLY = new Set<LogCommand["type"]>([
  "PlaceOrder",
  "CancelOrder",
  "Withdraw",
  "ConvertPositions",
  "SupplyPool",
  "RedeemPool",
  "ChallengeResolution",
  "SetBackstopBid",
  "ReducePosition",
  "AddMargin",
  "RevokeAccountKey",
]);
/** Commands an account sends, and the operator may send for it too. */
const ACCOUNT_OR_OPERATOR = new Set<LogCommand["type"]>(["CancelAllOrders", "RegisterAccountKey"]);

/**
 * How far a signed request's timestamp may be from the command's time (ms): the gateway admits ±30 s of its clock,
 * and the command is stamped when the sequencer decides it, a little later.
 */
export const SIGNED_TIME_SLACK_MS = 60_000;

interface RegisteredKey {
  accountId: string;
  publicKey: string;
  scope: "trade" | "read";
  revoked: boolean;
}

const accountIdOf = (c: LogCommand): string | null =>
  "accountId" in c && typeof c.accountId === "string" ? c.accountId : null;

const withoutTime = (c: LogCommand): string => {
  const { at: _at, ...rest } = c;
  return canonicalJson(rest);
};

export class SignatureAudit {
  /** Signatures that verified: account requests (one per command they gave) and operator commands. */
  signaturesVerified = 0;
  /** Commands an account sends that carry no signature (sent with an HMAC key, or before keys were signed). */
  unsignedAccountCommands = 0;
  /** Operator signatures not checked because no operator key was given. */
  operatorSignaturesUnchecked = 0;
  private readonly keys = new Map<string, RegisteredKey>();
  /**
   * Signatures stored in full, with their request's timestamp: each signed request is stored once. One older than
   * twice the slack before the current command's time could not be stored again anyway (its timestamp would be out
   * of range), so such entries are dropped and memory stays bounded by the signed commands of a few minutes.
   */
  private readonly seen = new Map<string, number>();
  /** The last signed request stored in full, and the commands of it already matched (for its `sameRequest` commands). */
  private request: { commandId: string; auth: SignedRequest; used: Set<number> } | null = null;

  constructor(private readonly operatorKey: KeyObject | null) {}

  /** Null when the command's authorization holds; otherwise what is wrong (the audit fails naming the command). */
  check(recorded: RecordedCommand): string | null {
    const { command, auth, seq } = recorded;
    const name = `command ${seq} (${command.type})`;
    const problem = this.authProblem(recorded, name);
    if (problem !== null) return problem;
    if (auth === undefined && (ACCOUNT_ONLY.has(command.type) || ACCOUNT_OR_OPERATOR.has(command.type))) {
      this.unsignedAccountCommands += 1;
      const accountId = accountIdOf(command);
      // An account with an Ed25519 trade key has its writes signed: the gateway refuses its unsigned ones.
      if (accountId !== null && ACCOUNT_ONLY.has(command.type) && this.signsWithEd25519(accountId))
        return `${name} of account ${accountId} carries no signature, but the account signs its commands with a registered Ed25519 key`;
    }
    this.record(command);
    return null;
  }

  private authProblem(recorded: RecordedCommand, name: string): string | null {
    const { command, auth } = recorded;
    if (auth === undefined) return null;
    if (auth.by === "operator") {
      if (ACCOUNT_ONLY.has(command.type)) return `${name} is an account's command, signed as the operator's`;
      if (!this.operatorKey) {
        this.operatorSignaturesUnchecked += 1;
        return null;
      }
      const message = Buffer.from(operatorCommandMessage(recorded.commandId, command), "utf8");
      let ok = false;
      try {
        ok = verifyBytes(null, message, this.operatorKey, Buffer.from(auth.signature, "base64"));
      } catch {
        ok = false;
      }
      if (!ok) return `${name}: the operator signature does not verify with the operator key`;
      this.signaturesVerified += 1;
      return null;
    }
    let request: SignedRequest;
    if (auth.by === "sameRequest") {
      if (this.request === null || this.request.commandId !== auth.commandId)
        return `${name} names the signed request of command ${auth.commandId}, which is not the last one stored`;
      request = this.request.auth;
    } else {
      request = auth;
      if (this.seen.has(request.signature))
        return `${name} carries a signed request already used by another command`;
      this.seen.set(request.signature, Number(request.timestamp));
      if (this.seen.size > 100_000) this.forgetBefore(recorded.command.at - 2 * SIGNED_TIME_SLACK_MS);
      this.request = { commandId: recorded.commandId, auth: request, used: new Set() };
    }
    const accountId = accountIdOf(command);
    const key = this.keys.get(request.keyId);
    if (!key) return `${name} is signed with key ${request.keyId}, which the log does not register`;
    if (key.revoked) return `${name} is signed with key ${request.keyId}, revoked earlier in the log`;
    if (key.accountId !== accountId)
      return `${name} is signed with key ${request.keyId} of account ${key.accountId}, not of ${accountId}`;
    if (key.scope !== "trade") return `${name} is signed with read key ${request.keyId}`;
    if (
      !ed25519Verifies(
        key.publicKey,
        signedText(request.timestamp, request.method, request.path, request.body),
        request.signature,
      )
    )
      return `${name}: the signature of its stored request does not verify with key ${request.keyId}`;
    const skew = Number(request.timestamp) - command.at;
    if (!/^\d{1,16}$/.test(request.timestamp) || Math.abs(skew) > SIGNED_TIME_SLACK_MS)
      return `${name}: its signed request's timestamp ${request.timestamp} is not within ${SIGNED_TIME_SLACK_MS / 1000} s of the command's time ${command.at}`;
    // The command must be one the signed request gives (as the gateway's route builds it), not yet matched.
    const wanted = withoutTime(command);
    const given = commandsOfSignedRequest(key.accountId, request.method, request.path, request.body);
    const used = this.request!.used;
    const index = given.findIndex((c, i) => !used.has(i) && canonicalJson(c) === wanted);
    if (index < 0)
      return `${name} is not what its signed request (${request.method} ${request.path}) asks for: recorded ${wanted}`;
    used.add(index);
    this.signaturesVerified += 1;
    return null;
  }

  /** Keys registered and revoked by the log's commands. */
  private record(command: LogCommand): void {
    if (command.type === "RegisterAccountKey")
      this.keys.set(command.keyId, {
        accountId: command.accountId,
        publicKey: command.publicKey,
        scope: command.scope,
        revoked: false,
      });
    else if (command.type === "RevokeAccountKey") {
      const key = this.keys.get(command.keyId);
      if (key) key.revoked = true;
    }
  }

  private forgetBefore(timestampMs: number): void {
    for (const [signature, timestamp] of this.seen) if (timestamp < timestampMs) this.seen.delete(signature);
  }

  private signsWithEd25519(accountId: string): boolean {
    for (const k of this.keys.values())
      if (k.accountId === accountId && !k.revoked && k.scope === "trade") return true;
    return false;
  }
}
