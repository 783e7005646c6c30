import type { Context, Handler, MiddlewareHandler, Next } from "hono";
import { HTTPException } from "hono/http-exception";
import { AccessTokenError } from "./access-token-error.js";
import { isRole, ROLES, roleSatisfies, type Role } from "./roles.js";
import {
  createCachingVerifier,
  settingsFrom,
  type AccessTokenClaims,
  type CachingVerifier,
  type VerifyOptions,
} from "./verify-access-token.js";
import { toVerifiedToken, type VerifiedToken } from "./verified-token.js";

/** What `requireAuth` puts in `c.get("auth")`. */
export interface AuthContext {
  sub: string;
  /** `null` for a machine client's token (client_credentials): it has no role. */
  role: string | null;
  scopes: string[];
  /** `null` for a machine client's token: it has no session. */
  sid: string | null;
  clientId: string | null;
  claims: AccessTokenClaims;
}

declare module "hono" {
  interface ContextVariableMap {
    auth: AuthContext;
  }
}

export type RequireAuthOptions = VerifyOptions & {
  /** `realm` of the `WWW-Authenticate` challenge (default "tessera"). */
  realm?: string;
};

const MAX_AUTHORIZATION_LENGTH = 8192;

function problem(status: number, error: string, description: string, challenge: string, cause?: unknown): HTTPException {
  const res = new Response(JSON.stringify({ error, error_description: description }), {
    status,
    headers: { "Content-Type": "application/json; charset=UTF-8", "WWW-Authenticate": challenge },
  });
  return new HTTPException(status as 401 | 403, { res, message: description, cause });
}

/** 401 for a request that carries no bearer credentials (RFC 6750 §3.1: no error attribute). */
export function missingCredentials(realm = "tessera"): HTTPException {
  return problem(401, "invalid_token", "Authentication is required.", `Bearer realm="${realm}"`);
}

/**
 * 401 for a bearer token that is malformed, expired, revoked or otherwise unacceptable. `cause`
 * (the `AccessTokenError`) rides on the exception for an `onError` to log; it never reaches the
 * client.
 */
export function invalidToken(description = "The access token is invalid or expired.", cause?: unknown): HTTPException {
  return problem(401, "invalid_token", description, 'Bearer error="invalid_token"', cause);
}

/** 403 for an authenticated caller whose role or scope is not enough. */
export function insufficientScope(description: string): HTTPException {
  return problem(403, "insufficient_scope", description, 'Bearer error="insufficient_scope"');
}

/** Extracts the bearer token, or `null` when the request carries none. */
export function bearerToken(c: Context): string | null {
  const header = c.req.header("Authorization");
  if (header === undefined) return null;
  if (header.length > MAX_AUTHORIZATION_LENGTH) throw invalidToken();
  // The shape nearly every request has, decided without the regular expression below.
  if (header.startsWith("Bearer ") && header.length > 7 && header.indexOf(" ", 7) === -1) return header.slice(7);
  const match = /^Bearer[ ]+([^ ]*)[ ]*$/i.exec(header);
  if (!match) {
    if (/^Bearer\s*$/i.test(header)) throw invalidToken();
    return null; // another scheme: no bearer credentials at all
  }
  const token = match[1]!;
  if (token === "") throw invalidToken();
  return token;
}

// A new object with its own scopes array on every request: the cached parse is shared by
// every request with the token, and one handler's changes must not reach the next.
function toAuthContext({ claims, scopes }: VerifiedToken): AuthContext {
  return {
    sub: claims.sub,
    role: claims.role ?? null,
    scopes: scopes.slice(),
    sid: claims.sid ?? null,
    clientId: claims.client_id ?? null,
    claims,
  };
}

/**
 * `requireAuth`'s middleware, plus `protect(handler)`: the same checks wrapped around one handler,
 * for routes that need nothing else in front of it.
 */
export interface RequireAuthMiddleware extends MiddlewareHandler {
  /**
   * Returns `handler` guarded by this middleware's checks, as a route's only handler. Hono then
   * calls it without its middleware chain (`compose`), and a synchronous handler given a token
   * seen before answers synchronously, which @hono/node-server writes without awaiting. The
   * verifier, its keys and its cache are this middleware's, shared by every route it protects.
   * Do not also mount the middleware in front of such a route: the token would be checked twice.
   *
   * @example
   * const auth = requireAuth({ secret: env.JWT_SECRET, issuer: "tessera", audience: "orders" });
   * app.get("/api/me", auth.protect((c) => c.json({ sub: c.get("auth").sub })));
   */
  protect<H extends Handler<any, any, any, any>>(handler: H): H;
}

