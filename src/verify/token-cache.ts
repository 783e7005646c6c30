import { AccessTokenError } from "./access-token-error.js";

/** The time claims of a verified token: all a cache hit has to check again. */
export interface TokenTimes {
  exp: number;
  nbf?: number;
  iat: number;
}

interface CacheEntry<T> extends TokenTimes {
  token: string;
  value: T;
}

/**
 * Tokens that passed every check, each with what the verifier derived from it. The key is the
 * whole token string, so any changed byte is a miss.
 */
export interface VerifiedTokenCache<T> {
  /**
   * The value cached for `token` while its times still hold, `undefined` when it is not cached;
   * throws `AccessTokenError` (and forgets the token) once its time is up.
   */
  get(token: string, nowMs: number): T | undefined;
  /** Remembers a token just verified, unless another request already did; a no-op when the size is 0. */
  remember(token: string, times: TokenTimes, value: T): void;
}

/**
 * A FIFO-bounded cache of verified tokens: at most `size` entries, the oldest dropped first.
 *
 * @example
 * const cache = createVerifiedTokenCache<Claims>(10_000, 30);
 * const hit = cache.get(token, Date.now()) ?? (await verifySlowly(token));
 */
export function createVerifiedTokenCache<T>(size: number, leewaySeconds: number): VerifiedTokenCache<T> {
  const cache = new Map<string, CacheEntry<T>>();
  // Insertion order for the bound, kept in a ring buffer: asking the Map for its oldest key walks
  // the holes deleted entries leave at its front (bench/README.md, "Why the hot paths look as they do").
  const order: CacheEntry<T>[] = [];
  let oldest = 0;

  // Every time-dependent check made on first sight, repeated on a hit: a token's string fixes
  // its claims, but not the clock.
  function checkTimes(entry: CacheEntry<T>, nowMs: number): void {
    const epoch = Math.floor(nowMs / 1000); // jose compares exp/nbf with whole seconds
    if (entry.exp <= epoch - leewaySeconds) throw new AccessTokenError("ERR_TOKEN_EXPIRED", "token expired");
    if (entry.nbf !== undefined && entry.nbf > epoch + leewaySeconds) {
      throw new AccessTokenError("ERR_TOKEN_NOT_YET_VALID", "token not yet valid");
    }
    if (entry.iat > nowMs / 1000 + leewaySeconds) throw new AccessTokenError("ERR_TOKEN_CLAIM_INVALID", 'claim "iat" is invalid');
  }

  return {
    get(token, nowMs) {
      const hit = cache.get(token);
      if (!hit) return undefined;
      try {
        checkTimes(hit, nowMs);
      } catch (e) {
        cache.delete(token); // an expired token never becomes valid again
        throw e;
      }
      return hit.value;
    },

    remember(token, { exp, nbf, iat }, value) {
      if (size === 0 || cache.has(token)) return;
      const entry: CacheEntry<T> = { token, value, exp, nbf: typeof nbf === "number" ? nbf : undefined, iat };
      if (order.length < size) {
        order.push(entry);
      } else {
        const dropped = order[oldest]!;
        // It may be gone already (expired on a hit), and the token cached again since.
        if (cache.get(dropped.token) === dropped) cache.delete(dropped.token);
        order[oldest] = entry;
        oldest = (oldest + 1) % size;
      }
      cache.set(token, entry);
    },
  };
}
