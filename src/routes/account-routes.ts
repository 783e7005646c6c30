import { Hono } from "hono";
import * as v from "valibot";
import { notFound } from "../errors.js";
import { requireLiveSession } from "../http/live-session.js";
import { readBody, validate } from "../http/request-body.js";
import type { Services } from "../services.js";
import { toPublicUser } from "../users/public-user.js";
import { clientContext } from "./token-routes.js";

const ProfilePatch = v.object({
  name: v.optional(
    v.nullable(v.pipe(v.string("must be a string"), v.trim(), v.maxLength(200, "must be at most 200 characters"))),
  ),
});

const PasswordChange = v.object({
  current_password: v.pipe(v.string("is required"), v.maxLength(1024, "is too long")),
  new_password: v.pipe(v.string("is required"), v.maxLength(1024, "is too long")),
});

/** Logout and the signed-in user's own account: all behind the live-session check. */
export function accountRoutes(s: Services): Hono {
  const app = new Hono();
  const live = requireLiveSession(s);
  app.use("/auth/logout", ...live);
  app.use("/auth/logout-all", ...live);
  app.use("/users/me", ...live);
  app.use("/users/me/*", ...live);

  app.post("/auth/logout", async (c) => {
    const { sid, sub } = c.get("auth");
    if (sid !== undefined && (await s.sessions.revoke(sid, "logout"))) {
      s.audit({ type: "session_revoked", session_id: sid, user_id: sub, reason: "logout" });
    }
    return c.body(null, 204);
  });

  app.post("/auth/logout-all", async (c) => {
    const { sub } = c.get("auth");
    const count = await s.sessions.revokeAllOfUser(sub, "logout_all");
    s.audit({ type: "session_revoked", user_id: sub, reason: "logout_all", count });
    return c.body(null, 204);
  });

  app.get("/users/me", (c) => c.json(toPublicUser(c.get("user"))));

  app.patch("/users/me", async (c) => {
    const body = validate(ProfilePatch, await readBody(c, ["json"]));
    const user = c.get("user");
    if (body.name === undefined) return c.json(toPublicUser(user));
    const updated = await s.users.update(user.id, { name: body.name === "" ? null : body.name });
    if (!updated) throw notFound();
    return c.json(toPublicUser(updated));
  });

  app.post("/users/me/password", async (c) => {
    const body = validate(PasswordChange, await readBody(c, ["json"]));
    const user = c.get("user");
    const { sid } = c.get("auth");
    await s.users.changePassword(user, body.current_password, body.new_password, clientContext(s, c).ip);
    const count = await s.sessions.revokeAllOfUser(user.id, "password_changed", sid);
    s.audit({ type: "session_revoked", user_id: user.id, reason: "password_changed", count });
    return c.body(null, 204);
  });

  app.get("/users/me/sessions", async (c) => {
    const { sid, sub } = c.get("auth");
    const sessions = await s.sessions.listLive(sub);
    return c.json({
      sessions: sessions.map((row) => ({
        id: row.id,
        created_at: new Date(row.created_at).toISOString(),
        last_used_at: new Date(row.last_used_at).toISOString(),
        user_agent: row.user_agent,
        current: row.id === sid,
      })),
    });
  });

  app.delete("/users/me/sessions/:id", async (c) => {
    const { sub } = c.get("auth");
    const session = await s.sessions.find(c.req.param("id"));
    // Another user's session answers exactly like an unknown one.
    if (!session || session.user_id !== sub || session.revoked_at !== null || session.expires_at <= s.clock.now()) {
      throw notFound("No such session.");
    }
    await s.sessions.revoke(session.id, "revoked_by_user");
    s.audit({ type: "session_revoked", session_id: session.id, user_id: sub, reason: "revoked_by_user" });
    return c.body(null, 204);
  });

  return app;
}
