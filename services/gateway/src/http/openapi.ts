// The OpenAPI document served at GET /v1/openapi.json.
export function openApiDocument(): Record<string, unknown> {
  return { openapi: "3.1.0", info: { title: "pmx gateway", version: "1" }, paths: {} };
}
