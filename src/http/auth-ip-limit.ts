import type { MiddlewareHandler } from "hono";
import type { AuditSink } from "../audit/audit-log.js";
import type { RateLimitRule } from "../config.js";
import { rateLimited } from "../errors.js";
import type { RateLimiter } from "../ratelimit/rate-limiter.js";
import type { ClientIp } from "./client-context.js";

/**
 * The per-IP budget on every `/auth/*` route (`AUTH_IP_RATE_LIMIT`).
 *
 * @example
 * app.use("/auth/*", limitAuthRequestsPerIp({ limiter, rule: config.rateLimits.authIp, audit, clientIp }));
 */
export function limitAuthRequestsPerIp(deps: {
  limiter: RateLimiter;
  rule: RateLimitRule;
  audit: AuditSink;
  clientIp: ClientIp;
}): MiddlewareHandler {
  const { limiter, rule, audit, clientIp } = deps;
  return async function limitAuthRequestsPerIpMiddleware(c, next) {
    const ip = clientIp(c);
    const { allowed, retryAfter } = await limiter.hit(`ip:${ip ?? "unknown"}`, rule);
    if (!allowed) {
      audit({ type: "rate_limited", ip, limit: "auth_ip" });
      throw rateLimited(retryAfter);
    }
    await next();
  };
}