/**
 * Hono middleware that accepts only a valid Tessera access token from the
 * `Authorization` header and sets `c.get("auth")`. Throws `TypeError` at
 * construction on bad options: no key source or two, a key shorter than 32
 * bytes, a key set holding a private key, an HS* algorithm beside a key set.
 *
 * @example
 * app.use("/api/*", requireAuth({ secret: env.JWT_SECRET, issuer: "tessera", audience: "orders" }));
 * app.use("/api/*", requireAuth({ jwksUrl: "https://auth.example.com/.well-known/jwks.json", issuer: "tessera", audience: "orders" }));
 */
export function requireAuth(options: RequireAuthOptions): RequireAuthMiddleware {
  return bearerAuthentication(createCachingVerifier(settingsFrom(options), toVerifiedToken), options.realm);
}

/**
 * `requireAuth` over a verifier built elsewhere: the service builds one verifier from its key
 * ring and uses it for every route it protects and for revocation.
 *
 * @example
 * const auth = bearerAuthentication(createCachingVerifier({ keys, issuer, audience }, toVerifiedToken));
 */
export function bearerAuthentication(verifier: CachingVerifier<VerifiedToken>, realm = "tessera"): RequireAuthMiddleware {
  // Every AccessTokenError is a 401, ERR_TOKEN_KEYS_UNAVAILABLE included: the token could not be
  // verified, which is what 401 says (RFC 6750), and a 503 would tell any caller without a
  // valid token that the key set is out of reach. An onError wanting 503 reads the cause's code.
  function refuse(e: unknown): never {
    if (e instanceof AccessTokenError) throw invalidToken(undefined, e);
    throw e;
  }
  async function verifyThenCall<R>(c: Context, next: Next, token: string, then: (c: Context, next: Next) => R): Promise<Awaited<R>> {
    let verified: VerifiedToken;
    try {
      verified = await verifier.firstSight(token);
    } catch (e) {
      refuse(e);
    }
    c.set("auth", toAuthContext(verified));
    return await then(c, next);
  }
  // Not an async function: a token seen before is settled synchronously and goes straight on to
  // `then`, without the promise and microtask turn of an awaited verification. Hono catches what
  // this throws like a rejection, in compose and for a route's only handler alike.
  function authenticateThenCall<R>(c: Context, next: Next, then: (c: Context, next: Next) => R): R | Promise<Awaited<R>> {
    const token = bearerToken(c);
    if (token === null) throw missingCredentials(realm);
    let verified: VerifiedToken | undefined;
    try {
      verified = verifier.cached(token);
    } catch (e) {
      refuse(e);
    }
    if (verified === undefined) return verifyThenCall(c, next, token, then);
    c.set("auth", toAuthContext(verified));
    return then(c, next);
  }
  const callNext = (_c: Context, next: Next) => next();
  const middleware = function requireAuthMiddleware(c: Context, next: Next) {
    return authenticateThenCall(c, next, callNext);
  };
  return Object.assign(middleware, {
    protect<H extends Handler<any, any, any, any>>(handler: H): H {
      if (typeof handler !== "function") throw new TypeError("protect needs a handler function");
      return function protectedHandler(c: Context, next: Next) {
        return authenticateThenCall(c, next, handler);
      } as H;
    },
  });
}

/**
 * Requires every listed scope on the authenticated token (use after `requireAuth`).
 *
 * @example
 * app.delete("/api/orders/:id", requireScope("orders:write"), handler);
 */
export function requireScope(...scopes: string[]): MiddlewareHandler {
  if (scopes.length === 0 || scopes.some((s) => typeof s !== "string" || s === "" || s.includes(" "))) {
    throw new TypeError("requireScope needs one or more scope names without spaces");
  }
  return async function requireScopeMiddleware(c, next) {
    const auth = c.get("auth");
    if (!auth) throw missingCredentials();
    if (!scopes.every((s) => auth.scopes.includes(s))) {
      throw insufficientScope(`This request needs the scope: ${scopes.join(" ")}.`);
    }
    await next();
  };
}

/**
 * Requires the role or a higher one (`admin > user > viewer`); use after `requireAuth`.
 *
 * @example
 * app.get("/api/admin", requireRole("admin"), handler);
 */
export function requireRole(role: Role): MiddlewareHandler {
  if (!isRole(role)) throw new TypeError(`requireRole needs one of: ${ROLES.join(", ")}`);
  return async function requireRoleMiddleware(c, next) {
    const auth = c.get("auth");
    if (!auth) throw missingCredentials();
    if (!roleSatisfies(auth.role, role)) throw insufficientScope(`This request needs the role ${role}.`);
    await next();
  };
}
