import { describe, expect, it } from "vitest";
import { INVALID_GRANT_DESCRIPTION } from "../src/errors.js";
import { verifyAccessToken } from "../src/verify/index.js";
import { createTestApp, PASSWORD, TEST_SECRET } from "./support/harness.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("GET /health", () => {
  it("answers 200 ok while the database answers, 503 when it does not", async () => {
    const t = await createTestApp();
    const ok = await t.call("GET", "/health");
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ status: "ok" });
    await t.db.destroy();
    const down = await t.call("GET", "/health");
    expect(down.status).toBe(503);
  });
});

describe("POST /auth/register", () => {
  it("creates the account and answers 201 with the user and both tokens", async () => {
    const t = await createTestApp();
    const res = await t.call("POST", "/auth/register", { json: { email: "  Alice@Example.COM ", password: PASSWORD, name: "Alice" } });
    expect(res.status).toBe(201);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("Pragma")).toBe("no-cache");
    expect(res.json.user).toEqual({
      id: expect.stringMatching(UUID),
      email: "alice@example.com",
      name: "Alice",
      role: "user",
      disabled: false,
      email_verified: false,
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
    });
    expect(res.json).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    expect(res.json.refresh_token).toMatch(/^rt_/);
    expect(res.text).not.toContain("argon2");
  });

  it("ignores a role in the body", async () => {
    const t = await createTestApp();
    const res = await t.call("POST", "/auth/register", { json: { email: "a@example.com", password: PASSWORD, role: "admin" } });
    expect(res.status).toBe(201);
    expect(res.json.user.role).toBe("user");
  });

  it("answers 409 conflict for an email that exists in any letter case", async () => {
    const t = await createTestApp();
    await t.register("bob@example.com");
    const res = await t.call("POST", "/auth/register", { json: { email: "BOB@example.com", password: PASSWORD } });
    expect(res.status).toBe(409);
    expect(res.json.error).toBe("conflict");
  });

  it.each([
    ["a short password", { email: "c@example.com", password: "short" }],
    ["a common password", { email: "c@example.com", password: "password123" }],
    ["a password over 256 characters", { email: "c@example.com", password: "x".repeat(257) }],
    ["an invalid email", { email: "not-an-email", password: PASSWORD }],
    ["a missing password", { email: "c@example.com" }],
    ["a non-string name", { email: "c@example.com", password: PASSWORD, name: 5 }],
  ])("answers 400 invalid_request with issues for %s", async (_, body) => {
    const t = await createTestApp();
    const res = await t.call("POST", "/auth/register", { json: body });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe("invalid_request");
    expect(Array.isArray(res.json.issues)).toBe(true);
    expect(res.json.issues[0]).toEqual({ path: expect.any(String), message: expect.any(String) });
    expect(await t.db.selectFrom("users").selectAll().execute()).toHaveLength(0);
  });

  it("accepts any characters, normalizes to NFC and never truncates", async () => {
    const t = await createTestApp();
    const decomposed = "Cafe\u0301 ünïcødé 🔑 pass";
    await t.register("u@example.com", decomposed);
    expect((await t.login("u@example.com", decomposed.normalize("NFC"))).status).toBe(200);
    const long = "p".repeat(200) + "-tail";
    await t.register("long@example.com", long);
    expect((await t.login("long@example.com", "p".repeat(200))).status).toBe(400);
  });
});

