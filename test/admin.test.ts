import { describe, expect, it } from "vitest";
import { AppError } from "../src/errors.js";
import { decodeUserCursor } from "../src/users/admin-user-cursor.js";
import { createAdminUsers } from "../src/users/admin-users.js";
import { createTestApp, PASSWORD, type TestApp } from "./support/harness.js";

type Role = "admin" | "user" | "viewer";

async function createUser(t: TestApp, email: string, role: Role, name: string | null = null) {
  return t.app.services.users.create({ email, password: PASSWORD, name, role });
}

async function signIn(t: TestApp, email: string, scope?: string) {
  const res = await t.login(email, PASSWORD, scope === undefined ? {} : { scope });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  return res.json as { access_token: string; refresh_token: string; scope: string };
}

/** An app with one admin (root@example.com) signed in with every scope of the role. */
async function withAdmin() {
  const t = await createTestApp();
  const root = await createUser(t, "root@example.com", "admin", "Root");
  const { access_token: token } = await signIn(t, "root@example.com");
  return { t, root, token };
}

function publicUser(row: { id: string; email: string; name: string | null; role: string; created_at: number }, extra: Record<string, unknown> = {}) {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    disabled: false,
    email_verified: false,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.created_at).toISOString(),
    ...extra,
  };
}

const ENDPOINTS: Array<[string, (id: string) => string, unknown?]> = [
  ["GET", () => "/admin/users"],
  ["POST", () => "/admin/users", { email: "new@example.com", password: PASSWORD, role: "user" }],
  ["GET", (id) => `/admin/users/${id}`],
  ["PATCH", (id) => `/admin/users/${id}`, { name: "x" }],
  ["DELETE", (id) => `/admin/users/${id}`],
  ["DELETE", (id) => `/admin/users/${id}/sessions`],
];

describe("admin endpoints require a live admin session with the admin scope", () => {
  it("answers 401 without credentials on every admin endpoint (RFC 6750 §3.1)", async () => {
    const { t, root } = await withAdmin();
    for (const [method, path, json] of ENDPOINTS) {
      const res = await t.call(method, path(root.id), { json });
      expect(res.status, `${method} ${path(root.id)}`).toBe(401);
      expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="tessera"');
      expect(res.json).toEqual({ error: "invalid_token", error_description: "Authentication is required." });
    }
  });

  it("answers 403 insufficient_scope to user and viewer tokens on every admin endpoint", async () => {
    const { t, root } = await withAdmin();
    await createUser(t, "user@example.com", "user");
    await createUser(t, "viewer@example.com", "viewer");
    for (const email of ["user@example.com", "viewer@example.com"]) {
      const { access_token } = await signIn(t, email);
      for (const [method, path, json] of ENDPOINTS) {
        const res = await t.call(method, path(root.id), { json, token: access_token });
        expect(res.status, `${email} ${method}`).toBe(403);
        expect(res.headers.get("WWW-Authenticate")).toBe('Bearer error="insufficient_scope"');
        expect(res.json).toEqual({ error: "insufficient_scope", error_description: "This request needs the role admin." });
      }
    }
    expect(await t.app.services.users.findByEmail("new@example.com")).toBeUndefined();
  });

  it("refuses an admin token that was requested with scope=read", async () => {
    const { t } = await withAdmin();
    const { access_token, scope } = await signIn(t, "root@example.com", "read");
    expect(scope).toBe("read");
    const res = await t.call("GET", "/admin/users", { token: access_token });
    expect(res.status).toBe(403);
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer error="insufficient_scope"');
    expect(res.json).toEqual({ error: "insufficient_scope", error_description: "This request needs the scope: admin." });
  });

  it("answers 401 invalid_token once the admin's session is logged out", async () => {
    const { t, token } = await withAdmin();
    expect((await t.call("POST", "/auth/logout", { token })).status).toBe(204);
    const res = await t.call("GET", "/admin/users", { token });
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer error="invalid_token"');
    expect(res.json).toEqual({ error: "invalid_token", error_description: "The session has ended." });
  });
});

