import { Hono } from "hono";
import * as v from "valibot";
import { requireLiveSession } from "../http/live-session.js";
import { readBody, validate } from "../http/request-body.js";
import type { Services } from "../services.js";
import { createAdminUsers, type AdminActor } from "../users/admin-users.js";
import { EmailSchema, MAX_EMAIL_LENGTH, normalizeEmail } from "../users/email.js";
import { toPublicUser } from "../users/public-user.js";
import { requireRole, requireScope } from "../verify/middleware.js";
import { ROLES } from "../verify/roles.js";

const RoleField = v.picklist(ROLES, `must be one of: ${ROLES.join(", ")}`);
const NameField = v.optional(
  v.nullable(v.pipe(v.string("must be a string"), v.trim(), v.maxLength(200, "must be at most 200 characters"))),
);

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
  cursor: v.optional(v.string()),
  // Normalized like stored emails, so the prefix match is case-insensitive.
  email: v.optional(
    v.pipe(
      v.string(),
      v.maxLength(1024, "is too long"),
      v.transform(normalizeEmail),
      v.maxLength(MAX_EMAIL_LENGTH, `must be at most ${MAX_EMAIL_LENGTH} characters`),
    ),
  ),
});

const CreateBody = v.object({
  email: EmailSchema,
  password: v.pipe(v.string("must be a string"), v.maxLength(1024, "is too long")),
  name: NameField,
  role: RoleField,
});

const PatchBody = v.object({
  role: v.optional(RoleField),
  disabled: v.optional(v.boolean("must be true or false")),
  name: NameField,
});

const emptyToNull = (name: string | null | undefined) => (name === undefined ? undefined : name === "" ? null : name);

/**
 * `/admin/users*` (DESIGN §6): a live session, the admin role and the
 * `admin` scope, so an admin token asked for with `scope=read` cannot administer.
 */
export function adminRoutes(s: Services): Hono {
  const app = new Hono();
  const admin = createAdminUsers(s);
  app.use("/admin/*", ...requireLiveSession(s), requireRole("admin"), requireScope("admin"));

  const actor = (userId: string): AdminActor => ({ kind: "admin", userId });

  app.get("/admin/users", async (c) => {
    const query = validate(ListQuery, c.req.query());
    const page = await admin.list({ limit: query.limit, cursor: query.cursor, emailPrefix: query.email });
    return c.json({ users: page.users.map(toPublicUser), next_cursor: page.nextCursor });
  });

  app.post("/admin/users", async (c) => {
    const body = validate(CreateBody, await readBody(c, ["json"]));
    const input = { email: body.email, password: body.password, name: emptyToNull(body.name) ?? null, role: body.role };
    const user = await admin.create(input, actor(c.get("user").id));
    return c.json(toPublicUser(user), 201);
  });

  app.get("/admin/users/:id", async (c) => c.json(toPublicUser(await admin.get(c.req.param("id")))));

  app.patch("/admin/users/:id", async (c) => {
    const body = validate(PatchBody, await readBody(c, ["json"]));
    const change = { role: body.role, disabled: body.disabled, name: emptyToNull(body.name) };
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
