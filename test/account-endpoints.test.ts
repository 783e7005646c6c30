import { describe, expect, it } from "vitest";
import { INVALID_GRANT_DESCRIPTION } from "../src/errors.js";
import { createTestApp, PASSWORD } from "./support/harness.js";

const NEW_PASSWORD = "a different long passphrase";

describe("GET /users/me", () => {
  it("returns the user without any hash", async () => {
    const t = await createTestApp();
    const { access_token, user } = await t.register("me@example.com", PASSWORD, "Me");
    const res = await t.call("GET", "/users/me", { token: access_token });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: user.id, email: "me@example.com", name: "Me", role: "user", disabled: false });
    expect(Object.keys(res.json).sort()).toEqual(
      ["created_at", "disabled", "email", "email_verified", "id", "name", "role", "updated_at"].sort(),
    );
  });

  it("answers 401 with realm and no error attribute without credentials", async () => {
    const t = await createTestApp();
    const res = await t.call("GET", "/users/me");
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="tessera"');
    expect(res.json.error).toBe("invalid_token");
  });

  it("answers 401 invalid_token for a garbage token", async () => {
    const t = await createTestApp();
    const res = await t.call("GET", "/users/me", { token: "garbage" });
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer error="invalid_token"');
  });

  it("answers 401 once the access token expires (moved clock)", async () => {
    const t = await createTestApp();
    const { access_token } = await t.register();
    t.clock.advance(900_000 + 31_000);
    expect((await t.call("GET", "/users/me", { token: access_token })).status).toBe(401);
  });

  it("answers 401 at once after the user is disabled, though the token has not expired", async () => {
    const t = await createTestApp();
    const { access_token, user } = await t.register();
    await t.db.updateTable("users").set({ disabled_at: t.clock.now() }).where("id", "=", user.id).execute();
    expect((await t.call("GET", "/users/me", { token: access_token })).status).toBe(401);
  });
});

describe("PATCH /users/me", () => {
  it("changes the name and answers the user", async () => {
    const t = await createTestApp();
    const { access_token } = await t.register();
    const res = await t.call("PATCH", "/users/me", { token: access_token, json: { name: "Alice Liddell" } });
    expect(res.status).toBe(200);
    expect(res.json.name).toBe("Alice Liddell");
    const cleared = await t.call("PATCH", "/users/me", { token: access_token, json: { name: null } });
    expect(cleared.json.name).toBeNull();
  });

  it("ignores unknown keys such as role, and validates name", async () => {
    const t = await createTestApp();
    const { access_token } = await t.register();
    const res = await t.call("PATCH", "/users/me", { token: access_token, json: { role: "admin" } });
    expect(res.status).toBe(200);
    expect(res.json.role).toBe("user");
    const bad = await t.call("PATCH", "/users/me", { token: access_token, json: { name: "x".repeat(201) } });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toBe("invalid_request");
  });
});

describe("POST /users/me/password", () => {
  it("changes the password, keeps this session and revokes every other one", async () => {
    const t = await createTestApp();
    const here = await t.register();
    const elsewhere = (await t.login()).json;
    const res = await t.call("POST", "/users/me/password", {
      token: here.access_token,
      json: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    });
    expect(res.status).toBe(204);
    expect((await t.refresh(elsewhere.refresh_token)).status).toBe(400);
    expect((await t.call("GET", "/users/me", { token: elsewhere.access_token })).status).toBe(401);
    expect((await t.refresh(here.refresh_token)).status).toBe(200);
    expect((await t.login(undefined, PASSWORD)).status).toBe(400);
    expect((await t.login(undefined, NEW_PASSWORD)).status).toBe(200);
    expect(t.audit.some((e) => e.type === "password_changed")).toBe(true);
  });

  it("answers 400 invalid_grant for a wrong current password, counted as a failed login", async () => {
    const t = await createTestApp();
    const { access_token } = await t.register();
    for (let i = 0; i < 5; i++) {
      const res = await t.call("POST", "/users/me/password", {
        token: access_token,
        json: { current_password: "wrong wrong wrong", new_password: NEW_PASSWORD },
      });
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ error: "invalid_grant", error_description: INVALID_GRANT_DESCRIPTION });
    }
    expect((await t.login()).status).toBe(429);
  });

  it("applies the password rules to the new password", async () => {
    const t = await createTestApp();
    const { access_token } = await t.register();
    const res = await t.call("POST", "/users/me/password", {
      token: access_token,
      json: { current_password: PASSWORD, new_password: "password1" },
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe("invalid_request");
  });
});

