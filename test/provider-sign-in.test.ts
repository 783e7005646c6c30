import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config.js";
import { createTestApp, PASSWORD, TEST_SECRET, type TestApp } from "./support/harness.js";
import { closedPort, startGithubStandIn, startOidcProvider } from "./support/providers.js";

const PUBLIC = "https://auth.example.com";
const SPA = "https://app.example.com";
const CSRF = { "X-Requested-With": "tessera" };

let oidc: Awaited<ReturnType<typeof startOidcProvider>>;
let github: Awaited<ReturnType<typeof startGithubStandIn>>;
let t: TestApp;

function env(extra: Record<string, string> = {}) {
  return {
    PUBLIC_URL: PUBLIC,
    FRONTEND_URL: `${SPA}/signed-in`,
    ALLOWED_ORIGINS: SPA,
    GOOGLE_CLIENT_ID: "tessera-google",
    GOOGLE_CLIENT_SECRET: "google-secret",
    GOOGLE_ISSUER: oidc.issuer,
    GITHUB_CLIENT_ID: "tessera-github",
    GITHUB_CLIENT_SECRET: "github-secret",
    GITHUB_URL: github.url,
    GITHUB_API_URL: github.apiUrl,
    OIDC_PROVIDERS: JSON.stringify({ acme: { issuer: oidc.issuer, client_id: "tessera-acme", client_secret: "acme-secret", label: "Acme SSO" } }),
    ...extra,
  };
}

beforeAll(async () => {
  oidc = await startOidcProvider();
  github = await startGithubStandIn("tessera-github", "github-secret");
});
afterAll(async () => {
  await oidc.stop();
  await github.stop();
});
beforeEach(async () => {
  oidc.reset();
  github.state.user = { id: 4242, login: "octo", name: "Octo Cat", emails: [{ email: "octo@example.com", primary: true, verified: true }] };
  t = await createTestApp({ env: env() });
});

function cookieNamed(headers: Headers, name: string): string | undefined {
  for (const line of headers.getSetCookie()) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(line);
    if (m) return m[1];
  }
  return undefined;
}

async function start(provider: string, query = "", app: TestApp = t) {
  return app.app.request(`/auth/oauth/${provider}/start${query}`);
}

/**
 * The browser's whole trip: start → the provider's authorize endpoint (its redirect followed) →
 * the callback with the state cookie. `tamper` may change the callback URL or cookie on the way.
 */
async function signInWith(
  provider: string,
  options: { query?: string; tamper?: (cb: { url: URL; cookie: string }) => void; extraCookie?: string } = {},
) {
  const started = await start(provider, options.query ?? "");
  expect(started.status).toBe(302);
  const oauthCookie = cookieNamed(started.headers, "__Host-tessera_oauth")!;
  const authorized = await fetch(started.headers.get("Location")!, { redirect: "manual" });
  expect(authorized.status).toBe(302);
  const cb = { url: new URL(authorized.headers.get("Location")!), cookie: oauthCookie };
  expect(cb.url.origin + cb.url.pathname).toBe(`${PUBLIC}/auth/oauth/${provider}/callback`);
  options.tamper?.(cb);
  const cookies = [`__Host-tessera_oauth=${cb.cookie}`, ...(options.extraCookie ? [options.extraCookie] : [])].join("; ");
  const callbackPath = cb.url.pathname + cb.url.search;
  const res = await t.app.request(callbackPath, { headers: { Cookie: cookies } });
  return { res, callbackPath, cookies, refreshCookie: cookieNamed(res.headers, "__Host-tessera_rt") };
}

/** The SPA's part after a good callback: refresh with the cookie, then read the account. */
async function accountFromCookie(refreshCookie: string) {
  const refreshed = await t.call("POST", "/auth/session/refresh", { headers: { ...CSRF, Cookie: `__Host-tessera_rt=${refreshCookie}` } });
  expect(refreshed.status).toBe(200);
  const me = await t.call("GET", "/users/me", { token: refreshed.json.access_token });
  expect(me.status).toBe(200);
  return { user: me.json, accessToken: refreshed.json.access_token as string };
}

