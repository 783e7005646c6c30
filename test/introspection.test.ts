import { describe, expect, it } from "vitest";
import { basic, withClient } from "./support/clients.js";
import { createTestApp } from "./support/harness.js";
import { craftToken } from "./support/tokens.js";

async function setup(env: Record<string, string> = {}) {
  const t = await createTestApp({ env });
  const client = await withClient(t);
  const auth = { Authorization: basic(client.id, client.secret) };
  const introspect = (token: string, headers: Record<string, string> = auth) =>
    t.call("POST", "/auth/introspect", { form: { token }, headers });
  return { t, client, auth, introspect };
}

describe("POST /auth/introspect (RFC 7662)", () => {
  it("needs a registered client: none, or a wrong secret, is 401 invalid_client", async () => {
    const { t, introspect, client } = await setup();
    const { access_token } = await t.register("bob@example.com");
    const anonymous = await introspect(access_token, {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.error).toBe("invalid_client");
    expect(anonymous.headers.get("WWW-Authenticate")).toBe('Basic realm="tessera"');
    expect((await introspect(access_token, { Authorization: basic(client.id, `cs_${"C".repeat(43)}`) })).status).toBe(401);
    const viaPost = await t.call("POST", "/auth/introspect", { form: { token: access_token, client_id: client.id, client_secret: client.secret } });
    expect(viaPost.status).toBe(200);
    expect(viaPost.json.active).toBe(true);
  });

  it("a live user's access token is active with its claims; after logout it is exactly {active:false}", async () => {
    const { t, introspect } = await setup();
    const { user, access_token } = await t.register("bob@example.com");
    const live = await introspect(access_token);
    expect(live.status).toBe(200);
    expect(live.headers.get("Cache-Control")).toBe("no-store");
    expect(live.json).toEqual({
      active: true,
      token_type: "access_token",
      sub: user.id,
      client_id: "tessera",
      scope: "read write",
      exp: expect.any(Number),
      iat: expect.any(Number),
      iss: "tessera",
      aud: "tessera",
      jti: expect.any(String),
      sid: expect.any(String),
      role: "user",
    });
    await t.call("POST", "/auth/logout", { token: access_token });
    const after = await introspect(access_token);
    expect(after.status).toBe(200);
    expect(after.text).toBe('{"active":false}');
  });

  it("expired, foreign, garbage and disabled-user tokens are inactive", async () => {
    const { t, introspect, client } = await setup();
    const { user, access_token } = await t.register("bob@example.com");
    const foreign = await craftToken({ secret: "someone-elses-secret-0123456789abcdefgh", claims: { sub: user.id } });
    for (const token of [foreign, "garbage", "a.b.c", ""]) {
      const res = await introspect(token);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ active: false });
    }
    await t.app.services.adminUsers.update(user.id, { disabled: true }, { kind: "operator" });
    expect((await introspect(access_token)).json).toEqual({ active: false });
    const again = await t.register("carol@example.com");
    t.clock.advance(16 * 60 * 1000);
    expect((await introspect(again.access_token)).json).toEqual({ active: false });
    expect(client.id).toMatch(/^svc_/);
  });

  it("a usable refresh token is active; once rotated it is not", async () => {
    const { t, introspect } = await setup();
    const { user, refresh_token } = await t.register("bob@example.com");
    const res = await introspect(refresh_token);
    expect(res.json).toEqual({
      active: true,
      token_type: "refresh_token",
      sub: user.id,
      client_id: "tessera",
      scope: "read write",
      exp: expect.any(Number),
      sid: expect.any(String),
    });
    await t.refresh(refresh_token);
    expect((await introspect(refresh_token)).json).toEqual({ active: false });
  });

  it("a client token is active while its client is enabled, whatever its audience", async () => {
    const { t, introspect, client } = await setup();
    const other = await t.call("POST", "/admin/clients", { json: { name: "orders-bot", scopes: "read", audience: "orders" }, token: client.admin });
    const token = (
      await t.call("POST", "/auth/token", {
        form: { grant_type: "client_credentials" },
        headers: { Authorization: basic(other.json.client.id, other.json.client_secret) },
      })
    ).json.access_token;
    const active = await introspect(token);
    expect(active.json).toMatchObject({ active: true, token_type: "access_token", sub: other.json.client.id, aud: "orders" });
    expect(active.json).not.toHaveProperty("sid");
    expect(active.json).not.toHaveProperty("role");
    await t.call("PATCH", `/admin/clients/${other.json.client.id}`, { json: { disabled: true }, token: client.admin });
    expect((await introspect(token)).json).toEqual({ active: false });
  });
});

describe("POST /auth/revoke with client authentication", () => {
  it("accepts it with token_type_hint, refuses wrong credentials, and still works without any", async () => {
    const { t, auth, client } = await setup();
    const first = await t.register("bob@example.com");
    const ok = await t.call("POST", "/auth/revoke", { form: { token: first.refresh_token, token_type_hint: "refresh_token" }, headers: auth });
    expect(ok.status).toBe(200);
    expect((await t.refresh(first.refresh_token)).status).toBe(400);
    const second = (await t.login("bob@example.com")).json;
    const bad = await t.call("POST", "/auth/revoke", { form: { token: second.refresh_token }, headers: { Authorization: basic(client.id, `cs_${"D".repeat(43)}`) } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("WWW-Authenticate")).toBe('Basic realm="tessera"');
    expect((await t.refresh(second.refresh_token)).status).toBe(200); // nothing was revoked
    const anonymous = await t.call("POST", "/auth/revoke", { form: { token: second.access_token } });
    expect(anonymous.status).toBe(200);
  });
});

describe("GET /.well-known/oauth-authorization-server (RFC 8414)", () => {
  it("names the issuer and absolute endpoints from the request's origin, or PUBLIC_URL", async () => {
    const { t } = await setup();
    const res = await t.app.request("http://auth.internal:3000/.well-known/oauth-authorization-server");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      issuer: "tessera",
      token_endpoint: "http://auth.internal:3000/auth/token",
      revocation_endpoint: "http://auth.internal:3000/auth/revoke",
      introspection_endpoint: "http://auth.internal:3000/auth/introspect",
      grant_types_supported: ["password", "refresh_token", "client_credentials"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
      scopes_supported: ["read", "write", "delete", "admin"],
    });
    const pub = await setup({ PUBLIC_URL: "https://auth.example.com" });
    const meta = await (await pub.t.app.request("/.well-known/oauth-authorization-server")).json();
    expect(meta.token_endpoint).toBe("https://auth.example.com/auth/token");
  });
});
