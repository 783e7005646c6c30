/** Security events an operator wants to see; fields never hold a password, token or hash. */
export type AuditEvent =
  | { type: "login_succeeded"; user_id: string; ip: string | null; session_id: string }
  | { type: "login_failed"; ip: string | null; reason: "bad_credentials" | "disabled" }
  | { type: "rate_limited"; ip: string | null; limit: string }
  | { type: "refresh_reuse_detected"; session_id: string; user_id: string; ip: string | null }
  | { type: "session_revoked"; session_id?: string; user_id: string; reason: string; count?: number }
  | { type: "password_changed"; user_id: string }
  | { type: "user_registered"; user_id: string }
  | { type: "user_created"; user_id: string; by: string; role: string }
  | { type: "user_disabled"; user_id: string; by: string }
  | { type: "user_enabled"; user_id: string; by: string }
  | { type: "user_deleted"; user_id: string; by: string }
  | { type: "role_changed"; user_id: string; by: string; from: string; to: string }
  | { type: "client_created" | "client_enabled" | "client_disabled" | "client_deleted" | "client_secret_rotated"; client_id: string }
  | { type: "oauth_login_succeeded"; user_id: string; provider: string; ip: string | null; session_id: string }
  | { type: "oauth_login_failed"; provider: string; error: string; ip: string | null }
  | { type: "identity_linked" | "identity_unlinked"; user_id: string; provider: string }
  | { type: "client_auth_failed"; client_id: string | null; ip: string | null; reason: "bad_credentials" | "disabled" };

export type AuditSink = (event: AuditEvent) => void;

/**
 * One JSON line per event on stdout (or any writer).
 *
 * @example
 * createApp({ ..., audit: jsonLineAuditSink((line) => process.stdout.write(line + "\n")) })
 */
export function jsonLineAuditSink(write: (line: string) => void, clock: { now(): number } = Date): AuditSink {
  return (event) => write(JSON.stringify({ time: new Date(clock.now()).toISOString(), level: "info", audit: true, ...event }));
}
