// The HTTP API through the real Workers entry (src/worker/index.ts) inside workerd, over D1:
// the same app the Node tests drive, wired the Workers way (D1 dialect, hash-wasm via
// precompiled modules, CF-Connecting-IP).
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { INVALID_GRANT_DESCRIPTION } from "../../src/errors.js";
import { uuidv7 } from "../../src/ids.js";
// The same module instance as `exports.default`; importing it installs the hash-wasm shim here too.
import worker from "../../src/worker/index.js";
import { hashInteropPassword, INTEROP_PASSWORD, NODE_MADE_HASH } from "../contract/password-hash-fixture.js";
import { basic, claimsOf } from "../support/client-basic.js";

const PASSWORD = "correct horse battery staple";
const ORIGIN = "https://tessera.test";
const SERVER_ERROR = { error: "server_error", error_description: "The server encountered an unexpected condition." };

interface CallInit {
  json?: unknown;
  body?: string;
  form?: Record<string, string>;
  token?: string;
  headers?: Record<string, string>;
}

async function call(method: string, path: string, init: CallInit = {}) {
  const headers: Record<string, string> = { "CF-Connecting-IP": "203.0.113.9", ...init.headers };
  let body = init.body;
  if (init.json !== undefined) {
    headers["Content-Type"] ??= "application/json";
    body = JSON.stringify(init.json);
  } else if (init.form !== undefined) {
    headers["Content-Type"] ??= "application/x-www-form-urlencoded";
    body = new URLSearchParams(init.form).toString();
  }
  if (init.token !== undefined) headers.Authorization = `Bearer ${init.token}`;
  const res = await exports.default.fetch(new Request(ORIGIN + path, { method, headers, body }));
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text === "" ? undefined : JSON.parse(text) };
}

const uniqueEmail = () => `${uuidv7(Date.now())}@example.com`;

async function register(email = uniqueEmail()) {
  const res = await call("POST", "/auth/register", { json: { email, password: PASSWORD, name: "Ada" } });
  expect(res.status).toBe(201);
  return { email, ...(res.json as { user: { id: string }; access_token: string; refresh_token: string }) };
}

const login = (username: string, password = PASSWORD) =>
  call("POST", "/auth/token", { form: { grant_type: "password", username, password } });
const refresh = (token: string) => call("POST", "/auth/token", { form: { grant_type: "refresh_token", refresh_token: token } });

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Workers: register", () => {
  it("creates the user and answers 201 with a token pair, not cached", async () => {
    const email = uniqueEmail();
    const res = await call("POST", "/auth/register", { json: { email: email.toUpperCase(), password: PASSWORD } });
    expect(res.status).toBe(201);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("Pragma")).toBe("no-cache");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.json).toEqual({
      user: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email,
        name: null,
        role: "user",
        disabled: false,
        email_verified: false,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      },
      access_token: expect.stringMatching(/^eyJ/),
      token_type: "Bearer",
      expires_in: 900,
      refresh_token: expect.stringMatching(/^rt_[A-Za-z0-9_-]{43}$/),
    });
    const row = await env.DB.prepare("SELECT password_hash FROM users WHERE email = ?").bind(email).first<{ password_hash: string }>();
    expect(row?.password_hash).toMatch(/^\$argon2id\$v=19\$m=64,t=1,p=1\$/);
  });

  it("answers 409 conflict for an email that is taken", async () => {
    const { email } = await register();
    const res = await call("POST", "/auth/register", { json: { email, password: PASSWORD } });
    expect(res.status).toBe(409);
    expect(res.json).toEqual({ error: "conflict", error_description: "An account with this email already exists." });
  });
});

