import { Hono } from "hono";
import { AppError } from "../errors.js";
import { authenticateClient, BASIC_CHALLENGE, clientCredentialsOf } from "../http/client-auth.js";
import { clientContext, type ClientIp } from "../http/client-context.js";
import { noStore } from "../http/no-store.js";
import { readBody, validate } from "../http/request-body.js";
import { IntrospectBody } from "../schemas/requests.js";
import type { Services } from "../services.js";

/**
 * `POST /auth/introspect` (RFC 7662) for registered clients, the authorization server metadata
 * (RFC 8414) that tells OAuth client libraries where everything is, and the public key set.
 */
export function oauthServerRoutes(s: Services, clientIp: ClientIp): Hono {
  const app = new Hono();

  app.post("/auth/introspect", noStore, async (c) => {
    const body = validate(IntrospectBody, await readBody(c, ["form", "json"]));
    const credentials = clientCredentialsOf(c, body);
    // Only a registered client may ask: an open endpoint would be a token-validity oracle.
    if (credentials === null) throw new AppError("invalid_client", 401, "Client authentication failed.", { headers: BASIC_CHALLENGE });
    await authenticateClient(s.clients, credentials, clientContext(clientIp, c).ip);
    return c.json(await s.introspect(body.token));
  });

  const publishesKeys = s.config.jwt.algorithm !== "HS256";
  app.get("/.well-known/jwks.json", async (c) => {
    // An HS256 key is a secret: there is nothing to publish.
    if (!publishesKeys) throw new AppError("not_found", 404, "No public keys: tokens are signed with HS256.");
    const { jwks } = await s.keys;
    // Short enough that a retired key disappears from siblings' caches within minutes.
    return c.json(jwks, 200, { "Cache-Control": "public, max-age=300" });
  });

  const scopes = [...new Set(Object.values(s.config.roleScopes).flat())];
  app.get("/.well-known/oauth-authorization-server", (c) => {
    const base = s.config.publicUrl ?? new URL(c.req.url).origin;
    return c.json({
      issuer: s.config.jwt.issuer,
      token_endpoint: `${base}/auth/token`,
      revocation_endpoint: `${base}/auth/revoke`,
      introspection_endpoint: `${base}/auth/introspect`,
      ...(publishesKeys && { jwks_uri: `${base}/.well-known/jwks.json` }),
      // No authorization endpoint: every grant here is direct.
      response_types_supported: [],
      grant_types_supported: ["password", "refresh_token", "client_credentials"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
      revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
      introspection_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      scopes_supported: scopes,
    });
  });

  return app;
}
