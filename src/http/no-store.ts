import type { MiddlewareHandler } from "hono";

/** Token-bearing responses must never be cached (RFC 6749 §5.1). */
export const noStore: MiddlewareHandler = async function noStoreMiddleware(c, next) {
  await next();
  c.res.headers.set("Cache-Control", "no-store");
  c.res.headers.set("Pragma", "no-cache");
};
