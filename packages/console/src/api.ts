// The console's only way to the exchange: the documented HTTP API of this origin, with the operator token
// (kept in sessionStorage, sent as Authorization: Bearer) on every request.

const TOKEN_KEY = "pmx.operatorToken";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (t: string): void => sessionStorage.setItem(TOKEN_KEY, t),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

/** Listeners told when the gateway refuses the token (401): the console then asks for it again. */
const onUnauthorized: (() => void)[] = [];
export const whenUnauthorized = (f: () => void): void => {
  onUnauthorized.push(f);
};

// biome-ignore lint/suspicious/noExplicitAny: answers are the API's JSON, typed where read
export type Json = any;

export async function api(method: string, path: string, body?: unknown, bearer = token.get()): Promise<Json> {
  const headers: Record<string, string> = {};
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "omit",
    cache: "no-store",
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const e = json?.error ?? { code: `HTTP_${res.status}`, message: res.statusText };
    // Only a refusal of the token kept for the session logs out (a login attempt's refusal is the login's to show).
    if (res.status === 401 && bearer !== null && bearer === token.get()) for (const f of onUnauthorized) f();
    throw new ApiError(res.status, e.code, e.message);
  }
  return json;
}

export const get = (path: string): Promise<Json> => api("GET", path);

/** Every page of a paginated list (`{[key]: [...], nextCursor}`), up to `max` items. */
export async function getAll(path: string, key: string, max = 1000): Promise<Json[]> {
  const out: Json[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const page: Json = await get(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path);
    out.push(...page[key]);
    cursor = page.nextCursor;
  } while (cursor && out.length < max);
  return out;
}

/** The gateway's clock (manual in tests) minus this browser's, from GET /v1/health: countdowns use the gateway's time. */
let clockOffset = 0;
export const gatewayNow = (): number => Date.now() + clockOffset;
export function noteGatewayTime(iso: string): void {
  clockOffset = Date.parse(iso) - Date.now();
}
