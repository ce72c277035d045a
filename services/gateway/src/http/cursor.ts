// Page cursors: opaque to clients, a log position (or a number the log gave) inside. A cursor names the list it
// came from (kind and scope) and the position to continue from, so it survives restarts and works on followers.
import { gatewayError } from "./errors.js";

/** The cursor of `kind` lists (trades, fills, …) scoped to `scope` (a market, an account…), at `position`. */
export function encodeCursor(kind: string, scope: string, position: number): string {
  return Buffer.from(JSON.stringify([kind, scope, position]), "utf8").toString("base64url");
}

/** The position a cursor names; 400 INVALID_CURSOR when it is not one this list (kind and scope) gave. */
export function decodeCursor(cursor: string | undefined, kind: string, scope: string): number | null {
  if (cursor === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    parsed = null;
  }
  if (
    Array.isArray(parsed) &&
    parsed.length === 3 &&
    parsed[0] === kind &&
    parsed[1] === scope &&
    Number.isSafeInteger(parsed[2]) &&
    (parsed[2] as number) >= 0
  )
    return parsed[2] as number;
  throw gatewayError(
    "INVALID_CURSOR",
    "query: cursor: not a cursor of this list (pass nextCursor as the previous page of the same list gave it)",
    { cursor },
  );
}
