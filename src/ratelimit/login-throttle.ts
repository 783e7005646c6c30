import type { AuditSink } from "../audit/audit-log.js";
import type { Config } from "../config.js";
import { rateLimited } from "../errors.js";
import type { RateLimitResult, RateLimiter } from "./rate-limiter.js";

export interface LoginThrottle {
  /** Counts a login attempt for the account (per IP and overall); throws 429 past the limits. Call before any password work. */
  attempt(email: string, ip: string | null): Promise<void>;
  /** A successful login clears the account's counters. */
  succeeded(email: string, ip: string | null): Promise<void>;
}

/**
 * Attempts are counted up front and cleared on success, which equals
 * counting failures but cannot be raced past by parallel guesses.
 *
 * @example
 * await throttle.attempt(email, ip); // before verifying the password
 */
export function createLoginThrottle(limiter: RateLimiter, config: Config, audit: AuditSink): LoginThrottle {
  const accountIpKey = (email: string, ip: string | null) => `login:${email}|${ip ?? "unknown"}`;
  const accountKey = (email: string) => `account:${email}`;
  return {
    async attempt(email, ip) {
      const [perIp, perAccount] = (await limiter.hitAll([
        { key: accountIpKey(email, ip), rule: config.rateLimits.login },
        { key: accountKey(email), rule: config.rateLimits.account },
      ])) as [RateLimitResult, RateLimitResult];
      if (!perIp.allowed || !perAccount.allowed) {
        audit({ type: "rate_limited", ip, limit: !perIp.allowed ? "login" : "account" });
        throw rateLimited(Math.max(perIp.allowed ? 0 : perIp.retryAfter, perAccount.allowed ? 0 : perAccount.retryAfter));
      }
    },
    async succeeded(email, ip) {
      await limiter.reset(accountIpKey(email, ip), accountKey(email));
    },
  };
}
