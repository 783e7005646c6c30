// Control: Hono hello-world behind one async middleware that does nothing, to show what
// any Hono middleware costs before requireAuth does its own work.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { announce } from "../lib/child.mjs";
import { HOST, PROTECTED_PATH } from "../lib/config.mjs";

const app = new Hono();
app.get(PROTECTED_PATH, async function noopMiddleware(_c, next) {
  await next();
}, (c) => c.json({ sub: "anonymous" }));
serve({ fetch: app.fetch, port: 0, hostname: HOST }, (info) => announce(info.port));