function expectFailure(outcome: Awaited<ReturnType<typeof signInWith>>, code: string, target = `${SPA}/signed-in`) {
  expect(outcome.res.status).toBe(302);
  expect(outcome.res.headers.get("Location")).toBe(`${target}?error=${code}`);
  expect(outcome.refreshCookie).toBeUndefined();
  expect(cookieNamed(outcome.res.headers, "__Host-tessera_oauth")).toBe("");
  // The failure is the attempt's last word: no session was started after it.
  expect(t.audit.at(-1)).toMatchObject({ type: "oauth_login_failed", error: code });
}

describe("GET /auth/providers", () => {
  it("lists only the configured providers, in order", async () => {
    const res = await t.call("GET", "/auth/providers");
    expect(res.json).toEqual({
      providers: [
        { id: "google", label: "Google" },
        { id: "github", label: "GitHub" },
        { id: "acme", label: "Acme SSO" },
      ],
    });
    const bare = await createTestApp();
    expect((await bare.call("GET", "/auth/providers")).json).toEqual({ providers: [] });
    expect((await start("google", "", bare)).status).toBe(404);
  });
});

describe("start", () => {
  it("redirects with code, PKCE S256, state and nonce, bound by a sealed 10-minute cookie", async () => {
    const res = await start("google");
    const url = new URL(res.headers.get("Location")!);
    expect(url.origin + url.pathname).toBe(`${oidc.issuer}/authorize`);
    const q = Object.fromEntries(url.searchParams);
    expect(q).toMatchObject({
      response_type: "code",
      client_id: "tessera-google",
      redirect_uri: `${PUBLIC}/auth/oauth/google/callback`,
      scope: "openid email profile",
      code_challenge_method: "S256",
    });
    expect(q.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [cookie] = res.headers.getSetCookie();
    expect(cookie).toMatch(/^__Host-tessera_oauth=[^;]+; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    // Encrypted: neither the state, the nonce nor the target can be read from it.
    expect(cookie).not.toContain(q.state);
    expect(cookie).not.toContain("app.example.com");
  });

  it("GitHub gets its scopes and no nonce", async () => {
    const url = new URL((await start("github")).headers.get("Location")!);
    expect(url.origin + url.pathname).toBe(`${github.url}/login/oauth/authorize`);
    expect(url.searchParams.get("scope")).toBe("read:user user:email");
    expect(url.searchParams.get("nonce")).toBeNull();
  });

  it("refuses redirect_to outside the trusted origins", async () => {
    for (const bad of ["https://evil.example/x", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "data:text/html,x", "http://app.example.com/x"]) {
      const res = await start("google", `?redirect_to=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      expect((await res.json()).error).toBe("invalid_request");
    }
    for (const [good, target] of [
      ["/welcome?x=1", `${SPA}/welcome?x=1`],
      [`${SPA}/deep/page`, `${SPA}/deep/page`],
      [`${PUBLIC}/demo`, `${PUBLIC}/demo`],
    ]) {
      oidc.state.idClaims = { email: "target@example.com", email_verified: true };
      const outcome = await signInWith("google", { query: `?redirect_to=${encodeURIComponent(good!)}` });
      expect(outcome.res.headers.get("Location"), good).toBe(target);
    }
  });

  it("an unreachable provider sends the browser back with temporarily_unavailable", async () => {
    const down = await createTestApp({ env: env({ GOOGLE_ISSUER: `http://127.0.0.1:${await closedPort()}` }) });
    const res = await start("google", "", down);
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`${SPA}/signed-in?error=temporarily_unavailable`);
    expect(down.audit.at(-1)).toMatchObject({ type: "oauth_login_failed", provider: "google", error: "temporarily_unavailable" });
  });
});

describe("sign-in with an OpenID provider (Google and generic OIDC, one code path)", () => {
  it("creates an account, ends in a refresh cookie, never a token in a URL", async () => {
    oidc.state.idClaims = { sub: "g-1", email: "New.Person@Example.com", email_verified: true, name: "New Person" };
    const outcome = await signInWith("google");
    expect(outcome.res.status).toBe(302);
    expect(outcome.res.headers.get("Location")).toBe(`${SPA}/signed-in`);
    expect(outcome.res.headers.get("Cache-Control")).toBe("no-store");
    expect(outcome.res.headers.getSetCookie()).toContainEqual(expect.stringMatching(/^__Host-tessera_rt=rt_[^;]+; Max-Age=1209600; Path=\/; HttpOnly; Secure; SameSite=Strict$/));
    expect(cookieNamed(outcome.res.headers, "__Host-tessera_oauth")).toBe("");
    const { user, accessToken } = await accountFromCookie(outcome.refreshCookie!);
    expect(user).toMatchObject({ email: "new.person@example.com", name: "New Person", role: "user", email_verified: true });
    const identities = await t.call("GET", "/users/me/identities", { token: accessToken });
    expect(identities.json.identities).toEqual([
      { provider: "google", email: "new.person@example.com", created_at: expect.any(String), last_used_at: expect.any(String) },
    ]);
    expect(t.audit.map((e) => e.type)).toEqual(expect.arrayContaining(["user_registered", "identity_linked", "login_succeeded", "oauth_login_succeeded"]));

    // No password yet: a password login fails exactly like a wrong one.
    const login = await t.login("new.person@example.com", PASSWORD);
    expect(login.status).toBe(400);
    expect(login.json.error).toBe("invalid_grant");
    // The only way in cannot be unlinked…
    expect((await t.call("DELETE", "/users/me/identities/google", { token: accessToken })).status).toBe(409);
    // …until a first password is set, without a current one.
    expect((await t.call("POST", "/users/me/password", { token: accessToken, json: { new_password: PASSWORD } })).status).toBe(204);
    expect((await t.login("new.person@example.com", PASSWORD)).status).toBe(200);
    // A second "first" password is refused: now the current one is needed.
    const again = await t.call("POST", "/users/me/password", { token: accessToken, json: { new_password: "another long password" } });
    expect(again.status).toBe(400);
    expect(again.json.error).toBe("invalid_request");
    expect((await t.call("DELETE", "/users/me/identities/google", { token: accessToken })).status).toBe(204);
    expect((await t.call("DELETE", "/users/me/identities/google", { token: accessToken })).status).toBe(404);
    expect(t.audit.at(-1)).toMatchObject({ type: "identity_unlinked", provider: "google" });
  });

  it("an identity already linked signs in as its user, whatever email it asserts now", async () => {
    oidc.state.idClaims = { sub: "g-2", email: "first@example.com", email_verified: true };
    const first = await accountFromCookie((await signInWith("google")).refreshCookie!);
    oidc.state.idClaims = { sub: "g-2", email: "changed@example.com", email_verified: false };
    const second = await accountFromCookie((await signInWith("google")).refreshCookie!);
    expect(second.user.id).toBe(first.user.id);
    // The generic provider is another provider: the same subject there is another identity.
    oidc.state.idClaims = { sub: "g-2", email: "first@example.com", email_verified: true };
    const acme = await accountFromCookie((await signInWith("acme")).refreshCookie!);
    expect(acme.user.id).toBe(first.user.id);
    const ids = await t.call("GET", "/users/me/identities", { token: acme.accessToken });
    expect(ids.json.identities.map((i: { provider: string }) => i.provider).sort()).toEqual(["acme", "google"]);
  });

  it("a verified email links to the existing account and marks it verified", async () => {
    const registered = await t.register("alice@example.com");
    oidc.state.idClaims = { sub: "g-alice", email: "ALICE@example.com", email_verified: true };
    const { user } = await accountFromCookie((await signInWith("google")).refreshCookie!);
    expect(user).toMatchObject({ id: registered.user.id, email_verified: true });
    expect(t.audit).toContainEqual({ type: "identity_linked", user_id: registered.user.id, provider: "google" });
  });

  it("an unverified email never links to an existing account (account_exists)", async () => {
    await t.register("alice@example.com");
    oidc.state.idClaims = { sub: "g-mallory", email: "alice@example.com", email_verified: false };
    expectFailure(await signInWith("google"), "account_exists");
    oidc.state.idClaims = { sub: "g-mallory", email: "alice@example.com" };
    expectFailure(await signInWith("google"), "account_exists");
  });

  it("an unused but unverified email creates an unverified account", async () => {
    oidc.state.idClaims = { sub: "g-3", email: "fresh@example.com", email_verified: false };
    const { user } = await accountFromCookie((await signInWith("google")).refreshCookie!);
    expect(user).toMatchObject({ email: "fresh@example.com", email_verified: false });
  });

  it("no email → email_required", async () => {
    oidc.state.idClaims = { sub: "g-4" };
    expectFailure(await signInWith("google"), "email_required");
  });

  it("a disabled user → access_denied", async () => {
    oidc.state.idClaims = { sub: "g-5", email: "gone@example.com", email_verified: true };
    const { user } = await accountFromCookie((await signInWith("google")).refreshCookie!);
    await t.app.services.users.update(user.id, { disabled_at: t.clock.now() });
    expectFailure(await signInWith("google"), "access_denied");
  });

  it.each([
    ["a wrong audience", { aud: "someone-else" }],
    ["a wrong issuer", { iss: "https://evil.example" }],
    ["an expired ID token", { exp: Math.floor(Date.now() / 1000) - 300, iat: Math.floor(Date.now() / 1000) - 4000 }],
    ["a nonce mismatch", { nonce: "not-the-nonce" }],
  ])("%s → invalid_grant, no session", async (_name, claims) => {
    oidc.state.idClaims = { sub: "g-bad", email: "bad@example.com", email_verified: true, ...claims };
    expectFailure(await signInWith("google"), "invalid_grant");
    expect(await t.app.services.users.findByEmail("bad@example.com")).toBeUndefined();
  });

  it("the provider refusing → access_denied", async () => {
    oidc.state.authorizeRedirect = (url) => {
      url.searchParams.delete("code");
      url.searchParams.set("error", "access_denied");
    };
    expectFailure(await signInWith("google"), "access_denied");
  });

  it("a token endpoint answering 500 → temporarily_unavailable; garbage → invalid_grant", async () => {
    oidc.state.tokenResponse = (r) => {
      r.statusCode = 500;
      r.body = { error: "server_error" };
    };
    expectFailure(await signInWith("google"), "temporarily_unavailable");
    oidc.state.tokenResponse = (r) => {
      r.statusCode = 200;
      r.body = "garbage";
    };
    expectFailure(await signInWith("google"), "invalid_grant");
    expect(t.errors.every((e) => !JSON.stringify(e).includes("garbage"))).toBe(true);
  });

  it("a new sign-in in a browser that had a session ends the old one", async () => {
    oidc.state.idClaims = { sub: "g-6", email: "six@example.com", email_verified: true };
    const first = await signInWith("google");
    const second = await signInWith("google", { extraCookie: `__Host-tessera_rt=${first.refreshCookie}` });
    expect(second.refreshCookie).toBeDefined();
    const old = await t.call("POST", "/auth/session/refresh", { headers: { ...CSRF, Cookie: `__Host-tessera_rt=${first.refreshCookie}` } });
    expect(old.status).toBe(401);
  });
});

describe("the state cookie", () => {
  beforeEach(() => {
    oidc.state.idClaims = { sub: "g-state", email: "state@example.com", email_verified: true };
  });

  async function expectRefused(outcome: Awaited<ReturnType<typeof signInWith>>) {
    expect(outcome.res.status).toBe(400);
    expect(await outcome.res.json()).toMatchObject({ error: "invalid_request" });
    expect(outcome.refreshCookie).toBeUndefined();
    expect(cookieNamed(outcome.res.headers, "__Host-tessera_oauth")).toBe("");
    expect(await t.app.services.users.findByEmail("state@example.com")).toBeUndefined();
  }

  it("missing, altered, for another state or another provider → 400", async () => {
    await expectRefused(await signInWith("google", { tamper: (cb) => void (cb.cookie = "") }));
    await expectRefused(await signInWith("google", { tamper: (cb) => void (cb.cookie = cb.cookie.slice(0, -2) + (cb.cookie.endsWith("A") ? "BB" : "AA")) }));
    await expectRefused(await signInWith("google", { tamper: (cb) => void cb.url.searchParams.set("state", "x".repeat(43)) }));
    await expectRefused(await signInWith("google", { tamper: (cb) => void cb.url.searchParams.delete("state") }));
    await expectRefused(await signInWith("google", { tamper: (cb) => void (cb.url.pathname = "/auth/oauth/acme/callback") }));
    // A cookie sealed with another JWT_SECRET is worthless here.
    const other = await createTestApp({ env: { ...env(), JWT_SECRET: `${TEST_SECRET}-other` } });
    const foreign = cookieNamed((await start("google", "", other)).headers, "__Host-tessera_oauth")!;
    await expectRefused(await signInWith("google", { tamper: (cb) => void (cb.cookie = foreign) }));
  });

  it("expires after 10 minutes", async () => {
    await expectRefused(await signInWith("google", { tamper: () => t.clock.advance(601_000) }));
  });

  it("a replayed callback is refused, even with its cookie", async () => {
    const first = await signInWith("google");
    expect(first.refreshCookie).toBeDefined();
    const replay = await t.app.request(first.callbackPath, { headers: { Cookie: first.cookies } });
    expect(replay.status).toBe(400);
    expect(cookieNamed(replay.headers, "__Host-tessera_rt")).toBeUndefined();
  });
});

describe("sign-in with GitHub", () => {
  it("the whole chain, with the primary verified address and an API under a path", async () => {
    const outcome = await signInWith("github");
    const { user, accessToken } = await accountFromCookie(outcome.refreshCookie!);
    expect(user).toMatchObject({ email: "octo@example.com", name: "Octo Cat", email_verified: true });
    const ids = await t.call("GET", "/users/me/identities", { token: accessToken });
    expect(ids.json.identities).toMatchObject([{ provider: "github", email: "octo@example.com" }]);
  });

  it("links only on the primary address when verified; a verified secondary one does not count", async () => {
    await t.register("alice@example.com");
    github.state.user.emails = [
      { email: "alice@example.com", primary: true, verified: false },
      { email: "other@example.com", primary: false, verified: true },
    ];
    expectFailure(await signInWith("github"), "account_exists");
    github.state.user.emails = [
      { email: "nobody@example.com", primary: true, verified: true },
      { email: "alice@example.com", primary: false, verified: true },
    ];
    const { user } = await accountFromCookie((await signInWith("github")).refreshCookie!);
    expect(user.email).toBe("nobody@example.com");
  });

  it("its API unreachable after the code exchange → temporarily_unavailable", async () => {
    t = await createTestApp({ env: env({ GITHUB_API_URL: `http://127.0.0.1:${await closedPort()}/api/v3` }) });
    expectFailure(await signInWith("github"), "temporarily_unavailable");
  });

  it("no primary address → email_required; a bad code → invalid_grant", async () => {
    github.state.user.emails = [];
    expectFailure(await signInWith("github"), "email_required");
    expectFailure(await signInWith("github", { tamper: (cb) => void cb.url.searchParams.set("code", "forged") }), "invalid_grant");
  });
});

describe("provider configuration", () => {
  const base = { JWT_SECRET: TEST_SECRET, GOOGLE_CLIENT_ID: "id", GOOGLE_CLIENT_SECRET: "secret" };
  it.each([
    [{ ...base }, "PUBLIC_URL: required once a sign-in provider is configured"],
    [{ ...base, PUBLIC_URL: PUBLIC, GOOGLE_ISSUER: "http://idp.example.com" }, "GOOGLE_ISSUER: must use https"],
    [{ JWT_SECRET: TEST_SECRET, GITHUB_CLIENT_ID: "id" }, "GITHUB_CLIENT_SECRET: required when GITHUB_CLIENT_ID is set"],
    [{ JWT_SECRET: TEST_SECRET, PUBLIC_URL: PUBLIC, OIDC_PROVIDERS: "{not json" }, "OIDC_PROVIDERS: must be a JSON object"],
    [{ JWT_SECRET: TEST_SECRET, PUBLIC_URL: PUBLIC, OIDC_PROVIDERS: '{"google":{}}' }, 'OIDC_PROVIDERS: "google" is reserved'],
    [{ JWT_SECRET: TEST_SECRET, PUBLIC_URL: PUBLIC, OIDC_PROVIDERS: '{"Bad_Id":{}}' }, "OIDC_PROVIDERS: provider id"],
    [{ JWT_SECRET: TEST_SECRET, PUBLIC_URL: PUBLIC, OIDC_PROVIDERS: '{"x":{"issuer":"http://idp.example.com","client_id":"a","client_secret":"b"}}' }, "OIDC_PROVIDERS: x: issuer must be an https URL"],
    [{ JWT_SECRET: TEST_SECRET, PUBLIC_URL: PUBLIC, FRONTEND_URL: "https://elsewhere.example" }, "FRONTEND_URL: its origin must be"],
  ])("refuses %j", (vars, message) => {
    expect(() => parseConfig(vars)).toThrow(ConfigError);
    expect(() => parseConfig(vars)).toThrow(message);
  });
});
