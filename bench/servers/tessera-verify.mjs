// A sibling service as documented: Hono + requireAuth from the built `tessera/verify`.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { requireAuth } from "../../dist/verify/index.js";
import { announce } from "../lib/child.mjs";
import { AUDIENCE, HOST, ISSUER, PROTECTED_PATH, SECRET } from "../lib/config.mjs";

const app = new Hono();
app.get(PROTECTED_PATH, requireAuth({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE }), (c) =>
  c.json({ sub: c.get("auth").sub }),
);
serve({ fetch: app.fetch, port: 0, hostname: HOST }, (info) => announce(info.port));
