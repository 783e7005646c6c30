import type { MiddlewareHandler } from "hono";
import type { AccountRow } from "../db/schema.js";
import type { SessionService } from "../sessions/session-service.js";
import { AppError } from "../errors.js";
import { invalidToken } from "../verify/middleware.js";

declare module "hono" {
  interface ContextVariableMap {
    /** The signed-in account (never its password hash), set by the live-session guard. */
    user: AccountRow;
  }
}

/**
 * `authenticate` (the service's bearer check), then one indexed read: Tessera's own endpoints
 * refuse a token whose session was revoked or whose user was disabled, even before the token
 * expires, and a machine client's token (no session) with 403. Build it once per app: every route group shares its verifier and cache.
 *
 * @example
 * const live = requireLiveSession({ authenticate, sessions });
 * app.use("/users/me", ...live);
 */
export function requireLiveSession(deps: {
  authenticate: MiddlewareHandler;
  sessions: Pick<SessionService, "liveSessionUser">;
}): MiddlewareHandler[] {
  const { authenticate, sessions } = deps;
  const live: MiddlewareHandler = async function requireLiveSessionMiddleware(c, next) {
    const { sid, sub } = c.get("auth");
    // A machine client's token is valid, but it is nobody's account.
    if (sid === null) throw new AppError("forbidden", 403, "This endpoint is for users; a client token cannot use it.");
    const user = await sessions.liveSessionUser(sid, sub);
    if (!user) throw invalidToken("The session has ended.");
    c.set("user", user);
    await next();
  };
  return [authenticate, live];
}
