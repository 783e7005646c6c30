// Peer: Hono + plain jose, key imported once, same checks as Tessera (alg, typ, iss, aud).
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { jwtVerify } from "jose";
import { announce } from "../lib/child.mjs";
import { AUDIENCE, HOST, ISSUER, PROTECTED_PATH, SECRET } from "../lib/config.mjs";

const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
const app = new Hono();
app.get(PROTECTED_PATH, async (c) => {
  const header = c.req.header("Authorization") ?? "";
  if (!header.startsWith("Bearer ")) return c.json({ error: "invalid_token" }, 401);
  try {
    const { payload } = await jwtVerify(header.slice(7), key, {
      algorithms: ["HS256"],
      typ: "at+jwt",
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ["iss", "aud", "exp", "iat", "sub", "jti"],
    });
    return c.json({ sub: payload.sub });
  } catch {
    return c.json({ error: "invalid_token" }, 401);
  }
});
serve({ fetch: app.fetch, port: 0, hostname: HOST }, (info) => announce(info.port));
