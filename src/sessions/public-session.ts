import type { SessionRow } from "../db/schema.js";

/** A session as its owner sees it: no token, no IP, timestamps in ISO 8601. */
export interface PublicSession {
  id: string;
  created_at: string;
  last_used_at: string;
  user_agent: string | null;
  /** The session the request itself was made with. */
  current: boolean;
}

export function toPublicSession(row: SessionRow, currentSessionId: string | null): PublicSession {
  return {
    id: row.id,
    created_at: new Date(row.created_at).toISOString(),
    last_used_at: new Date(row.last_used_at).toISOString(),
    user_agent: row.user_agent,
    current: row.id === currentSessionId,
  };
}
