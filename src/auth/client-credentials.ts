import { AppError } from "../errors.js";
import type { ClientRow } from "../db/schema.js";
import type { AccessTokenIssuer } from "../tokens/access-token-issuer.js";

export interface ClientToken {
  accessToken: string;
  expiresIn: number;
  scope: string;
}

/** The client's scopes when none are asked for, else exactly those asked if the client holds them all. */
function clientScope(held: string, requested: string | undefined): string {
  const allowed = held.split(" ");
  const asked = [...new Set((requested ?? "").split(" ").filter((s) => s !== ""))];
  if (asked.length === 0) return held;
  if (!asked.every((s) => allowed.includes(s))) {
    throw new AppError("invalid_scope", 400, "The requested scope is invalid or exceeds what this client may hold.");
  }
  return asked.join(" ");
}

/**
 * The client_credentials grant (RFC 6749 §4.4): an authenticated machine client gets an access
 * token of its own, `sub` = `client_id` = its id, no session, no role, no refresh token. The
 * client is authenticated first (`ClientService.authenticate`).
 *
 * @example
 * const grant = createClientCredentialsGrant({ issueAccessToken });
 * const { accessToken } = await grant(await clients.authenticate(id, secret, ip), "read");
 */
export function createClientCredentialsGrant(deps: { issueAccessToken: AccessTokenIssuer }) {
  const { issueAccessToken } = deps;
  return async function clientCredentials(client: ClientRow, requestedScope: string | undefined): Promise<ClientToken> {
    const scope = clientScope(client.scopes, requestedScope);
    const { accessToken, expiresIn } = await issueAccessToken({
      sub: client.id,
      clientId: client.id,
      scope,
      ...(client.audience !== null && { audience: client.audience }),
    });
    return { accessToken, expiresIn, scope };
  };
}

export type ClientCredentialsGrant = ReturnType<typeof createClientCredentialsGrant>;
