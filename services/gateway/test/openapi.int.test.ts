// The OpenAPI document against the running app: every route documented and every documented route served, request
// schemas equal to the codecs' JSON Schema, examples that decode, and answers that fit their documented schemas.
import { Codecs } from "@pmx/domain";
import type * as t from "io-ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schemaProblems } from "../../../tests/support/openapi.js";
import * as B from "../src/http/bodies.js";
import { GATEWAY_ERRORS, REJECTION_STATUS } from "../src/http/errors.js";
import { NAMED_SCHEMAS, openApiPath, REJECTION_MEANING, toJsonSchema } from "../src/http/openapi.js";
import { type Credentials, type Json, marketBody, startTestGateway, type TestGateway } from "./support.js";

type Doc = {
  info: { description: string };
  paths: Record<string, Record<string, Op>>;
  components: {
    schemas: Record<string, Schema>;
    responses: Record<string, { description: string }>;
    securitySchemes: Record<string, { type: string; name?: string; scheme?: string }>;
  };
};
type Op = {
  summary?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required: boolean; schema: Schema }[];
  requestBody?: {
    content: { "application/json": { schema: Schema; examples?: Record<string, { value: unknown }> } };
  };
  responses: Record<
    string,
    { $ref?: string; description?: string; content?: Record<string, { schema: Schema }> }
  >;
};
type Schema = { [k: string]: Json };

const METHODS = ["get", "post", "put", "patch", "delete"];

/** Method and path of every route in `printRoutes({commonPrefix: false})`'s tree, HEAD routes (automatic) left out. */
function registeredRoutes(tree: string): Set<string> {
  const routes = new Set<string>();
  const prefixes: string[] = [];
  for (const line of tree.split("\n")) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(\S+?)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const path = (depth > 0 ? prefixes[depth - 1]! : "") + m[2]!;
    prefixes[depth] = path;
    prefixes.length = depth + 1;
    for (const method of (m[3] ?? "").split(",").map((s) => s.trim().toLowerCase()))
      if (method && method !== "head") routes.add(`${method} ${path}`);
  }
  return routes;
}

/** Request body codec of each route, written down independently of the document. */
const BODY_CODECS: Record<string, t.Mixed> = {
  "post /v1/accounts": B.OpenAccountBody,
  "post /v1/account/keys": B.NewKeyBody,
  "post /v1/accounts/{accountId}/keys": B.NewKeyBody,
  "post /v1/accounts/{accountId}/deposits": B.MoneyMovementBody,
  "post /v1/markets": B.ListMarketBody,
  "post /v1/markets/{marketId}/halt": B.EmptyBody,
  "post /v1/markets/{marketId}/resume": B.EmptyBody,
  "post /v1/markets/{marketId}/mark": B.MarkBody,
  "post /v1/markets/{marketId}/resolve": B.ResolveBody,
  "post /v1/markets/{marketId}/challenge": B.ChallengeBody,
  "post /v1/markets/{marketId}/rule": B.RuleBody,
  "post /v1/events": B.ListEventBody,
  "post /v1/orders/batch": B.BatchOrdersBody,
  "post /v1/orders/{orderId}/amend": B.AmendBody,
  "post /v1/events/{eventId}/convert": B.ConvertBody,
  "post /v1/events/{eventId}/resolve": B.ResolveEventBody,
  "post /v1/events/{eventId}/challenge": B.ChallengeBody,
  "post /v1/events/{eventId}/rule": B.RuleEventBody,
  "post /v1/admin/clock": B.ClockBody,
  "post /v1/withdrawals": B.MoneyMovementBody,
  "post /v1/orders": B.OrderBody,
  "post /v1/markets/{marketId}/pool/supply": B.PoolSupplyBody,
  "post /v1/markets/{marketId}/pool/redeem": B.PoolRedeemBody,
  "post /v1/markets/{marketId}/backstop": B.BackstopBidBody,
  "post /v1/positions/{marketId}/reduce": B.ReduceBody,
  "post /v1/positions/{marketId}/margin": B.AddMarginBody,
  "post /v1/insurance/{fundId}/deposits": B.MoneyMovementBody,
  "post /v1/admin/promote": B.EmptyBody,
  "post /v1/admin/snapshot": B.EmptyBody,
  "post /v1/admin/checkpoint": B.EmptyBody,
};

