import type { Context } from "hono";

/**
 * The client's IP on Workers: Cloudflare's edge sets `CF-Connecting-IP` and
 * overwrites any value a client sends, so it is trustworthy here, unlike
 * `X-Forwarded-For`, which is never read on Workers.
 *
 * @example
 * createApp({ ..., clientIp: workersClientIp });
 */
export function workersClientIp(c: Context): string | null {
  return c.req.header("CF-Connecting-IP")?.slice(0, 64) || null;
}
