// Account keys in the log (account-keys.ts): a registration or revocation of an existing account is recorded as an
// event that changes no exchange state; one for an account that does not exist is refused.
import { describe, expect, it } from "vitest";
import { LogCommand } from "../src/commands.js";
import { given } from "./given.js";

const bob_opened = [{ type: "AccountOpened" as const, accountId: "bob" }];
const bobKey = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

describe("account keys", () => {
  it("given bob's account, when his Ed25519 key is registered, then AccountKeyRegistered records it and nothing else changes", () => {
    const { state } = given(bob_opened)
      .when({
        type: "RegisterAccountKey",
        accountId: "bob",
        keyId: "ek_0123456789abcdef01234567",
        algorithm: "ed25519",
        publicKey: bobKey,
        scope: "trade",
      })
      .then([
        {
          type: "AccountKeyRegistered",
          accountId: "bob",
          keyId: "ek_0123456789abcdef01234567",
          algorithm: "ed25519",
          publicKey: bobKey,
          scope: "trade",
        },
      ]);
    expect(state.accounts.get("bob")!.cash.toFixed()).toBe("0");
  });

  it("given bob's account, when a key is revoked, then AccountKeyRevoked records it", () => {
    given(bob_opened)
      .when({ type: "RevokeAccountKey", accountId: "bob", keyId: "ek_0123456789abcdef01234567" })
      .then([{ type: "AccountKeyRevoked", accountId: "bob", keyId: "ek_0123456789abcdef01234567" }]);
  });

  it("given no account, when a key is registered for it, then UNKNOWN_ACCOUNT", () => {
    given([])
      .when({
        type: "RegisterAccountKey",
        accountId: "ghost",
        keyId: "ek_0123456789abcdef01234567",
        algorithm: "ed25519",
        publicKey: bobKey,
        scope: "read",
      })
      .thenRejects("UNKNOWN_ACCOUNT");
  });

  it("a public key that is not base64 of exactly 32 bytes is not a valid command", () => {
    const command = {
      type: "RegisterAccountKey",
      at: 1,
      accountId: "bob",
      keyId: "ek_1",
      algorithm: "ed25519",
      scope: "trade",
    };
    expect(LogCommand.is({ ...command, publicKey: bobKey })).toBe(true);
    for (const publicKey of ["AAAA", `${bobKey.slice(0, 42)}B=`, `${bobKey}=`, bobKey.replace("=", "")])
      expect(LogCommand.decode({ ...command, publicKey })._tag, publicKey).toBe("Left");
  });
});
