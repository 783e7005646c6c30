// tessera/verify in a sibling service on Workers: a Hono app inside workerd that checks the access
// tokens the real Workers entry issues, locally, in both of requireAuth's forms; and public-key
// tokens against a JWKS, with tessera/testing making them.
import { env, exports } from "cloudflare:workers";
import { Hono } from "hono";
import { importJWK, SignJWT, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import { uuidv7 } from "../../src/ids.js";
import { createTestIssuer } from "../../src/testing/index.js";
import { requireAuth, verifyAccessToken } from "../../src/verify/index.js";
import { tamperSignature } from "../support/tokens.js";

async function issuedAccessToken(): Promise<{ sub: string; token: string }> {
  const res = await exports.default.fetch(
    new Request("https://tessera.test/auth/register", {
      method: "POST",
      headers: { "Content-Type": "application/json", "CF-Connecting-IP": "203.0.113.10" },
      body: JSON.stringify({ email: `${uuidv7(Date.now())}@example.com`, password: "correct horse battery staple" }),
    }),
  );
  expect(res.status).toBe(201);
  const body = (await res.json()) as { user: { id: string }; access_token: string };
  return { sub: body.user.id, token: body.access_token };
}

function sibling() {
  const auth = requireAuth({ secret: env.JWT_SECRET, issuer: "tessera", audience: "tessera" });
  const app = new Hono();
  app.use("/api/*", auth);
  app.get("/api/me", (c) => c.json({ sub: c.get("auth").sub }));
  app.get("/direct/me", auth.protect((c) => c.json({ sub: c.get("auth").sub })));
  return app;
}

describe("Workers: a sibling verifies Tessera's access tokens with tessera/verify", () => {
  it.each(["/api/me", "/direct/me"])("accepts an issued token and refuses it tampered or missing (%s)", async (path) => {
    const { sub, token } = await issuedAccessToken();
    const app = sibling();
    const get = (authorization?: string) =>
      app.request(path, { headers: authorization === undefined ? {} : { Authorization: authorization } });
    for (let i = 0; i < 2; i++) { // first sight, then from the cache
      const ok = await get(`Bearer ${token}`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ sub });
    }
    const refused = await get(`Bearer ${tamperSignature(token)}`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("WWW-Authenticate")).toBe('Bearer error="invalid_token"');
    expect((await get()).headers.get("WWW-Authenticate")).toBe('Bearer realm="tessera"');
  });
});

describe("Workers: a sibling verifies EdDSA tokens against a JWKS (Web Crypto Ed25519 in workerd)", () => {
  it("accepts a token of createTestIssuer through requireAuth with jwks, and refuses it tampered or from other keys", async () => {
    const issuer = await createTestIssuer({ audience: "orders" });
    expect(issuer.options.jwks?.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519" });
    const auth = requireAuth(issuer.options);
    const app = new Hono();
    app.use("/api/*", auth);
    app.get("/api/me", (c) => c.json({ sub: c.get("auth").sub, scopes: c.get("auth").scopes }));
    app.get("/direct/me", auth.protect((c) => c.json({ sub: c.get("auth").sub, scopes: c.get("auth").scopes })));
    const token = await issuer.sign({ sub: "user-7", scope: "orders:read" });
    for (const path of ["/api/me", "/api/me", "/direct/me"]) { // first sight, then from the cache
      const ok = await app.request(path, { headers: { Authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ sub: "user-7", scopes: ["orders:read"] });
    }
    const other = await createTestIssuer({ audience: "orders" });
    for (const bad of [tamperSignature(token), await other.sign()]) {
      const refused = await app.request("/api/me", { headers: { Authorization: `Bearer ${bad}` } });
      expect(refused.status).toBe(401);
      expect(refused.headers.get("WWW-Authenticate")).toBe('Bearer error="invalid_token"');
    }
  });
});

describe("Workers: a sibling fetches the JWKS with jwksUrl (jose's remote key set over workerd's fetch)", () => {
  it("accepts a token signed with the published key, and answers 401 when the key set cannot be had", async () => {
    const jwk = JSON.parse(env.JWKS_SIGNING_KEY) as JWK;
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ iss: "tessera", aud: "orders", sub: "user-8", iat: now, exp: now + 300, jti: "j-1", scope: "orders:read" })
      .setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", kid: jwk.kid! })
      .sign(await importJWK(jwk, "EdDSA"));
    const app = new Hono();
    app.get("/api/me", requireAuth({ jwksUrl: env.JWKS_URL, issuer: "tessera", audience: "orders" }), (c) => c.json({ sub: c.get("auth").sub }));
    const down = { jwksUrl: new URL("/nothing-here", env.JWKS_URL), issuer: "tessera", audience: "orders" }; // a 404
    app.get("/down/me", requireAuth(down), (c) => c.text("never"));
    const ok = await app.request("/api/me", { headers: { Authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ sub: "user-8" });
    const unavailable = await app.request("/down/me", { headers: { Authorization: `Bearer ${token}` } });
    expect(unavailable.status).toBe(401);
    expect(unavailable.headers.get("WWW-Authenticate")).toBe('Bearer error="invalid_token"');
    await expect(verifyAccessToken(token, down)).rejects.toMatchObject({ code: "ERR_TOKEN_KEYS_UNAVAILABLE" });
  });
});
