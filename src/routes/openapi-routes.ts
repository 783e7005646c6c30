import { Hono } from "hono";
import { buildOpenApiDocument } from "../openapi/document.js";
import { OPERATIONS } from "../openapi/operations.js";

/**
 * `GET /openapi.json`: the API's OpenAPI 3.1 document, built on first request (not at start-up,
 * where a Workers isolate pays for every millisecond) and then served as the same bytes.
 */
export function openApiRoutes(info: { version: string; serverUrl?: string }): Hono {
  let body: string | undefined;
  return new Hono().get("/openapi.json", (c) => {
    body ??= JSON.stringify(buildOpenApiDocument(OPERATIONS, info));
    return c.body(body, 200, { "Content-Type": "application/json; charset=UTF-8", "Cache-Control": "no-cache" });
  });
}