describe("Workers: browser sign-up", () => {
  it("answers 201 with the access token and user, the refresh token only in the cookie, which then refreshes", async () => {
    const email = uniqueEmail();
    const csrf = { "X-Requested-With": "tessera" };
    const res = await call("POST", "/auth/session/register", { json: { email, password: PASSWORD, name: "Ada" }, headers: csrf });
    expect(res.status).toBe(201);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(Object.keys(res.json).sort()).toEqual(["access_token", "expires_in", "token_type", "user"]);
    expect(res.json).toMatchObject({ token_type: "Bearer", expires_in: 900, user: { email, name: "Ada", role: "user" } });
    const setCookie = res.headers.get("Set-Cookie") ?? "";
    // The real clock runs between issuing and writing the cookie: Max-Age may already be a second less.
    expect(setCookie).toMatch(/^__Host-tessera_rt=rt_[\w-]{43}; Max-Age=(1209600|1209599); Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    const cookie = setCookie.split(";")[0]!; // __Host-tessera_rt=rt_…
    expect(res.text).not.toContain(cookie.slice(cookie.indexOf("=") + 1));

    const refreshed = await call("POST", "/auth/session/refresh", { headers: { ...csrf, Cookie: cookie } });
    expect(refreshed.status).toBe(200);
    expect(Object.keys(refreshed.json).sort()).toEqual(["access_token", "expires_in", "token_type"]);
    expect((await call("POST", "/auth/session/register", { json: { email, password: PASSWORD } })).status).toBe(403);
  });
});

describe("Workers: password login", () => {
  it("answers 200 with a token pair and records CF-Connecting-IP, never X-Forwarded-For", async () => {
    const { email } = await register();
    const res = await call("POST", "/auth/token", {
      form: { grant_type: "password", username: email, password: PASSWORD },
      headers: { "CF-Connecting-IP": "198.51.100.23", "X-Forwarded-For": "192.0.2.66" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.json).toEqual({
      access_token: expect.stringMatching(/^eyJ/),
      token_type: "Bearer",
      expires_in: 900,
      refresh_token: expect.stringMatching(/^rt_/),
      scope: "read write",
    });
    const session = await env.DB.prepare(
      "SELECT s.ip FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = ? ORDER BY s.created_at DESC",
    )
      .bind(email)
      .first<{ ip: string }>();
    expect(session?.ip).toBe("198.51.100.23");
  });

  it("answers 400 invalid_grant for a wrong password", async () => {
    const { email } = await register();
    const res = await login(email, "wrong horse battery staple");
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: "invalid_grant", error_description: INVALID_GRANT_DESCRIPTION });
  });
});

describe("Workers: refresh rotates, and reuse revokes the session", () => {
  it("rotates twice, then a replay of the first token kills the whole session", async () => {
    const { refresh_token: t0 } = await register();
    const r1 = await refresh(t0);
    expect(r1.status).toBe(200);
    expect(r1.json.refresh_token).not.toBe(t0);
    const r2 = await refresh(r1.json.refresh_token);
    expect(r2.status).toBe(200);
    // Within the grace window, but its successor was already rotated: reuse, not a benign race.
    const replay = await refresh(t0);
    expect(replay.status).toBe(400);
    expect(replay.json).toEqual({ error: "invalid_grant", error_description: INVALID_GRANT_DESCRIPTION });
    expect((await refresh(r2.json.refresh_token)).status).toBe(400);
  });

  it("a benign duplicate within the grace window gets the same successor", async () => {
    const { refresh_token: t0 } = await register();
    const [a, b] = await Promise.all([refresh(t0), refresh(t0)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.json.refresh_token).toBe(b.json.refresh_token);
    expect((await refresh(a.json.refresh_token)).status).toBe(200);
  });
});

describe("Workers: /users/me and logout", () => {
  it("serves the user, then 401 invalid_token once the session is logged out", async () => {
    const { email, access_token, user } = await register();
    const me = await call("GET", "/users/me", { token: access_token });
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ id: user.id, email, name: "Ada", role: "user" });

    const logout = await call("POST", "/auth/logout", { token: access_token });
    expect(logout.status).toBe(204);
    expect(logout.text).toBe("");

    const after = await call("GET", "/users/me", { token: access_token });
    expect(after.status).toBe(401);
    expect(after.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
    expect(after.json.error).toBe("invalid_token");
  });

  it("asks for credentials with a bare realm challenge", async () => {
    const res = await call("GET", "/users/me");
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="tessera"');
    expect(res.json.error).toBe("invalid_token");
  });
});

describe("Workers: machine clients over D1", () => {
  // Their own address: the login and client-authentication limits count per IP.
  const ip = { "CF-Connecting-IP": "203.0.113.77" };

  /** An admin (registered, then promoted in D1) registers a client through the admin API. */
  async function registeredClient(body: Record<string, unknown> = { name: "billing", scopes: "read write" }) {
    const { email } = await register();
    await env.DB.prepare("UPDATE users SET role = 'admin' WHERE email = ?").bind(email).run();
    const admin = (await call("POST", "/auth/token", { form: { grant_type: "password", username: email, password: PASSWORD }, headers: ip }))
      .json.access_token as string;
    const created = await call("POST", "/admin/clients", { json: body, token: admin });
    expect(created.status).toBe(201);
    expect(created.headers.get("Cache-Control")).toBe("no-store");
    const row = await env.DB.prepare("SELECT secret_hash FROM clients WHERE id = ?").bind(created.json.client.id).first<{ secret_hash: string }>();
    expect(row?.secret_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    return { admin, id: created.json.client.id as string, secret: created.json.client_secret as string };
  }

  const grant = (id: string, secret: string) =>
    call("POST", "/auth/token", { form: { grant_type: "client_credentials" }, headers: { ...ip, Authorization: basic(id, secret) } });

  it("an admin registers a client; the grant with HTTP Basic answers a token with no sid and no role", async () => {
    const { id, secret } = await registeredClient({ name: "orders-bot", scopes: "read", audience: "orders" });
    expect(id).toMatch(/^svc_[A-Za-z0-9_-]{22}$/);
    const res = await grant(id, secret);
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.json).toEqual({ access_token: expect.stringMatching(/^eyJ/), token_type: "Bearer", expires_in: 900, scope: "read" });
    const claims = claimsOf(res.json.access_token);
    expect(claims).toMatchObject({ sub: id, client_id: id, aud: "orders", scope: "read" });
    expect(claims).not.toHaveProperty("sid");
    expect(claims).not.toHaveProperty("role");
    const wrong = await grant(id, `cs_${"A".repeat(43)}`);
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("WWW-Authenticate")).toBe('Basic realm="tessera"');
    const used = await env.DB.prepare("SELECT last_used_at FROM clients WHERE id = ?").bind(id).first<{ last_used_at: number | null }>();
    expect(used?.last_used_at).toEqual(expect.any(Number));
  });

  it("introspection: a user token is active, then {active:false} after logout; the client's own token while it is enabled", async () => {
    const { admin, id, secret } = await registeredClient();
    const introspect = (token: string) =>
      call("POST", "/auth/introspect", { form: { token }, headers: { ...ip, Authorization: basic(id, secret) } });
    const { user, access_token } = await register();
    const live = await introspect(access_token);
    expect(live.status).toBe(200);
    expect(live.headers.get("Cache-Control")).toBe("no-store");
    expect(live.json).toMatchObject({ active: true, token_type: "access_token", sub: user.id, client_id: "tessera", role: "user" });
    expect((await call("POST", "/auth/logout", { token: access_token })).status).toBe(204);
    const after = await introspect(access_token);
    expect(after.status).toBe(200);
    expect(after.text).toBe('{"active":false}');

    const own = (await grant(id, secret)).json.access_token as string;
    const active = await introspect(own);
    expect(active.json).toMatchObject({ active: true, sub: id, client_id: id, scope: "read write" });
    expect(active.json).not.toHaveProperty("sid");
    const other = await registeredClient({ name: "auditor", scopes: "read" });
    await call("PATCH", `/admin/clients/${id}`, { json: { disabled: true }, token: admin });
    const disabled = await call("POST", "/auth/introspect", {
      form: { token: own },
      headers: { ...ip, Authorization: basic(other.id, other.secret) },
    });
    expect(disabled.json).toEqual({ active: false });
  });

  it("publishes RFC 8414 metadata with absolute endpoints on the request's origin", async () => {
    const res = await call("GET", "/.well-known/oauth-authorization-server");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      issuer: "tessera",
      token_endpoint: `${ORIGIN}/auth/token`,
      introspection_endpoint: `${ORIGIN}/auth/introspect`,
      revocation_endpoint: `${ORIGIN}/auth/revoke`,
      grant_types_supported: ["password", "refresh_token", "client_credentials"],
    });
  });
});

