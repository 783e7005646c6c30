import { Hono, type MiddlewareHandler } from "hono";
import { clientContext, type ClientIp } from "../http/client-context.js";
import { readBody, validate } from "../http/request-body.js";
import { notFound } from "../errors.js";
import { PasswordChange, ProfilePatch } from "../schemas/requests.js";
import type { Services } from "../services.js";
import { toPublicSession } from "../sessions/public-session.js";
import { toPublicIdentity } from "../identities/public-identity.js";
import { toPublicUser } from "../users/public-user.js";

/** Logout and the signed-in user's own account: all behind the live-session guard `live`. */
export function accountRoutes(s: Services, live: MiddlewareHandler[], clientIp: ClientIp): Hono {
  const app = new Hono();
  app.use("/auth/logout", ...live);
  app.use("/auth/logout-all", ...live);
  app.use("/users/me", ...live);
  app.use("/users/me/*", ...live);

  app.post("/auth/logout", async (c) => {
    const { sid } = c.get("auth");
    if (sid !== null) await s.sessions.revoke(sid, "logout");
    return c.body(null, 204);
  });

  app.post("/auth/logout-all", async (c) => {
    await s.sessions.revokeAllOfUser(c.get("auth").sub, "logout_all");
    return c.body(null, 204);
  });

  app.get("/users/me", (c) => c.json(toPublicUser(c.get("user"))));

  app.patch("/users/me", async (c) => {
    const { name } = validate(ProfilePatch, await readBody(c, ["json"]));
    const user = c.get("user");
    if (name === undefined) return c.json(toPublicUser(user));
    return c.json(toPublicUser(await s.ownAccount.rename(user.id, name)));
  });

  app.post("/users/me/password", async (c) => {
    const body = validate(PasswordChange, await readBody(c, ["json"]));
    const who = { userId: c.get("user").id, sessionId: c.get("auth").sid };
    await s.ownAccount.changePassword(who, body.current_password ?? null, body.new_password, clientContext(clientIp, c).ip);
    return c.body(null, 204);
  });

  app.get("/users/me/identities", async (c) => {
    const identities = await s.identities.listOfUser(c.get("user").id);
    return c.json({ identities: identities.map(toPublicIdentity) });
  });

  app.delete("/users/me/identities/:provider", async (c) => {
    await s.identities.unlink(c.get("user").id, c.req.param("provider"));
    return c.body(null, 204);
  });

  app.get("/users/me/sessions", async (c) => {
    const { sid, sub } = c.get("auth");
    const sessions = await s.sessions.listLive(sub);
    return c.json({ sessions: sessions.map((row) => toPublicSession(row, sid)) });
  });

  app.delete("/users/me/sessions/:id", async (c) => {
    // Another user's session answers exactly like an unknown one.
    if (!(await s.sessions.revokeOwn(c.get("auth").sub, c.req.param("id")))) throw notFound("No such session.");
    return c.body(null, 204);
  });

  return app;
}
