import { Hono, type MiddlewareHandler } from "hono";
import * as v from "valibot";
import { readBody, validate } from "../http/request-body.js";
import { MAX_TEXT_LENGTH, OptionalName, RequiredText, RoleField, wellFormed } from "../schemas/fields.js";
import type { Services } from "../services.js";
import type { AdminActor } from "../users/admin-users.js";
import { EmailSchema, MAX_EMAIL_LENGTH, normalizeEmail } from "../users/email.js";
import { toPublicUser } from "../users/public-user.js";
import { requireRole, requireScope } from "../verify/middleware.js";

const ListQuery = v.object({
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,3}$/, "must be a whole number from 1 to 100"),
      v.transform(Number),
      v.minValue(1, "must be a whole number from 1 to 100"),
      v.maxValue(100, "must be a whole number from 1 to 100"),
    ),
    "50",
  ),
  cursor: v.optional(v.pipe(v.string(), wellFormed, v.maxLength(MAX_TEXT_LENGTH, "is too long"))),
  // Normalized like stored emails, so the prefix match is case-insensitive.
  email: v.optional(
    v.pipe(
      v.string(),
      wellFormed,
      v.maxLength(MAX_TEXT_LENGTH, "is too long"),
      v.transform(normalizeEmail),
      v.maxLength(MAX_EMAIL_LENGTH, `must be at most ${MAX_EMAIL_LENGTH} characters`),
    ),
  ),
});

const CreateBody = v.object({
  email: EmailSchema,
  password: RequiredText,
  name: OptionalName,
  role: RoleField,
});

const PatchBody = v.object({
  role: v.optional(RoleField),
  disabled: v.optional(v.boolean("must be true or false")),
  name: OptionalName,
});

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
    const query = validate(ListQuery, c.req.query());
    const page = await admin.list({ limit: query.limit, cursor: query.cursor, emailPrefix: query.email });
    return c.json({ users: page.users.map(toPublicUser), next_cursor: page.nextCursor });
  });

  app.post("/admin/users", async (c) => {
    const body = validate(CreateBody, await readBody(c, ["json"]));
    const input = { email: body.email, password: body.password, name: body.name ?? null, role: body.role };
    const user = await admin.create(input, actor(c.get("user").id));
    return c.json(toPublicUser(user), 201);
  });

  app.get("/admin/users/:id", async (c) => c.json(toPublicUser(await admin.get(c.req.param("id")))));

  app.patch("/admin/users/:id", async (c) => {
    const body = validate(PatchBody, await readBody(c, ["json"]));
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