describe("GET /users/me/sessions and DELETE /users/me/sessions/:id", () => {
  it("lists live sessions with the current one marked", async () => {
    const t = await createTestApp();
    const first = await t.register();
    await t.call("POST", "/auth/token", {
      form: { grant_type: "password", username: "alice@example.com", password: PASSWORD },
      headers: { "User-Agent": "Second Browser" },
    });
    const res = await t.call("GET", "/users/me/sessions", { token: first.access_token });
    expect(res.status).toBe(200);
    expect(res.json.sessions).toHaveLength(2);
    expect(res.json.sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    expect(res.json.sessions.map((s: { user_agent: string | null }) => s.user_agent)).toContain("Second Browser");
    expect(Object.keys(res.json.sessions[0]).sort()).toEqual(["created_at", "current", "id", "last_used_at", "user_agent"]);
  });

  it("revokes one of my sessions and answers 404 for unknown or another user's session", async () => {
    const t = await createTestApp();
    const alice = await t.register();
    const other = (await t.login()).json;
    const bob = await t.register("bob@example.com");
    const list = await t.call("GET", "/users/me/sessions", { token: alice.access_token });
    const target = list.json.sessions.find((s: { current: boolean }) => !s.current).id;
    const bobSessions = await t.call("GET", "/users/me/sessions", { token: bob.access_token });
    const bobSession = bobSessions.json.sessions[0].id;

    expect((await t.call("DELETE", `/users/me/sessions/${bobSession}`, { token: alice.access_token })).status).toBe(404);
    expect((await t.call("DELETE", "/users/me/sessions/does-not-exist", { token: alice.access_token })).status).toBe(404);
    expect((await t.call("DELETE", `/users/me/sessions/${target}`, { token: alice.access_token })).status).toBe(204);
    expect((await t.refresh(other.refresh_token)).status).toBe(400);
    expect((await t.call("GET", "/users/me", { token: bob.access_token })).status).toBe(200);
  });
});

describe("logout", () => {
  it("POST /auth/logout revokes only this session, and the token stops working on Tessera at once", async () => {
    const t = await createTestApp();
    const a = await t.register();
    const b = (await t.login()).json;
    expect((await t.call("POST", "/auth/logout", { token: a.access_token })).status).toBe(204);
    expect((await t.refresh(a.refresh_token)).status).toBe(400);
    expect((await t.call("GET", "/users/me", { token: a.access_token })).status).toBe(401);
    expect((await t.call("POST", "/auth/logout", { token: a.access_token })).status).toBe(401);
    expect((await t.refresh(b.refresh_token)).status).toBe(200);
  });

  it("POST /auth/logout-all revokes every session of the user and no one else's", async () => {
    const t = await createTestApp();
    const a = await t.register();
    const b = (await t.login()).json;
    const bob = await t.register("bob@example.com");
    expect((await t.call("POST", "/auth/logout-all", { token: a.access_token })).status).toBe(204);
    expect((await t.refresh(a.refresh_token)).status).toBe(400);
    expect((await t.refresh(b.refresh_token)).status).toBe(400);
    expect((await t.refresh(bob.refresh_token)).status).toBe(200);
  });

  it("requires a bearer token", async () => {
    const t = await createTestApp();
    const res = await t.call("POST", "/auth/logout");
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="tessera"');
  });
});
