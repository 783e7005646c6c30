import type { AccountRow } from "../db/schema.js";

/** The user as clients see it: never a hash, timestamps in ISO 8601. */
export interface PublicUser {
  id: string;
  email: string;
  name: string | null;
  role: string;
  disabled: boolean;
  email_verified: boolean;
  created_at: string;
  updated_at: string;
}

export function toPublicUser(row: AccountRow): PublicUser {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    disabled: row.disabled_at !== null,
    email_verified: row.email_verified_at !== null,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}