describe("Workers: errors keep the one JSON shape", () => {
  it("an unknown path is 404 not_found", async () => {
    const res = await call("GET", "/nope");
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: "not_found", error_description: "No such endpoint." });
  });

  it("malformed JSON is 400 invalid_request", async () => {
    const res = await call("POST", "/auth/register", { body: '{"email":', headers: { "Content-Type": "application/json" } });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: "invalid_request", error_description: "The request body is not valid JSON." });
  });

  it("GET /health answers 200 when D1 answers", async () => {
    const res = await call("GET", "/health");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: "ok" });
  });
});

describe("Workers: password hashes are interchangeable with Node", () => {
  it("a hash made on Node (OWASP cost) logs in on Workers, and is rehashed to the configured cost", async () => {
    const email = uniqueEmail();
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO users (id, email, name, password_hash, role, created_at, updated_at) VALUES (?, ?, NULL, ?, 'user', ?, ?)",
    )
      .bind(uuidv7(now), email, NODE_MADE_HASH, now, now)
      .run();
    const res = await login(email, INTEROP_PASSWORD);
    expect(res.status).toBe(200);
    const row = await env.DB.prepare("SELECT password_hash FROM users WHERE email = ?").bind(email).first<{ password_hash: string }>();
    expect(row?.password_hash).toMatch(/^\$argon2id\$v=19\$m=64,t=1,p=1\$/);
    expect((await login(email, INTEROP_PASSWORD)).status).toBe(200);
  });

  it("hash-wasm in workerd reproduces the Node hash byte for byte, so Workers hashes verify on Node", async () => {
    expect(await hashInteropPassword()).toBe(NODE_MADE_HASH);
  });
});

