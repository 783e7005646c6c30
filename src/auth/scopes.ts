import type { Config } from "../config.js";
import { AppError } from "../errors.js";
import { isRole } from "../verify/roles.js";

/** Every scope the role may hold, space-separated. */
export function scopesOfRole(config: Config, role: string): string[] {
  return isRole(role) ? config.roleScopes[role] : [];
}

/**
 * The scope to grant: all of the role's scopes when none is asked for,
 * otherwise exactly what is asked if the role holds all of it.
 *
 * @example
 * grantedScope(config, "user", "read") // "read"
 */
export function grantedScope(config: Config, role: string, requested: string | undefined): string {
  const allowed = scopesOfRole(config, role);
  if (requested === undefined) return allowed.join(" ");
  const asked = [...new Set(requested.split(" ").filter((s) => s !== ""))];
  if (asked.length === 0) return allowed.join(" ");
  if (!asked.every((s) => allowed.includes(s))) {
    throw new AppError("invalid_scope", 400, "The requested scope is invalid or exceeds what this account may hold.");
  }
  return asked.join(" ");
}

/** A refresh keeps the session's scope, narrowed to what the role still allows. */
export function refreshedScope(config: Config, role: string, sessionScope: string): string {
  const allowed = scopesOfRole(config, role);
  return sessionScope
    .split(" ")
    .filter((s) => s !== "" && allowed.includes(s))
    .join(" ");
}
