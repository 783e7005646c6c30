import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { requireAuth, requireRole, requireScope } from "../src/verify/index.js";
import { basic, claimsOf, withClient } from "./support/clients.js";
import { createTestApp, TEST_SECRET } from "./support/harness.js";

const grant = (t: Awaited<ReturnType<typeof createTestApp>>, form: Record<string, string>, headers: Record<string, string> = {}) =>
  t.call("POST", "/auth/token", { form: { grant_type: "client_credentials", ...form }, headers });

describe("registering a machine client", () => {
  it("answers the client and its secret once, never a hash, not cached", async () => {
    const t = await createTestApp();
    const { created, id, admin } = await withClient(t);
    expect(created.headers.get("Cache-Control")).toBe("no-store");
    expect(id).toMatch(/^svc_[A-Za-z0-9_-]{22}$/);
    expect(created.json.client_secret).toMatch(/^cs_[A-Za-z0-9_-]{43}$/);
    expect(created.json.client).toEqual({
      id,
      name: "billing",
      scopes: "read write",
      audience: null,
      disabled: false,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      last_used_at: null,
    });
    const listed = await t.call("GET", "/admin/clients", { token: admin });
    expect(listed.json.clients).toEqual([created.json.client]);
    expect(listed.text).not.toContain("hash");
    expect(listed.text).not.toContain(created.json.client_secret);
  });

  it("refuses scopes that ROLE_SCOPES does not know", async () => {
    const t = await createTestApp();
    const { admin } = await withClient(t);
    const res = await t.call("POST", "/admin/clients", { json: { name: "x", scopes: "read launch-missiles" }, token: admin });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe("invalid_request");
  });

  it("is for admins only", async () => {
    const t = await createTestApp();
    const { id } = await withClient(t);
    const { access_token } = await t.register("bob@example.com");
    expect((await t.call("GET", "/admin/clients", { token: access_token })).status).toBe(403);
    expect((await t.call("GET", `/admin/clients/${id}`)).status).toBe(401);
  });
});

