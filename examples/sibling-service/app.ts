// An orders service beside Tessera: its own Hono app that accepts Tessera's access tokens through
// tessera/verify, with no database and no call to Tessera per request. The verify options come in
// from outside, so production passes the real issuer's and tests pass createTestIssuer's
// (app.test.ts).
import { Hono } from "hono";
import { requireAuth, requireScope, type RequireAuthOptions } from "tessera/verify";

/**
 * @example
 * // Production: Tessera in EdDSA mode publishes its public keys.
 * const app = createOrdersApp({
 *   jwksUrl: "https://auth.example.com/.well-known/jwks.json",
 *   issuer: "https://auth.example.com",
 *   audience: "orders",
 * });
 */
export function createOrdersApp(verify: RequireAuthOptions): Hono {
  const app = new Hono();
  app.use("/orders/*", requireAuth(verify));
  app.get("/orders/mine", requireScope("orders:read"), (c) => {
    const { sub, clientId } = c.get("auth");
    return c.json({ owner: sub, via: clientId, orders: [] });
  });
  app.delete("/orders/:id", requireScope("orders:write"), (c) => c.body(null, 204));
  return app;
}
