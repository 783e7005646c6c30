// Interop with a real OAuth client library: oauth4webapi drives discovery, the client_credentials
// grant, introspection and revocation against a listening Tessera, and its own processing
// functions run their spec checks on every answer. The client tokens it gets are then verified
// the way a sibling service would, with tessera/verify.
import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import type { AddressInfo } from "node:net";
import * as oauth from "oauth4webapi";
import { afterEach, describe, expect, it } from "vitest";
import { requireAuth, requireRole, requireScope, verifyAccessToken } from "../src/verify/index.js";
import { withClient } from "./support/clients.js";
import { createTestApp, TEST_SECRET } from "./support/harness.js";

type Fetch = (request: Request) => Response | Promise<Response>;

const servers: ServerType[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

async function listen(handler: { fetch: Fetch }): Promise<string> {
  return new Promise((resolve) => {
    const server = serve({ fetch: (req) => handler.fetch(req), port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) =>
      resolve(`http://127.0.0.1:${info.port}`),
    );
    servers.push(server);
  });
}

// Plain http is fine on loopback; oauth4webapi insists on https unless told otherwise.
const insecure = { [oauth.allowInsecureRequests]: true } as const;

/**
 * Tessera on an ephemeral port whose JWT_ISSUER is its own origin: oauth4webapi takes the issuer
 * identifier to be a URL and requires the metadata's `issuer` to equal it. The origin is only
 * known once the socket is bound, so the app is built after listening.
 */
async function startTessera() {
  const handler: { fetch: Fetch } = { fetch: () => new Response("starting", { status: 503 }) };
  const origin = await listen(handler);
  const t = await createTestApp({ env: { JWT_ISSUER: origin } });
  handler.fetch = (req) => t.app.fetch(req);
  const issuer = new URL(origin);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...insecure }));
  const registered = await withClient(t);
  const client: oauth.Client = { client_id: registered.id };
  return { t, origin, as, client, registered };
}

type Started = Awaited<ReturnType<typeof startTessera>>;

async function clientToken(s: Started, auth: oauth.ClientAuth, scope?: string) {
  const response = await oauth.clientCredentialsGrantRequest(s.as, s.client, auth, scope === undefined ? {} : { scope }, insecure);
  return oauth.processClientCredentialsResponse(s.as, s.client, response);
}

async function introspect(s: Started, token: string) {
  const response = await oauth.introspectionRequest(s.as, s.client, oauth.ClientSecretBasic(s.registered.secret), token, insecure);
  return oauth.processIntrospectionResponse(s.as, s.client, response);
}

async function revoke(s: Started, auth: oauth.ClientAuth, token: string, hint?: string) {
  const options = { ...insecure, ...(hint !== undefined && { additionalParameters: { token_type_hint: hint } }) };
  return oauth.processRevocationResponse(await oauth.revocationRequest(s.as, s.client, auth, token, options));
}

