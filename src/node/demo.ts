// The demo SPA (examples/spa) at /demo, for development only. It sits in front of the API
// rather than inside it so the API's strict CSP (default-src 'none') stays untouched: the
// page gets a CSP of its own that lets it load its script and style and call its origin.
import { readFile } from "node:fs/promises";
import { Hono } from "hono";
import { pageSecurityHeaders } from "../http/security-headers.js";
import type { Config } from "../config.js";

type FetchHandler = Hono["fetch"];

/** From src/node/ and from dist/node/ alike, the demo lives at <root>/examples/spa/. */
const DEFAULT_DIR = new URL("../../examples/spa/", import.meta.url);

// A fixed list, not a directory listing: nothing else under examples/ can ever be served.
const FILES: Record<string, [file: string, type: string]> = {
  "/demo": ["index.html", "text/html; charset=utf-8"],
  "/demo/": ["index.html", "text/html; charset=utf-8"],
  "/demo/app.js": ["app.js", "text/javascript; charset=utf-8"],
  "/demo/style.css": ["style.css", "text/css; charset=utf-8"],
};

/**
 * The demo's routes, with the page's own security headers.
 *
 * @example
 * const demo = demoRoutes(); // GET /demo, /demo/app.js, /demo/style.css
 */
export function demoRoutes(dir: URL = DEFAULT_DIR): Hono {
  const app = new Hono();
  app.use("*", pageSecurityHeaders());
  app.get("/demo/*", async (c, next) => {
    const entry = FILES[c.req.path];
    if (!entry) return next();
    const [file, type] = entry;
    // Read per request: the demo is for development, and edits show up on reload.
    const body = await readFile(new URL(file, dir), "utf8");
    return c.body(body, 200, { "Content-Type": type, "Cache-Control": "no-cache" });
  });
  app.notFound((c) => c.json({ error: "not_found", error_description: "No such demo file." }, 404));
  return app;
}

/**
 * Wraps the API's `fetch` so that `/demo` serves the demo SPA, outside production only.
 * In production the API's handler is returned unchanged.
 *
 * @example
 * serve({ fetch: withDemo(app.fetch, config), port: config.port });
 */
export function withDemo(api: FetchHandler, config: Pick<Config, "production">, dir: URL = DEFAULT_DIR): FetchHandler {
  if (config.production) return api;
  const demo = demoRoutes(dir);
  return function fetchWithDemo(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname === "/demo" || pathname.startsWith("/demo/")) return demo.fetch(request, env, ctx);
    return api(request, env, ctx);
  };
}
