import type { IdentityRow } from "../db/schema.js";

/** An identity as the API shows it: which provider, which email, when; never the subject's internals. */
export interface PublicIdentity {
  provider: string;
  email: string | null;
  created_at: string;
  last_used_at: string;
}

/**
 * @example
 * c.json({ identities: rows.map(toPublicIdentity) });
 */
export function toPublicIdentity(row: IdentityRow): PublicIdentity {
  return {
    provider: row.provider,
    email: row.email,
    created_at: new Date(row.created_at).toISOString(),
    last_used_at: new Date(row.last_used_at).toISOString(),
  };
}
