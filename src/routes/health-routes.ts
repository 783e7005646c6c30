import { Hono } from "hono";
import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema.js";
import type { LogError } from "../http/error-handler.js";

/** `GET /health`: 200 when the database answers, 503 when it does not. */
export function healthRoutes(db: Kysely<Database>, logError: LogError): Hono {
  return new Hono().get("/health", async (c) => {
    try {
      await sql`SELECT 1`.execute(db);
    } catch (e) {
      logError("health check failed", { name: (e as Error)?.name });
      return c.json({ status: "unavailable" }, 503);
    }
    return c.json({ status: "ok" });
  });
}
