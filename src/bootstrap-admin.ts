import { ConfigError, type Config } from "./config.js";
import type { AccountRow } from "./db/schema.js";
import { AppError } from "./errors.js";
import type { Services } from "./services.js";

/**
 * Creates the first admin from `BOOTSTRAP_ADMIN_*` when no enabled admin
 * exists. Idempotent, also when several processes or isolates start at once.
 * A setting it cannot honour throws `ConfigError`, so the start fails once
 * with one line. The password is never logged; errors name the variable,
 * never its value.
 *
 * @example
 * await bootstrapAdmin(app.services, config); // "created" once, then "skipped"
 */
export async function bootstrapAdmin(s: Pick<Services, "users" | "audit">, config: Config): Promise<"created" | "skipped"> {
  if (!config.bootstrapAdmin) return "skipped";
  if (await s.users.hasAdmin()) return "skipped";
  const { email, password } = config.bootstrapAdmin;
  // Looked up first, so that refusing a taken address costs no argon2id hash.
  const existing = await s.users.findByEmail(email);
  if (existing !== undefined) return skipIfEnabledAdmin(existing);
  try {
    const user = await s.users.create({ email, password, name: null, role: "admin" });
    s.audit({ type: "user_created", user_id: user.id, by: "bootstrap", role: "admin" });
    console.log(JSON.stringify({ level: "info", message: "bootstrap admin created", user_id: user.id }));
    return "created";
  } catch (e) {
    // Another process starting at the same moment may have just created it.
    if (e instanceof AppError && e.code === "conflict") return skipIfEnabledAdmin(await s.users.findByEmail(email));
    if (e instanceof AppError) throw new ConfigError(`BOOTSTRAP_ADMIN_PASSWORD: ${e.description}`);
    throw e;
  }
}

function skipIfEnabledAdmin(user: AccountRow | undefined): "skipped" {
  if (user?.role === "admin" && user.disabled_at === null) return "skipped";
  throw new ConfigError(
    "BOOTSTRAP_ADMIN_EMAIL belongs to an existing account that is not an enabled admin; fix it with `tessera set-role` or `tessera enable`",
  );
}
