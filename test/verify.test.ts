import { Hono, type Context } from "hono";
import { generateKeyPair, exportJWK, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import {
  createAccessTokenVerifier,
  requireAuth,
  requireRole,
  requireScope,
  verifyAccessToken,
  type VerifyOptions,
} from "../src/verify/index.js";
import { craftToken, kidOf, rawSignedToken, tamperPayload, unsecuredToken, verdict } from "./support/tokens.js";

const SECRET = "sibling-shared-secret-0123456789abcdef";
const OTHER = "another-secret-entirely-0123456789abcdef";
const options: VerifyOptions = { secret: SECRET, issuer: "tessera", audience: "tessera", cacheSize: 0 };

const rejection = (token: string, opts: VerifyOptions = options) => verdict(token, opts);

describe("verifyAccessToken accepts a well-formed Tessera token", () => {
  it("returns the claims", async () => {
    const claims = await verifyAccessToken(await craftToken({ secret: SECRET }), options);
    expect(claims.sub).toBe("user-1");
    expect(claims.scope).toBe("read write");
  });

  it("accepts `application/at+jwt` as the same media type", async () => {
    expect(await rejection(await craftToken({ secret: SECRET, header: { typ: "application/at+jwt" } }))).toBe("accepted");
  });

  it("verifies with a previous key during rotation, choosing the key by kid", async () => {
    const rotating = { ...options, secret: [OTHER, SECRET] };
    expect(await rejection(await craftToken({ secret: SECRET }), rotating)).toBe("accepted");
    expect(await rejection(await craftToken({ secret: OTHER }), rotating)).toBe("accepted");
  });

  it("chooses the key by kid from a header in any member order, not only the one Tessera writes", async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: "tessera", aud: "tessera", sub: "u", iat: now, exp: now + 60, jti: "j" };
    const rotating = { ...options, secret: [OTHER, SECRET] };
    const reordered = await rawSignedToken({ kid: await kidOf(SECRET), typ: "at+jwt", alg: "HS256" }, claims, SECRET);
    expect(await rejection(reordered, rotating)).toBe("accepted");
    const wrongKey = await rawSignedToken({ kid: await kidOf(SECRET), typ: "at+jwt", alg: "HS256" }, claims, OTHER);
    expect(await rejection(wrongKey, rotating)).toBe("ERR_TOKEN_SIGNATURE_INVALID");
  });

  it("accepts an audience list containing this service", async () => {
    const token = await craftToken({ secret: SECRET, claims: { aud: ["billing", "tessera"] } });
    expect(await rejection(token)).toBe("accepted");
  });
});