describe("GET /admin/users pages through users", () => {
  it("lists users in creation order as public user objects, with next_cursor null on the last page", async () => {
    const { t, root, token } = await withAdmin();
    t.clock.advance(1);
    const bob = await createUser(t, "bob@example.com", "viewer");
    const res = await t.call("GET", "/admin/users", { token });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ users: [publicUser(root), publicUser(bob)], next_cursor: null });
    expect(res.text).not.toContain("argon2");
  });

  it("visits every user exactly once across pages while users are being added", async () => {
    const { t, token } = await withAdmin();
    for (let i = 0; i < 9; i++) {
      t.clock.advance(1);
      await createUser(t, `member${i}@example.com`, "user");
    }
    const before = new Set((await t.app.services.users.list({ limit: 100 })).map((u) => u.id));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? "?limit=3" : `?limit=3&cursor=${cursor}`;
      const res = await t.call("GET", `/admin/users${query}`, { token });
      expect(res.status).toBe(200);
      expect(res.json.users.length).toBeLessThanOrEqual(3);
      seen.push(...res.json.users.map((u: { id: string }) => u.id));
      cursor = res.json.next_cursor;
      pages++;
      // Sign-ups in the middle of the walk must not shift or repeat what is left.
      t.clock.advance(1);
      await createUser(t, `late${pages}@example.com`, "user");
    } while (cursor !== null && pages < 20);
    expect(cursor).toBeNull();
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of before) expect(seen).toContain(id);
  });

  it("filters by a case-insensitive email prefix", async () => {
    const { t, token } = await withAdmin();
    const ann = await createUser(t, "ann.lee@example.com", "user");
    await createUser(t, "bob@example.com", "user");
    const res = await t.call("GET", `/admin/users?email=${encodeURIComponent("  ANN.")}`, { token });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ users: [publicUser(ann)], next_cursor: null });
    const none = await t.call("GET", "/admin/users?email=%25", { token });
    expect(none.json).toEqual({ users: [], next_cursor: null });
  });

  it("defaults to 50 per page and issues an opaque cursor", async () => {
    const { t, token } = await withAdmin();
    for (let i = 0; i < 50; i++) await createUser(t, `u${i}@example.com`, "viewer");
    const res = await t.call("GET", "/admin/users", { token });
    expect(res.json.users).toHaveLength(50);
    expect(res.json.next_cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeUserCursor(res.json.next_cursor)).toBe(res.json.users[49].id);
    const rest = await t.call("GET", `/admin/users?cursor=${res.json.next_cursor}`, { token });
    expect(rest.json.users).toHaveLength(1);
    expect(rest.json.next_cursor).toBeNull();
  });

  it("answers 400 invalid_request for a limit outside 1–100 or a cursor it did not issue", async () => {
    const { t, token } = await withAdmin();
    for (const limit of ["0", "101", "abc", "-1", "1.5"]) {
      const res = await t.call("GET", `/admin/users?limit=${limit}`, { token });
      expect(res.status, limit).toBe(400);
      expect(res.json).toEqual({
        error: "invalid_request",
        error_description: "The request is invalid.",
        issues: [{ path: "limit", message: "must be a whole number from 1 to 100" }],
      });
    }
    for (const cursor of ["nope", "!!!", btoa("not-a-uuid")]) {
      const res = await t.call("GET", `/admin/users?cursor=${encodeURIComponent(cursor)}`, { token });
      expect(res.status, cursor).toBe(400);
      expect(res.json).toEqual({
        error: "invalid_request",
        error_description: "The cursor is invalid.",
        issues: [{ path: "cursor", message: "is invalid" }],
      });
    }
  });
});

