import { Hono } from "hono";
import type { SignedIn } from "../auth/sign-in.js";
import { AppError } from "../errors.js";
import { authenticateClient, BASIC_CHALLENGE, clientCredentialsOf } from "../http/client-auth.js";
import { clientContext, type ClientIp } from "../http/client-context.js";
import { noStore } from "../http/no-store.js";
import { readBody, validate } from "../http/request-body.js";
import {
  ClientCredentialsGrant,
  GrantType,
  PasswordGrant,
  RefreshGrant,
  RegisterBody,
  RevokeBody,
} from "../schemas/requests.js";
import type { Services } from "../services.js";
import { loginIdentifier } from "../users/email.js";
import { toPublicUser } from "../users/public-user.js";
import { AccessTokenError } from "../verify/access-token-error.js";

function tokenResponse(signed: SignedIn) {
  return {
    access_token: signed.accessToken,
    token_type: "Bearer",
    expires_in: signed.expiresIn,
    refresh_token: signed.refreshToken,
    scope: signed.scope,
  };
}

const GRANTS = ["password", "refresh_token", "client_credentials"];

/** `/auth/register`, `/auth/token` (password, refresh_token and client_credentials grants) and `/auth/revoke` (RFC 7009). */
export function tokenRoutes(s: Services, clientIp: ClientIp): Hono {
  const app = new Hono();

  app.post("/auth/register", noStore, async (c) => {
    const body = validate(RegisterBody, await readBody(c, ["json"]));
    const account = { email: body.email, password: body.password, name: body.name ?? null };
    const signed = await s.signIn.withNewAccount(account, clientContext(clientIp, c));
    return c.json(
      {
        user: toPublicUser(signed.user),
        access_token: signed.accessToken,
        token_type: "Bearer",
        expires_in: signed.expiresIn,
        refresh_token: signed.refreshToken,
      },
      201,
    );
  });

  app.post("/auth/token", noStore, async (c) => {
    const raw = await readBody(c, ["form", "json"]);
    const { grant_type } = validate(GrantType, raw);
    if (!GRANTS.includes(grant_type)) throw new AppError("unsupported_grant_type", 400, "The grant type is not supported.");
    if (grant_type === "client_credentials") {
      const body = validate(ClientCredentialsGrant, raw);
      const credentials = clientCredentialsOf(c, body);
      // No credentials at all: RFC 6749 §5.2 invalid_client, with the Basic challenge it invites.
      if (credentials === null) throw new AppError("invalid_client", 401, "Client authentication failed.", { headers: BASIC_CHALLENGE });
      const ip = clientContext(clientIp, c).ip;
      const client = (await authenticateClient(s.clients, credentials, ip))!;
      const issued = await s.clientCredentials(client, body.scope);
      return c.json({ access_token: issued.accessToken, token_type: "Bearer", expires_in: issued.expiresIn, scope: issued.scope });
    }
    const body = validate(grant_type === "password" ? PasswordGrant : RefreshGrant, raw);
    if (body.client_id !== undefined && body.client_id !== s.config.firstPartyClientId) {
      throw new AppError("invalid_client", 401, "Client authentication failed.");
    }
    const client = clientContext(clientIp, c);
    if ("refresh_token" in body) {
      return c.json(tokenResponse(await s.signIn.withRefreshToken(body.refresh_token, client)));
    }
    return c.json(tokenResponse(await s.signIn.withPassword(loginIdentifier(body.username), body.password, body.scope, client)));
  });

  app.post("/auth/revoke", async (c) => {
    const body = validate(RevokeBody, await readBody(c, ["form", "json"]));
    // Client authentication is optional here (first-party apps revoke without it), but when
    // credentials are presented they must hold.
    await authenticateClient(s.clients, clientCredentialsOf(c, body), clientContext(clientIp, c).ip);
    const { token } = body;
    if (token.startsWith("rt_")) {
      await s.sessions.revokeByRefreshToken(token);
    } else {
      try {
        const { claims } = await s.accessTokens.verify(token);
        // A machine client's token has no session: it is stateless and simply runs out.
        if (claims.sid !== undefined) await s.sessions.revoke(claims.sid, "revoked_by_client");
      } catch (e) {
        // RFC 7009 §2.2: an invalid token is not an error for the caller.
        if (!(e instanceof AccessTokenError)) throw e;
      }
    }
    return c.body(null, 200);
  });

  return app;
}
