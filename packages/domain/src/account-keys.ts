// Account keys in the log: an account's Ed25519 public keys, registered and revoked by commands of their own, so an
// auditor learns from the log alone which key may sign which account's commands. They change no exchange state.
import { type Either, left, right } from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import { EpochMs, exactType, Identifier } from "./codecs.js";
import { type Rejection, reject } from "./rejection.js";
import type { State } from "./state.js";

/** base64 of the 32 raw bytes of an Ed25519 public key (44 characters, one `=`). */
export const Ed25519PublicKey = new t.Type<string, string, unknown>(
  "Ed25519PublicKey",
  (u): u is string => typeof u === "string" && /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/.test(u),
  (u, c) =>
    typeof u === "string" && /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/.test(u)
      ? t.success(u)
      : t.failure(u, c, "base64 of exactly 32 bytes"),
  t.identity,
);
export const KeyScope = t.keyof({ trade: null, read: null }, "KeyScope");

const keyFields = {
  accountId: Identifier,
  keyId: Identifier,
  algorithm: t.literal("ed25519"),
  publicKey: Ed25519PublicKey,
  scope: KeyScope,
};

export const RegisterAccountKey = exactType(
  { type: t.literal("RegisterAccountKey"), at: EpochMs, ...keyFields },
  "RegisterAccountKey",
);
export const RevokeAccountKey = exactType(
  { type: t.literal("RevokeAccountKey"), at: EpochMs, accountId: Identifier, keyId: Identifier },
  "RevokeAccountKey",
);
/** Commands about an account's keys: kept apart from `Command` (the exchange's own commands). */
export const AccountKeyCommand = t.union([RegisterAccountKey, RevokeAccountKey]);
export type AccountKeyCommand = t.TypeOf<typeof AccountKeyCommand>;

export const AccountKeyRegistered = exactType(
  { type: t.literal("AccountKeyRegistered"), ...keyFields },
  "AccountKeyRegistered",
);
export const AccountKeyRevoked = exactType(
  { type: t.literal("AccountKeyRevoked"), accountId: Identifier, keyId: Identifier },
  "AccountKeyRevoked",
);
type KeyEvent = t.TypeOf<typeof AccountKeyRegistered> | t.TypeOf<typeof AccountKeyRevoked>;

/** A key command is accepted for an account that exists; which keys are live is the gateway's and the audit's record. */
export function decideAccountKey(command: AccountKeyCommand, state: State): Either<Rejection, KeyEvent[]> {
  if (!state.accounts.has(command.accountId))
    return left(
      reject("UNKNOWN_ACCOUNT", `no account ${command.accountId}`, { accountId: command.accountId }),
    );
  if (command.type === "RevokeAccountKey")
    return right([{ type: "AccountKeyRevoked", accountId: command.accountId, keyId: command.keyId }]);
  const { type: _type, at: _at, ...key } = command;
  return right([{ type: "AccountKeyRegistered", ...key }]);
}
