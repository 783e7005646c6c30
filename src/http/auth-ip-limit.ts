import type { MiddlewareHandler } from "hono";
import { rateLimited } from "../ratelimit/login-throttle.js";
import type { Services } from "../services.js";

/** The per-IP budget on every `/auth/*` route (`AUTH_IP_RATE_LIMIT`). */
export function limitAuthRequestsPerIp(s: Services): MiddlewareHandler {
  return async function limitAuthRequestsPerIpMiddleware(c, next) {
    const ip = s.clientIp(c);
    const { allowed, retryAfter } = await s.limiter.hit(`ip:${ip ?? "unknown"}`, s.config.rateLimits.authIp);
    if (!allowed) {
      s.audit({ type: "rate_limited", ip, limit: "auth_ip" });
      throw rateLimited(retryAfter);
    }
    await next();
  };
}
