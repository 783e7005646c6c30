import type { ClientRow } from "../db/schema.js";

/** A machine client as the admin API shows it: never a secret or a hash. */
export interface PublicClient {
  id: string;
  name: string;
  /** Space-separated. */
  scopes: string;
  /** `null`: tokens carry the service's JWT_AUDIENCE. */
  audience: string | null;
  disabled: boolean;
  created_at: string;
  updated_at: string;
  last_used_at: string | null;
}

export function toPublicClient(row: ClientRow): PublicClient {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    audience: row.audience,
    disabled: row.disabled_at !== null,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    last_used_at: row.last_used_at === null ? null : new Date(row.last_used_at).toISOString(),
  };
}
