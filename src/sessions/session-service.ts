import type { Kysely } from "kysely";
import type { AuditSink } from "../audit/audit-log.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { AccountRow, Database, SessionRow } from "../db/schema.js";
import type { WriteBatch } from "../db/write-batch.js";
import { invalidGrant } from "../errors.js";
import { uuidv7 } from "../ids.js";
import type { RefreshTokenCrypto } from "./refresh-token-crypto.js";
import * as repo from "./session-repository.js";

export interface StartSessionInput {
  userId: string;
  clientId: string;
  scope: string;
  userAgent: string | null;
  ip: string | null;
}

export interface IssuedRefresh {
  session: SessionRow;
  user: AccountRow;
  refreshToken: string;
  /** When the refresh token stops working (idle limit or the session's absolute limit). */
  refreshExpiresAt: number;
}

export interface SessionService {
  start(input: StartSessionInput): Promise<{ session: SessionRow; refreshToken: string; refreshExpiresAt: number }>;
  /** Rotate, answer a benign race with the same successor, or detect reuse and revoke the session. */
  rotate(token: string, context: { ip: string | null }): Promise<IssuedRefresh>;
  /** Revokes one session; `false` when it was unknown or already revoked. Every revocation below is audited here. */
  revoke(sessionId: string, reason: string): Promise<boolean>;
  /** Revokes a live session of `userId` at their own request; `false` for another user's, an unknown or an ended one. */
  revokeOwn(userId: string, sessionId: string): Promise<boolean>;
  revokeAllOfUser(userId: string, reason: string, exceptSessionId?: string): Promise<number>;
  /** Revokes the session a refresh token belongs to (RFC 7009); silent for unknown tokens. */
  revokeByRefreshToken(token: string, reason?: string): Promise<void>;
  /** A refresh token that would be accepted now (unspent, unexpired, live session, enabled user), or `undefined`. */
  findUsable(token: string): Promise<{ session: SessionRow; user: AccountRow; expiresAt: number } | undefined>;
  /** The account behind a live session of an enabled user, or `undefined`. */
  liveSessionUser(sessionId: string, userId: string): Promise<AccountRow | undefined>;
  listLive(userId: string): Promise<SessionRow[]>;
  purgeExpired(): Promise<void>;
}

export interface SessionServiceDeps {
  db: Kysely<Database>;
  /** Atomic multi-statement writes (a transaction, a group commit, or a D1 batch). */
  writeBatch: WriteBatch;
  config: Config;
  clock: Clock;
  tokens: RefreshTokenCrypto;
  audit: AuditSink;
}

/**
 * Owns refresh sessions. Correct without interactive transactions (D1):
 * the writes of a rotation go out as one atomic batch and a conditional
 * update inside it picks the one winner of a race.
 *
 * @example
 * const sessions = createSessionService({ db, writeBatch: transactionBatch(db), config, clock, tokens, audit });
 * const { refreshToken } = await sessions.rotate(presented, { ip });
 */
