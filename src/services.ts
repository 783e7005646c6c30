import type { Kysely } from "kysely";
import { jsonLineAuditSink, type AuditSink } from "./audit/audit-log.js";
import { createClientCredentialsGrant, type ClientCredentialsGrant } from "./auth/client-credentials.js";
import { createIntrospection, type Introspect } from "./auth/introspection.js";
import { createIdentityService, type IdentityService } from "./identities/identity-service.js";
import { createProviderSignIn, type ProviderSignIn } from "./oauth/provider-sign-in.js";
import { createSignIn, type SignIn } from "./auth/sign-in.js";
import { createClientService, type ClientService } from "./clients/client-service.js";
import { systemClock, type Clock } from "./clock.js";
import type { Config } from "./config.js";
import type { Database } from "./db/schema.js";
import { transactionBatch, type WriteBatch } from "./db/write-batch.js";
import type { LogError } from "./errors.js";
import type { PasswordHasher } from "./passwords/password-hasher.js";
import { createLoginThrottle } from "./ratelimit/login-throttle.js";
import { createRateLimiter, type RateLimiter } from "./ratelimit/rate-limiter.js";
import { createRefreshTokenCrypto } from "./sessions/refresh-token-crypto.js";
import { createSessionService, type SessionService } from "./sessions/session-service.js";
import { createAccessTokenIssuer } from "./tokens/access-token-issuer.js";
import { loadServiceKeys, type ServiceKeys } from "./tokens/service-keys.js";
import { webTokenDigests, type TokenDigests } from "./tokens/token-digests.js";
import { createAdminUsers, type AdminUsers } from "./users/admin-users.js";
import { createOwnAccount, type OwnAccount } from "./users/own-account.js";
import { createUserService, type UserService } from "./users/user-service.js";
import { toVerifiedToken, type VerifiedToken } from "./verify/verified-token.js";
import { ANY_AUDIENCE, createCachingVerifier, type CachingVerifier } from "./verify/verify-access-token.js";

/** What the services need; everything runtime-specific comes in from the entry file. */
export interface ServiceDeps {
  db: Kysely<Database>;
  config: Config;
  passwords: PasswordHasher;
  clock?: Clock;
  /** Where security events go (default: one JSON line each on stdout). */
  audit?: AuditSink;
  /** Where unexpected errors are logged (redacted: type and stack only). */
  logError?: LogError;
  /** SHA-256/HMAC for refresh tokens and token signatures (default Web Crypto; Node passes faster synchronous ones). */
  tokenDigests?: TokenDigests;
  /** Atomic multi-statement writes (default: a Kysely transaction per batch; Node passes its group commit, D1 its batch). */
  writeBatch?: WriteBatch;
  /** Outbound HTTP to identity providers (default: the global `fetch`); tests point it anywhere. */
  fetch?: typeof fetch;
}

export interface Services {
  config: Config;
  clock: Clock;
  users: UserService;
  sessions: SessionService;
  signIn: SignIn;
  /** Provider identities linked to accounts. */
  identities: IdentityService;
  /** Sign-in with Google, GitHub or any OIDC provider. */
  providerSignIn: ProviderSignIn;
  ownAccount: OwnAccount;
  adminUsers: AdminUsers;
  /** Machine clients and their client_credentials grant. */
  clients: ClientService;
  clientCredentials: ClientCredentialsGrant;
  /** RFC 7662 introspection of this service's access and refresh tokens. */
  introspect: Introspect;
  limiter: RateLimiter;
  audit: AuditSink;
  /**
   * The signing keys and the public key set, imported once. The entries wait for it before
   * serving: a key that does not import rejects it with `ConfigError`.
   */
  keys: Promise<ServiceKeys>;
  /** The one verifier of this service's access tokens: every bearer-protected route and revocation. */
  accessTokens: CachingVerifier<VerifiedToken>;
  logError: LogError;
}

/**
 * Wires the modules together from their dependencies. The key ring is built here, once: the
 * issuer signs with its signing key and the one verifier checks against all of its keys.
 *
 * @example
 * const s = createServices({ db, config, passwords: createHashWasmHasher(config.argon2) });
 * await s.users.findByEmail("alice@example.com");
 */
export function createServices(deps: ServiceDeps): Services {
  const { db, config, passwords } = deps;
  const clock = deps.clock ?? systemClock;
  const audit = deps.audit ?? jsonLineAuditSink((line) => console.log(line), clock);
  const logError: LogError =
    deps.logError ?? ((message, fields) => console.error(JSON.stringify({ level: "error", message, ...fields })));
  const secrets = [config.jwt.secret, ...config.jwt.previousSecrets];
  const digests = deps.tokenDigests ?? webTokenDigests;
  const serviceKeys = loadServiceKeys({ ...config.jwt, secrets }, { hmacSha256: digests.hmacSha256 });
  serviceKeys.catch(() => {}); // surfaced by the entry (or on first use), not as an unhandled rejection
  const keys = serviceKeys.then((k) => k.ring);
  keys.catch(() => {});
  const writeBatch = deps.writeBatch ?? transactionBatch(db);
  const limiter = createRateLimiter(db, clock, writeBatch);
  const throttle = createLoginThrottle(limiter, config, audit);
  const users = createUserService({ db, config, clock, passwords, throttle, audit });
  const sessions = createSessionService({
    db,
    writeBatch,
    config,
    clock,
    tokens: createRefreshTokenCrypto(secrets, digests),
    audit,
  });
  const issueAccessToken = createAccessTokenIssuer({ jwt: config.jwt, clock, keys, base64url: digests.base64url });
  const now = () => clock.now();
  const accessTokens = createCachingVerifier({ keys, issuer: config.jwt.issuer, audience: config.jwt.audience, now }, toVerifiedToken);
  const clients = createClientService({ db, config, clock, digests, limiter, audit });
  // Introspection answers for tokens of every audience Tessera issues (machine clients may have their own).
  const anyAudience = createCachingVerifier({ keys, issuer: config.jwt.issuer, audience: ANY_AUDIENCE, now }, (claims) => claims);
  const identities = createIdentityService({ db, clock, users, audit });
  const signIn = createSignIn({ config, users, sessions, issueAccessToken, audit, identities });
  const outbound = deps.fetch ?? ((input, init) => fetch(input, init));
  const providerSignIn = createProviderSignIn({ config, clock, signIn, identities, audit, logError, fetch: outbound });
  return {
    config,
    clock,
    users,
    sessions,
    signIn,
    identities,
    providerSignIn,
    ownAccount: createOwnAccount({ users, sessions }),
    adminUsers: createAdminUsers({ users, sessions, audit, clock }),
    clients,
    clientCredentials: createClientCredentialsGrant({ issueAccessToken }),
    introspect: createIntrospection({ accessTokens: anyAudience, sessions, clients }),
    limiter,
    audit,
    keys: serviceKeys,
    accessTokens,
    logError,
  };
}
