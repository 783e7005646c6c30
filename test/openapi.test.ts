import { Validator } from "@seriousme/openapi-schema-validator";
import { readFileSync } from "node:fs";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { OPERATIONS } from "../src/openapi/operations.js";
import { AuthorizationServerMetadata, BrowserSessionResponse, ErrorBody, JsonWebKeySet, PublicUser, RegisteredResponse, SessionList, TokenResponse, UserPage } from "../src/schemas/responses.js";
import { TESSERA_VERSION } from "../src/version.js";
import { createTestApp, PASSWORD } from "./support/harness.js";

async function documentOf(t: Awaited<ReturnType<typeof createTestApp>>) {
  const res = await t.app.request("/openapi.json");
  expect(res.status).toBe(200);
  expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
  return (await res.json()) as { openapi: string; info: { version: string }; paths: Record<string, Record<string, unknown>>; servers?: { url: string }[] };
}

describe("GET /openapi.json", () => {
  it("is a valid OpenAPI 3.1 document (checked by a real validator)", async () => {
    const doc = await documentOf(await createTestApp());
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Parameters<Validator["validate"]>[0]);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    expect(doc.info.version).toBe(JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version);
    expect(TESSERA_VERSION).toBe(doc.info.version);
  });

  it("documents every route the app serves, and nothing it does not", async () => {
    const t = await createTestApp();
    const doc = await documentOf(t);
    // app.use() middleware and app.all() refusals are not operations of their own.
    const served = new Set(
      t.app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`),
    );
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)));
    expect([...served].filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((r) => !served.has(r))).toEqual([]);
  });

  it("derives request bodies from the validators: a form body for /auth/token, limits and required fields", async () => {
    const doc = await documentOf(await createTestApp());
    const token = doc.paths["/auth/token"]!.post as { requestBody: { content: Record<string, { schema: { anyOf: { properties: Record<string, { maxLength?: number; const?: string }>; required: string[] }[] } }> } };
    expect(Object.keys(token.requestBody.content)).toEqual(["application/json", "application/x-www-form-urlencoded"]);
    const [password, refresh] = token.requestBody.content["application/json"]!.schema.anyOf;
    expect(password!.properties.grant_type!.const).toBe("password");
    expect(password!.required).toEqual(["grant_type", "username", "password"]);
    expect(password!.properties.password!.maxLength).toBe(1024);
    expect(refresh!.required).toEqual(["grant_type", "refresh_token"]);
    const me = doc.paths["/users/me"]!.get as { security: unknown[]; responses: Record<string, unknown> };
    expect(me.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(me.responses)).toEqual(["200", "401", "503"]);
  });

  it("names PUBLIC_URL as the server when it is set", async () => {
    const doc = await documentOf(await createTestApp({ env: { PUBLIC_URL: "https://auth.example.com" } }));
    expect(doc.servers).toEqual([{ url: "https://auth.example.com" }]);
  });

  it("is not served with API_DOCS=false", async () => {
    const t = await createTestApp({ env: { API_DOCS: "false" } });
    const res = await t.app.request("/openapi.json");
    expect(res.status).toBe(404);
  });
});

// The response schemas are written for the document; real answers must match them.
describe("documented response shapes match what the API answers", () => {
  it("register, token, browser sign-in, the user, sessions, the admin listing and an error", async () => {
    const t = await createTestApp({ env: { BOOTSTRAP_ADMIN_EMAIL: "root@example.com", BOOTSTRAP_ADMIN_PASSWORD: PASSWORD } });
    const registered = await t.call("POST", "/auth/register", { json: { email: "alice@example.com", password: PASSWORD, name: "Alice" } });
    v.parse(RegisteredResponse, registered.json);
    const token = await t.login();
    v.parse(TokenResponse, token.json);
    const browser = await t.call("POST", "/auth/session", {
      json: { email: "alice@example.com", password: PASSWORD },
      headers: { "X-Requested-With": "tessera" },
    });
    v.parse(BrowserSessionResponse, browser.json);
    v.parse(PublicUser, (await t.call("GET", "/users/me", { token: token.json.access_token })).json);
    v.parse(SessionList, (await t.call("GET", "/users/me/sessions", { token: token.json.access_token })).json);
    v.parse(ErrorBody, (await t.call("POST", "/auth/register", { json: { email: "nope" } })).json);
    const { bootstrapAdmin } = await import("../src/bootstrap-admin.js");
    await bootstrapAdmin(t.app.services, t.config);
    const admin = await t.login("root@example.com");
    v.parse(UserPage, (await t.call("GET", "/admin/users", { token: admin.json.access_token })).json);
    expect(OPERATIONS.length).toBeGreaterThan(20);
  });

  it("the key set and the metadata of a service signing with ES256 (v.strictObject: no private member slips in)", async () => {
    const t = await createTestApp({ env: { JWT_ALGORITHM: "ES256" } });
    v.parse(JsonWebKeySet, (await t.call("GET", "/.well-known/jwks.json")).json);
    expect(v.parse(AuthorizationServerMetadata, (await t.call("GET", "/.well-known/oauth-authorization-server")).json).jwks_uri).toBe(
      "http://localhost/.well-known/jwks.json",
    );
  });
});
