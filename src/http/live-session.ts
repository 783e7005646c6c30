import type { MiddlewareHandler } from "hono";
import type { UserRow } from "../db/schema.js";
import type { Services } from "../services.js";
import { invalidToken, requireAuth } from "../verify/middleware.js";

declare module "hono" {
  interface ContextVariableMap {
    user: UserRow;
  }
}

const built = new WeakMap<Services, MiddlewareHandler[]>();

/**
 * `requireAuth` from `tessera/verify`, then one indexed read: Tessera's own
 * endpoints refuse a token whose session was revoked or whose user was
 * disabled, even before the token expires (DESIGN §5).
 */
export function requireLiveSession(s: Services): MiddlewareHandler[] {
  // One verifier (one key import, one token cache) per app, however many route groups use it.
  const existing = built.get(s);
  if (existing) return existing;
  const auth = requireAuth(s.verifyOptions);
  const live: MiddlewareHandler = async function requireLiveSessionMiddleware(c, next) {
    const { sid, sub } = c.get("auth");
    const user = sid === undefined ? undefined : await s.sessions.liveSessionUser(sid, sub);
    if (!user) throw invalidToken("The session has ended.");
    c.set("user", user);
    await next();
  };
  const handlers = [auth, live];
  built.set(s, handlers);
  return handlers;
}
