// Serves the operator console (packages/console's build) at GET /console, same origin, under a strict
// Content-Security-Policy: scripts, styles and connections from this origin only, no inline code, no framing.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join } from "node:path";
import type { FastifyInstance, FastifyReply } from "fastify";
import { ConsoleFileParam } from "./bodies.js";
import { gatewayError } from "./errors.js";

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/** The console's built files (name → bytes), or null when @pmx/console has not been built. */
function loadConsole(): Map<string, Buffer> | null {
  try {
    const root = dirname(createRequire(import.meta.url).resolve("@pmx/console/package.json"));
    const dist = join(root, "dist");
    const files = new Map<string, Buffer>();
    for (const name of readdirSync(dist))
      if (TYPES[extname(name)]) files.set(name, readFileSync(join(dist, name)));
    return files.has("index.html") ? files : null;
  } catch {
    return null;
  }
}

export function registerConsole(app: FastifyInstance): void {
  const files = loadConsole();
  const serve = (reply: FastifyReply, name: string) => {
    const bytes = files?.get(name);
    if (!bytes)
      throw gatewayError("NOT_FOUND", files ? `no console file ${name}` : "the console is not built");
    void reply
      .header("content-security-policy", CONSOLE_CSP)
      .header("x-content-type-options", "nosniff")
      .header("referrer-policy", "no-referrer")
      .header("x-frame-options", "DENY")
      .header("cache-control", name === "index.html" ? "no-cache" : "public, max-age=300")
      .type(TYPES[extname(name)]!);
    return bytes;
  };
  app.get("/console", async (_req, reply) => serve(reply, "index.html"));
  app.get<{ Params: { file: string } }>("/console/:file", async (req, reply) => {
    const name = req.params.file;
    if (name === "index.html" || !ConsoleFileParam.is(req.params))
      throw gatewayError("NOT_FOUND", `no console file ${name}`);
    return serve(reply, name);
  });
}
