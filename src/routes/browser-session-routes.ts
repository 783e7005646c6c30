import { Hono, type Context } from "hono";
import type { SignedIn } from "../auth/sign-in.js";
import { trustedOrigins } from "../config.js";
import { AppError } from "../errors.js";
import { requireCsrfProof } from "../http/csrf-guard.js";
import { noStore } from "../http/no-store.js";
import { clearedRefreshCookie, readRefreshCookie, refreshCookie } from "../http/refresh-cookie.js";
import { clientContext, type ClientIp } from "../http/client-context.js";
import { readBody, validate } from "../http/request-body.js";
import { RegisterBody, SessionLogin } from "../schemas/requests.js";
import type { Services } from "../services.js";
import { loginIdentifier } from "../users/email.js";
import { toPublicUser } from "../users/public-user.js";

/** 401 for a refresh cookie that is missing or no longer works; the browser is told to drop it. */
function refreshRefused(hadCookie: boolean): AppError {
  return new AppError(
    "invalid_token",
    401,
    hadCookie ? "The session has ended; sign in again." : "No session cookie was sent; sign in first.",
    {
      headers: {
        "Set-Cookie": clearedRefreshCookie(),
        // RFC 6750 §3.1: no error attribute when no credentials were presented at all.
        "WWW-Authenticate": hadCookie ? 'Bearer error="invalid_token"' : 'Bearer realm="tessera"',
      },
    },
  );
}

function methodNotAllowed(allow: string): AppError {
  return new AppError("method_not_allowed", 405, `Use ${allow} on this endpoint.`, { headers: { Allow: allow } });
}

/**
 * The browser (cookie) flow: `POST /auth/session` signs in,
 * `POST /auth/session/register` signs up, `POST /auth/session/refresh`
 * rotates, `DELETE /auth/session` signs out. The refresh token lives only in
 * the `__Host-tessera_rt` cookie, never in a body; every route needs the CSRF
 * proof.
 */
export function browserSessionRoutes(s: Services, clientIp: ClientIp): Hono {
  const app = new Hono();
  const csrf = requireCsrfProof(trustedOrigins(s.config));

  /** Sign-in and sign-up alike: the refresh token goes into the cookie, the rest into the body. */
  async function startBrowserSession(c: Context, signed: SignedIn, status: 200 | 201) {
    const previous = readRefreshCookie(c);
    // The new cookie replaces the old one in this browser; end the old session rather than orphan it.
    if (previous !== undefined) await s.sessions.revokeByRefreshToken(previous, "replaced_by_sign_in");
    c.header("Set-Cookie", refreshCookie(signed.refreshToken, signed.refreshExpiresAt, s.clock.now()), { append: true });
    return c.json(
      { access_token: signed.accessToken, token_type: "Bearer", expires_in: signed.expiresIn, user: toPublicUser(signed.user) },
      status,
    );
  }

  app.post("/auth/session", csrf, noStore, async (c) => {
    const body = validate(SessionLogin, await readBody(c, ["json"]));
    const signed = await s.signIn.withPassword(loginIdentifier(body.email), body.password, undefined, clientContext(clientIp, c));
    return startBrowserSession(c, signed, 200);
  });

  app.post("/auth/session/register", csrf, noStore, async (c) => {
    const body = validate(RegisterBody, await readBody(c, ["json"]));
    const account = { email: body.email, password: body.password, name: body.name ?? null };
    return startBrowserSession(c, await s.signIn.withNewAccount(account, clientContext(clientIp, c)), 201);
  });

  app.post("/auth/session/refresh", csrf, noStore, async (c) => {
    const presented = readRefreshCookie(c);
    if (presented === undefined) throw refreshRefused(false);
    let signed;
    try {
      signed = await s.signIn.withRefreshToken(presented, clientContext(clientIp, c));
    } catch (e) {
      // Only a refused grant becomes 401; a database failure must stay a 500, not a sign-out.
      if (e instanceof AppError && e.code === "invalid_grant") throw refreshRefused(true);
      throw e;
    }
    c.header("Set-Cookie", refreshCookie(signed.refreshToken, signed.refreshExpiresAt, s.clock.now()), { append: true });
    return c.json({ access_token: signed.accessToken, token_type: "Bearer", expires_in: signed.expiresIn });
  });

  app.delete("/auth/session", csrf, noStore, async (c) => {
    const presented = readRefreshCookie(c);
    // Idempotent: no cookie, an unknown one or an already revoked session all end the same way.
    if (presented !== undefined) await s.sessions.revokeByRefreshToken(presented, "logout");
    c.header("Set-Cookie", clearedRefreshCookie(), { append: true });
    return c.body(null, 204);
  });

  app.all("/auth/session", () => {
    throw methodNotAllowed("POST, DELETE");
  });
  for (const path of ["/auth/session/register", "/auth/session/refresh"]) {
    app.all(path, () => {
      throw methodNotAllowed("POST");
    });
  }

  return app;
}
