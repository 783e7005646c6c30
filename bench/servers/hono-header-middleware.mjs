// Control: hello-world behind one middleware that reads the Authorization header and goes on,
// returning next() as requireAuth does on a cache hit. requireAuth against this control is what
// Tessera's own work costs (parsing the header, the cache hit, the auth context); this control
// against hello-world is what any middleware that reads a request header costs in Hono on
// @hono/node-server.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { announce } from "../lib/child.mjs";
import { HOST, PROTECTED_PATH } from "../lib/config.mjs";

const app = new Hono();
app.get(PROTECTED_PATH, function readsAuthorization(c, next) {
  if (c.req.header("Authorization") === undefined) return c.json({ error: "invalid_token" }, 401);
  return next();
}, (c) => c.json({ sub: "anonymous" }));
serve({ fetch: app.fetch, port: 0, hostname: HOST }, (info) => announce(info.port));