describe("verifyAccessToken rejects crafted attack tokens", () => {
  it("alg none", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = unsecuredToken(
      { alg: "none", typ: "at+jwt", kid: await kidOf(SECRET) },
      { iss: "tessera", aud: "tessera", sub: "admin", iat: now, exp: now + 60, jti: "x" },
    );
    expect(await rejection(token)).toBe("ERR_TOKEN_ALG_NOT_ALLOWED");
  });

  it("HS512 signed with the real key", async () => {
    expect(await rejection(await craftToken({ secret: SECRET, alg: "HS512" }))).toBe("ERR_TOKEN_ALG_NOT_ALLOWED");
  });

  it("a wrong or missing typ (an ID token or any other JWT)", async () => {
    expect(await rejection(await craftToken({ secret: SECRET, header: { typ: "JWT" } }))).toBe("ERR_TOKEN_TYPE_INVALID");
    expect(await rejection(await craftToken({ secret: SECRET, header: { typ: undefined } }))).toBe("ERR_TOKEN_TYPE_INVALID");
  });

  it("a wrong issuer", async () => {
    expect(await rejection(await craftToken({ secret: SECRET, claims: { iss: "evil" } }))).toBe("ERR_TOKEN_CLAIM_INVALID");
  });

  it("a wrong audience", async () => {
    expect(await rejection(await craftToken({ secret: SECRET, claims: { aud: "orders" } }))).toBe("ERR_TOKEN_CLAIM_INVALID");
  });

  it("expired beyond the 30 s leeway, but not within it", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await rejection(await craftToken({ secret: SECRET, claims: { exp: now - 31 } }))).toBe("ERR_TOKEN_EXPIRED");
    expect(await rejection(await craftToken({ secret: SECRET, claims: { exp: now - 5 } }))).toBe("accepted");
  });

  it("nbf in the future beyond the leeway", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await rejection(await craftToken({ secret: SECRET, claims: { nbf: now + 120 } }))).toBe("ERR_TOKEN_NOT_YET_VALID");
  });

  it("iat in the future beyond the leeway", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await rejection(await craftToken({ secret: SECRET, claims: { iat: now + 120 } }))).toBe("ERR_TOKEN_CLAIM_INVALID");
  });

  it.each(["exp", "iat", "sub", "jti", "iss", "aud"])("a missing required claim: %s", async (claim) => {
    expect(await rejection(await craftToken({ secret: SECRET, omit: [claim] }))).toBe("ERR_TOKEN_CLAIM_INVALID");
  });

  it("a tampered payload", async () => {
    const token = tamperPayload(await craftToken({ secret: SECRET }), { role: "admin" });
    expect(await rejection(token)).toBe("ERR_TOKEN_SIGNATURE_INVALID");
  });

  it("an unknown kid, and no kid at all", async () => {
    expect(await rejection(await craftToken({ secret: SECRET, header: { kid: "nope" } }))).toBe("ERR_TOKEN_KEY_UNKNOWN");
    expect(await rejection(await craftToken({ secret: SECRET, header: { kid: undefined } }))).toBe("ERR_TOKEN_KEY_UNKNOWN");
  });

  it("a token signed with another key under our kid", async () => {
    const token = await craftToken({ secret: OTHER, header: { kid: await kidOf(SECRET) } });
    expect(await rejection(token)).toBe("ERR_TOKEN_SIGNATURE_INVALID");
  });

  it("an embedded jwk header is ignored (the attacker's key is not trusted)", async () => {
    const attackerKey = "attacker-controlled-key-0123456789abcdef";
    const jwk = { kty: "oct", k: Buffer.from(attackerKey).toString("base64url") };
    const token = await craftToken({ secret: attackerKey, header: { kid: await kidOf(SECRET), jwk: jwk as never } });
    expect(await rejection(token)).toBe("ERR_TOKEN_SIGNATURE_INVALID");
    const { publicKey } = await generateKeyPair("ES256");
    const asym = await new SignJWT({ sub: "x" })
      .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: await kidOf(SECRET), jwk: await exportJWK(publicKey) })
      .sign((await generateKeyPair("ES256")).privateKey);
    expect(await rejection(asym)).toBe("ERR_TOKEN_ALG_NOT_ALLOWED");
  });

  it("an unknown crit header", async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: "tessera", aud: "tessera", sub: "u", iat: now, exp: now + 60, jti: "j" };
    const header = { alg: "HS256", typ: "at+jwt", kid: await kidOf(SECRET) };
    expect(await rejection(await rawSignedToken(header, claims, SECRET))).toBe("accepted");
    const critical = await rawSignedToken({ ...header, crit: ["x-unknown"], "x-unknown": true }, claims, SECRET);
    expect(await rejection(critical)).toBe("ERR_TOKEN_MALFORMED");
  });

  it("a refresh token presented as a bearer token", async () => {
    expect(await rejection("rt_UzSpVtuajKRQT1L6RnP-gMUJEcYd-m4ivRXNacPRCtU")).toBe("ERR_TOKEN_MALFORMED");
  });

  it("garbage, empty and oversized strings", async () => {
    expect(await rejection("")).toBe("ERR_TOKEN_MISSING");
    expect(await rejection("a.b.c")).toBe("ERR_TOKEN_MALFORMED");
    expect(await rejection("x".repeat(10_000))).toBe("ERR_TOKEN_MALFORMED");
  });

  it("claims of the wrong type", async () => {
    expect(await rejection(await craftToken({ secret: SECRET, claims: { scope: ["admin"] } }))).toBe("ERR_TOKEN_CLAIM_INVALID");
    expect(await rejection(await craftToken({ secret: SECRET, claims: { sub: 42 } }))).toBe("ERR_TOKEN_CLAIM_INVALID");
  });
});

describe("verifier construction refuses unsafe configuration", () => {
  it("throws TypeError for a key shorter than 32 bytes", () => {
    expect(() => createAccessTokenVerifier({ ...options, secret: "short" })).toThrow(TypeError);
    expect(() => requireAuth({ ...options, secret: [SECRET, "short"] })).toThrow(TypeError);
  });

  it("throws TypeError for a leeway above 30 s and for a missing audience", () => {
    expect(() => createAccessTokenVerifier({ ...options, clockToleranceSeconds: 60 })).toThrow(TypeError);
    expect(() => createAccessTokenVerifier({ ...options, audience: [] })).toThrow(TypeError);
  });
});

