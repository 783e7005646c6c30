import type { Context } from "hono";
import type { Kysely } from "kysely";
import { jsonLineAuditSink, type AuditSink } from "./audit/audit-log.js";
import { createSignIn, type SignIn } from "./auth/sign-in.js";
import { systemClock, type Clock } from "./clock.js";
import type { Config } from "./config.js";
import type { Database } from "./db/schema.js";
import { transactionBatch, type WriteBatch } from "./db/write-batch.js";
import type { LogError } from "./http/error-handler.js";
import type { PasswordHasher } from "./passwords/password-hasher.js";
import { createLoginThrottle, type LoginThrottle } from "./ratelimit/login-throttle.js";
import { createRateLimiter, type RateLimiter } from "./ratelimit/rate-limiter.js";
import { createRefreshTokenCrypto } from "./sessions/refresh-token-crypto.js";
import { webTokenDigests, type TokenDigests } from "./tokens/token-digests.js";
import { createSessionService, type SessionService } from "./sessions/session-service.js";
import { createAccessTokenIssuer, type AccessTokenIssuer } from "./tokens/access-token-issuer.js";
import { createUserService, type UserService } from "./users/user-service.js";
import { createAccessTokenVerifier, type AccessTokenVerifier, type VerifyOptions } from "./verify/verify-access-token.js";

/** What `createApp` needs; everything runtime-specific comes in from the entry file. */
export interface AppDeps {
  db: Kysely<Database>;
  config: Config;
  passwords: PasswordHasher;
  clock?: Clock;
  /** Where security events go (default: one JSON line each on stdout). */
  audit?: AuditSink;
  /** Where unexpected errors are logged (redacted: type and stack only). */
  logError?: LogError;
  /** The client's IP for rate limits and session records; the entry knows how to find it. */
  clientIp?: (c: Context) => string | null;
  /** SHA-256/HMAC for refresh tokens and token signatures (default Web Crypto; Node passes faster synchronous ones). */
  tokenDigests?: TokenDigests;
  /** Atomic multi-statement writes (default: a Kysely transaction per batch; Node passes its group commit, D1 its batch). */
  writeBatch?: WriteBatch;
}

export interface Services {
  config: Config;
  clock: Clock;
  users: UserService;
  sessions: SessionService;
  signIn: SignIn;
  issueAccessToken: AccessTokenIssuer;
  limiter: RateLimiter;
  throttle: LoginThrottle;
  audit: AuditSink;
  /** Verifier options for this service's own tokens (same code as `tessera/verify`). */
  verifyOptions: VerifyOptions;
  verifier: AccessTokenVerifier;
  clientIp: (c: Context) => string | null;
  logError: LogError;
}

export function createServices(deps: AppDeps): Services {
  const { db, config, passwords } = deps;
  const clock = deps.clock ?? systemClock;
  const audit = deps.audit ?? jsonLineAuditSink((line) => console.log(line), clock);
  const logError: LogError =
    deps.logError ?? ((message, fields) => console.error(JSON.stringify({ level: "error", message, ...fields })));
  const secrets = [config.jwt.secret, ...config.jwt.previousSecrets];
  const digests = deps.tokenDigests ?? webTokenDigests;
  const issueAccessToken = createAccessTokenIssuer(config, clock, digests);
  const writeBatch = deps.writeBatch ?? transactionBatch(db);
  const limiter = createRateLimiter(db, clock, writeBatch);
  const throttle = createLoginThrottle(limiter, config, audit);
  const users = createUserService({ db, config, clock, passwords, throttle, audit });
  const sessions = createSessionService({
    db,
    writeBatch,
    config,
    clock,
    tokens: createRefreshTokenCrypto(config.jwt.secret, digests),
    audit,
  });
  const signIn = createSignIn({ config, users, sessions, issueAccessToken, audit });
  const verifyOptions: VerifyOptions = {
    secret: secrets,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    now: () => clock.now(),
  };
  return {
    config,
    clock,
    users,
    sessions,
    signIn,
    issueAccessToken,
    limiter,
    throttle,
    audit,
    verifyOptions,
    verifier: createAccessTokenVerifier(verifyOptions),
    clientIp: deps.clientIp ?? (() => null),
    logError,
  };
}
