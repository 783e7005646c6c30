import type { Config } from "./config.js";
import { AppError } from "./errors.js";
import type { Services } from "./services.js";
import { normalizeEmail } from "./users/email.js";

/**
 * Creates the first admin from `BOOTSTRAP_ADMIN_*` when no admin exists.
 * Idempotent: a later start with an admin present does nothing. The
 * password is never logged.
 */
export async function bootstrapAdmin(s: Services, config: Config): Promise<"created" | "skipped"> {
  if (!config.bootstrapAdmin) return "skipped";
  if (await s.users.hasAdmin()) return "skipped";
  const email = normalizeEmail(config.bootstrapAdmin.email);
  try {
    const user = await s.users.create({ email, password: config.bootstrapAdmin.password, name: null, role: "admin" });
    console.log(JSON.stringify({ level: "info", message: "bootstrap admin created", user_id: user.id }));
    return "created";
  } catch (e) {
    if (e instanceof AppError && e.code === "conflict") {
      throw new Error("BOOTSTRAP_ADMIN_EMAIL belongs to an existing non-admin account; promote it with `tessera set-role`");
    }
    if (e instanceof AppError) throw new Error(`BOOTSTRAP_ADMIN_PASSWORD: ${e.description}`);
    throw e;
  }
}