describe("Workers: a bad configuration answers 500 and logs one line", () => {
  it("never leaks the cause, and logs it once per isolate however many requests arrive", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const broken = { ...env, JWT_SECRET: "too-short" };
    for (let i = 0; i < 3; i++) {
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(`${ORIGIN}/health`), broken, ctx);
      await waitOnExecutionContext(ctx);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual(SERVER_ERROR);
    }
    expect(errors.mock.calls.map((args) => JSON.parse(String(args[0])))).toEqual([
      {
        level: "error",
        message: "tessera: configuration error",
        name: "ConfigError",
        detail: "JWT_SECRET: must be at least 32 bytes",
      },
    ]);
  });
});

describe("Workers: the cron trigger purges expired rows", () => {
  it("deletes expired refresh tokens, sessions and rate-limit windows", async () => {
    const { user } = await register();
    const past = Date.now() - 1000;
    await env.DB.batch([
      env.DB.prepare("UPDATE sessions SET expires_at = ? WHERE user_id = ?").bind(past, user.id),
      env.DB.prepare("INSERT INTO rate_limits (key, window_start, count, expires_at) VALUES ('purge-me', 0, 1, ?)").bind(past),
    ]);
    await worker.scheduled(createScheduledController({ cron: "*/30 * * * *" }), env);
    const left = await env.DB.prepare(
      "SELECT (SELECT count(*) FROM sessions WHERE user_id = ?1) AS sessions, (SELECT count(*) FROM rate_limits WHERE key = 'purge-me') AS limits",
    )
      .bind(user.id)
      .first<{ sessions: number; limits: number }>();
    expect(left).toEqual({ sessions: 0, limits: 0 });
  });
});

describe("Workers: the OpenAPI document", () => {
  it("is served at /openapi.json; the /docs page is Node's only (its assets would not fit the bundle)", async () => {
    const doc = await call("GET", "/openapi.json");
    expect(doc.status).toBe(200);
    expect(doc.json.openapi).toBe("3.1.0");
    expect(Object.keys(doc.json.paths)).toContain("/auth/session/register");
    expect((await call("GET", "/docs")).status).toBe(404);
  });
});