describe("oauth4webapi discovers Tessera through RFC 8414 metadata", () => {
  it("accepts the metadata: issuer equal to the identifier, absolute endpoints on the server's origin", async () => {
    const { as, origin } = await startTessera();
    expect(as).toMatchObject({
      issuer: origin,
      token_endpoint: `${origin}/auth/token`,
      introspection_endpoint: `${origin}/auth/introspect`,
      revocation_endpoint: `${origin}/auth/revoke`,
      grant_types_supported: ["password", "refresh_token", "client_credentials"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
      scopes_supported: ["read", "write", "delete", "admin"],
    });
  });

  it("refuses metadata whose issuer is not the identifier it asked about (the check is real)", async () => {
    const { origin } = await startTessera();
    const other = new URL(origin.replace("127.0.0.1", "localhost"));
    const response = await oauth.discoveryRequest(other, { algorithm: "oauth2", ...insecure });
    await expect(oauth.processDiscoveryResponse(other, response)).rejects.toMatchObject({ code: oauth.JSON_ATTRIBUTE_COMPARISON });
  });
});

describe("an issuer that is not a URL cannot be discovered", () => {
  it("with the default JWT_ISSUER (\"tessera\") the library refuses the metadata: RFC 8414 §2 wants an https URL", async () => {
    const t = await createTestApp();
    const identifier = new URL("http://127.0.0.1:1");
    const metadata = await t.app.request(`${identifier.origin}/.well-known/oauth-authorization-server`);
    expect(metadata.status).toBe(200);
    await expect(oauth.processDiscoveryResponse(identifier, metadata)).rejects.toMatchObject({ code: "ERR_INVALID_URL" });
  });
});

describe("oauth4webapi runs the client_credentials grant", () => {
  it.each([
    ["client_secret_basic", (secret: string) => oauth.ClientSecretBasic(secret)],
    ["client_secret_post", (secret: string) => oauth.ClientSecretPost(secret)],
  ])("with %s: a bearer token with the client's scopes and no refresh token", async (_, auth) => {
    const s = await startTessera();
    const all = await clientToken(s, auth(s.registered.secret));
    expect(all).toMatchObject({ token_type: "bearer", expires_in: 900, scope: "read write" });
    expect(all.refresh_token).toBeUndefined();
    expect((await clientToken(s, auth(s.registered.secret), "read")).scope).toBe("read");
  });

  it("surfaces a wrong secret as the Basic challenge (Basic) or an invalid_client body (post)", async () => {
    const s = await startTessera();
    const wrong = `cs_${"A".repeat(43)}`;
    const basic = await clientToken(s, oauth.ClientSecretBasic(wrong)).catch((e: unknown) => e);
    expect(basic).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    expect(basic).toMatchObject({ status: 401, cause: [{ scheme: "basic", parameters: { realm: "tessera" } }] });
    await expect(clientToken(s, oauth.ClientSecretPost(wrong))).rejects.toMatchObject({ error: "invalid_client", status: 401 });
  });

  it("surfaces a scope beyond the client's as invalid_scope", async () => {
    const s = await startTessera();
    await expect(clientToken(s, oauth.ClientSecretBasic(s.registered.secret), "read admin")).rejects.toMatchObject({
      error: "invalid_scope",
      status: 400,
    });
  });
});

describe("oauth4webapi runs the first-party refresh grant", () => {
  it("as the public client `tessera` (token_endpoint_auth_method none): a rotated pair", async () => {
    const s = await startTessera();
    const { refresh_token } = await s.t.register("bob@example.com");
    const app: oauth.Client = { client_id: "tessera", token_endpoint_auth_method: "none" };
    const response = await oauth.refreshTokenGrantRequest(s.as, app, oauth.None(), refresh_token, insecure);
    const rotated = await oauth.processRefreshTokenResponse(s.as, app, response);
    expect(rotated).toMatchObject({ token_type: "bearer", expires_in: 900, scope: "read write" });
    expect(rotated.refresh_token).toMatch(/^rt_/);
    expect(rotated.refresh_token).not.toBe(refresh_token);
  });
});

describe("oauth4webapi introspects (RFC 7662)", () => {
  it("a user's access token is active until the user logs out, then exactly inactive", async () => {
    const s = await startTessera();
    const { user, access_token } = await s.t.register("bob@example.com");
    expect(await introspect(s, access_token)).toMatchObject({
      active: true,
      token_type: "access_token",
      sub: user.id,
      client_id: "tessera",
      scope: "read write",
      iss: s.origin,
      aud: "tessera",
      role: "user",
    });
    const logout = await fetch(`${s.origin}/auth/logout`, { method: "POST", headers: { Authorization: `Bearer ${access_token}` } });
    expect(logout.status).toBe(204);
    expect(await introspect(s, access_token)).toEqual({ active: false });
  });

  it("a client token is active while its client is enabled", async () => {
    const s = await startTessera();
    const { access_token } = await clientToken(s, oauth.ClientSecretPost(s.registered.secret));
    expect(await introspect(s, access_token)).toMatchObject({ active: true, sub: s.client.client_id, client_id: s.client.client_id });
    const other = await s.t.call("POST", "/admin/clients", { json: { name: "auditor", scopes: "read" }, token: s.registered.admin });
    await s.t.call("PATCH", `/admin/clients/${s.client.client_id}`, { json: { disabled: true }, token: s.registered.admin });
    const asOther: Started = { ...s, client: { client_id: other.json.client.id }, registered: { ...s.registered, secret: other.json.client_secret } };
    expect(await introspect(asOther, access_token)).toEqual({ active: false });
  });

  it("garbage is inactive, not an error", async () => {
    const s = await startTessera();
    expect(await introspect(s, "not-a-token")).toEqual({ active: false });
  });
});

describe("oauth4webapi revokes (RFC 7009) with client authentication", () => {
  it("a refresh token, with and without token_type_hint; its session's access token goes inactive", async () => {
    const s = await startTessera();
    const first = await s.t.register("bob@example.com");
    await revoke(s, oauth.ClientSecretBasic(s.registered.secret), first.refresh_token, "refresh_token");
    expect(await introspect(s, first.refresh_token)).toEqual({ active: false });
    expect(await introspect(s, first.access_token)).toEqual({ active: false });
    expect((await s.t.refresh(first.refresh_token)).status).toBe(400);

    const second = (await s.t.login("bob@example.com")).json;
    await revoke(s, oauth.ClientSecretPost(s.registered.secret), second.access_token);
    expect(await introspect(s, second.refresh_token)).toEqual({ active: false });
  });

  it("an unknown token is not an error (RFC 7009 §2.2); wrong client credentials are", async () => {
    const s = await startTessera();
    await expect(revoke(s, oauth.ClientSecretBasic(s.registered.secret), "rt_unknown")).resolves.toBeUndefined();
    await expect(revoke(s, oauth.ClientSecretBasic(`cs_${"B".repeat(43)}`), "rt_unknown")).rejects.toBeInstanceOf(
      oauth.WWWAuthenticateChallengeError,
    );
  });
});

describe("a sibling verifies oauth4webapi's client tokens with tessera/verify", () => {
  it("verifyAccessToken with the same secret, issuer and audience: role and sid absent", async () => {
    const s = await startTessera();
    const { access_token } = await clientToken(s, oauth.ClientSecretBasic(s.registered.secret), "read");
    const claims = await verifyAccessToken(access_token, { secret: TEST_SECRET, issuer: s.origin, audience: "tessera" });
    expect(claims).toMatchObject({ sub: s.client.client_id, client_id: s.client.client_id, scope: "read", iss: s.origin });
    expect(claims.role).toBeUndefined();
    expect(claims.sid).toBeUndefined();
    await expect(verifyAccessToken(access_token, { secret: TEST_SECRET, issuer: "tessera", audience: "tessera" })).rejects.toMatchObject({
      code: "ERR_TOKEN_CLAIM_INVALID",
    });
  });

  it("requireAuth over HTTP, called with oauth4webapi's protectedResourceRequest: requireScope passes, requireRole refuses", async () => {
    const s = await startTessera();
    const { access_token } = await clientToken(s, oauth.ClientSecretBasic(s.registered.secret), "read");
    const sibling = new Hono();
    sibling.use("/api/*", requireAuth({ secret: TEST_SECRET, issuer: s.origin, audience: "tessera" }));
    sibling.get("/api/whoami", (c) => c.json(c.get("auth")));
    sibling.get("/api/orders", requireScope("read"), (c) => c.json({ orders: [] }));
    sibling.get("/api/staff", requireRole("viewer"), (c) => c.json({ staff: [] }));
    const base = await listen({ fetch: (req) => sibling.fetch(req) });
    const get = (path: string) => oauth.protectedResourceRequest(access_token, "GET", new URL(path, base), undefined, undefined, insecure);

    expect(await (await get("/api/whoami")).json()).toMatchObject({ sub: s.client.client_id, role: null, sid: null, scopes: ["read"] });
    expect((await get("/api/orders")).status).toBe(200);
    // The refusal carries RFC 6750's challenge, which the library parses and surfaces.
    const staff = await get("/api/staff").catch((e: unknown) => e);
    expect(staff).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    expect(staff).toMatchObject({ status: 403, cause: [{ scheme: "bearer", parameters: { error: "insufficient_scope" } }] });
  });
});
