// A sibling service using requireAuth's one-handler form: `protect(handler)` as the route's only
// handler, so Hono skips its middleware chain.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { requireAuth } from "../../dist/verify/index.js";
import { announce } from "../lib/child.mjs";
import { AUDIENCE, HOST, ISSUER, PROTECTED_PATH, SECRET } from "../lib/config.mjs";

const auth = requireAuth({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE });
const app = new Hono();
app.get(PROTECTED_PATH, auth.protect((c) => c.json({ sub: c.get("auth").sub })));
serve({ fetch: app.fetch, port: 0, hostname: HOST }, (info) => announce(info.port));
