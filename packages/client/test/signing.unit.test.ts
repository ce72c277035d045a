// The client signs exactly as the gateway verifies: the same HMAC for a secret, an Ed25519 signature the gateway's
// check accepts for a private key, and a bearer token for the operator; a public client sends no credentials.
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ed25519Verifies, signature } from "../../../services/gateway/src/http/auth.js";
import { authHeaders, ed25519Signature, hmacSignature } from "../src/signing.js";

describe("request signing", () => {
  const args = ["1730851200000", "post", "/v1/orders?x=1", '{"a":1}'] as const;

  it("HMAC: the gateway's own signature of timestamp + METHOD + path + body", () => {
    expect(hmacSignature("secret", ...args)).toBe(signature("secret", ...args));
    expect(authHeaders({ apiKey: "k", apiSecret: "secret" }, ...args)).toEqual({
      "pmx-key": "k",
      "pmx-timestamp": "1730851200000",
      "pmx-signature": signature("secret", ...args),
    });
  });

  it("Ed25519: a signature the gateway's check accepts for the public key, and refuses for another body", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const raw = publicKey.export({ type: "spki", format: "der" }).subarray(-32).toString("base64");
    const sig = ed25519Signature(pem, ...args);
    const [timestamp, method, path, body] = args;
    expect(ed25519Verifies(raw, timestamp + method.toUpperCase() + path + body, sig)).toBe(true);
    expect(ed25519Verifies(raw, timestamp + method.toUpperCase() + path + '{"a":2}', sig)).toBe(false);
  });

  it("the operator's bearer token; nothing for a public client", () => {
    expect(authHeaders({ operatorToken: "t" }, ...args)).toEqual({ authorization: "Bearer t" });
    expect(authHeaders({}, ...args)).toEqual({});
  });
});
