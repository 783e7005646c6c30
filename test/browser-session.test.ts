import { describe, expect, it } from "vitest";
import { createTestApp, PASSWORD, type TestApp } from "./support/harness.js";

const SPA = "https://app.example.com";
const FOREIGN = "https://evil.example";
const CSRF = { "X-Requested-With": "tessera" };
const CLEARED = "__Host-tessera_rt=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict";

/** The names of the Access-Control-* headers of a response. */
function corsHeaders(headers: Headers): string[] {
  return [...headers.keys()].filter((name) => name.startsWith("access-control-"));
}

function setCookies(headers: Headers): string[] {
  return headers.getSetCookie();
}

/** The value of the refresh cookie a response sets (exactly one Set-Cookie is expected). */
function cookieValue(headers: Headers): string {
  const all = setCookies(headers);
  expect(all).toHaveLength(1);
  const match = /^__Host-tessera_rt=([^;]*);/.exec(all[0]!);
  expect(match).not.toBeNull();
  return match![1]!;
}

/**
 * What sign-in and sign-up answer alike: the access token and user in the body, the refresh
 * token only in a __Host- cookie with every attribute, nothing cached. Returns the cookie's value.
 */
function expectBrowserSessionAnswer(res: { json: any; text: string; headers: Headers }): string {
  expect(Object.keys(res.json).sort()).toEqual(["access_token", "expires_in", "token_type", "user"]);
  expect(res.json).toMatchObject({ token_type: "Bearer", expires_in: 900 });
  const cookie = cookieValue(res.headers);
  expect(cookie).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
  expect(res.text).not.toContain(cookie);
  expect(res.text).not.toContain("refresh_token");
  // Every attribute, in hono's order; no Domain (a __Host- cookie must be host-only).
  expect(setCookies(res.headers)).toEqual([`__Host-tessera_rt=${cookie}; Max-Age=1209600; Path=/; HttpOnly; Secure; SameSite=Strict`]);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  expect(res.headers.get("Pragma")).toBe("no-cache");
  return cookie;
}

function sessionApi(t: TestApp) {
  return {
    signIn: (headers: Record<string, string> = {}, json: unknown = { email: "alice@example.com", password: PASSWORD }) =>
      t.call("POST", "/auth/session", { json, headers: { ...CSRF, ...headers } }),
    refresh: (cookie: string | undefined, headers: Record<string, string> = {}) =>
      t.call("POST", "/auth/session/refresh", {
        headers: { ...CSRF, ...(cookie === undefined ? {} : { Cookie: `__Host-tessera_rt=${cookie}` }), ...headers },
      }),
    signUp: (json: unknown, headers: Record<string, string> = {}) =>
      t.call("POST", "/auth/session/register", { json, headers: { ...CSRF, ...headers } }),
    signOut: (cookie: string | undefined, headers: Record<string, string> = {}) =>
      t.call("DELETE", "/auth/session", {
        headers: { ...CSRF, ...(cookie === undefined ? {} : { Cookie: `__Host-tessera_rt=${cookie}` }), ...headers },
      }),
  };
}

async function signedIn(env: Record<string, string> = {}) {
  const t = await createTestApp({ env: { ALLOWED_ORIGINS: SPA, ...env } });
  await t.register();
  const api = sessionApi(t);
  const res = await api.signIn();
  expect(res.status).toBe(200);
  return { t, api, res, cookie: cookieValue(res.headers) };
}

describe("browser sign-in puts the refresh token only in a __Host- cookie", () => {
  it("answers the access token and user, and sets an HttpOnly, Secure, SameSite=Strict, host-only cookie", async () => {
    const { t, res, cookie } = await signedIn();
    expect(expectBrowserSessionAnswer(res)).toBe(cookie);
    expect(res.json.user).toMatchObject({ email: "alice@example.com", role: "user", disabled: false });

    const me = await t.call("GET", "/users/me", { token: res.json.access_token });
    expect(me.status).toBe(200);
    expect(me.json.email).toBe("alice@example.com");
  });

  it("answers 400 invalid_grant and sets no cookie for a wrong password", async () => {
    const t = await createTestApp();
    await t.register();
    const res = await sessionApi(t).signIn({}, { email: "alice@example.com", password: "wrong password!" });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe("invalid_grant");
    expect(setCookies(res.headers)).toEqual([]);
  });

  it("answers 400 invalid_request for a body without a password", async () => {
    const t = await createTestApp();
    const res = await sessionApi(t).signIn({}, { email: "alice@example.com" });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe("invalid_request");
    expect(res.json.issues).toHaveLength(1);
    expect(res.json.issues[0].path).toBe("password");
  });

  it("ends the session of the cookie it replaces", async () => {
    const { api, cookie } = await signedIn();
    const again = await api.signIn({ Cookie: `__Host-tessera_rt=${cookie}` });
    expect(again.status).toBe(200);
    expect(cookieValue(again.headers)).not.toBe(cookie);
    expect((await api.refresh(cookie)).status).toBe(401);
  });
});

