// One contract, every driver (lucia's pattern): the same cases run against better-sqlite3 on Node
// (test/session-repository-contract.test.ts) and against D1 inside workerd
// (test/workers/session-repository-contract.test.ts). Runtime-neutral on purpose: this file
// imports nothing Node- or Workers-specific, and each driver only supplies `makeDatabase`:
// the database and the write batch its runtime uses with it.
//
// The D1 database is shared by the tests of a file, so every case works on its own user,
// session and rate-limit key and asserts only on its own rows.
import type { Kysely } from "kysely";
import { beforeEach, describe, expect, it } from "vitest";
import type { AuditEvent } from "../../src/audit/audit-log.js";
import { parseConfig } from "../../src/config.js";
import type { Database } from "../../src/db/schema.js";
import type { WriteBatch } from "../../src/db/write-batch.js";
import { AppError } from "../../src/errors.js";
import { uuidv7 } from "../../src/ids.js";
import { createRateLimiter } from "../../src/ratelimit/rate-limiter.js";
import { createRefreshTokenCrypto } from "../../src/sessions/refresh-token-crypto.js";
import * as sessionRepo from "../../src/sessions/session-repository.js";
import { createSessionService } from "../../src/sessions/session-service.js";
import * as userRepo from "../../src/users/user-repository.js";

const SECRET = "contract-secret-that-is-long-enough-0123456789";
const START = Date.UTC(2026, 3, 1, 12, 0, 0);

/**
 * Registers the session/refresh-token/user/rate-limit repository contract
 * for one database driver.
 *
 * @example
 * describeSessionRepositoryContract("better-sqlite3, group commit", createTestDatabase);
 */
