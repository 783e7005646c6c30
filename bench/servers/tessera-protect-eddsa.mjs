// A sibling service verifying EdDSA tokens: requireAuth with the issuer's key set (`jwks`), in
// its one-handler form, as tessera-protect.mjs does with the HS256 secret.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { requireAuth } from "../../dist/verify/index.js";
import { announce } from "../lib/child.mjs";
import { AUDIENCE, EDDSA_JWKS, HOST, ISSUER, PROTECTED_PATH } from "../lib/config.mjs";

const auth = requireAuth({ jwks: EDDSA_JWKS, issuer: ISSUER, audience: AUDIENCE });
const app = new Hono();
app.get(PROTECTED_PATH, auth.protect((c) => c.json({ sub: c.get("auth").sub })));
serve({ fetch: app.fetch, port: 0, hostname: HOST }, (info) => announce(info.port));
