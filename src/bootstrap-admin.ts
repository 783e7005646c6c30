import * as v from "valibot";
import type { Config } from "./config.js";
import { AppError } from "./errors.js";
import type { Services } from "./services.js";
import { EmailSchema } from "./users/email.js";

/**
 * Creates the first admin from `BOOTSTRAP_ADMIN_*` when no enabled admin
 * exists. Idempotent, also when several processes or isolates start at once.
 * The password is never logged; errors name the variable, never its value.
 *
 * @example
 * await bootstrapAdmin(app.services, config); // "created" once, then "skipped"
 */
export async function bootstrapAdmin(s: Services, config: Config): Promise<"created" | "skipped"> {
  if (!config.bootstrapAdmin) return "skipped";
  if (await s.users.hasAdmin()) return "skipped";
  const parsed = v.safeParse(EmailSchema, config.bootstrapAdmin.email);
  if (!parsed.success) throw new Error(`BOOTSTRAP_ADMIN_EMAIL: ${parsed.issues[0].message}`);
  const email = parsed.output;
  try {
    const user = await s.users.create({ email, password: config.bootstrapAdmin.password, name: null, role: "admin" });
    s.audit({ type: "user_created", user_id: user.id, by: "bootstrap", role: "admin" });
    console.log(JSON.stringify({ level: "info", message: "bootstrap admin created", user_id: user.id }));
    return "created";
  } catch (e) {
    if (e instanceof AppError && e.code === "conflict") {
      // Another process starting at the same moment may have just created it.
      const existing = await s.users.findByEmail(email);
      if (existing?.role === "admin" && existing.disabled_at === null) return "skipped";
      throw new Error(
        "BOOTSTRAP_ADMIN_EMAIL belongs to an existing account that is not an enabled admin; fix it with `tessera set-role` or `tessera enable`",
      );
    }
    if (e instanceof AppError) throw new Error(`BOOTSTRAP_ADMIN_PASSWORD: ${e.description}`);
    throw e;
  }
}
