import { Hono } from "hono";
import { AppError } from "./errors.js";
import { limitAuthRequestsPerIp } from "./http/auth-ip-limit.js";
import type { ClientIp } from "./http/client-context.js";
import { corsForListedOrigins } from "./http/cors.js";
import { createErrorHandler } from "./http/error-handler.js";
import { requireLiveSession } from "./http/live-session.js";
import { limitBody } from "./http/request-body.js";
import { securityHeaders } from "./http/security-headers.js";
import { accountRoutes } from "./routes/account-routes.js";
import { adminRoutes } from "./routes/admin-routes.js";
import { browserSessionRoutes } from "./routes/browser-session-routes.js";
import { healthRoutes } from "./routes/health-routes.js";
import { oauthServerRoutes } from "./routes/oauth-server-routes.js";
import { providerSignInRoutes } from "./routes/provider-sign-in-routes.js";
import { openApiRoutes } from "./routes/openapi-routes.js";
import { tokenRoutes } from "./routes/token-routes.js";
import { pingDatabase } from "./db/ping.js";
import { createServices, type ServiceDeps, type Services } from "./services.js";
import { TESSERA_VERSION } from "./version.js";
import { bearerAuthentication } from "./verify/middleware.js";

/** What `createApp` needs: the services' dependencies, plus how the runtime finds a client's IP. */
export interface AppDeps extends ServiceDeps {
  /** The client's IP for rate limits and session records; the entry knows how to find it. */
  clientIp?: ClientIp;
}

/**
 * Builds the whole service from its dependencies. Runtime-agnostic: the
 * Node and Workers entries bring the database, hasher, clock and config.
 *
 * @example
 * const app = createApp({ db, config, passwords: createHashWasmHasher(config.argon2) });
 * serve({ fetch: app.fetch, port: config.port });
 */
export function createApp(deps: AppDeps): Hono & { services: Services } {
  const s = createServices(deps);
  const clientIp = deps.clientIp ?? (() => null);
  // One bearer check and one live-session guard for every protected route: one verifier, one cache.
  const live = requireLiveSession({ authenticate: bearerAuthentication(s.accessTokens), sessions: s.sessions });
  const app = new Hono();

  app.use("*", securityHeaders({ defaultSrc: ["'none'"] }));
  if (s.config.allowedOrigins.length > 0) app.use("*", corsForListedOrigins(s.config.allowedOrigins));
  app.use("*", limitBody(s.config.bodyLimitBytes));
  app.use("/auth/*", limitAuthRequestsPerIp({ limiter: s.limiter, rule: s.config.rateLimits.authIp, audit: s.audit, clientIp }));

  app.route("/", healthRoutes(() => pingDatabase(deps.db), s.logError));
  app.route("/", tokenRoutes(s, clientIp));
  app.route("/", accountRoutes(s, live, clientIp));
  app.route("/", adminRoutes(s, live));
  app.route("/", browserSessionRoutes(s, clientIp));
  app.route("/", oauthServerRoutes(s, clientIp));
  app.route("/", providerSignInRoutes(s, clientIp));
  if (s.config.apiDocs) app.route("/", openApiRoutes({ version: TESSERA_VERSION, serverUrl: s.config.publicUrl ?? undefined }));

  app.notFound((c) => c.json(new AppError("not_found", 404, "No such endpoint.").toJSON(), 404));
  app.onError(createErrorHandler(s.logError));
  return Object.assign(app, { services: s });
}
