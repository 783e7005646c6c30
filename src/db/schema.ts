import type { Insertable, Selectable } from "kysely";

/** Timestamps are Unix epoch milliseconds. */
export interface UserTable {
  id: string;
  email: string;
  name: string | null;
  password_hash: string | null;
  role: string;
  disabled_at: number | null;
  email_verified_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface SessionTable {
  id: string;
  user_id: string;
  client_id: string;
  scope: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoke_reason: string | null;
  user_agent: string | null;
  ip: string | null;
}

export interface RefreshTokenTable {
  id: string;
  session_id: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  rotated_at: number | null;
}

export interface RateLimitTable {
  key: string;
  window_start: number;
  count: number;
  expires_at: number;
}

export interface ClientTable {
  id: string;
  name: string;
  secret_hash: string;
  previous_secret_hash: string | null;
  previous_secret_expires_at: number | null;
  /** Space-separated. */
  scopes: string;
  audience: string | null;
  created_at: number;
  updated_at: number;
  disabled_at: number | null;
  last_used_at: number | null;
}

export interface IdentityTable {
  id: string;
  user_id: string;
  /** `google`, `github` or an `OIDC_PROVIDERS` id. */
  provider: string;
  /** The provider's stable account id (OIDC `sub`, GitHub's numeric user id). */
  subject: string;
  email: string | null;
  created_at: number;
  last_used_at: number;
}

export interface OAuthUsedStateTable {
  state_hash: string;
  expires_at: number;
}

export interface Database {
  users: UserTable;
  sessions: SessionTable;
  refresh_tokens: RefreshTokenTable;
  rate_limits: RateLimitTable;
  clients: ClientTable;
  identities: IdentityTable;
  oauth_used_states: OAuthUsedStateTable;
}

export type UserRow = Selectable<UserTable>;
/** A user without the password hash: what flows past authentication. */
export type AccountRow = Omit<UserRow, "password_hash">;
export type NewUserRow = Insertable<UserTable>;
export type SessionRow = Selectable<SessionTable>;
export type RefreshTokenRow = Selectable<RefreshTokenTable>;
export type ClientRow = Selectable<ClientTable>;
export type IdentityRow = Selectable<IdentityTable>;
