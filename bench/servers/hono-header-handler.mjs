// Control: hello-world whose only handler reads the Authorization header first, as
// `requireAuth(…).protect(handler)` does. protect against this control is what Tessera's own work
// costs in the one-handler form; this control against hello-world is what reading the header costs.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { announce } from "../lib/child.mjs";
import { HOST, PROTECTED_PATH } from "../lib/config.mjs";

const app = new Hono();
app.get(PROTECTED_PATH, function readsAuthorization(c) {
  if (c.req.header("Authorization") === undefined) return c.json({ error: "invalid_token" }, 401);
  return c.json({ sub: "anonymous" });
});
serve({ fetch: app.fetch, port: 0, hostname: HOST }, (info) => announce(info.port));