describe("the client_credentials grant", () => {
  it("with HTTP Basic: a token whose sub and client_id are the client, no sid, no role, no refresh token", async () => {
    const t = await createTestApp();
    const { id, secret } = await withClient(t);
    const res = await grant(t, {}, { Authorization: basic(id, secret) });
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(Object.keys(res.json).sort()).toEqual(["access_token", "expires_in", "scope", "token_type"]);
    expect(res.json.scope).toBe("read write");
    const claims = claimsOf(res.json.access_token);
    expect(claims).toMatchObject({ sub: id, client_id: id, aud: "tessera", scope: "read write", iss: "tessera" });
    expect(claims).not.toHaveProperty("sid");
    expect(claims).not.toHaveProperty("role");
  });

  it("with client_id and client_secret in the body (client_secret_post)", async () => {
    const t = await createTestApp();
    const { id, secret } = await withClient(t);
    const res = await grant(t, { client_id: id, client_secret: secret, scope: "read" });
    expect(res.status).toBe(200);
    expect(res.json.scope).toBe("read");
  });

  it("decodes Basic credentials as RFC 6749 §2.3.1 says: form-urlencoded before base64", async () => {
    const t = await createTestApp();
    const { id, secret } = await withClient(t);
    // "_" percent-encoded: a library that encodes more than it must still authenticates.
    const encoded = `Basic ${Buffer.from(`${id.replace("_", "%5F")}:${secret.replace("_", "%5F")}`).toString("base64")}`;
    expect((await grant(t, {}, { Authorization: encoded })).status).toBe(200);
  });

  it("uses the client's own audience when it has one", async () => {
    const t = await createTestApp();
    const { id, secret } = await withClient(t, { name: "orders-bot", scopes: "read", audience: "orders" });
    const res = await grant(t, {}, { Authorization: basic(id, secret) });
    expect(claimsOf(res.json.access_token).aud).toBe("orders");
  });

  it("refuses both methods at once with 400 invalid_request", async () => {
    const t = await createTestApp();
    const { id, secret } = await withClient(t);
    const res = await grant(t, { client_id: id, client_secret: secret }, { Authorization: basic(id, secret) });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe("invalid_request");
  });

  it("answers bad credentials with 401 invalid_client, and a Basic challenge after a Basic attempt", async () => {
    const t = await createTestApp();
    const { id, secret } = await withClient(t);
    const wrong = `cs_${"A".repeat(43)}`;
    const viaBasic = await grant(t, {}, { Authorization: basic(id, wrong) });
    expect(viaBasic.status).toBe(401);
    expect(viaBasic.json.error).toBe("invalid_client");
    expect(viaBasic.headers.get("WWW-Authenticate")).toBe('Basic realm="tessera"');
    const viaPost = await grant(t, { client_id: id, client_secret: wrong });
    expect(viaPost.status).toBe(401);
    expect(viaPost.headers.get("WWW-Authenticate")).toBeNull();
    for (const header of ["Basic !!!", "Basic " + Buffer.from("no-colon").toString("base64"), "Basic " + Buffer.from(`${id}:%zz`).toString("base64")]) {
      const res = await grant(t, {}, { Authorization: header });
      expect(res.status).toBe(401);
      expect(res.json.error).toBe("invalid_client");
    }
    expect((await grant(t, {})).status).toBe(401);
    expect((await grant(t, { client_id: `svc_${"A".repeat(22)}`, client_secret: secret })).status).toBe(401);
  });

  it("refuses a disabled client, and takes it back once enabled", async () => {
    const t = await createTestApp();
    const { id, secret, admin } = await withClient(t);
    expect((await t.call("PATCH", `/admin/clients/${id}`, { json: { disabled: true }, token: admin })).json.disabled).toBe(true);
    expect((await grant(t, {}, { Authorization: basic(id, secret) })).status).toBe(401);
    await t.call("PATCH", `/admin/clients/${id}`, { json: { disabled: false }, token: admin });
    expect((await grant(t, {}, { Authorization: basic(id, secret) })).status).toBe(200);
  });

  it("grants a subset of the client's scopes, and refuses more with invalid_scope", async () => {
    const t = await createTestApp();
    const { id, secret } = await withClient(t);
    expect((await grant(t, { scope: "write" }, { Authorization: basic(id, secret) })).json.scope).toBe("write");
    const more = await grant(t, { scope: "read admin" }, { Authorization: basic(id, secret) });
    expect(more.status).toBe(400);
    expect(more.json.error).toBe("invalid_scope");
  });

  it("limits failed authentications per client and IP, before checking the secret", async () => {
    const t = await createTestApp();
    const { id, secret } = await withClient(t);
    for (let i = 0; i < 5; i++) expect((await grant(t, {}, { Authorization: basic(id, `cs_${"B".repeat(43)}`) })).status).toBe(401);
    const sixth = await grant(t, {}, { Authorization: basic(id, secret) });
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get("Retry-After")).toMatch(/^\d+$/);
  });

  it("accepts the previous secret for CLIENT_SECRET_OVERLAP seconds after a rotation, then only the new one", async () => {
    const t = await createTestApp({ env: { CLIENT_SECRET_OVERLAP: "60" } });
    const { id, secret: old, admin } = await withClient(t);
    const rotated = await t.call("POST", `/admin/clients/${id}/secret`, { token: admin });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get("Cache-Control")).toBe("no-store");
    const fresh = rotated.json.client_secret as string;
    expect(fresh).not.toBe(old);
    expect((await grant(t, {}, { Authorization: basic(id, old) })).status).toBe(200);
    expect((await grant(t, {}, { Authorization: basic(id, fresh) })).status).toBe(200);
    t.clock.advance(61_000);
    expect((await grant(t, {}, { Authorization: basic(id, old) })).status).toBe(401);
    expect((await grant(t, {}, { Authorization: basic(id, fresh) })).status).toBe(200);
  });

  it("of two rotations at once, every secret answered with 200 works: a loser of the race answers 409", async () => {
    const t = await createTestApp();
    const { id, admin } = await withClient(t);
    const answers = await Promise.all([0, 1].map(() => t.call("POST", `/admin/clients/${id}/secret`, { token: admin })));
    // Both read the same secret (the usual case on SQLite): one wins, one 409. One after the
    // other (possible on PostgreSQL): two 200s, the first secret now the previous one.
    for (const loser of answers.filter((a) => a.status !== 200)) expect([loser.status, loser.json.error]).toEqual([409, "conflict"]);
    const handedOut = answers.filter((a) => a.status === 200).map((a) => a.json.client_secret as string);
    expect(handedOut.length).toBeGreaterThanOrEqual(1);
    for (const secret of handedOut) expect((await grant(t, {}, { Authorization: basic(id, secret) })).status).toBe(200);
  });
});

