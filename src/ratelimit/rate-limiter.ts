import { sql, type Kysely } from "kysely";
import type { Clock } from "../clock.js";
import type { RateLimitRule } from "../config.js";
import { prepareQuery } from "../db/prepared-query.js";
import type { Database } from "../db/schema.js";
import type { WriteBatch } from "../db/write-batch.js";

// Compiled once per database: this upsert runs on every /auth request.
const countHit = prepareQuery<Database, "key" | "windowStart" | "expiresAt", { count: number }>(
  ["key", "windowStart", "expiresAt"],
  (db, p) =>
    db
      .insertInto("rate_limits")
      .values({ key: p.key, window_start: p.windowStart as unknown as number, count: 1, expires_at: p.expiresAt as unknown as number })
      .onConflict((oc) =>
        oc.column("key").doUpdateSet({
          // SET expressions read the old row, so the window test sees the stored start.
          count: sql<number>`CASE WHEN rate_limits.window_start = excluded.window_start THEN rate_limits.count + 1 ELSE 1 END`,
          window_start: sql<number>`excluded.window_start`,
          expires_at: sql<number>`excluded.expires_at`,
        }),
      )
      .returning(["count"]),
);

export interface RateLimitResult {
  allowed: boolean;
  /** Whole seconds until the window resets (for `Retry-After`). */
  retryAfter: number;
}

export interface RateLimiter {
  /** Counts one attempt against `key` and says whether it is within `rule`. */
  hit(key: string, rule: RateLimitRule): Promise<RateLimitResult>;
  /** Counts one attempt against each key as one atomic batch (one commit; one D1 round trip). */
  hitAll(hits: readonly RateLimitHit[]): Promise<RateLimitResult[]>;
  /** Clears the counters of every key given, in one statement. */
  reset(...keys: string[]): Promise<void>;
  purgeExpired(): Promise<void>;
}

export interface RateLimitHit {
  key: string;
  rule: RateLimitRule;
}

/**
 * Fixed-window counters in the database, so every process and Workers
 * isolate shares them. One atomic upsert per hit; the attempt is counted
 * before it is judged, so concurrent requests cannot all slip under the limit.
 *
 * @example
 * const limiter = createRateLimiter(db, clock, transactionBatch(db));
 * const { allowed, retryAfter } = await limiter.hit(`ip:${ip}`, config.rateLimits.authIp);
 */
export function createRateLimiter(db: Kysely<Database>, clock: Clock, writeBatch: WriteBatch): RateLimiter {
  function windowOf(rule: RateLimitRule, now: number) {
    const windowMs = rule.windowSeconds * 1000;
    const windowStart = now - (now % windowMs);
    return { windowStart, expiresAt: windowStart + windowMs };
  }
  function judge(rows: readonly { count: number }[], rule: RateLimitRule, expiresAt: number, now: number): RateLimitResult {
    const row = rows[0];
    if (!row) throw new Error("rate limit upsert returned no row");
    return {
      allowed: Number(row.count) <= rule.count,
      retryAfter: Math.max(1, Math.ceil((expiresAt - now) / 1000)),
    };
  }
  async function hitAll(hits: readonly RateLimitHit[]): Promise<RateLimitResult[]> {
    const now = clock.now();
    const windows = hits.map((h) => windowOf(h.rule, now));
    // Upserts lock their rows until the batch commits; taking them in key order means two
    // batches over the same keys (on PostgreSQL, from two instances) can never deadlock.
    const order = hits.map((_, i) => i).sort((a, b) => (hits[a]!.key < hits[b]!.key ? -1 : hits[a]!.key > hits[b]!.key ? 1 : 0));
    const results = await writeBatch(order.map((i) => countHit(db)({ key: hits[i]!.key, ...windows[i]! })));
    const byHit: RateLimitResult[] = [];
    order.forEach((i, position) => (byHit[i] = judge(results[position]!.rows as { count: number }[], hits[i]!.rule, windows[i]!.expiresAt, now)));
    return byHit;
  }
  return {
    async hit(key, rule) {
      const [result] = await hitAll([{ key, rule }]);
      return result!;
    },
    hitAll,
    async reset(...keys) {
      if (keys.length > 0) await db.deleteFrom("rate_limits").where("key", "in", keys).execute();
    },
    async purgeExpired() {
      await db.deleteFrom("rate_limits").where("expires_at", "<=", clock.now()).execute();
    },
  };
}
