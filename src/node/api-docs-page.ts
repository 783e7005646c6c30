// The API reference page at /docs: Swagger UI over /openapi.json, its script and style served
// from the swagger-ui-dist package on this machine (no CDN, works offline). Node only: the
// assets (about 1.5 MB) would not fit a Worker's script budget. Like the demo, it sits in front
// of the API so the API keeps its strict CSP; the page gets the narrowest CSP it works under.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Hono } from "hono";
import type { Config } from "../config.js";
import { pageSecurityHeaders } from "../http/security-headers.js";

type FetchHandler = Hono["fetch"];

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tessera API reference</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

// A file of its own, not an inline script: the page's CSP allows scripts from 'self' only.
const INIT = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });\n`;

// A fixed list: nothing else in the package (or beside it) can ever be served.
const ASSETS: Record<string, [file: string, type: string]> = {
  "/docs/swagger-ui.css": ["swagger-ui.css", "text/css; charset=utf-8"],
  "/docs/swagger-ui-bundle.js": ["swagger-ui-bundle.js", "text/javascript; charset=utf-8"],
};

function swaggerUiDir(): string {
  return dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
}

/**
 * The page's routes: `GET /docs`, its initializer and the two Swagger UI assets.
 *
 * @example
 * const docs = apiDocsPage(); // GET /docs, /docs/init.js, /docs/swagger-ui.css, /docs/swagger-ui-bundle.js
 */
export function apiDocsPage(dir: string = swaggerUiDir()): Hono {
  const cache = new Map<string, Promise<string>>();
  const app = new Hono();
  app.use("*", pageSecurityHeaders({ imgSrc: ["'self'", "data:"] }));
  app.get("/docs", (c) => c.html(PAGE, 200, { "Cache-Control": "no-cache" }));
  app.get("/docs/init.js", (c) => c.body(INIT, 200, { "Content-Type": "text/javascript; charset=utf-8" }));
  app.get("/docs/*", async (c, next) => {
    const asset = ASSETS[c.req.path];
    if (!asset) return next();
    const [file, type] = asset;
    let body = cache.get(file);
    if (!body) {
      body = readFile(join(dir, file), "utf8");
      cache.set(file, body);
    }
    return c.body(await body, 200, { "Content-Type": type, "Cache-Control": "public, max-age=3600" });
  });
  app.notFound((c) => c.json({ error: "not_found", error_description: "No such endpoint." }, 404));
  return app;
}

/**
 * Wraps the API's `fetch` so that `/docs` serves the API reference page, unless `API_DOCS=false`.
 *
 * @example
 * serve({ fetch: withApiDocs(app.fetch, config), port: config.port });
 */
export function withApiDocs(api: FetchHandler, config: Pick<Config, "apiDocs">): FetchHandler {
  if (!config.apiDocs) return api;
  const page = apiDocsPage();
  return function fetchWithApiDocs(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname === "/docs" || pathname.startsWith("/docs/")) return page.fetch(request, env, ctx);
    return api(request, env, ctx);
  };
}
