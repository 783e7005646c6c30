/** Roles, lowest first: each role includes every role before it. */
export const ROLES = ["viewer", "user", "admin"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** True when `held` is `required` or above it in `admin > user > viewer`. */
export function roleSatisfies(held: string | null | undefined, required: Role): boolean {
  if (!isRole(held)) return false;
  return ROLES.indexOf(held) >= ROLES.indexOf(required);
}
