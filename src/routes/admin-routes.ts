import { Hono, type MiddlewareHandler } from "hono";
import { noStore } from "../http/no-store.js";
import { readBody, validate } from "../http/request-body.js";
import { toPublicClient } from "../clients/public-client.js";
import { AdminClientCreate, AdminClientPatch, AdminUserCreate, AdminUserListQuery, AdminUserPatch } from "../schemas/requests.js";
import type { Services } from "../services.js";
import type { AdminActor } from "../users/admin-users.js";
import { toPublicUser } from "../users/public-user.js";
import { requireRole, requireScope } from "../verify/middleware.js";

/**
 * `/admin/users*` and `/admin/clients*`: a live session (the guard `live`), the admin role and the `admin` scope,
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

  app.get("/admin/clients", async (c) => c.json({ clients: (await s.clients.list()).map(toPublicClient) }));

  // no-store: these two answers carry the client secret, shown once and never again.
  app.post("/admin/clients", noStore, async (c) => {
    const body = validate(AdminClientCreate, await readBody(c, ["json"]));
    const { client, secret } = await s.clients.create({ name: body.name, scopes: body.scopes, audience: body.audience ?? null });
    return c.json({ client: toPublicClient(client), client_secret: secret }, 201);
  });

  app.get("/admin/clients/:id", async (c) => c.json(toPublicClient(await s.clients.get(c.req.param("id")))));

  app.patch("/admin/clients/:id", async (c) => {
    const body = validate(AdminClientPatch, await readBody(c, ["json"]));
    return c.json(toPublicClient(await s.clients.update(c.req.param("id"), body)));
  });

  app.delete("/admin/clients/:id", async (c) => {
    await s.clients.remove(c.req.param("id"));
    return c.body(null, 204);
  });

  app.post("/admin/clients/:id/secret", noStore, async (c) => {
    const { client, secret } = await s.clients.rotateSecret(c.req.param("id"));
    return c.json({ client: toPublicClient(client), client_secret: secret });
  });

  return app;
}
