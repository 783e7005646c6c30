import type { Config } from "../config.js";
import type { AccountRow, SessionRow } from "../db/schema.js";
import type { SessionService } from "../sessions/session-service.js";
import type { AccessTokenIssuer } from "../tokens/access-token-issuer.js";
import type { UserService } from "../users/user-service.js";
import type { AuditSink } from "../audit/audit-log.js";
import type { IdentityService } from "../identities/identity-service.js";
import { ProviderSignInFailure, type ProvenIdentity } from "../oauth/provider-client.js";
import { grantedScope, refreshedScope } from "./scopes.js";

export interface SignedIn {
  user: AccountRow;
  session: SessionRow;
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: number;
  scope: string;
}

export interface ClientContext {
  ip: string | null;
  userAgent: string | null;
}

export interface SignIn {
  /** Password grant: authenticate, start a session, issue both tokens. */
  withPassword(email: string, password: string, scope: string | undefined, client: ClientContext): Promise<SignedIn>;
  /** Self-registration: creates a plain `user` account (409 when the email is taken) and signs it in. */
  withNewAccount(input: { email: string; password: string; name: string | null }, client: ClientContext): Promise<SignedIn>;
  /**
   * Provider sign-in: the proven identity's account (linked or created by the linking rules),
   * refused with `access_denied` when disabled; a session like a password sign-in's.
   */
  withIdentity(proven: ProvenIdentity, client: ClientContext): Promise<SignedIn>;
  /** Refresh grant: rotate and issue a new access token with the session's scope. */
  withRefreshToken(token: string, client: ClientContext): Promise<SignedIn>;
}

/**
 * Turns a proof of identity into a session and tokens; shared by the token
 * endpoint, registration and the browser flow.
 *
 * @example
 * const { accessToken, refreshToken } = await signIn.withPassword(email, password, undefined, { ip, userAgent });
 */
export function createSignIn(deps: {
  config: Config;
  users: UserService;
  sessions: SessionService;
  issueAccessToken: AccessTokenIssuer;
  audit: AuditSink;
  identities: IdentityService;
}): SignIn {
  const { config, users, sessions, issueAccessToken, audit, identities } = deps;
  const clientId = config.firstPartyClientId;

  async function start(user: AccountRow, scope: string, client: ClientContext): Promise<SignedIn> {
    const { session, refreshToken, refreshExpiresAt } = await sessions.start({
      userId: user.id,
      clientId,
      scope,
      userAgent: client.userAgent,
      ip: client.ip,
    });
    const { accessToken, expiresIn } = await issueAccessToken({ sub: user.id, clientId, sid: session.id, role: user.role, scope });
    audit({ type: "login_succeeded", user_id: user.id, ip: client.ip, session_id: session.id });
    return { user, session, accessToken, expiresIn, refreshToken, refreshExpiresAt, scope };
  }

  return {
    async withPassword(email, password, requestedScope, client) {
      const user = await users.authenticate(email, password, client.ip);
      return start(user, grantedScope(config, user.role, requestedScope), client);
    },
    async withNewAccount(input, client) {
      // Never a role from the request: self-registration always yields a plain user.
      const user = await users.create({ ...input, role: "user" });
      return start(user, grantedScope(config, user.role, undefined), client);
    },
    async withIdentity(proven, client) {
      const user = await identities.resolve(proven);
      if (user.disabled_at !== null) throw new ProviderSignInFailure("access_denied");
      const signed = await start(user, grantedScope(config, user.role, undefined), client);
      audit({ type: "oauth_login_succeeded", user_id: user.id, provider: proven.provider, ip: client.ip, session_id: signed.session.id });
      return signed;
    },
    async withRefreshToken(token, client) {
      const { session, user, refreshToken, refreshExpiresAt } = await sessions.rotate(token, { ip: client.ip });
      const scope = refreshedScope(config, user.role, session.scope);
      const { accessToken, expiresIn } = await issueAccessToken({
        sub: user.id,
        clientId: session.client_id,
        sid: session.id,
        role: user.role,
        scope,
      });
      return { user, session, accessToken, expiresIn, refreshToken, refreshExpiresAt, scope };
    },
  };
}
