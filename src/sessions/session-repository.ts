import type { Kysely } from "kysely";
import { prepareQuery } from "../db/prepared-query.js";
import type { AccountRow, Database, RefreshTokenRow, SessionRow } from "../db/schema.js";
import type { WriteBatch } from "../db/write-batch.js";

// The only module that writes `sessions` and `refresh_tokens`.

export interface RefreshTokenWithSession {
  token: RefreshTokenRow;
  session: SessionRow;
  /** Never the password hash: a refresh has no use for it. */
  user: AccountRow;
}

const sessionColumns = ["id", "user_id", "client_id", "scope", "created_at", "last_used_at", "expires_at", "revoked_at", "revoke_reason", "user_agent", "ip"] as const;
const tokenColumns = ["id", "session_id", "token_hash", "created_at", "expires_at", "rotated_at"] as const;

// Compiled once: every login and registration starts a session.
const insertSessionQuery = prepareQuery<Database, (typeof sessionColumns)[number], unknown>(sessionColumns, (db, p) =>
  db.insertInto("sessions").values(p as unknown as SessionRow),
);
const insertTokenQuery = prepareQuery<Database, (typeof tokenColumns)[number], unknown>(tokenColumns, (db, p) =>
  db.insertInto("refresh_tokens").values(p as unknown as RefreshTokenRow),
);

/** A session and its first refresh token, both or neither. */
export async function insertSession(
  db: Kysely<Database>,
  batch: WriteBatch,
  session: SessionRow,
  firstToken: { id: string; token_hash: string; expires_at: number },
): Promise<void> {
  await batch([
    insertSessionQuery(db)(session),
    insertTokenQuery(db)({ ...firstToken, session_id: session.id, created_at: session.created_at, rotated_at: null }),
  ]);
}

const selectRefreshToken = prepareQuery<Database, "tokenHash", Record<string, unknown>>(["tokenHash"], (db, p) =>
  db
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
      "u.role as u_role",
      "u.disabled_at as u_disabled_at",
      "u.email_verified_at as u_email_verified_at",
      "u.created_at as u_created_at",
      "u.updated_at as u_updated_at",
    ])
    .where("t.token_hash", "=", p.tokenHash),
);

/** The token, its session and its user in one indexed read (the first statement of every refresh). */
export async function findRefreshToken(db: Kysely<Database>, tokenHash: string): Promise<RefreshTokenWithSession | undefined> {
  const { rows } = await db.executeQuery(selectRefreshToken(db)({ tokenHash }));
  const r = rows[0] as Record<string, any> | undefined; // shape fixed by the aliases above
  if (!r) return undefined;
  // Spelled out rather than derived from the prefixes: this runs on every refresh.
  return {
    token: {
      id: r.t_id,
      session_id: r.t_session_id,
      token_hash: r.t_token_hash,
      created_at: r.t_created_at,
      expires_at: r.t_expires_at,
      rotated_at: r.t_rotated_at,
    },
    session: {
      id: r.s_id,
      user_id: r.s_user_id,
      client_id: r.s_client_id,
      scope: r.s_scope,
      created_at: r.s_created_at,
      last_used_at: r.s_last_used_at,
      expires_at: r.s_expires_at,
      revoked_at: r.s_revoked_at,
      revoke_reason: r.s_revoke_reason,
      user_agent: r.s_user_agent,
      ip: r.s_ip,
    },
    user: {
      id: r.u_id,
      email: r.u_email,
      name: r.u_name,
      role: r.u_role,
      disabled_at: r.u_disabled_at,
      email_verified_at: r.u_email_verified_at,
      created_at: r.u_created_at,
      updated_at: r.u_updated_at,
    },
  };
}

const insertSuccessorQuery = prepareQuery<Database, "id" | "sessionId" | "tokenHash" | "createdAt" | "expiresAt", unknown>(
  ["id", "sessionId", "tokenHash", "createdAt", "expiresAt"],
  (db, p) =>
    db
      .insertInto("refresh_tokens")
      .values({
        id: p.id,
        session_id: p.sessionId,
        token_hash: p.tokenHash,
        created_at: p.createdAt as unknown as number,
        expires_at: p.expiresAt as unknown as number,
        rotated_at: null,
      })
      .onConflict((oc) => oc.column("token_hash").doNothing()),
);

const markRotatedQuery = prepareQuery<Database, "tokenId" | "now", unknown>(["tokenId", "now"], (db, p) =>
  db
    .updateTable("refresh_tokens")
    .set({ rotated_at: p.now as unknown as number })
    .where("id", "=", p.tokenId)
    .where("rotated_at", "is", null),
);

const touchSessionQuery = prepareQuery<Database, "sessionId" | "now", unknown>(["sessionId", "now"], (db, p) =>
  db.updateTable("sessions").set({ last_used_at: p.now as unknown as number }).where("id", "=", p.sessionId),
);

export interface Rotation {
  tokenId: string;
  sessionId: string;
  successor: { id: string; token_hash: string; expires_at: number };
  now: number;
}

/**
 * Step 2 of a rotation as one atomic batch: insert the successor (a no-op when
 * it exists: successors are deterministic), mark the presented token
 * rotated with a conditional update, touch the session. `true` for exactly
 * one caller however many race; a loser's batch changes nothing that
 * matters (its insert meets the winner's row, and the session was used).
 */
export async function rotateToken(db: Kysely<Database>, batch: WriteBatch, rotation: Rotation): Promise<boolean> {
  const { tokenId, sessionId, successor, now } = rotation;
  const [, marked] = await batch([
    insertSuccessorQuery(db)({
      id: successor.id,
      sessionId,
      tokenHash: successor.token_hash,
      createdAt: now,
      expiresAt: successor.expires_at,
    }),
    markRotatedQuery(db)({ tokenId, now }),
    touchSessionQuery(db)({ sessionId, now }),
  ]);
  return Number(marked!.numAffectedRows) === 1;
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

/** Revokes a session that is not revoked yet; answers its user's id, or `undefined` when nothing changed. */
export async function revokeSessionById(
  db: Kysely<Database>,
  sessionId: string,
  reason: string,
  now: number,
): Promise<string | undefined> {
  const row = await db
    .updateTable("sessions")
    .set({ revoked_at: now, revoke_reason: reason })
    .where("id", "=", sessionId)
    .where("revoked_at", "is", null)
    .returning("user_id")
    .executeTakeFirst();
  return row?.user_id;
}

/** Revokes the session only if it belongs to `userId` and is still live; `true` when it did. */
export async function revokeLiveSessionOfUser(
  db: Kysely<Database>,
  sessionId: string,
  userId: string,
  reason: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable("sessions")
    .set({ revoked_at: now, revoke_reason: reason })
    .where("id", "=", sessionId)
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now)
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

/** A live session together with its enabled user (never the password hash): the check Tessera's own endpoints make. */
export async function findLiveSessionUser(
  db: Kysely<Database>,
  sessionId: string,
  userId: string,
  now: number,
): Promise<AccountRow | undefined> {
  return db
    .selectFrom("sessions as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .select(["u.id", "u.email", "u.name", "u.role", "u.disabled_at", "u.email_verified_at", "u.created_at", "u.updated_at"])
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
