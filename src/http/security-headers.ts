import type { MiddlewareHandler } from "hono";
import { secureHeaders, type ContentSecurityPolicyOptionHandler } from "hono/secure-headers";

type Csp = Record<string, ContentSecurityPolicyOptionHandler[] | string[]>;

/**
 * hono's `secureHeaders` with Tessera's settings (HSTS, nosniff,
 * `Referrer-Policy: no-referrer`, no framing); only the CSP differs between
 * the JSON API (`default-src 'none'`) and the demo page.
 */
export function securityHeaders(contentSecurityPolicy: Csp): MiddlewareHandler {
  return secureHeaders({
    strictTransportSecurity: "max-age=63072000; includeSubDomains",
    referrerPolicy: "no-referrer",
    xFrameOptions: "DENY",
    crossOriginResourcePolicy: "same-origin",
    contentSecurityPolicy: { ...contentSecurityPolicy, frameAncestors: ["'none'"] },
  });
}

/**
 * `securityHeaders` for a page Tessera serves itself (the demo, the API reference): its own
 * script, style and API calls from this origin, nothing else; `extra` adds what one page needs.
 *
 * @example
 * app.use("*", pageSecurityHeaders({ imgSrc: ["'self'", "data:"] }));
 */
export function pageSecurityHeaders(extra: Csp = {}): MiddlewareHandler {
  return securityHeaders({
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    // No 'unsafe-inline': neither page writes inline styles (Swagger UI sets them through the DOM).
    styleSrc: ["'self'"],
    ...extra,
    connectSrc: ["'self'"],
    formAction: ["'none'"],
    baseUri: ["'none'"],
  });
}
