import { jsonLineAuditSink } from "../../audit/audit-log.js";
import type { AccountRow } from "../../db/schema.js";
import { createHashWasmHasher } from "../../passwords/hash-wasm-hasher.js";
import { createServices, type Services } from "../../services.js";
import type { AdminActor, AdminUsers } from "../../users/admin-users.js";
import { CliError } from "./cli-error.js";
import type { CliIo } from "./command.js";
import { loadConfig } from "./load-config.js";
import { openReadyDatabase } from "./ready-database.js";

/** Who the audit log names for every change made from the CLI. */
export const OPERATOR: AdminActor = { kind: "operator" };

type Users = Services["users"];

/**
 * Runs `fn` with the app's own services over the configured database, then closes it.
 *
 * @example
 * await withServices(io, (s) => s.clients.rotateSecret(clientId));
 */
export async function withServices<T>(io: CliIo, fn: (s: Services) => Promise<T>): Promise<T> {
  const config = loadConfig(io.env);
  const db = await openReadyDatabase(config);
  try {
    const s = createServices({
      db,
      config,
      // In-process hashing: one hash per run, no worker pool to start and stop.
      passwords: createHashWasmHasher(config.argon2),
      // Audit lines go to stderr so stdout carries only the command's result.
      audit: jsonLineAuditSink((line) => io.stderr.write(`${line}\n`)),
      logError: (message, fields) => io.stderr.write(`${JSON.stringify({ level: "error", message, ...fields })}\n`),
    });
    return await fn(s);
  } finally {
    await db.destroy();
  }
}

/**
 * Runs `fn` with the admin module and the users, as the HTTP admin API does.
 *
 * @example
 * await withAdmin(io, (admin, users) => admin.revokeSessions(userId, OPERATOR));
 */
export function withAdmin<T>(io: CliIo, fn: (admin: AdminUsers, users: Users) => Promise<T>): Promise<T> {
  return withServices(io, (s) => fn(s.adminUsers, s.users));
}

/**
 * The user with this email, or a CLI error saying there is none.
 *
 * @example
 * const user = await userByEmail(users, "eve@example.com");
 */
export async function userByEmail(users: Pick<Users, "findByEmail">, email: string): Promise<AccountRow> {
  const user = await users.findByEmail(email);
  if (!user) throw new CliError(`no user with the email ${email}`);
  return user;
}