export function createSessionService(deps: SessionServiceDeps): SessionService {
  const { db, writeBatch, config, clock, tokens, audit } = deps;
  const ttlMs = config.refreshTokenTtl * 1000;
  const graceMs = config.refreshReuseGrace * 1000;

  async function revoke(sessionId: string, reason: string): Promise<boolean> {
    const userId = await repo.revokeSessionById(db, sessionId, reason, clock.now());
    if (userId === undefined) return false;
    audit({ type: "session_revoked", session_id: sessionId, user_id: userId, reason });
    return true;
  }

  async function detectReuse(session: SessionRow, userId: string, ip: string | null): Promise<never> {
    audit({ type: "refresh_reuse_detected", session_id: session.id, user_id: userId, ip });
    await revoke(session.id, "refresh_token_reuse");
    throw invalidGrant();
  }

  /**
   * The successor a just-rotated token was given, while it is still the session's unused token:
   * derived under the current secret or, across a secret rotation, under a previous one.
   */
  async function unusedSuccessor(
    sessionId: string,
    token: string,
    current: { token: string; hash: string },
    now: number,
  ): Promise<{ token: string; expiresAt: number } | undefined> {
    let candidate = current;
    let others: string[] | undefined;
    for (let i = 0; ; i++) {
      const row = await repo.findTokenByHash(db, sessionId, candidate.hash);
      if (row) return row.rotated_at === null && row.expires_at > now ? { token: candidate.token, expiresAt: row.expires_at } : undefined;
      others ??= await tokens.previousSuccessorsOf(token);
      const next = others[i];
      if (next === undefined) return undefined;
      candidate = { token: next, hash: await tokens.hash(next) };
    }
  }

  return {
    async start(input) {
      const now = clock.now();
      const session: SessionRow = {
        id: uuidv7(now),
        user_id: input.userId,
        client_id: input.clientId,
        scope: input.scope,
        created_at: now,
        last_used_at: now,
        expires_at: now + config.sessionMaxAge * 1000,
        revoked_at: null,
        revoke_reason: null,
        user_agent: input.userAgent,
        ip: input.ip,
      };
      const refreshToken = tokens.random();
      const refreshExpiresAt = Math.min(now + ttlMs, session.expires_at);
      await repo.insertSession(db, writeBatch, session, {
        id: uuidv7(now),
        token_hash: await tokens.hash(refreshToken),
        expires_at: refreshExpiresAt,
      });
      return { session, refreshToken, refreshExpiresAt };
    },

    async rotate(token, context) {
      if (!tokens.isWellFormed(token)) throw invalidGrant();
      const found = await repo.findRefreshToken(db, await tokens.hash(token));
      const now = clock.now();
      if (!found) throw invalidGrant();
      const { session, user } = found;
      let current = found.token;
      if (
        current.expires_at <= now ||
        session.revoked_at !== null ||
        session.expires_at <= now ||
        user.disabled_at !== null
      ) {
        throw invalidGrant();
      }

      const successor = await tokens.successorOf(token);
      const successorHash = await tokens.hash(successor);
      const refreshExpiresAt = Math.min(now + ttlMs, session.expires_at);

      if (current.rotated_at === null) {
        const won = await repo.rotateToken(db, writeBatch, {
          tokenId: current.id,
          sessionId: session.id,
          successor: { id: uuidv7(now), token_hash: successorHash, expires_at: refreshExpiresAt },
          now,
        });
        if (won) return { session, user, refreshToken: successor, refreshExpiresAt };
        current = { ...current, rotated_at: now }; // lost the race: treat as just rotated
      }

      if (graceMs > 0 && now - (current.rotated_at ?? 0) < graceMs) {
        const next = await unusedSuccessor(session.id, token, { token: successor, hash: successorHash }, now);
        if (next) return { session, user, refreshToken: next.token, refreshExpiresAt: next.expiresAt };
      }
      return detectReuse(session, user.id, context.ip);
    },

    revoke,

    async revokeOwn(userId, sessionId) {
      const now = clock.now();
      const reason = "revoked_by_user";
      if (!(await repo.revokeLiveSessionOfUser(db, sessionId, userId, reason, now))) return false;
      audit({ type: "session_revoked", session_id: sessionId, user_id: userId, reason });
      return true;
    },

    async revokeAllOfUser(userId, reason, exceptSessionId) {
      const count = await repo.revokeSessionsOfUser(db, userId, reason, clock.now(), exceptSessionId);
      audit({ type: "session_revoked", user_id: userId, reason, count });
      return count;
    },

    async revokeByRefreshToken(token, reason = "revoked_by_client") {
      if (!tokens.isWellFormed(token)) return;
      const found = await repo.findRefreshToken(db, await tokens.hash(token));
      if (found) await revoke(found.session.id, reason);
    },

    async findUsable(token) {
      if (!tokens.isWellFormed(token)) return undefined;
      const found = await repo.findRefreshToken(db, await tokens.hash(token));
      const now = clock.now();
      if (!found) return undefined;
      const { token: row, session, user } = found;
      const usable =
        row.rotated_at === null && row.expires_at > now && session.revoked_at === null && session.expires_at > now && user.disabled_at === null;
      return usable ? { session, user, expiresAt: row.expires_at } : undefined;
    },

    liveSessionUser: (sessionId, userId) => repo.findLiveSessionUser(db, sessionId, userId, clock.now()),
    listLive: (userId) => repo.listLiveSessions(db, userId, clock.now()),
    purgeExpired: () => repo.purgeExpired(db, clock.now(), config.refreshTokenTtl * 1000),
  };
}
