import { Hono } from "hono";
import type { LogError } from "../errors.js";

/** `GET /health`: 200 when the database answers, 503 when it does not. */
export function healthRoutes(pingDatabase: () => Promise<void>, logError: LogError): Hono {
  return new Hono().get("/health", async (c) => {
    try {
      await pingDatabase();
    } catch (e) {
      logError("health check failed", { name: (e as Error)?.name });
      return c.json({ status: "unavailable" }, 503);
    }
    return c.json({ status: "ok" });
  });
}
