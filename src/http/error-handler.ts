import type { Context, ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { isDatabaseUnavailable } from "../db/database-errors.js";
import { AppError, temporarilyUnavailable, type LogError } from "../errors.js";

/**
 * The one error channel: `AppError` becomes its public shape, a prepared
 * `HTTPException` response (from `tessera/verify`) passes through, a
 * database that cannot be reached is a `503 temporarily_unavailable`, and
 * everything else is a fixed `server_error` whose cause is logged, not sent.
 */
export function createErrorHandler(logError: LogError): ErrorHandler {
  return function onError(err: Error, c: Context) {
    if (err instanceof AppError) {
      const res = c.json(err.toJSON(), err.status as 400);
      for (const [name, value] of Object.entries(err.headers ?? {})) res.headers.set(name, value);
      return res;
    }
    if (err instanceof HTTPException) {
      if (err.res) return err.getResponse();
      return c.json({ error: err.status >= 500 ? "server_error" : "invalid_request", error_description: "The request failed." }, err.status);
    }
    // An outage is not a bug: the client may retry, and the log says which kind it was.
    if (isDatabaseUnavailable(err)) {
      logError("database unavailable", { name: err?.name, code: (err as { code?: unknown }).code });
      return onError(temporarilyUnavailable(), c);
    }
    // Only the type and a stack go to the log: messages can quote input, and input can hold secrets.
    logError("unhandled error", { name: err?.name, stack: err?.stack?.split("\n").slice(1, 6).join("\n") });
    return c.json({ error: "server_error", error_description: "The server encountered an unexpected condition." }, 500);
  };
}