describe("POST /auth/token with the password grant", () => {
  it("issues tokens for form-urlencoded and JSON bodies", async () => {
    const t = await createTestApp();
    await t.register();
    const form = await t.login();
    expect(form.status).toBe(200);
    expect(form.json).toMatchObject({ token_type: "Bearer", expires_in: 900, scope: "read write" });
    expect(form.headers.get("Cache-Control")).toBe("no-store");
    expect(form.headers.get("Pragma")).toBe("no-cache");
    const json = await t.call("POST", "/auth/token", { json: { grant_type: "password", username: "ALICE@example.com", password: PASSWORD } });
    expect(json.status).toBe(200);
  });

  it("issues an RFC 9068 access token with the documented claims", async () => {
    const t = await createTestApp();
    const { user } = await t.register();
    const { json } = await t.login();
    const [headerPart] = json.access_token.split(".");
    expect(JSON.parse(Buffer.from(headerPart, "base64url").toString())).toEqual({ alg: "HS256", typ: "at+jwt", kid: expect.any(String) });
    const claims = await verifyAccessToken(json.access_token, { secret: TEST_SECRET, issuer: "tessera", audience: "tessera", now: t.clock.now });
    expect(claims).toMatchObject({ iss: "tessera", aud: "tessera", sub: user.id, client_id: "tessera", role: "user", scope: "read write" });
    expect(claims.exp - claims.iat).toBe(900);
    expect(typeof claims.jti).toBe("string");
    expect(typeof claims.sid).toBe("string");
    expect(JSON.stringify(claims)).not.toContain(TEST_SECRET);
  });

  it("grants a requested subset of the role's scopes and refuses more with invalid_scope", async () => {
    const t = await createTestApp();
    await t.register();
    expect((await t.login(undefined, undefined, { scope: "read" })).json.scope).toBe("read");
    const tooMuch = await t.login(undefined, undefined, { scope: "read admin" });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.json.error).toBe("invalid_scope");
  });

  it("answers one invalid_grant text for a wrong password and an unknown email", async () => {
    const t = await createTestApp();
    await t.register();
    const wrong = await t.login("alice@example.com", "not the password at all");
    const unknown = await t.login("nobody@example.com", "not the password at all");
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ error: "invalid_grant", error_description: INVALID_GRANT_DESCRIPTION });
    }
    expect(wrong.text).toBe(unknown.text);
  });

  it("runs a real hash for an unknown email (dummy verify), so it costs like a wrong password", async () => {
    const t = await createTestApp();
    let verifies = 0;
    const counting = {
      ...t.passwords,
      verify: async (hash: string, password: string) => {
        verifies++;
        return t.passwords.verify(hash, password);
      },
    };
    const t2 = await createTestApp({ passwords: counting });
    const res = await t2.login("ghost@example.com", "whatever password");
    expect(res.status).toBe(400);
    expect(verifies).toBe(1);
  });

  it("answers 401 invalid_client for a foreign client_id, and accepts the first-party one", async () => {
    const t = await createTestApp();
    await t.register();
    const foreign = await t.login(undefined, undefined, { client_id: "other-app" });
    expect(foreign.status).toBe(401);
    expect(foreign.json.error).toBe("invalid_client");
    expect((await t.login(undefined, undefined, { client_id: "tessera" })).status).toBe(200);
  });

  it("rehashes on login when the stored parameters differ from config", async () => {
    const t = await createTestApp();
    const { user } = await t.register();
    const t2 = await createTestApp({ database: t.database, env: { ARGON2_MEMORY_KIB: "128" } });
    expect((await t2.login()).status).toBe(200);
    const row = await t.db.selectFrom("users").select("password_hash").where("id", "=", user.id).executeTakeFirstOrThrow();
    expect(row.password_hash).toContain("m=128,");
    expect((await t2.login()).status).toBe(200);
  });
});

describe("POST /auth/token rejects bad grants", () => {
  it("unknown grant types with unsupported_grant_type", async () => {
    const t = await createTestApp();
    const res = await t.call("POST", "/auth/token", { form: { grant_type: "authorization_code" } });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe("unsupported_grant_type");
  });

  it("a missing grant_type or username with invalid_request", async () => {
    const t = await createTestApp();
    expect((await t.call("POST", "/auth/token", { form: { username: "a" } })).json.error).toBe("invalid_request");
    expect((await t.call("POST", "/auth/token", { form: { grant_type: "password", password: "x" } })).json.error).toBe("invalid_request");
  });

  it("repeated form parameters with invalid_request", async () => {
    const t = await createTestApp();
    const res = await t.app.request("/auth/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "grant_type=password&grant_type=refresh_token",
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe("invalid_request");
  });
});

describe("POST /auth/revoke (RFC 7009)", () => {
  it("answers 200 for unknown tokens and garbage", async () => {
    const t = await createTestApp();
    expect((await t.call("POST", "/auth/revoke", { form: { token: "rt_nope" } })).status).toBe(200);
    expect((await t.call("POST", "/auth/revoke", { form: { token: "garbage" } })).status).toBe(200);
  });

  it("a refresh token revokes its session", async () => {
    const t = await createTestApp();
    const { refresh_token, access_token } = await t.register();
    expect((await t.call("POST", "/auth/revoke", { form: { token: refresh_token } })).status).toBe(200);
    expect((await t.refresh(refresh_token)).status).toBe(400);
    expect((await t.call("GET", "/users/me", { token: access_token })).status).toBe(401);
  });

  it("a valid access token revokes its session", async () => {
    const t = await createTestApp();
    const { refresh_token, access_token } = await t.register();
    expect((await t.call("POST", "/auth/revoke", { json: { token: access_token } })).status).toBe(200);
    expect((await t.refresh(refresh_token)).status).toBe(400);
  });

  it("a missing token parameter is invalid_request", async () => {
    const t = await createTestApp();
    expect((await t.call("POST", "/auth/revoke", { form: {} })).status).toBe(400);
  });
});
