// How a request proves who sent it: the operator's bearer token, or an account key's signature of
// timestamp + METHOD + pathWithQuery + rawBody (hex HMAC-SHA256 for a secret, base64 Ed25519 for a private key).
import { createHmac, createPrivateKey, sign as signBytes } from "node:crypto";

/** What a client signs its requests with. */
export type Credentials =
  | { readonly operatorToken: string }
  | { readonly apiKey: string; readonly apiSecret: string }
  | { readonly apiKey: string; readonly ed25519PrivateKey: string }
  | Record<string, never>;

/** hex(HMAC-SHA256(secret, timestamp + METHOD + pathWithQuery + rawBody)). */
export function hmacSignature(
  secret: string,
  timestamp: string,
  method: string,
  path: string,
  body: string,
): string {
  return createHmac("sha256", secret)
    .update(timestamp + method.toUpperCase() + path + body)
    .digest("hex");
}

/** base64(Ed25519(privateKey, timestamp + METHOD + pathWithQuery + rawBody)); the key as PKCS#8 PEM. */
export function ed25519Signature(
  pem: string,
  timestamp: string,
  method: string,
  path: string,
  body: string,
): string {
  const key = createPrivateKey(pem);
  return signBytes(null, Buffer.from(timestamp + method.toUpperCase() + path + body, "utf8"), key).toString(
    "base64",
  );
}

/** The headers that authenticate a request (none for a public one). */
export function authHeaders(
  credentials: Credentials,
  timestamp: string,
  method: string,
  path: string,
  body: string,
): Record<string, string> {
  if ("operatorToken" in credentials) return { authorization: `Bearer ${credentials.operatorToken}` };
  if (!("apiKey" in credentials)) return {};
  const signature =
    "apiSecret" in credentials
      ? hmacSignature(credentials.apiSecret, timestamp, method, path, body)
      : ed25519Signature(credentials.ed25519PrivateKey, timestamp, method, path, body);
  return { "pmx-key": credentials.apiKey, "pmx-timestamp": timestamp, "pmx-signature": signature };
}
