// Peer: Fastify + @fastify/jwt (fast-jwt underneath), HS256 with iss/aud checks.
import Fastify from "fastify";
import fastifyJwt from "@fastify/jwt";
import { announce } from "../lib/child.mjs";
import { AUDIENCE, HOST, ISSUER, PROTECTED_PATH, SECRET } from "../lib/config.mjs";

const app = Fastify({ logger: false });
await app.register(fastifyJwt, {
  secret: SECRET,
  verify: { algorithms: ["HS256"], allowedIss: ISSUER, allowedAud: AUDIENCE, requiredClaims: ["iss", "aud", "exp", "iat", "sub", "jti"] },
});
app.get(PROTECTED_PATH, async (request, reply) => {
  try {
    await request.jwtVerify();
  } catch {
    return reply.code(401).send({ error: "invalid_token" });
  }
  return { sub: request.user.sub };
});
await app.listen({ port: 0, host: HOST });
announce(app.server.address().port, {}, () => app.close());
