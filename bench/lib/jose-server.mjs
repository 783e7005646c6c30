// The plain-jose peer: Hono answering the protected path after one `jwtVerify` with a key
// imported once, with the checks Tessera makes (alg, typ, iss, aud, required claims).
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { jwtVerify } from "jose";
import { announce } from "./child.mjs";
import { AUDIENCE, HOST, ISSUER, PROTECTED_PATH } from "./config.mjs";

export function serveJoseVerifier(key, algorithm) {
  const app = new Hono();
  app.get(PROTECTED_PATH, async (c) => {
    const header = c.req.header("Authorization") ?? "";
    if (!header.startsWith("Bearer ")) return c.json({ error: "invalid_token" }, 401);
    try {
      const { payload } = await jwtVerify(header.slice(7), key, {
        algorithms: [algorithm],
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
}
