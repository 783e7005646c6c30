import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import { AppError } from "../errors.js";
import { clientContext, type ClientIp } from "../http/client-context.js";
import { readRefreshCookie, refreshCookie } from "../http/refresh-cookie.js";
import { validate } from "../http/request-body.js";
import { OAUTH_STATE_COOKIE } from "../oauth/state-cookie.js";
import { ProviderStartQuery } from "../schemas/requests.js";
import type { Services } from "../services.js";

/**
 * Sign-in with an identity provider: `GET /auth/providers`, `GET /auth/oauth/:provider/start`
 * and `GET /auth/oauth/:provider/callback`. The session ends up in the refresh cookie, exactly as
 * `POST /auth/session` makes it; no token ever travels in a URL.
 */
export function providerSignInRoutes(s: Services, clientIp: ClientIp): Hono {
  const app = new Hono();
  const flow = s.providerSignIn;

  app.get("/auth/providers", (c) => c.json({ providers: flow.list() }));

  app.get("/auth/oauth/:provider/start", async (c) => {
    const query = validate(ProviderStartQuery, c.req.query());
    const { location, cookie } = await flow.start(c.req.param("provider"), query.redirect_to);
    c.header("Set-Cookie", cookie, { append: true });
    c.header("Cache-Control", "no-store");
    return c.redirect(location, 302);
  });

  app.get("/auth/oauth/:provider/callback", async (c) => {
    // Cleared on every callback, whatever happens next: an attempt is never reusable.
    const cleared = flow.clearedCookie();
    try {
      const query = new URL(c.req.url).searchParams;
      const outcome = await flow.finish(c.req.param("provider"), query, getCookie(c, OAUTH_STATE_COOKIE, "host"), clientContext(clientIp, c));
      c.header("Set-Cookie", cleared, { append: true });
      c.header("Cache-Control", "no-store");
      if ("signed" in outcome) {
        const previous = readRefreshCookie(c);
        // The new cookie replaces the old one in this browser; end the old session rather than orphan it.
        if (previous !== undefined) await s.sessions.revokeByRefreshToken(previous, "replaced_by_sign_in");
        const { refreshToken, refreshExpiresAt } = outcome.signed;
        c.header("Set-Cookie", refreshCookie(refreshToken, refreshExpiresAt, s.clock.now()), { append: true });
      }
      return c.redirect(outcome.location, 302);
    } catch (e) {
      // A refused callback (400, 404) answers as JSON through onError; the cookie is dropped all the same.
      if (e instanceof AppError) {
        throw new AppError(e.code, e.status, e.description, { issues: e.issues, headers: { ...e.headers, "Set-Cookie": cleared } });
      }
      throw e;
    }
  });

  return app;
}