describe("a client token is nobody's account", () => {
  it("Tessera's own user endpoints answer it 403 forbidden", async () => {
    const t = await createTestApp();
    const { id, secret } = await withClient(t);
    const token = (await grant(t, {}, { Authorization: basic(id, secret) })).json.access_token;
    for (const [method, path] of [["GET", "/users/me"], ["GET", "/users/me/sessions"], ["POST", "/auth/logout"], ["POST", "/auth/logout-all"]] as const) {
      const res = await t.call(method, path, { token });
      expect(res.status).toBe(403);
      expect(res.json.error).toBe("forbidden");
    }
  });

  it("tessera/verify gives role and sid null; requireRole refuses it, requireScope lets it through", async () => {
    const t = await createTestApp();
    const { id, secret } = await withClient(t);
    const token = (await grant(t, { scope: "read" }, { Authorization: basic(id, secret) })).json.access_token;
    const sibling = new Hono();
    sibling.use("/api/*", requireAuth({ secret: TEST_SECRET, issuer: "tessera", audience: "tessera", now: () => t.clock.now() }));
    sibling.get("/api/whoami", (c) => c.json(c.get("auth")));
    sibling.get("/api/read", requireScope("read"), (c) => c.text("ok"));
    sibling.get("/api/user", requireRole("viewer"), (c) => c.text("ok"));
    const who = await (await sibling.request("/api/whoami", { headers: { Authorization: `Bearer ${token}` } })).json();
    expect(who).toMatchObject({ sub: id, clientId: id, role: null, sid: null, scopes: ["read"] });
    expect((await sibling.request("/api/read", { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await sibling.request("/api/user", { headers: { Authorization: `Bearer ${token}` } })).status).toBe(403);
  });
});

describe("the admin API manages clients", () => {
  it("gets, renames, rescopes, deletes; unknown ids are 404", async () => {
    const t = await createTestApp();
    const { id, admin } = await withClient(t);
    expect((await t.call("GET", `/admin/clients/${id}`, { token: admin })).json.name).toBe("billing");
    const patched = await t.call("PATCH", `/admin/clients/${id}`, { json: { name: "billing-v2", scopes: "read" }, token: admin });
    expect(patched.json).toMatchObject({ name: "billing-v2", scopes: "read" });
    expect((await t.call("DELETE", `/admin/clients/${id}`, { token: admin })).status).toBe(204);
    expect((await t.call("GET", `/admin/clients/${id}`, { token: admin })).status).toBe(404);
    expect((await t.call("GET", "/admin/clients/not-an-id", { token: admin })).status).toBe(404);
    expect(t.audit.map((e) => e.type)).toEqual(expect.arrayContaining(["client_created", "client_deleted"]));
  });
});

describe("scopes in the admin API", () => {
  it("may be sent as a space-separated string or as a JSON array, and read back as a string", async () => {
    const t = await createTestApp();
    const { admin } = await withClient(t);
    const asArray = await t.call("POST", "/admin/clients", { json: { name: "arr", scopes: ["read", "write"] }, token: admin });
    expect(asArray.status).toBe(201);
    expect(asArray.json.client.scopes).toBe("read write");
    const empty = await t.call("POST", "/admin/clients", { json: { name: "none", scopes: [] }, token: admin });
    expect(empty.status).toBe(400);
    expect((await t.call("POST", "/admin/clients", { json: { name: "n", scopes: 42 }, token: admin })).status).toBe(400);
  });
});