describe("browser sign-up creates the account and signs it in, the refresh token only in the cookie", () => {
  const NEW_USER = { email: " Bob@Example.com ", password: PASSWORD, name: " Bob ", role: "admin" };

  it("answers 201 with the access token and user, and sets the same cookie as sign-in", async () => {
    const t = await createTestApp({ env: { ALLOWED_ORIGINS: SPA } });
    const res = await sessionApi(t).signUp(NEW_USER, { Origin: SPA });
    expect(res.status).toBe(201);
    const cookie = expectBrowserSessionAnswer(res);
    // Normalized like /auth/register, and the role in the body is ignored.
    expect(res.json.user).toMatchObject({ email: "bob@example.com", name: "Bob", role: "user", disabled: false });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(SPA);

    const me = await t.call("GET", "/users/me", { token: res.json.access_token });
    expect(me.json).toMatchObject({ id: res.json.user.id, email: "bob@example.com" });
    expect((await sessionApi(t).refresh(cookie)).status).toBe(200);
    expect((await t.login("bob@example.com")).status).toBe(200);
  });

  it("answers 409 conflict for a registered email, and sets no cookie", async () => {
    const t = await createTestApp();
    await t.register("bob@example.com");
    const res = await sessionApi(t).signUp(NEW_USER);
    expect(res.status).toBe(409);
    expect(res.json).toEqual({ error: "conflict", error_description: "An account with this email already exists." });
    expect(setCookies(res.headers)).toEqual([]);
  });

  it("applies the password and email rules of /auth/register", async () => {
    const t = await createTestApp();
    const api = sessionApi(t);
    const common = await api.signUp({ email: "bob@example.com", password: "password123" });
    expect(common.status).toBe(400);
    expect(common.json).toMatchObject({ error: "invalid_request", issues: [{ path: "password" }] });
    const malformed = await api.signUp({ email: "bob@", password: PASSWORD });
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject({ error: "invalid_request", issues: [{ path: "email" }] });
    expect([...setCookies(common.headers), ...setCookies(malformed.headers)]).toEqual([]);
    expect(await t.app.services.users.list({ limit: 10 })).toEqual([]);
  });

  it("ends the session of the cookie it replaces", async () => {
    const { api, cookie } = await signedIn();
    const res = await api.signUp(NEW_USER, { Cookie: `__Host-tessera_rt=${cookie}` });
    expect(res.status).toBe(201);
    expect((await api.refresh(cookie)).status).toBe(401);
  });

  it("takes JSON only (415 otherwise), which HTML forms cannot send", async () => {
    const t = await createTestApp();
    const res = await t.app.request("/auth/session/register", {
      method: "POST",
      headers: { ...CSRF, "Content-Type": "application/x-www-form-urlencoded" },
      body: "email=bob%40example.com&password=x",
    });
    expect(res.status).toBe(415);
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});

describe("the cookie's Max-Age never exceeds the session's remaining life", () => {
  it("starts at the session's absolute limit when that is shorter than the refresh TTL, then counts down", async () => {
    const { t, api, res, cookie } = await signedIn({ SESSION_MAX_AGE: "3600" });
    expect(setCookies(res.headers)[0]).toContain("; Max-Age=3600;");

    t.clock.advance(1000_500);
    const first = await api.refresh(cookie);
    expect(first.status).toBe(200);
    // 2599.5 s remain: rounded down, never up.
    expect(setCookies(first.headers)[0]).toContain("; Max-Age=2599;");

    t.clock.advance(2600_000);
    const late = await api.refresh(cookieValue(first.headers));
    expect(late.status).toBe(401);
    expect(setCookies(late.headers)).toEqual([CLEARED]);
  });

  it("uses the refresh TTL when the session has longer to live", async () => {
    const { t, api, cookie } = await signedIn({ REFRESH_TOKEN_TTL: "600", SESSION_MAX_AGE: "3600" });
    t.clock.advance(300_000);
    const res = await api.refresh(cookie);
    expect(setCookies(res.headers)[0]).toContain("; Max-Age=600;");
  });
});

describe("cookie refresh rotates the cookie", () => {
  it("answers a new access token, never the refresh token, and sets the successor cookie", async () => {
    const { t, api, cookie } = await signedIn();
    t.clock.advance(60_000);
    const res = await api.refresh(cookie);
    expect(res.status).toBe(200);
    expect(Object.keys(res.json).sort()).toEqual(["access_token", "expires_in", "token_type"]);
    expect(res.json).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    const next = cookieValue(res.headers);
    expect(next).not.toBe(cookie);
    expect(res.text).not.toContain(next);
    expect(setCookies(res.headers)).toEqual([`__Host-tessera_rt=${next}; Max-Age=1209600; Path=/; HttpOnly; Secure; SameSite=Strict`]);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("Pragma")).toBe("no-cache");
    expect((await t.call("GET", "/users/me", { token: res.json.access_token })).status).toBe(200);
  });

  it("lets two tabs present the same cookie at once: both succeed with the same successor", async () => {
    const { api, cookie } = await signedIn();
    const [a, b] = await Promise.all([api.refresh(cookie), api.refresh(cookie)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(cookieValue(a.headers)).toBe(cookieValue(b.headers));
    expect((await api.refresh(cookieValue(a.headers))).status).toBe(200);
  });

  it("treats an old cookie presented after the grace window as reuse and ends the session", async () => {
    const { t, api, cookie } = await signedIn();
    const rotated = cookieValue((await api.refresh(cookie)).headers);
    t.clock.advance(11_000);
    const reuse = await api.refresh(cookie);
    expect(reuse.status).toBe(401);
    expect(setCookies(reuse.headers)).toEqual([CLEARED]);
    expect(t.audit.some((e) => e.type === "refresh_reuse_detected")).toBe(true);
    expect((await api.refresh(rotated)).status).toBe(401);
  });
});

describe("a refresh without a working cookie is 401 invalid_token and clears the cookie", () => {
  it("missing cookie: no error attribute in the challenge", async () => {
    const t = await createTestApp();
    const res = await sessionApi(t).refresh(undefined);
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ error: "invalid_token", error_description: "No session cookie was sent; sign in first." });
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="tessera"');
    expect(setCookies(res.headers)).toEqual([CLEARED]);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
  });

  it("unknown cookie", async () => {
    const t = await createTestApp();
    const res = await sessionApi(t).refresh("rt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ error: "invalid_token", error_description: "The session has ended; sign in again." });
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer error="invalid_token"');
    expect(setCookies(res.headers)).toEqual([CLEARED]);
  });

  it("expired cookie (idle past REFRESH_TOKEN_TTL)", async () => {
    const { t, api, cookie } = await signedIn({ REFRESH_TOKEN_TTL: "600" });
    t.clock.advance(600_000);
    const res = await api.refresh(cookie);
    expect(res.status).toBe(401);
    expect(res.json.error).toBe("invalid_token");
    expect(setCookies(res.headers)).toEqual([CLEARED]);
  });

  it("revoked session (signed out through the bearer API)", async () => {
    const { t, api, res: login, cookie } = await signedIn();
    expect((await t.call("POST", "/auth/logout", { token: login.json.access_token })).status).toBe(204);
    const res = await api.refresh(cookie);
    expect(res.status).toBe(401);
    expect(setCookies(res.headers)).toEqual([CLEARED]);
  });
});

describe("browser sign-out clears the cookie and revokes the session", () => {
  it("answers 204, clears the cookie, and ends refresh and the access token's session", async () => {
    const { t, api, res: login, cookie } = await signedIn();
    const res = await api.signOut(cookie);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect(setCookies(res.headers)).toEqual([CLEARED]);
    expect((await api.refresh(cookie)).status).toBe(401);
    expect((await t.call("GET", "/users/me", { token: login.json.access_token })).status).toBe(401);
  });

  it("is idempotent: again, without a cookie, or with an unknown cookie it is still 204", async () => {
    const { api, cookie } = await signedIn();
    for (const presented of [cookie, cookie, undefined, "rt_unknown", "not-even-a-token"]) {
      const res = await api.signOut(presented);
      expect(res.status).toBe(204);
      expect(setCookies(res.headers)).toEqual([CLEARED]);
    }
  });
});

describe("CSRF: cookie routes need X-Requested-With: tessera and a listed Origin", () => {
  const routes = [
    ["POST", "/auth/session"],
    ["POST", "/auth/session/register"],
    ["POST", "/auth/session/refresh"],
    ["DELETE", "/auth/session"],
  ] as const;

  it.each(routes)("%s %s without the header is 403 forbidden", async (method, path) => {
    const { t, cookie } = await signedIn();
    const res = await t.call(method, path, {
      json: { email: "alice@example.com", password: PASSWORD },
      headers: { Cookie: `__Host-tessera_rt=${cookie}` },
    });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ error: "forbidden", error_description: "The request must carry the header X-Requested-With: tessera." });
    expect(setCookies(res.headers)).toEqual([]);
  });

  it.each(routes)("%s %s with another header value is 403 forbidden", async (method, path) => {
    const t = await createTestApp({ env: { ALLOWED_ORIGINS: SPA } });
    const res = await t.call(method, path, { headers: { "X-Requested-With": "XMLHttpRequest" } });
    expect(res.status).toBe(403);
    expect(res.json.error).toBe("forbidden");
  });

  it.each(routes)("%s %s from a foreign Origin is 403 forbidden even with the header", async (method, path) => {
    const { t, cookie } = await signedIn();
    const res = await t.call(method, path, {
      json: { email: "alice@example.com", password: PASSWORD },
      headers: { ...CSRF, Origin: FOREIGN, Cookie: `__Host-tessera_rt=${cookie}` },
    });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ error: "forbidden", error_description: "The request's origin is not allowed." });
  });

  it("refuses Origin: null, and any Origin when ALLOWED_ORIGINS is empty", async () => {
    const { t, api } = await signedIn();
    expect((await api.signIn({ Origin: "null" })).status).toBe(403);
    const bare = await createTestApp();
    await bare.register();
    expect((await sessionApi(bare).signIn({ Origin: SPA })).status).toBe(403);
    expect((await sessionApi(bare).signIn()).status).toBe(200);
    expect(t.config.allowedOrigins).toEqual([SPA]);
  });

  it("accepts PUBLIC_URL's origin (a UI served by Tessera itself), also with ALLOWED_ORIGINS empty", async () => {
    const t = await createTestApp({ env: { PUBLIC_URL: "https://auth.example.com/tessera/" } });
    await t.register();
    const api = sessionApi(t);
    const res = await api.signIn({ Origin: "https://auth.example.com" });
    expect(res.status).toBe(200);
    expect((await api.refresh(cookieValue(res.headers), { Origin: "https://auth.example.com" })).status).toBe(200);
    // Its origin is trusted, nothing else: another origin, or the same host over http, is still refused.
    for (const origin of [FOREIGN, "http://auth.example.com", "https://auth.example.com:8443"]) {
      expect((await api.signIn({ Origin: origin })).status).toBe(403);
    }
    // Same-origin pages need no CORS: PUBLIC_URL adds no CORS headers.
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("accepts a listed Origin", async () => {
    const { api, cookie } = await signedIn();
    expect((await api.refresh(cookie, { Origin: SPA })).status).toBe(200);
  });

  it("a refused request does not rotate the cookie", async () => {
    const { t, api, cookie } = await signedIn();
    expect((await api.refresh(cookie, { Origin: FOREIGN })).status).toBe(403);
    t.clock.advance(11_000); // past the grace window: a rotation would now make the cookie a reuse
    expect((await api.refresh(cookie)).status).toBe(200);
  });

  it.each([
    ["application/x-www-form-urlencoded", "email=alice%40example.com&password=x"],
    ["text/plain", JSON.stringify({ email: "alice@example.com", password: PASSWORD })],
    ["multipart/form-data; boundary=x", "--x--"],
  ])("sign-in with Content-Type %s is 415", async (type, body) => {
    const t = await createTestApp();
    await t.register();
    const res = await t.app.request("/auth/session", { method: "POST", headers: { ...CSRF, "Content-Type": type }, body });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({ error: "unsupported_media_type", error_description: "The request body must be application/json." });
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it.each([
    ["/auth/session", "POST, DELETE"],
    ["/auth/session/register", "POST"],
    ["/auth/session/refresh", "POST"],
  ])("GET %s is 405 JSON and never sets or reads the cookie", async (path, allow) => {
    const t = await createTestApp();
    const res = await t.call("GET", path, { headers: { Cookie: "__Host-tessera_rt=rt_x" } });
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe(allow);
    expect(res.json).toEqual({ error: "method_not_allowed", error_description: `Use ${allow} on this endpoint.` });
    expect(setCookies(res.headers)).toEqual([]);
  });
});

describe("CORS answers only listed origins, with credentials, never *", () => {
  it("echoes an allowed origin with credentials and Vary: Origin on the cookie routes", async () => {
    const { api, cookie } = await signedIn();
    const res = await api.refresh(cookie, { Origin: SPA });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(SPA);
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBe("true");
    expect(res.headers.get("Vary")).toBe("Origin");
  });

  it("keeps the CORS headers on error answers so the SPA can read them", async () => {
    const t = await createTestApp({ env: { ALLOWED_ORIGINS: SPA } });
    const res = await sessionApi(t).refresh(undefined, { Origin: SPA });
    expect(res.status).toBe(401);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(SPA);
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBe("true");
    expect(res.headers.get("Vary")).toBe("Origin");
  });

  it("gives a foreign origin, or a request without Origin, no Access-Control-* header at all", async () => {
    const { t, api, cookie } = await signedIn();
    for (const headers of [{ Origin: FOREIGN }, {}] as Record<string, string>[]) {
      const res = await t.call("GET", "/health", { headers });
      expect(res.status).toBe(200);
      expect(corsHeaders(res.headers)).toEqual([]);
      expect(res.headers.get("Vary")).toBe("Origin");
    }
    const refused = await api.refresh(cookie, { Origin: FOREIGN });
    expect(refused.status).toBe(403);
    expect(corsHeaders(refused.headers)).toEqual([]);
  });

  it("answers a preflight from an allowed origin with the methods and the three headers", async () => {
    const t = await createTestApp({ env: { ALLOWED_ORIGINS: `${SPA},https://admin.example.com` } });
    const res = await t.app.request("/auth/session/refresh", {
      method: "OPTIONS",
      headers: { Origin: SPA, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-requested-with" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(SPA);
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBe("true");
    expect(res.headers.get("Access-Control-Allow-Headers")).toBe("Authorization,Content-Type,X-Requested-With");
    expect(res.headers.get("Access-Control-Allow-Methods")).toBe("GET,POST,PATCH,DELETE,OPTIONS");
    expect(res.headers.get("Access-Control-Max-Age")).toBe("600");
    expect(res.headers.get("Vary")).toContain("Origin");
  });

  it("answers a preflight from a foreign origin with no Access-Control-* header at all", async () => {
    const t = await createTestApp({ env: { ALLOWED_ORIGINS: SPA } });
    const res = await t.app.request("/auth/session/refresh", {
      method: "OPTIONS",
      headers: { Origin: FOREIGN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-requested-with" },
    });
    expect(res.status).toBe(204);
    expect(corsHeaders(res.headers)).toEqual([]);
    expect(res.headers.get("Vary")).toBe("Origin");
  });

  it("never answers *, even when ALLOWED_ORIGINS is * (allowed outside production)", async () => {
    const t = await createTestApp({ env: { ALLOWED_ORIGINS: "*" } });
    await t.register();
    for (const origin of [FOREIGN, SPA, "*"]) {
      const res = await t.call("GET", "/health", { headers: { Origin: origin } });
      expect(corsHeaders(res.headers)).toEqual([]);
    }
    const signIn = await sessionApi(t).signIn({ Origin: FOREIGN });
    expect(signIn.status).toBe(403);
  });

  it("sends no CORS headers at all when ALLOWED_ORIGINS is empty", async () => {
    const t = await createTestApp();
    const res = await t.call("GET", "/health", { headers: { Origin: SPA } });
    expect(corsHeaders(res.headers)).toEqual([]);
  });
});

describe("security headers on every response", () => {
  it.each([
    ["GET", "/health", 200],
    ["GET", "/no-such-route", 404],
    ["POST", "/auth/session/refresh", 401],
    ["POST", "/auth/session", 403],
    ["GET", "/users/me", 401],
  ] as const)("%s %s (%i)", async (method, path, status) => {
    const t = await createTestApp();
    const headers = path === "/auth/session/refresh" ? CSRF : {};
    const res = await t.call(method, path, { headers });
    expect(res.status).toBe(status);
    expect(res.headers.get("Strict-Transport-Security")).toBe("max-age=63072000; includeSubDomains");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(res.headers.get("X-Frame-Options")).toBe("DENY");
    expect(res.headers.get("Content-Security-Policy")).toBe("default-src 'none'; frame-ancestors 'none'");
  });
});
