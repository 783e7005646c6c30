// Peer: Hono + plain jose with the same Ed25519 public key, imported once, same checks as
// Tessera (alg, typ, iss, aud, required claims): the floor of the EdDSA rows.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { importJWK, jwtVerify } from "jose";
import { announce } from "../lib/child.mjs";
import { AUDIENCE, EDDSA_JWKS, HOST, ISSUER, PROTECTED_PATH } from "../lib/config.mjs";

const key = await importJWK(EDDSA_JWKS.keys[0], "EdDSA");
const app = new Hono();
app.get(PROTECTED_PATH, async (c) => {
  const header = c.req.header("Authorization") ?? "";
  if (!header.startsWith("Bearer ")) return c.json({ error: "invalid_token" }, 401);
  try {
    const { payload } = await jwtVerify(header.slice(7), key, {
      algorithms: ["EdDSA"],
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