function siblingApp(verify: VerifyOptions = { secret: SECRET, issuer: "tessera", audience: "tessera" }) {
  const app = new Hono();
  const auth = requireAuth(verify);
  app.use("/api/*", auth);
  app.get("/api/me", (c) => c.json(c.get("auth")));
  app.delete("/api/orders/:id", requireScope("write"), (c) => c.body(null, 204));
  app.get("/api/admin", requireRole("admin"), (c) => c.text("ok"));
  app.get("/api/viewer", requireRole("viewer"), (c) => c.text("ok"));
  // The one-handler form, outside /api/* so the middleware does not check the token first.
  app.get("/direct/me", auth.protect((c) => c.json(c.get("auth"))));
  return app;
}

// Every check of requireAuth, in both of its forms: mounted as middleware, and `protect(handler)`
// as a route's only handler.
const FORMS = [
  ["middleware", "/api/me"],
  ["protect(handler)", "/direct/me"],
] as const;

describe("requireAuth middleware for sibling services", () => {
  it.each(FORMS)("sets c.get('auth') with scopes as an array (%s)", async (_form, path) => {
    const res = await siblingApp().request(path, { headers: { Authorization: `Bearer ${await craftToken({ secret: SECRET })}` } });
    expect(res.status).toBe(200);
    const auth = await res.json();
    expect(auth).toMatchObject({ sub: "user-1", role: "user", scopes: ["read", "write"], sid: "session-1", clientId: "tessera" });
  });

  it.each(FORMS)("answers 401 with realm and no error attribute when no credentials are sent (RFC 6750 §3.1) (%s)", async (_form, path) => {
    const res = await siblingApp().request(path);
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="tessera"');
    expect(await res.json()).toMatchObject({ error: "invalid_token" });
  });

  it.each(FORMS)("answers 401 invalid_token with the error attribute for a bad token (%s)", async (_form, path) => {
    const token = await craftToken({ secret: SECRET, alg: "HS512" });
    const res = await siblingApp().request(path, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer error="invalid_token"');
    const body = await res.json();
    expect(body.error).toBe("invalid_token");
    expect(JSON.stringify(body)).not.toContain(token);
  });

  it.each(FORMS)("never reads a token from the URL (%s)", async (_form, path) => {
    const token = await craftToken({ secret: SECRET });
    const res = await siblingApp().request(`${path}?access_token=${token}`);
    expect(res.status).toBe(401);
  });

  it.each(FORMS)("rejects an Authorization header over 8 KiB with 401 (%s)", async (_form, path) => {
    const res = await siblingApp().request(path, { headers: { Authorization: `Bearer ${"a".repeat(9000)}` } });
    expect(res.status).toBe(401);
  });

  it.each(FORMS)("reads the bearer token from every accepted header shape and tells no credentials from a bad one (%s)", async (_form, path) => {
    const token = await craftToken({ secret: SECRET });
    const app = siblingApp();
    const challenge = async (authorization: string) => {
      const res = await app.request(path, { headers: { Authorization: authorization } });
      return res.status === 200 ? "accepted" : res.headers.get("WWW-Authenticate");
    };
    expect(await challenge(`Bearer ${token}`)).toBe("accepted");
    expect(await challenge(`bearer ${token}`)).toBe("accepted"); // the scheme is case-insensitive
    expect(await challenge(`BEARER   ${token}  `)).toBe("accepted");
    expect(await challenge("Bearer")).toBe('Bearer error="invalid_token"');
    expect(await challenge("Bearer    ")).toBe('Bearer error="invalid_token"');
    expect(await challenge(`Bearer ${token}x`)).toBe('Bearer error="invalid_token"');
    // Not a bearer credential at all: the challenge without an error attribute (RFC 6750 §3.1).
    expect(await challenge("Basic Zm9vOmJhcg==")).toBe('Bearer realm="tessera"');
    expect(await challenge(`Bearer ${token} extra`)).toBe('Bearer realm="tessera"');
    expect(await challenge(`Bearerx ${token}`)).toBe('Bearer realm="tessera"');
    // Only spaces separate the scheme from the token (RFC 7235 §2.1).
    expect(await challenge(`Bearer\t${token}`)).toBe('Bearer realm="tessera"');
  });

  it.each(FORMS)("refuses a token it has cached once the clock passes exp, on the synchronous cache path too (%s)", async (_form, path) => {
    const clock = { ms: Date.now() };
    const exp = Math.floor(clock.ms / 1000) + 60;
    const token = await craftToken({ secret: SECRET, claims: { exp } });
    const app = siblingApp({ secret: SECRET, issuer: "tessera", audience: "tessera", clockToleranceSeconds: 0, now: () => clock.ms });
    const get = () => app.request(path, { headers: { Authorization: `Bearer ${token}` } });
    expect((await get()).status).toBe(200); // first sight: jose
    expect((await get()).status).toBe(200); // from the cache
    clock.ms = exp * 1000;
    const refused = await get();
    expect(refused.status).toBe(401);
    expect(refused.headers.get("WWW-Authenticate")).toBe('Bearer error="invalid_token"');
  });

  it.each(FORMS)("gives each request its own context, so one handler's changes never reach the next request of the same token (%s)", async (form) => {
    const token = await craftToken({ secret: SECRET });
    const auth = requireAuth({ secret: SECRET, issuer: "tessera", audience: "tessera" });
    const handler = (c: Context) => {
      const scopes = [...c.get("auth").scopes];
      c.get("auth").scopes.push("admin");
      return c.json(scopes);
    };
    const app = new Hono();
    if (form === "middleware") app.get("/api/me", auth, handler);
    else app.get("/api/me", auth.protect(handler));
    for (let i = 0; i < 3; i++) {
      const res = await app.request("/api/me", { headers: { Authorization: `Bearer ${token}` } });
      expect(await res.json()).toEqual(["read", "write"]);
    }
  });

  it("protect(handler) answers a token seen before without a promise, from the cache it shares with the middleware", async () => {
    const token = await craftToken({ secret: SECRET });
    const app = siblingApp();
    const get = (path: string, t = token) => app.fetch(new Request(`http://sibling${path}`, { headers: { Authorization: `Bearer ${t}` } }));
    const first = get("/api/me"); // first sight through the middleware: jose is asynchronous
    expect(first).toBeInstanceOf(Promise);
    expect((await first).status).toBe(200);
    const again = get("/direct/me");
    // Settled at once: @hono/node-server writes such a response without awaiting anything.
    expect(again).toBeInstanceOf(Response);
    expect(await (again as Response).json()).toMatchObject({ sub: "user-1" });
    // A refusal from the cache path is settled at once too, and is still a refusal.
    const refused = get("/direct/me", `${token}x`);
    expect((await refused).status).toBe(401);
  });

  it("protect(handler) passes what the handler returns or throws on to Hono", async () => {
    const token = await craftToken({ secret: SECRET });
    const auth = requireAuth({ secret: SECRET, issuer: "tessera", audience: "tessera" });
    const app = new Hono();
    app.get("/sync-throw", auth.protect(() => { throw new Error("handler failed"); }));
    app.get("/async", auth.protect(async (c) => c.text(`hello ${c.get("auth").sub}`, 201)));
    app.onError((e, c) => c.text(e.message, 500));
    const get = (path: string) => app.request(path, { headers: { Authorization: `Bearer ${token}` } });
    for (let i = 0; i < 2; i++) { // first sight, then from the cache
      const failed = await get("/sync-throw");
      expect([failed.status, await failed.text()]).toEqual([500, "handler failed"]);
      const ok = await get("/async");
      expect([ok.status, await ok.text()]).toEqual([201, "hello user-1"]);
    }
  });

  it("protect needs a handler function", () => {
    const auth = requireAuth({ secret: SECRET, issuer: "tessera", audience: "tessera" });
    expect(() => auth.protect(undefined as never)).toThrow(TypeError);
  });

  it("requireScope answers 403 insufficient_scope with the RFC 6750 header", async () => {
    const token = await craftToken({ secret: SECRET, claims: { scope: "read" } });
    const res = await siblingApp().request("/api/orders/1", { method: "DELETE", headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(403);
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer error="insufficient_scope"');
    expect((await res.json()).error).toBe("insufficient_scope");
    const ok = await siblingApp().request("/api/orders/1", {
      method: "DELETE",
      headers: { Authorization: `Bearer ${await craftToken({ secret: SECRET })}` },
    });
    expect(ok.status).toBe(204);
  });

  it("requireRole is hierarchical: admin > user > viewer", async () => {
    const user = await craftToken({ secret: SECRET, claims: { role: "user" } });
    const admin = await craftToken({ secret: SECRET, claims: { role: "admin" } });
    const app = siblingApp();
    const get = (path: string, t: string) => app.request(path, { headers: { Authorization: `Bearer ${t}` } });
    expect((await get("/api/admin", user)).status).toBe(403);
    expect((await get("/api/admin", admin)).status).toBe(200);
    expect((await get("/api/viewer", user)).status).toBe(200);
    expect((await get("/api/viewer", admin)).status).toBe(200);
  });
});
