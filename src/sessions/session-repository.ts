import type { Kysely } from "kysely";
import type { Database, RefreshTokenRow, SessionRow, UserRow } from "../db/schema.js";

// The only module that writes `sessions` and `refresh_tokens`.

export interface RefreshTokenWithSession {
  token: RefreshTokenRow;
  session: SessionRow;
  user: UserRow;
}

export async function insertSession(
  db: Kysely<Database>,
  session: SessionRow,
  firstToken: { id: string; token_hash: string; expires_at: number },
): Promise<void> {
  await db.insertInto("sessions").values(session).execute();
  await db
    .insertInto("refresh_tokens")
    .values({ ...firstToken, session_id: session.id, created_at: session.created_at, rotated_at: null })
    .execute();
}

export async function findRefreshToken(db: Kysely<Database>, tokenHash: string): Promise<RefreshTokenWithSession | undefined> {
  const row = await db
    .selectFrom("refresh_tokens as t")
    .innerJoin("sessions as s", "s.id", "t.session_id")
    .innerJoin("users as u", "u.id", "s.user_id")
    .select([
      "t.id as t_id",
      "t.session_id as t_session_id",
      "t.token_hash as t_token_hash",
      "t.created_at as t_created_at",
      "t.expires_at as t_expires_at",
      "t.rotated_at as t_rotated_at",
    ])
    .select([
      "s.id as s_id",
      "s.user_id as s_user_id",
      "s.client_id as s_client_id",
      "s.scope as s_scope",
      "s.created_at as s_created_at",
      "s.last_used_at as s_last_used_at",
      "s.expires_at as s_expires_at",
      "s.revoked_at as s_revoked_at",
      "s.revoke_reason as s_revoke_reason",
      "s.user_agent as s_user_agent",
      "s.ip as s_ip",
    ])
    .select([
      "u.id as u_id",
      "u.email as u_email",
      "u.name as u_name",
      "u.password_hash as u_password_hash",
      "u.role as u_role",
      "u.disabled_at as u_disabled_at",
      "u.email_verified_at as u_email_verified_at",
      "u.created_at as u_created_at",
      "u.updated_at as u_updated_at",
    ])
    .where("t.token_hash", "=", tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  const pick = (prefix: string) =>
    Object.fromEntries(
      Object.entries(row)
        .filter(([k]) => k.startsWith(prefix))
        .map(([k, v]) => [k.slice(prefix.length), v]),
    );
  return {
    token: pick("t_") as RefreshTokenRow,
    session: pick("s_") as SessionRow,
    user: pick("u_") as UserRow,
  };
}

/** Inserts a successor; a no-op when it already exists (successors are deterministic). */
export async function insertSuccessor(
  db: Kysely<Database>,
  row: { id: string; session_id: string; token_hash: string; created_at: number; expires_at: number },
): Promise<void> {
  await db
    .insertInto("refresh_tokens")
    .values({ ...row, rotated_at: null })
    .onConflict((oc) => oc.column("token_hash").doNothing())
    .execute();
}

/** Marks a token rotated; `true` for exactly one caller however many race (conditional update). */
export async function markRotated(db: Kysely<Database>, tokenId: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable("refresh_tokens")
    .set({ rotated_at: now })
    .where("id", "=", tokenId)
    .where("rotated_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function touchSession(db: Kysely<Database>, sessionId: string, now: number): Promise<void> {
  await db.updateTable("sessions").set({ last_used_at: now }).where("id", "=", sessionId).execute();
}

export async function findTokenByHash(
  db: Kysely<Database>,
  sessionId: string,
  tokenHash: string,
): Promise<RefreshTokenRow | undefined> {
  return db
    .selectFrom("refresh_tokens")
    .selectAll()
    .where("token_hash", "=", tokenHash)
    .where("session_id", "=", sessionId)
    .executeTakeFirst();
}

export async function revokeSessionById(
  db: Kysely<Database>,
  sessionId: string,
  reason: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable("sessions")
    .set({ revoked_at: now, revoke_reason: reason })
    .where("id", "=", sessionId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function revokeSessionsOfUser(
  db: Kysely<Database>,
  userId: string,
  reason: string,
  now: number,
  exceptSessionId?: string,
): Promise<number> {
  let query = db
    .updateTable("sessions")
    .set({ revoked_at: now, revoke_reason: reason })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null);
  if (exceptSessionId !== undefined) query = query.where("id", "!=", exceptSessionId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A live session together with its enabled user: the check Tessera's own endpoints make. */
export async function findLiveSessionUser(
  db: Kysely<Database>,
  sessionId: string,
  userId: string,
  now: number,
): Promise<UserRow | undefined> {
  return db
    .selectFrom("sessions as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .selectAll("u")
    .where("s.id", "=", sessionId)
    .where("s.user_id", "=", userId)
    .where("s.revoked_at", "is", null)
    .where("s.expires_at", ">", now)
    .where("u.disabled_at", "is", null)
    .executeTakeFirst();
}

export async function findSession(db: Kysely<Database>, sessionId: string): Promise<SessionRow | undefined> {
  return db.selectFrom("sessions").selectAll().where("id", "=", sessionId).executeTakeFirst();
}

export async function listLiveSessions(db: Kysely<Database>, userId: string, now: number): Promise<SessionRow[]> {
  return db
    .selectFrom("sessions")
    .selectAll()
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now)
    .orderBy("created_at", "desc")
    .execute();
}

/** Deletes what can never be used again: expired tokens and expired or long-revoked sessions. */
export async function purgeExpired(db: Kysely<Database>, now: number, keepRevokedForMs: number): Promise<void> {
  await db.deleteFrom("refresh_tokens").where("expires_at", "<=", now).execute();
  await db
    .deleteFrom("sessions")
    .where((eb) => eb.or([eb("expires_at", "<=", now), eb("revoked_at", "<=", now - keepRevokedForMs)]))
    .execute();
}
