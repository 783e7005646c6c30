import { toJsonSchema, type ConversionConfig } from "@valibot/to-json-schema";
import type * as v from "valibot";
import { ErrorBody } from "../schemas/responses.js";
import type { OperationDoc } from "./operations.js";

type Json = Record<string, unknown>;

// Input mode: the document describes what a client sends (before trims and transforms). The
// transforms themselves have no JSON Schema form and are left out rather than refused.
const CONVERSION: ConversionConfig = { target: "draft-2020-12", typeMode: "input", errorMode: "ignore" };

function schemaOf(schema: v.GenericSchema): Json {
  const { $schema: _dialect, ...rest } = toJsonSchema(schema, CONVERSION) as Json;
  return rest;
}

const ERROR_REF = { $ref: "#/components/schemas/Error" };

function parametersOf(op: OperationDoc): Json[] {
  const params: Json[] = [];
  for (const [, name] of op.path.matchAll(/:([A-Za-z_]+)/g)) {
    params.push({ name, in: "path", required: true, schema: { type: "string" } });
  }
  if (op.query) {
    const query = schemaOf(op.query) as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      params.push({ name, in: "query", required: query.required?.includes(name) ?? false, schema });
    }
  }
  if (op.csrf) {
    params.push({
      name: "X-Requested-With",
      in: "header",
      required: true,
      description: "CSRF proof of the browser flow.",
      schema: { const: "tessera" },
    });
  }
  return params;
}

function successOf(op: OperationDoc): Json {
  const headers: Json = {};
  if (op.ok.noStore) headers["Cache-Control"] = { schema: { const: "no-store" } };
  if (op.ok.setsCookie) {
    headers["Set-Cookie"] = {
      description: "`__Host-tessera_rt`: the refresh token (HttpOnly; Secure; SameSite=Strict; Path=/), or its removal.",
      schema: { type: "string" },
    };
  }
  return {
    description: op.ok.description,
    ...(Object.keys(headers).length > 0 && { headers }),
    ...(op.ok.schema && { content: { "application/json": { schema: schemaOf(op.ok.schema) } } }),
  };
}

const UNAVAILABLE = { 503: "`temporarily_unavailable`: the database cannot be reached; nothing was half-done, retry later (`Retry-After`)." };

function operationOf(op: OperationDoc): Json {
  const responses: Json = { [String(op.ok.status)]: successOf(op) };
  // Every operation but the service's own (health says it in its own body; the document needs no database).
  const errors = op.tag === "service" ? op.errors : { ...op.errors, ...UNAVAILABLE };
  for (const [status, description] of Object.entries(errors)) {
    responses[status] = { description, content: { "application/json": { schema: ERROR_REF } } };
  }
  const parameters = parametersOf(op);
  return {
    tags: [op.tag],
    summary: op.summary,
    ...(op.description && { description: op.description }),
    operationId: `${op.method}${op.path.replace(/[/:-]+(\w)/g, (_m, c: string) => c.toUpperCase()).replace(/\W/g, "")}`,
    security: op.auth === "client" ? [{ clientBasic: [] }, {}] : op.auth ? [{ [op.auth]: [] }] : [],
    ...(parameters.length > 0 && { parameters }),
    ...(op.body && {
      requestBody: {
        required: true,
        content: {
          "application/json": { schema: schemaOf(op.body.schema) },
          ...(op.body.form && { "application/x-www-form-urlencoded": { schema: schemaOf(op.body.schema) } }),
        },
      },
    }),
    responses,
  };
}

/**
 * The OpenAPI 3.1 document of `operations`, with request bodies and queries converted from the
 * valibot schemas that validate them.
 *
 * @example
 * const doc = buildOpenApiDocument(OPERATIONS, { version: "0.1.0", serverUrl: "https://auth.example.com" });
 */
export function buildOpenApiDocument(
  operations: readonly OperationDoc[],
  info: { version: string; serverUrl?: string },
): Json {
  const paths: Record<string, Json> = {};
  for (const op of operations) {
    const path = op.path.replace(/:([A-Za-z_]+)/g, "{$1}");
    paths[path] = { ...paths[path], [op.method]: operationOf(op) };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Tessera",
      version: info.version,
      description:
        "Sign-in, short-lived access JWTs and rotating refresh tokens. Every error answers " +
        "`{\"error\", \"error_description\"}`, plus `issues` on validation errors.",
    },
    ...(info.serverUrl && { servers: [{ url: info.serverUrl }] }),
    tags: [
      { name: "service", description: "Health and this document." },
      { name: "tokens", description: "Registration and the OAuth 2.0 token and revocation endpoints." },
      { name: "browser", description: "The cookie flow for single-page apps." },
      { name: "account", description: "The signed-in user's own account and sessions." },
      { name: "admin", description: "User administration: the admin role and the `admin` scope." },
    ],
    paths,
    components: {
      schemas: { Error: schemaOf(ErrorBody) },
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "An access token (`typ: at+jwt`)." },
        refreshCookie: { type: "apiKey", in: "cookie", name: "__Host-tessera_rt", description: "The browser flow's refresh cookie." },
        clientBasic: {
          type: "http",
          scheme: "basic",
          description: "A machine client's id and secret (client_secret_basic); `client_id` + `client_secret` in the body also work.",
        },
      },
    },
  };
}