describe("POST /admin/users creates accounts with a role", () => {
  it("answers 201 with the user, who can then sign in with that role", async () => {
    const { t, root, token } = await withAdmin();
    const res = await t.call("POST", "/admin/users", {
      token,
      json: { email: " Carol@Example.com ", password: PASSWORD, name: "Carol", role: "viewer" },
    });
    expect(res.status).toBe(201);
    const row = (await t.app.services.users.findByEmail("carol@example.com"))!;
    expect(res.json).toEqual(publicUser(row, { role: "viewer", name: "Carol" }));
    expect(t.audit).toContainEqual({ type: "user_created", user_id: row.id, by: root.id, role: "viewer" });
    const signedIn = await signIn(t, "carol@example.com");
    expect(signedIn.scope).toBe("read");
  });

  it("answers 409 conflict for a taken email and 400 for a weak password or unknown role", async () => {
    const { t, token } = await withAdmin();
    const taken = await t.call("POST", "/admin/users", { token, json: { email: "ROOT@example.com", password: PASSWORD, role: "user" } });
    expect(taken.status).toBe(409);
    expect(taken.json).toEqual({ error: "conflict", error_description: "An account with this email already exists." });

    const weak = await t.call("POST", "/admin/users", { token, json: { email: "d@example.com", password: "password123", role: "user" } });
    expect(weak.status).toBe(400);
    expect(weak.json.error).toBe("invalid_request");
    expect(weak.json.issues).toEqual([{ path: "password", message: "is too common; choose a less guessable password" }]);

    const role = await t.call("POST", "/admin/users", { token, json: { email: "d@example.com", password: PASSWORD, role: "root" } });
    expect(role.status).toBe(400);
    expect(role.json.issues).toEqual([{ path: "role", message: "must be one of: viewer, user, admin" }]);

    const form = await t.call("POST", "/admin/users", { token, form: { email: "d@example.com" } });
    expect(form.status).toBe(415);
    expect(await t.app.services.users.findByEmail("d@example.com")).toBeUndefined();
  });
});

describe("GET /admin/users/:id", () => {
  it("answers 200 with the user, and 404 not_found for an unknown or malformed id", async () => {
    const { t, token } = await withAdmin();
    const bob = await createUser(t, "bob@example.com", "user", "Bob");
    const res = await t.call("GET", `/admin/users/${bob.id}`, { token });
    expect(res.status).toBe(200);
    expect(res.json).toEqual(publicUser(bob));
    for (const id of ["0190a4b2-0000-7000-8000-000000000000", "not-a-uuid", "%27%20OR%201%3D1"]) {
      const missing = await t.call("GET", `/admin/users/${id}`, { token });
      expect(missing.status, id).toBe(404);
      expect(missing.json).toEqual({ error: "not_found", error_description: "No such user." });
    }
  });
});

