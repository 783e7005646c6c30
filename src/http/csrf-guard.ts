import type { MiddlewareHandler } from "hono";
import { AppError } from "../errors.js";

/** The header value the browser flow requires on every cookie route. */
export const CSRF_HEADER = "X-Requested-With";
export const CSRF_HEADER_VALUE = "tessera";

function forbidden(description: string): AppError {
  return new AppError("forbidden", 403, description);
}

/**
 * CSRF defence for cookie-authenticated routes. A custom header cannot be
 * sent cross-origin without a CORS preflight, which only listed origins
 * pass; `Origin`, when the browser sends it, must be one of `trusted` (the
 * `ALLOWED_ORIGINS` and, when set, `PUBLIC_URL`'s origin). The two checks are
 * independent so that one misconfiguration does not open the door.
 *
 * @example
 * app.use("/auth/session", requireCsrfProof(trustedOrigins(config)));
 */
export function requireCsrfProof(trusted: Iterable<string>): MiddlewareHandler {
  // `*` is refused in production by the config; here it never matches anything, because a
  // wildcard is no proof that a page is ours.
  const allowed = new Set([...trusted].filter((o) => o !== "*"));
  return async function requireCsrfProofMiddleware(c, next) {
    if (c.req.header(CSRF_HEADER) !== CSRF_HEADER_VALUE) {
      throw forbidden(`The request must carry the header ${CSRF_HEADER}: ${CSRF_HEADER_VALUE}.`);
    }
    const origin = c.req.header("Origin");
    // `Origin: null` (sandboxed frames, some redirects) is present and not listed: refused.
    if (origin !== undefined && !allowed.has(origin)) {
      throw forbidden("The request's origin is not allowed.");
    }
    await next();
  };
}
