import { Hono, type MiddlewareHandler } from "hono";
import { readBody, validate } from "../http/request-body.js";
import { AdminUserCreate, AdminUserListQuery, AdminUserPatch } from "../schemas/requests.js";
import type { Services } from "../services.js";
import type { AdminActor } from "../users/admin-users.js";
import { toPublicUser } from "../users/public-user.js";
import { requireRole, requireScope } from "../verify/middleware.js";

/**
 * `/admin/users*`: a live session (the guard `live`), the admin role and the `admin` scope,
 * so an admin token asked for with `scope=read` cannot administer.
 */
export function adminRoutes(s: Services, live: MiddlewareHandler[]): Hono {
  const app = new Hono();
  const admin = s.adminUsers;
  app.use("/admin/*", ...live, requireRole("admin"), requireScope("admin"));

  const actor = (userId: string): AdminActor => ({ kind: "admin", userId });

  app.get("/admin/users", async (c) => {
    const query = validate(AdminUserListQuery, c.req.query());
    const page = await admin.list({ limit: query.limit, cursor: query.cursor, emailPrefix: query.email });
    return c.json({ users: page.users.map(toPublicUser), next_cursor: page.nextCursor });
  });

  app.post("/admin/users", async (c) => {
    const body = validate(AdminUserCreate, await readBody(c, ["json"]));
    const input = { email: body.email, password: body.password, name: body.name ?? null, role: body.role };
    const user = await admin.create(input, actor(c.get("user").id));
    return c.json(toPublicUser(user), 201);
  });

  app.get("/admin/users/:id", async (c) => c.json(toPublicUser(await admin.get(c.req.param("id")))));

  app.patch("/admin/users/:id", async (c) => {
    const body = validate(AdminUserPatch, await readBody(c, ["json"]));
    const change = { role: body.role, disabled: body.disabled, name: body.name };
    const user = await admin.update(c.req.param("id"), change, actor(c.get("user").id));
    return c.json(toPublicUser(user));
  });

  app.delete("/admin/users/:id", async (c) => {
    await admin.remove(c.req.param("id"), actor(c.get("user").id));
    return c.body(null, 204);
  });

  app.delete("/admin/users/:id/sessions", async (c) => {
    await admin.revokeSessions(c.req.param("id"), actor(c.get("user").id));
    return c.body(null, 204);
  });

  return app;
}
