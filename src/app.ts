import { Hono } from "hono";
import { AppError } from "./errors.js";
import { limitAuthRequestsPerIp } from "./http/auth-ip-limit.js";
import { corsForListedOrigins } from "./http/cors.js";
import { createErrorHandler } from "./http/error-handler.js";
import { limitBody } from "./http/request-body.js";
import { securityHeaders } from "./http/security-headers.js";
import { accountRoutes } from "./routes/account-routes.js";
import { adminRoutes } from "./routes/admin-routes.js";
import { browserSessionRoutes } from "./routes/browser-session-routes.js";
import { healthRoutes } from "./routes/health-routes.js";
import { tokenRoutes } from "./routes/token-routes.js";
import { createServices, type AppDeps, type Services } from "./services.js";

export type { AppDeps } from "./services.js";

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
  const app = new Hono();

  app.use("*", securityHeaders({ defaultSrc: ["'none'"] }));
  if (s.config.allowedOrigins.length > 0) app.use("*", corsForListedOrigins(s.config.allowedOrigins));
  app.use("*", limitBody(s.config.bodyLimitBytes));
  app.use("/auth/*", limitAuthRequestsPerIp(s));

  app.route("/", healthRoutes(deps.db, s.logError));
  app.route("/", tokenRoutes(s));
  app.route("/", accountRoutes(s));
  app.route("/", adminRoutes(s));
  app.route("/", browserSessionRoutes(s));

  app.notFound((c) => c.json(new AppError("not_found", 404, "No such endpoint.").toJSON(), 404));
  app.onError(createErrorHandler(s.logError));
  return Object.assign(app, { services: s });
}