export function describeSessionRepositoryContract(
  name: string,
  makeDatabase: () => Promise<{ db: Kysely<Database>; writeBatch: WriteBatch }>,
): void {
  let db: Kysely<Database>;
  let writeBatch: WriteBatch;
  let now: number;
  let audit: AuditEvent[];
  const clock = { now: () => now };
  const advance = (ms: number) => void (now += ms);
  const config = parseConfig({ JWT_SECRET: SECRET, REFRESH_TOKEN_TTL: "3600", SESSION_MAX_AGE: "86400" });
  const tokens = createRefreshTokenCrypto(SECRET);
  const sessions = () =>
    createSessionService({ db, writeBatch, config, clock, tokens, audit: (e) => audit.push(e) });

  beforeEach(async () => {
    ({ db, writeBatch } = await makeDatabase());
    now = START;
    audit = [];
  });

  async function newUser(): Promise<string> {
    const id = uuidv7(now);
    const inserted = await userRepo.insertUser(db, {
      id,
      email: `${id}@example.com`,
      name: null,
      password_hash: null,
      role: "user",
      disabled_at: null,
      email_verified_at: null,
      created_at: now,
      updated_at: now,
    });
    expect(inserted).toBe(true);
    return id;
  }

  function start(userId: string) {
    return sessions().start({ userId, clientId: "tessera", scope: "read write", userAgent: "contract", ip: "192.0.2.1" });
  }

  const tokensOf = (sessionId: string) =>
    db.selectFrom("refresh_tokens").selectAll().where("session_id", "=", sessionId).orderBy("created_at").execute();

  async function expectInvalidGrant(promise: Promise<unknown>): Promise<void> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("invalid_grant");
  }

  describe(`${name}: starting a session`, () => {
    it("stores the session and the SHA-256 of its first refresh token, never the token", async () => {
      const userId = await newUser();
      const { session, refreshToken, refreshExpiresAt } = await start(userId);
      expect(refreshToken).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
      expect(refreshExpiresAt).toBe(START + 3600_000);
      expect(await sessionRepo.findSession(db, session.id)).toEqual(session);
      const rows = await tokensOf(session.id);
      expect(rows).toEqual([
        {
          id: expect.any(String),
          session_id: session.id,
          token_hash: await tokens.hash(refreshToken),
          created_at: START,
          expires_at: START + 3600_000,
          rotated_at: null,
        },
      ]);
    });

    it("refuses a session for a user that does not exist (foreign keys are enforced)", async () => {
      await expect(start("00000000-0000-7000-8000-000000000000")).rejects.toThrow(/FOREIGN KEY/i);
    });
  });

  describe(`${name}: rotation`, () => {
    it("spends the presented token and issues its deterministic successor", async () => {
      const userId = await newUser();
      const { session, refreshToken } = await start(userId);
      advance(1000);
      const rotated = await sessions().rotate(refreshToken, { ip: null });
      expect(rotated.refreshToken).toBe(await tokens.successorOf(refreshToken));
      expect(rotated.session.id).toBe(session.id);
      expect(rotated.user.id).toBe(userId);
      expect(rotated.user).not.toHaveProperty("password_hash"); // a refresh never loads the hash
      const rows = await tokensOf(session.id);
      expect(rows.map((r) => [r.token_hash, r.rotated_at])).toEqual([
        [await tokens.hash(refreshToken), START + 1000],
        [await tokens.hash(rotated.refreshToken), null],
      ]);
      expect((await sessionRepo.findSession(db, session.id))?.last_used_at).toBe(START + 1000);
    });

    it("a conditional update lets exactly one of 10 concurrent rotation batches win", async () => {
      const userId = await newUser();
      const { session } = await start(userId);
      const [first] = await tokensOf(session.id);
      const wins = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          sessionRepo.rotateToken(db, writeBatch, {
            tokenId: first!.id,
            sessionId: session.id,
            successor: { id: uuidv7(now), token_hash: `successor-${session.id}-${i}`, expires_at: now + 60_000 },
            now,
          }),
        ),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
    });

    it("a session and its first token are written together or not at all", async () => {
      const userId = await newUser();
      const { session: existing } = await start(userId);
      const [taken] = await tokensOf(existing.id);
      const id = uuidv7(now);
      const session = { ...existing, id, created_at: now, last_used_at: now };
      // The token insert violates token_hash UNIQUE after the session insert succeeded.
      const failed = await sessionRepo
        .insertSession(db, writeBatch, session, { id: uuidv7(now), token_hash: taken!.token_hash, expires_at: now + 60_000 })
        .then(
          () => false,
          () => true,
        );
      expect(failed).toBe(true);
      expect(await sessionRepo.findSession(db, id)).toBeUndefined();
    });

    it("10 concurrent rotations of one token: one winner, every caller gets the same successor", async () => {
      const userId = await newUser();
      const { session, refreshToken } = await start(userId);
      const service = sessions();
      const results = await Promise.all(Array.from({ length: 10 }, () => service.rotate(refreshToken, { ip: null })));
      expect(new Set(results.map((r) => r.refreshToken))).toEqual(new Set([await tokens.successorOf(refreshToken)]));
      const rows = await tokensOf(session.id);
      expect(rows).toHaveLength(2);
      expect(rows.filter((r) => r.rotated_at !== null)).toHaveLength(1);
      expect(audit.filter((e) => e.type === "refresh_reuse_detected")).toEqual([]);
      expect((await sessionRepo.findSession(db, session.id))?.revoked_at).toBeNull();
      const next = await service.rotate(results[0]!.refreshToken, { ip: null });
      expect(next.session.id).toBe(session.id);
    });

    it("an unknown or malformed token is invalid_grant", async () => {
      await expectInvalidGrant(sessions().rotate(tokens.random(), { ip: null }));
      await expectInvalidGrant(sessions().rotate("not-a-token", { ip: null }));
    });
  });

  describe(`${name}: reuse after the grace window revokes the session`, () => {
    it("rejects the replay, revokes the session, audits it, and kills the successor", async () => {
      const userId = await newUser();
      const { session, refreshToken } = await start(userId);
      const { refreshToken: successor } = await sessions().rotate(refreshToken, { ip: null });
      advance(config.refreshReuseGrace * 1000 + 1000);
      await expectInvalidGrant(sessions().rotate(refreshToken, { ip: "198.51.100.7" }));
      const revoked = await sessionRepo.findSession(db, session.id);
      expect(revoked?.revoked_at).toBe(now);
      expect(revoked?.revoke_reason).toBe("refresh_token_reuse");
      expect(audit).toContainEqual({
        type: "refresh_reuse_detected",
        session_id: session.id,
        user_id: userId,
        ip: "198.51.100.7",
      });
      await expectInvalidGrant(sessions().rotate(successor, { ip: null }));
    });

    it("within the grace window a replay gets the same successor and the session stays live", async () => {
      const userId = await newUser();
      const { session, refreshToken } = await start(userId);
      const first = await sessions().rotate(refreshToken, { ip: null });
      advance(config.refreshReuseGrace * 1000 - 1000);
      const replay = await sessions().rotate(refreshToken, { ip: null });
      expect(replay.refreshToken).toBe(first.refreshToken);
      expect((await sessionRepo.findSession(db, session.id))?.revoked_at).toBeNull();
    });
  });

  describe(`${name}: revoking every session of a user`, () => {
    it("revokes the user's live sessions except the one kept, and no one else's", async () => {
      const userId = await newUser();
      const otherId = await newUser();
      const kept = await start(userId);
      const a = await start(userId);
      const b = await start(userId);
      const other = await start(otherId);
      advance(1000);
      const count = await sessions().revokeAllOfUser(userId, "logout_all", kept.session.id);
      expect(count).toBe(2);
      expect((await sessions().listLive(userId)).map((s) => s.id)).toEqual([kept.session.id]);
      expect((await sessions().listLive(otherId)).map((s) => s.id)).toEqual([other.session.id]);
      for (const revoked of [a, b]) {
        const row = await sessionRepo.findSession(db, revoked.session.id);
        expect([row?.revoked_at, row?.revoke_reason]).toEqual([START + 1000, "logout_all"]);
        await expectInvalidGrant(sessions().rotate(revoked.refreshToken, { ip: null }));
      }
      expect(await sessions().revokeAllOfUser(userId, "logout_all")).toBe(1);
      expect(await sessions().revokeAllOfUser(userId, "logout_all")).toBe(0);
    });
  });

  describe(`${name}: deleting a user`, () => {
    it("reports exactly one deleted user and cascades to its sessions and refresh tokens", async () => {
      const userId = await newUser();
      const { session } = await start(userId);
      await start(userId);
      expect(await userRepo.deleteUserKeepingAnAdmin(db, userId)).toBe(true);
      expect(await sessionRepo.findSession(db, session.id)).toBeUndefined();
      expect(await tokensOf(session.id)).toEqual([]);
      expect(await userRepo.deleteUserKeepingAnAdmin(db, userId)).toBe(false);
    });
  });

  describe(`${name}: rate-limit counters`, () => {
    it("count 10 concurrent hits atomically: exactly the first 5 are allowed", async () => {
      const limiter = createRateLimiter(db, clock, writeBatch);
      const key = `contract:${uuidv7(now)}`;
      const rule = { count: 5, windowSeconds: 60 };
      const results = await Promise.all(Array.from({ length: 10 }, () => limiter.hit(key, rule)));
      expect(results.filter((r) => r.allowed)).toHaveLength(5);
      const row = await db.selectFrom("rate_limits").selectAll().where("key", "=", key).executeTakeFirstOrThrow();
      expect(row.count).toBe(10);
    });

    it("start again from one in the next window, with Retry-After counting down to it", async () => {
      const limiter = createRateLimiter(db, clock, writeBatch);
      const key = `contract:${uuidv7(now)}`;
      const rule = { count: 2, windowSeconds: 60 };
      // START is on a minute boundary: the window is [START, START + 60 s).
      advance(15_000);
      expect(await limiter.hit(key, rule)).toEqual({ allowed: true, retryAfter: 45 });
      expect(await limiter.hit(key, rule)).toEqual({ allowed: true, retryAfter: 45 });
      expect(await limiter.hit(key, rule)).toEqual({ allowed: false, retryAfter: 45 });
      advance(45_000);
      expect(await limiter.hit(key, rule)).toEqual({ allowed: true, retryAfter: 60 });
      const row = await db.selectFrom("rate_limits").selectAll().where("key", "=", key).executeTakeFirstOrThrow();
      expect(row).toEqual({ key, window_start: START + 60_000, count: 1, expires_at: START + 120_000 });
      await limiter.reset(key);
      expect(await limiter.hit(key, rule)).toEqual({ allowed: true, retryAfter: 60 });
    });

    it("hitAll counts every key in one batch and judges each against its own rule; reset clears several keys", async () => {
      const limiter = createRateLimiter(db, clock, writeBatch);
      const tight = `contract:${uuidv7(now)}`;
      const loose = `contract:${uuidv7(now)}`;
      const hits = [
        { key: tight, rule: { count: 1, windowSeconds: 60 } },
        { key: loose, rule: { count: 3, windowSeconds: 3600 } },
      ];
      expect((await limiter.hitAll(hits)).map((r) => r.allowed)).toEqual([true, true]);
      const second = await limiter.hitAll(hits);
      expect(second).toEqual([
        { allowed: false, retryAfter: 60 },
        { allowed: true, retryAfter: 3600 },
      ]);
      const counts = await db.selectFrom("rate_limits").select(["key", "count"]).where("key", "in", [tight, loose]).orderBy("key").execute();
      expect(counts.map((r) => r.count)).toEqual([2, 2]);
      await limiter.reset(tight, loose);
      expect(await db.selectFrom("rate_limits").select("key").where("key", "in", [tight, loose]).execute()).toEqual([]);
    });
  });

  describe(`${name}: purging expired rows`, () => {
    it("deletes expired refresh tokens, expired sessions and past rate-limit windows, and keeps live ones", async () => {
      const userId = await newUser();
      const old = await start(userId);
      const limiter = createRateLimiter(db, clock, writeBatch);
      const oldKey = `contract:${uuidv7(now)}`;
      await limiter.hit(oldKey, { count: 5, windowSeconds: 60 });
      advance(3_000_000);
      const fresh = await start(userId);
      const freshKey = `contract:${uuidv7(now)}`;
      await limiter.hit(freshKey, { count: 5, windowSeconds: 86_400 });
      advance(700_000); // old's first token (1 h idle) has expired; its session (24 h) has not

      await sessions().purgeExpired();
      await limiter.purgeExpired();
      expect(await tokensOf(old.session.id)).toEqual([]);
      expect(await sessionRepo.findSession(db, old.session.id)).toBeDefined();
      expect(await tokensOf(fresh.session.id)).toHaveLength(1);
      const keys = await db.selectFrom("rate_limits").select("key").where("key", "in", [oldKey, freshKey]).execute();
      expect(keys).toEqual([{ key: freshKey }]);

      advance(86_400_000); // past SESSION_MAX_AGE of both sessions
      await sessions().purgeExpired();
      expect(await sessionRepo.findSession(db, old.session.id)).toBeUndefined();
      expect(await sessionRepo.findSession(db, fresh.session.id)).toBeUndefined();
      expect(await tokensOf(fresh.session.id)).toEqual([]);
    });
  });
}