/** The tests' one JSON Schema checker (the keywords the document uses). */
const problems = (doc: Doc, schema: Schema, value: unknown): string[] =>
  schemaProblems(doc as unknown as Parameters<typeof schemaProblems>[0], schema, value);

describe("GET /v1/openapi.json", () => {
  let gw: TestGateway;
  let doc: Doc;
  let routes: Set<string>;

  beforeAll(async () => {
    gw = await startTestGateway();
    const answer = await gw.anonymous<Doc>("GET", "/v1/openapi.json");
    expect(answer.status).toBe(200);
    doc = answer.body;
    routes = registeredRoutes(gw.gateway.app.printRoutes({ commonPrefix: false }));
  });
  afterAll(() => gw.close());

  const documented = () => {
    const out: { method: string; path: string; op: Op }[] = [];
    for (const [path, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item))
        if (METHODS.includes(method)) out.push({ method, path, op });
    return out;
  };

  it("is OpenAPI 3.1 with the signature scheme and the error codes described", () => {
    expect((doc as unknown as { openapi: string }).openapi).toBe("3.1.0");
    expect(doc.info.description).toContain(
      "HMAC-SHA256(apiSecret, timestamp + METHOD + pathWithQuery + rawBody)",
    );
    for (const code of [...Object.keys(GATEWAY_ERRORS), ...Object.keys(REJECTION_STATUS)])
      expect(doc.info.description).toContain(`\`${code}\``);
    expect(doc.components.securitySchemes.operatorBearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(
      ["pmxKey", "pmxTimestamp", "pmxSignature"].map((k) => doc.components.securitySchemes[k]?.name),
    ).toEqual(["PMX-KEY", "PMX-TIMESTAMP", "PMX-SIGNATURE"]);
  });

  it("finds the routes in the printed route tree", () => {
    // Guards the parser below: a change of Fastify's tree format must not make the next test vacuous.
    expect(routes).toContain("get /v1/markets/:marketId/book");
    expect(routes).toContain("post /v1/accounts/:accountId/deposits");
    expect(routes).toContain("delete /v1/orders/:orderId");
    expect(routes).toContain("get /v1/stream");
    expect(routes.size).toBeGreaterThanOrEqual(24);
  });

  it("documents every registered route, and only registered routes", () => {
    const inDoc = new Set(documented().map(({ method, path }) => `${method} ${path}`));
    const inApp = new Set(
      [...routes].map((r) => r.replace(/ (.*)$/, (_, p: string) => ` ${openApiPath(p)}`)),
    );
    expect([...inApp].filter((r) => !inDoc.has(r))).toEqual([]);
    expect([...inDoc].filter((r) => !inApp.has(r))).toEqual([]);
    for (const { method, path } of documented()) {
      const url = path.replace(/\{(\w+)\}/g, ":$1");
      expect(
        gw.gateway.app.hasRoute({ method: method.toUpperCase() as "GET", url }),
        `${method} ${path}`,
      ).toBe(true);
    }
  });

  it("gives every operation a summary, security, its path parameters and described answers", () => {
    for (const { method, path, op } of documented()) {
      const where = `${method} ${path}`;
      expect(op.summary, where).toBeTruthy();
      expect(Array.isArray(op.security), where).toBe(true);
      for (const requirement of op.security!)
        for (const scheme of Object.keys(requirement))
          expect(doc.components.securitySchemes[scheme], where).toBeDefined();
      const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(
        (op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name),
        where,
      ).toEqual(pathParams);
      const statuses = Object.keys(op.responses);
      expect(
        statuses.some((s) => s.startsWith("2") || s === "101"),
        where,
      ).toBe(true);
      for (const [status, response] of Object.entries(op.responses)) {
        if (response.$ref) {
          const name = response.$ref.replace("#/components/responses/", "");
          expect(name, where).toBe(`Error${status}`);
          expect(doc.components.responses[name], `${where} ${name}`).toBeDefined();
        } else expect(response.description, where).toBeTruthy();
      }
    }
  });

  it("explains every exchange rejection code", () => {
    expect(Object.keys(REJECTION_STATUS).filter((code) => !(code in REJECTION_MEANING))).toEqual([]);
  });

  it("lists every error code under its HTTP status", () => {
    const all: [string, number][] = [
      ...Object.entries(GATEWAY_ERRORS).map(([code, e]): [string, number] => [code, e.status]),
      ...Object.entries(REJECTION_STATUS),
    ];
    for (const [code, status] of all)
      expect(doc.components.responses[`Error${status}`]?.description, code).toContain(`\`${code}\``);
  });

  it("documents the security each route enforces", () => {
    const security = (method: string, path: string) =>
      doc.paths[path]![method]!.security!.map((r) => Object.keys(r).sort().join("+"));
    expect(security("get", "/v1/health")).toEqual([]);
    expect(security("get", "/v1/markets/{marketId}/book")).toEqual([]);
    expect(security("post", "/v1/markets")).toEqual(["operatorBearer"]);
    expect(security("get", "/v1/audit/solvency")).toEqual(["operatorBearer"]);
    expect(security("post", "/v1/orders")).toEqual(["pmxKey+pmxSignature+pmxTimestamp"]);
    expect(security("get", "/v1/accounts/{accountId}")).toEqual([
      "operatorBearer",
      "pmxKey+pmxSignature+pmxTimestamp",
    ]);
  });

  it("gives each request body the JSON Schema of its codec", () => {
    const withBodies = documented().filter(({ op }) => op.requestBody);
    expect(withBodies.map(({ method, path }) => `${method} ${path}`).sort()).toEqual(
      Object.keys(BODY_CODECS).sort(),
    );
    for (const { method, path, op } of withBodies) {
      const codec = BODY_CODECS[`${method} ${path}`]!;
      const schema = op.requestBody!.content["application/json"].schema;
      const resolved = schema.$ref
        ? doc.components.schemas[(schema.$ref as string).replace("#/components/schemas/", "")]
        : schema;
      expect(resolved, `${method} ${path}`).toEqual(toJsonSchema(codec));
      expect(resolved!.additionalProperties, `${method} ${path}`).toBe(false);
    }
    expect(doc.components.schemas.StreamMessage).toEqual(toJsonSchema(B.StreamMessage));
  });

  it("converts the codecs as expected", () => {
    expect(toJsonSchema(B.MarkBody)).toEqual({
      type: "object",
      title: "MarkBody",
      properties: { price: { title: "PriceString", ...NAMED_SCHEMAS.PriceString } },
      required: ["price"],
      additionalProperties: false,
    });
    const order = toJsonSchema(B.OrderBody) as Schema;
    expect(order.required).toEqual(["clientOrderId", "marketId", "side", "outcome", "price", "quantity"]);
    expect(order.properties.side).toEqual({ title: "Side", type: "string", enum: ["buy", "sell"] });
    expect(order.properties.postOnly).toEqual({ type: "boolean" });
    expect(order.properties.quantity.pattern).toBe(NAMED_SCHEMAS.PositiveQuantity!.pattern);
    expect(toJsonSchema(B.ListMarketBody).properties).toMatchObject({
      question: { type: "string" },
      tickSize: { enum: ["0.01", "0.001", "0.0001"] },
      resolvesAt: { format: "date-time" },
      takerFeeBps: { type: "integer", minimum: 0, maximum: 1000 },
    });
    const stream = toJsonSchema(B.StreamMessage) as Schema;
    expect(stream.anyOf).toHaveLength(2);
    expect(stream.anyOf[1].properties.channel).toEqual({ const: "account" });
    expect(() => toJsonSchema({ name: "Mystery" } as t.Mixed)).toThrow(/Mystery/);
  });

  it("describes the refined codecs as they decode", () => {
    const cases: [t.Mixed, string[]][] = [
      [Codecs.DecimalString, ["0", "1000.50", "0.000001", "1.1234567", "-1", "01", "1e3", "1.", ".5", " 1"]],
      [Codecs.PriceString, ["0.61", "0.6123", "0.61234", "1", "0.5.5"]],
      [B.PositiveQuantity, ["1", "100", "0", "-1", "1.5", "0100", "1000000000000"]],
      [Codecs.QuantityString, ["0", "7", "00", "1.0"]],
      [Codecs.Identifier, ["alice", "a.b_c-1", "", "a b", "x".repeat(64), "x".repeat(65), "é"]],
      [Codecs.Reference, ["c-1", "wire:42/x", "", "a b", "x".repeat(128), "x".repeat(129), "é"]],
      [
        Codecs.IsoTime,
        ["2024-11-06T05:00:00Z", "2024-11-06T05:00:00.123Z", "2024-11-06T05:00:00+01:00", "2024"],
      ],
    ];
    for (const [codec, samples] of cases) {
      const pattern = new RegExp((toJsonSchema(codec) as Schema).pattern);
      for (const s of samples)
        expect(pattern.test(s), `${codec.name} ${JSON.stringify(s)}`).toBe(codec.is(s));
    }
    for (const [name, schema] of Object.entries(NAMED_SCHEMAS)) {
      const codec = (
        {
          ...Codecs,
          PositiveQuantity: B.PositiveQuantity,
          depth: B.BookQuery,
          limit: B.TradesQuery,
        } as Record<string, unknown>
      )[name] as t.Mixed | undefined;
      if (!codec || name === "Shares") continue;
      for (const example of schema.examples as unknown[]) {
        const input = name === "depth" ? { depth: example } : name === "limit" ? { limit: example } : example;
        expect(codec.decode(input)._tag, `${name} example ${JSON.stringify(example)}`).toBe("Right");
      }
    }
  });

  it("gives request examples that decode with the codecs", () => {
    let examples = 0;
    for (const { method, path, op } of documented()) {
      const media = op.requestBody?.content["application/json"];
      if (!media) continue;
      const codec = BODY_CODECS[`${method} ${path}`]!;
      for (const [name, example] of Object.entries(media.examples ?? {})) {
        examples += 1;
        const decoded = codec.decode(example.value);
        expect(decoded._tag, `${method} ${path} example ${name}`).toBe("Right");
      }
    }
    expect(
      Object.keys(doc.paths["/v1/orders"]!.post!.requestBody!.content["application/json"].examples!),
    ).not.toEqual([]);
    expect(
      Object.keys(doc.paths["/v1/markets"]!.post!.requestBody!.content["application/json"].examples!),
    ).not.toEqual([]);
    expect(examples).toBeGreaterThanOrEqual(Object.keys(BODY_CODECS).length);
  });

  it("documents query parameters from the codecs", () => {
    const params = (method: string, path: string) =>
      (doc.paths[path]![method]!.parameters ?? []).filter((p) => p.in === "query");
    expect(params("get", "/v1/markets/{marketId}/book").map((p) => [p.name, p.required])).toEqual([
      ["depth", false],
    ]);
    expect(params("get", "/v1/orders").map((p) => p.name)).toEqual([
      "accountId",
      "marketId",
      "status",
      "limit",
      "cursor",
    ]);
    expect(params("get", "/v1/orders")[2]!.schema.enum).toEqual(["open", "filled", "cancelled"]);
  });

  describe("answers fit their documented schemas", () => {
    let alice: Credentials;
    let bob: Credentials;

    const check = (method: string, path: string, status: number, body: unknown) => {
      const op = doc.paths[path]![method]!;
      const response = op.responses[String(status)];
      expect(response, `${method} ${path} ${status}`).toBeDefined();
      const schema = response!.$ref
        ? { $ref: "#/components/schemas/Error" }
        : response!.content!["application/json"]!.schema;
      expect(problems(doc, schema, body), `${method} ${path} ${status}`).toEqual([]);
    };

    beforeAll(async () => {
      alice = await gw.openAccount("alice", "1000");
      bob = await gw.openAccount("bob", "1000");
      expect((await gw.operator("POST", "/v1/markets", marketBody("m1"))).status).toBe(201);
    });

    it("for the main reads and commands", async () => {
      const expectations: [string, string, string, () => Promise<{ status: number; body: unknown }>][] = [
        ["get", "/v1/health", "/v1/health", () => gw.anonymous("GET", "/v1/health")],
        ["get", "/v1/markets", "/v1/markets", () => gw.anonymous("GET", "/v1/markets")],
        ["get", "/v1/markets/{marketId}", "/v1/markets/m1", () => gw.anonymous("GET", "/v1/markets/m1")],
        [
          "post",
          "/v1/orders",
          "buy NO",
          () =>
            gw.signed(bob, "POST", "/v1/orders", {
              clientOrderId: "s1",
              marketId: "m1",
              side: "buy",
              outcome: "NO",
              price: "0.40",
              quantity: "10",
            }),
        ],
        [
          "post",
          "/v1/orders",
          "buy",
          () =>
            gw.signed(alice, "POST", "/v1/orders", {
              clientOrderId: "b1",
              marketId: "m1",
              side: "buy",
              outcome: "YES",
              price: "0.61",
              quantity: "10",
            }),
        ],
        [
          "get",
          "/v1/markets/{marketId}/book",
          "book",
          () => gw.anonymous("GET", "/v1/markets/m1/book?depth=5"),
        ],
        [
          "get",
          "/v1/markets/{marketId}/trades",
          "trades",
          () => gw.anonymous("GET", "/v1/markets/m1/trades"),
        ],
        ["get", "/v1/account", "account", () => gw.signed(alice, "GET", "/v1/account")],
        ["get", "/v1/accounts/{accountId}", "acct", () => gw.operator("GET", "/v1/accounts/bob")],
        ["get", "/v1/orders", "orders", () => gw.signed(alice, "GET", "/v1/orders?status=filled")],
        ["get", "/v1/orders/{orderId}", "order", () => gw.signed(alice, "GET", "/v1/orders/o-2")],
        ["get", "/v1/audit/solvency", "solvency", () => gw.operator("GET", "/v1/audit/solvency")],
        [
          "post",
          "/v1/withdrawals",
          "withdraw",
          () => gw.signed(alice, "POST", "/v1/withdrawals", { amount: "1", reference: "w1" }),
        ],
        [
          "post",
          "/v1/markets/{marketId}/mark",
          "mark",
          () => gw.operator("POST", "/v1/markets/m1/mark", { price: "0.6" }),
        ],
        ["post", "/v1/markets/{marketId}/halt", "halt", () => gw.operator("POST", "/v1/markets/m1/halt")],
        // Errors: the error shape under the documented status.
        [
          "post",
          "/v1/orders",
          "halted",
          () =>
            gw.signed(alice, "POST", "/v1/orders", {
              clientOrderId: "b2",
              marketId: "m1",
              side: "buy",
              outcome: "YES",
              price: "0.61",
              quantity: "10",
            }),
        ],
        ["get", "/v1/markets/{marketId}", "404", () => gw.anonymous("GET", "/v1/markets/nope")],
        ["get", "/v1/account", "401", () => gw.anonymous("GET", "/v1/account")],
        ["post", "/v1/markets", "403", () => gw.signed(alice, "POST", "/v1/markets", marketBody("m2"))],
        [
          "get",
          "/v1/markets/{marketId}/book",
          "400",
          () => gw.anonymous("GET", "/v1/markets/m1/book?depth=0"),
        ],
        ["get", "/v1/stream", "no upgrade", () => gw.anonymous("GET", "/v1/stream")],
        [
          "post",
          "/v1/markets/{marketId}/resolve",
          "resolve",
          () => gw.operator("POST", "/v1/markets/m1/resolve", { outcome: "YES" }),
        ],
      ];
      const seen: string[] = [];
      for (const [method, path, label, request] of expectations) {
        const answer = await request();
        seen.push(`${label}:${answer.status}`);
        check(method, path, answer.status, answer.body);
      }
      expect(seen).toEqual([
        "/v1/health:200",
        "/v1/markets:200",
        "/v1/markets/m1:200",
        "buy NO:201",
        "buy:201",
        "book:200",
        "trades:200",
        "account:200",
        "acct:200",
        "orders:200",
        "order:200",
        "solvency:200",
        "withdraw:200",
        "mark:200",
        "halt:200",
        "halted:422",
        "404:404",
        "401:401",
        "403:403",
        "400:400",
        "no upgrade:426",
        "resolve:200",
      ]);
    });

    it("(the checker itself finds mismatches)", () => {
      const market = { $ref: "#/components/schemas/Market" };
      expect(problems(doc, market, {})).toContain("$: missing marketId");
      expect(
        problems(
          doc,
          { $ref: "#/components/schemas/Book" },
          { marketId: "m", bids: [{ price: 1 }], asks: [], sequence: 3 },
        ),
      ).toEqual(["$.bids[0]: missing quantity", "$.bids[0].price: expected string, got integer"]);
      expect(problems(doc, doc.components.schemas.MarkBody!, { price: "0.5", extra: 1 })).toEqual([
        "$: unexpected extra",
      ]);
    });

    it("for opening an account", async () => {
      const answer = await gw.operator("POST", "/v1/accounts", {});
      expect(answer.status).toBe(201);
      check("post", "/v1/accounts", 201, answer.body);
    });

    it("for the lists, histories, candles and cancel-all", async () => {
      expect((await gw.operator("POST", "/v1/markets", marketBody("m3"))).status).toBe(201);
      const order = (who: Credentials, clientOrderId: string, side: string, price: string) =>
        gw.signed(who, "POST", "/v1/orders", {
          clientOrderId,
          marketId: "m3",
          side: "buy",
          outcome: side,
          price,
          quantity: "3",
        });
      expect((await order(bob, "t1", "NO", "0.45")).status).toBe(201);
      expect((await order(alice, "t2", "YES", "0.55")).status).toBe(201);
      expect((await order(alice, "t3", "YES", "0.20")).status).toBe(201);
      const answers: [string, string, () => Promise<{ status: number; body: unknown }>, number][] = [
        ["get", "/v1/markets", () => gw.anonymous("GET", "/v1/markets?status=open&limit=1"), 200],
        ["get", "/v1/markets", () => gw.anonymous("GET", "/v1/markets?status=shut"), 400],
        [
          "get",
          "/v1/markets/{marketId}/trades",
          () => gw.anonymous("GET", "/v1/markets/m3/trades?limit=1"),
          200,
        ],
        [
          "get",
          "/v1/markets/{marketId}/trades",
          () => gw.anonymous("GET", "/v1/markets/m3/trades?cursor=eA"),
          400,
        ],
        [
          "get",
          "/v1/markets/{marketId}/candles",
          () => gw.anonymous("GET", "/v1/markets/m3/candles?interval=1m"),
          200,
        ],
        [
          "get",
          "/v1/markets/{marketId}/candles",
          () => gw.anonymous("GET", "/v1/markets/m9/candles?interval=1m"),
          404,
        ],
        ["get", "/v1/orders", () => gw.signed(alice, "GET", "/v1/orders?limit=1"), 200],
        ["get", "/v1/fills", () => gw.signed(alice, "GET", "/v1/fills"), 200],
        ["get", "/v1/fills", () => gw.operator("GET", "/v1/fills?accountId=bob&marketId=m3"), 200],
        ["get", "/v1/fills", () => gw.signed(alice, "GET", "/v1/fills?accountId=bob"), 403],
        ["get", "/v1/account/activity", () => gw.signed(alice, "GET", "/v1/account/activity"), 200],
        [
          "get",
          "/v1/account/activity",
          () => gw.operator("GET", "/v1/account/activity?accountId=bob&type=fee"),
          200,
        ],
        ["delete", "/v1/orders", () => gw.signed(alice, "DELETE", "/v1/orders?marketId=m3"), 200],
        ["delete", "/v1/orders", () => gw.signed(alice, "DELETE", "/v1/orders?marketId=m9"), 404],
        [
          "delete",
          "/v1/accounts/{accountId}/orders",
          () => gw.operator("DELETE", "/v1/accounts/bob/orders"),
          200,
        ],
        [
          "delete",
          "/v1/accounts/{accountId}/orders",
          () => gw.signed(bob, "DELETE", "/v1/accounts/bob/orders"),
          403,
        ],
      ];
      for (const [method, path, request, status] of answers) {
        const answer = await request();
        expect(answer.status, `${method} ${path} ${JSON.stringify(answer.body)}`).toBe(status);
        check(method, path, answer.status, answer.body);
      }
      const fills = await gw.signed(alice, "GET", "/v1/fills?marketId=m3");
      expect((fills.body as { fills: unknown[] }).fills).toHaveLength(1);
      const candles = await gw.anonymous("GET", "/v1/markets/m3/candles?interval=1d");
      expect((candles.body as { candles: unknown[] }).candles).toEqual([
        expect.objectContaining({ open: "0.55", high: "0.55", low: "0.55", close: "0.55", volume: "3" }),
      ]);
    });
  });
});
