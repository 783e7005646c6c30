import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";

/**
 * CORS for the listed origins only. A listed origin is echoed with
 * `Access-Control-Allow-Credentials: true`; any other origin, preflights
 * included, gets no `Access-Control-*` header at all (hono's `cors` alone
 * would still send `Allow-Credentials` and answer the preflight), only
 * `Vary: Origin`, because the answer depends on it.
 *
 * @example
 * app.use("*", corsForListedOrigins(config.allowedOrigins));
 */
export function corsForListedOrigins(origins: readonly string[]): MiddlewareHandler {
  // `*` (tolerated by the config outside production) never matches: a wildcard with credentials is never sent.
  const listed = new Set(origins.filter((o) => o !== "*"));
  const answerListed = cors({
    origin: (origin) => (listed.has(origin) ? origin : null),
    credentials: true,
    allowHeaders: ["Authorization", "Content-Type", "X-Requested-With"],
    allowMethods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
    maxAge: 600,
  });
  return async function corsForListedOriginsMiddleware(c, next) {
    const origin = c.req.header("Origin");
    if (origin !== undefined && listed.has(origin)) return answerListed(c, next);
    if (c.req.method === "OPTIONS" && origin !== undefined && c.req.header("Access-Control-Request-Method") !== undefined) {
      // A preflight from an unlisted origin: answered, with nothing that would let the request through.
      return c.body(null, 204, { Vary: "Origin" });
    }
    await next();
    c.header("Vary", "Origin", { append: true });
  };
}