describe("PATCH /admin/users/:id", () => {
  it("renames without touching sessions", async () => {
    const { t, token } = await withAdmin();
    const bob = await createUser(t, "bob@example.com", "user", "Bob");
    const bobSession = await signIn(t, "bob@example.com");
    t.clock.advance(1000);
    const res = await t.call("PATCH", `/admin/users/${bob.id}`, { token, json: { name: "  Robert " } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual(publicUser(bob, { name: "Robert", updated_at: new Date(bob.created_at + 1000).toISOString() }));
    expect((await t.call("GET", "/users/me", { token: bobSession.access_token })).status).toBe(200);
    const cleared = await t.call("PATCH", `/admin/users/${bob.id}`, { token, json: { name: "" } });
    expect(cleared.json.name).toBeNull();
  });

  it("changing the role revokes every session so new tokens carry the new role", async () => {
    const { t, root, token } = await withAdmin();
    const bob = await createUser(t, "bob@example.com", "user");
    const first = await signIn(t, "bob@example.com");
    const second = await signIn(t, "bob@example.com");
    const res = await t.call("PATCH", `/admin/users/${bob.id}`, { token, json: { role: "viewer" } });
    expect(res.status).toBe(200);
    expect(res.json.role).toBe("viewer");
    for (const s of [first, second]) {
      expect((await t.call("GET", "/users/me", { token: s.access_token })).status).toBe(401);
      expect((await t.refresh(s.refresh_token)).status).toBe(400);
    }
    expect(t.audit).toContainEqual({ type: "role_changed", user_id: bob.id, by: root.id, from: "user", to: "viewer" });
    expect(t.audit).toContainEqual({ type: "session_revoked", user_id: bob.id, reason: "role_changed", count: 2 });
    expect((await signIn(t, "bob@example.com")).scope).toBe("read");
  });

  it("disabling revokes every session, and a disabled user's login and refresh fail exactly like a wrong password", async () => {
    const { t, root, token } = await withAdmin();
    const bob = await createUser(t, "bob@example.com", "user");
    await createUser(t, "eve@example.com", "user");
    const bobSession = await signIn(t, "bob@example.com");
    const res = await t.call("PATCH", `/admin/users/${bob.id}`, { token, json: { disabled: true } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: bob.id, disabled: true });
    expect(t.audit).toContainEqual({ type: "user_disabled", user_id: bob.id, by: root.id });
    expect(t.audit).toContainEqual({ type: "session_revoked", user_id: bob.id, reason: "user_disabled", count: 1 });

    expect((await t.call("GET", "/users/me", { token: bobSession.access_token })).status).toBe(401);
    const disabledLogin = await t.login("bob@example.com", PASSWORD);
    const wrongPassword = await t.login("eve@example.com", "not the password at all");
    expect(disabledLogin.status).toBe(400);
    expect(disabledLogin.status).toBe(wrongPassword.status);
    expect(disabledLogin.text).toBe(wrongPassword.text);
    const disabledRefresh = await t.refresh(bobSession.refresh_token);
    const bogusRefresh = await t.refresh("rt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    expect(disabledRefresh.status).toBe(400);
    expect(disabledRefresh.text).toBe(bogusRefresh.text);
    expect(disabledRefresh.text).toBe(disabledLogin.text);

    const enabled = await t.call("PATCH", `/admin/users/${bob.id}`, { token, json: { disabled: false } });
    expect(enabled.json.disabled).toBe(false);
    expect(t.audit).toContainEqual({ type: "user_enabled", user_id: bob.id, by: root.id });
    expect((await t.login("bob@example.com", PASSWORD)).status).toBe(200);
  });

  it("answers 409 conflict when admins disable or demote themselves", async () => {
    const { t, root, token } = await withAdmin();
    for (const json of [{ disabled: true }, { role: "user" }, { role: "viewer", name: "x" }]) {
      const res = await t.call("PATCH", `/admin/users/${root.id}`, { token, json });
      expect(res.status, JSON.stringify(json)).toBe(409);
      expect(res.json).toEqual({ error: "conflict", error_description: "Admins cannot disable, demote or delete their own account." });
    }
    const row = (await t.app.services.users.findById(root.id))!;
    expect([row.role, row.disabled_at, row.name]).toEqual(["admin", null, "Root"]);
    const harmless = await t.call("PATCH", `/admin/users/${root.id}`, { token, json: { role: "admin", disabled: false, name: "Boss" } });
    expect(harmless.status).toBe(200);
    expect(harmless.json.name).toBe("Boss");
  });

  it("keeps at least one enabled admin when two admins demote each other at once", async () => {
    const { t, root, token } = await withAdmin();
    const other = await createUser(t, "other@example.com", "admin");
    const { access_token: otherToken } = await signIn(t, "other@example.com");
    const [a, b] = await Promise.all([
      t.call("PATCH", `/admin/users/${other.id}`, { token, json: { role: "user" } }),
      t.call("PATCH", `/admin/users/${root.id}`, { token: otherToken, json: { disabled: true } }),
    ]);
    expect([a.status, b.status].filter((s) => s === 200)).toHaveLength(1);
    const loser = a.status === 200 ? b : a;
    expect([401, 409]).toContain(loser.status);
    expect(await t.app.services.users.countEnabledAdmins()).toBe(1);
  });

  it("answers 400 for a bad field and 404 for an unknown user", async () => {
    const { t, token } = await withAdmin();
    const bob = await createUser(t, "bob@example.com", "user");
    const bad = await t.call("PATCH", `/admin/users/${bob.id}`, { token, json: { disabled: "yes" } });
    expect(bad.status).toBe(400);
    expect(bad.json.issues).toEqual([{ path: "disabled", message: "must be true or false" }]);
    const missing = await t.call("PATCH", "/admin/users/0190a4b2-0000-7000-8000-000000000000", { token, json: { name: "x" } });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ error: "not_found", error_description: "No such user." });
  });
});

describe("DELETE /admin/users/:id", () => {
  it("deletes the user and every session with it", async () => {
    const { t, root, token } = await withAdmin();
    const bob = await createUser(t, "bob@example.com", "user");
    const bobSession = await signIn(t, "bob@example.com");
    const res = await t.call("DELETE", `/admin/users/${bob.id}`, { token });
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect((await t.call("GET", `/admin/users/${bob.id}`, { token })).status).toBe(404);
    expect((await t.call("GET", "/users/me", { token: bobSession.access_token })).status).toBe(401);
    expect((await t.refresh(bobSession.refresh_token)).status).toBe(400);
    expect(await t.db.selectFrom("sessions").select("id").where("user_id", "=", bob.id).execute()).toEqual([]);
    expect(t.audit).toContainEqual({ type: "user_deleted", user_id: bob.id, by: root.id });
    expect(t.audit).toContainEqual({ type: "session_revoked", user_id: bob.id, reason: "user_deleted", count: 1 });
    const again = await t.call("DELETE", `/admin/users/${bob.id}`, { token });
    expect(again.status).toBe(404);
  });

  it("answers 409 conflict when admins delete themselves", async () => {
    const { t, root, token } = await withAdmin();
    const res = await t.call("DELETE", `/admin/users/${root.id}`, { token });
    expect(res.status).toBe(409);
    expect(res.json).toEqual({ error: "conflict", error_description: "Admins cannot disable, demote or delete their own account." });
    expect((await t.call("GET", "/users/me", { token })).status).toBe(200);
  });

  it("lets one admin delete another while a second admin remains", async () => {
    const { t, token } = await withAdmin();
    const other = await createUser(t, "other@example.com", "admin");
    expect((await t.call("DELETE", `/admin/users/${other.id}`, { token })).status).toBe(204);
    expect(await t.app.services.users.countEnabledAdmins()).toBe(1);
  });
});

describe("DELETE /admin/users/:id/sessions", () => {
  it("revokes every session of that user and no one else's", async () => {
    const { t, token } = await withAdmin();
    const bob = await createUser(t, "bob@example.com", "user");
    const one = await signIn(t, "bob@example.com");
    const two = await signIn(t, "bob@example.com");
    const res = await t.call("DELETE", `/admin/users/${bob.id}/sessions`, { token });
    expect(res.status).toBe(204);
    for (const s of [one, two]) expect((await t.refresh(s.refresh_token)).status).toBe(400);
    expect(t.audit).toContainEqual({ type: "session_revoked", user_id: bob.id, reason: "revoked_by_admin", count: 2 });
    expect((await t.call("GET", "/admin/users", { token })).status).toBe(200);
    expect((await t.login("bob@example.com", PASSWORD)).status).toBe(200);
    const missing = await t.call("DELETE", "/admin/users/nope/sessions", { token });
    expect(missing.status).toBe(404);
  });
});

describe("the last enabled admin cannot be demoted, disabled or deleted", () => {
  const lastAdmin = { code: "conflict", status: 409, description: "The last enabled admin cannot be disabled, demoted or deleted." };

  it("refuses an operator (CLI) demoting, disabling or deleting the only enabled admin", async () => {
    const { t, root, token } = await withAdmin();
    const admin = createAdminUsers(t.app.services);
    const operator = { kind: "operator" } as const;
    for (const change of [{ role: "user" as const }, { disabled: true }]) {
      const error = await admin.update(root.id, change, operator).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject(lastAdmin);
    }
    await expect(admin.remove(root.id, operator)).rejects.toMatchObject(lastAdmin);
    expect((await t.call("GET", "/admin/users", { token })).status).toBe(200);
    expect(t.audit.filter((e) => e.type === "session_revoked")).toEqual([]);
  });

  it("lets exactly one of two simultaneous demotions of the last two admins win", async () => {
    const { t, root } = await withAdmin();
    const other = await createUser(t, "other@example.com", "admin");
    const admin = createAdminUsers(t.app.services);
    const operator = { kind: "operator" } as const;
    const results = await Promise.allSettled([
      admin.update(root.id, { role: "user" }, operator),
      admin.update(other.id, { disabled: true }, operator),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject(lastAdmin);
    expect(await t.app.services.users.countEnabledAdmins()).toBe(1);
  });

  it("still lets an operator promote, rename or re-enable users", async () => {
    const { t, root } = await withAdmin();
    const bob = await createUser(t, "bob@example.com", "viewer");
    const admin = createAdminUsers(t.app.services);
    const promoted = await admin.update(bob.id, { role: "admin" }, { kind: "operator" });
    expect(promoted.role).toBe("admin");
    expect(t.audit).toContainEqual({ type: "role_changed", user_id: bob.id, by: "cli", from: "viewer", to: "admin" });
    // With a second admin in place, the first may now step down.
    const demoted = await admin.update(root.id, { role: "user" }, { kind: "operator" });
    expect(demoted.role).toBe("user");
  });
});
