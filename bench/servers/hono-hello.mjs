// Baseline: Hono on @hono/node-server answering without any auth.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { announce } from "../lib/child.mjs";
import { HOST, PROTECTED_PATH } from "../lib/config.mjs";

const app = new Hono();
app.get(PROTECTED_PATH, (c) => c.json({ sub: "anonymous" }));
serve({ fetch: app.fetch, port: 0, hostname: HOST }, (info) => announce(info.port));
