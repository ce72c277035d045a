// Live answers against the gateway's own OpenAPI document (GET /v1/openapi.json): a small JSON Schema checker for
// the keywords the document uses, and a recorder that checks every answer a test passes through it.
import { expect } from "vitest";
import type { ApiResponse, Client, Json } from "./client.js";

type Schema = { [k: string]: Json };
interface Doc {
  paths: Record<string, Record<string, { responses: Record<string, { $ref?: string; content?: Json }> }>>;
  components: { schemas: Record<string, Schema> };
}

/** What in `value` does not fit `schema` (empty: it fits). */
export function schemaProblems(doc: Doc, schema: Schema, value: unknown, at = "$"): string[] {
  if (schema.$ref) {
    const name = (schema.$ref as string).replace("#/components/schemas/", "");
    const target = doc.components.schemas[name];
    if (!target) return [`${at}: unresolved ${schema.$ref}`];
    return schemaProblems(doc, target, value, at);
  }
  const out: string[] = [];
  if (schema.allOf) for (const s of schema.allOf) out.push(...schemaProblems(doc, s, value, at));
  if (schema.anyOf && !schema.anyOf.some((s: Schema) => schemaProblems(doc, s, value, at).length === 0))
    out.push(`${at}: matches none of anyOf`);
  if ("const" in schema && value !== schema.const)
    out.push(`${at}: expected ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) out.push(`${at}: ${JSON.stringify(value)} not in enum`);
  if (schema.type) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual =
      value === null
        ? "null"
        : Array.isArray(value)
          ? "array"
          : Number.isInteger(value)
            ? "integer"
            : typeof value;
    if (!types.some((ty) => ty === actual || (ty === "number" && actual === "integer")))
      return [...out, `${at}: expected ${types.join("|")}, got ${actual}`];
  }
  if (typeof value === "string" && schema.pattern && !new RegExp(schema.pattern).test(value))
    out.push(`${at}: "${value}" does not match ${schema.pattern}`);
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in obj)) out.push(`${at}: missing ${key}`);
    for (const [key, v] of Object.entries(obj)) {
      const sub = schema.properties?.[key];
      if (sub) out.push(...schemaProblems(doc, sub, v, `${at}.${key}`));
      else if (schema.additionalProperties === false) out.push(`${at}: unexpected ${key}`);
    }
  }
  if (Array.isArray(value) && schema.items)
    for (const [i, v] of value.entries()) out.push(...schemaProblems(doc, schema.items, v, `${at}[${i}]`));
  return out;
}

/** Asserts that `res` is documented for `method template` under its status and, being JSON, fits that schema. */
export function expectAnswerDocumented(doc: Doc, method: string, template: string, res: ApiResponse): void {
  const op = doc.paths[template]?.[method.toLowerCase()];
  const where = `${method} ${template} ${res.status}`;
  expect(op, `${where}: not in the document`).toBeDefined();
  const response = op!.responses[String(res.status)];
  expect(response, `${where}: status not documented`).toBeDefined();
  if (res.body === undefined) return;
  const schema: Schema | undefined = response!.$ref
    ? { $ref: "#/components/schemas/Error" }
    : response!.content?.["application/json"]?.schema;
  expect(schema, `${where}: no JSON schema`).toBeDefined();
  expect(schemaProblems(doc, schema!, res.body), where).toEqual([]);
}

/** Checks answers against the document of the gateway `api` talks to (fetched once). */
export class OpenApiChecker {
  private doc: Doc | null = null;
  /** `METHOD /path/{template} status` of every answer checked. */
  readonly checked = new Set<string>();

  constructor(private readonly api: Client) {}

  async load(): Promise<void> {
    const res = await this.api.send({ method: "GET", path: "/v1/openapi.json", headers: {} });
    expect(res.status).toBe(200);
    this.doc = res.body as Doc;
  }

  /** Asserts that `res` is documented for `method template` under its status and fits the documented schema. */
  check<T extends ApiResponse>(method: string, template: string, res: T): T {
    const doc = this.doc;
    if (!doc) throw new Error("OpenApiChecker: load() first");
    expectAnswerDocumented(doc, method, template, res);
    this.checked.add(`${method} ${template} ${res.status}`);
    return res;
  }
}
