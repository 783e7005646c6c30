// The whole Tessera service as `npm start` builds it (SQLite file in WAL mode, native
// argon2id or the worker pool), plus one protected route through requireAuth so a
// protected GET and logins share one process. Rate limits are raised: the bench sends
// thousands of /auth requests from one IP on purpose.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createApp, parseConfig } from "../../dist/index.js";
import { migrateToLatest, openNodeDatabase } from "../../dist/node/database.js";
import { createNodePasswordHasher } from "../../dist/node/native-password-hasher.js";
import { nodeClientIp } from "../../dist/node/client-ip.js";
import { nodeTokenDigests } from "../../dist/node/node-crypto-digests.js";
import { requireAuth } from "../../dist/verify/index.js";
import { announce } from "../lib/child.mjs";
import { AUDIENCE, HOST, ISSUER, PROTECTED_PATH, SECRET } from "../lib/config.mjs";

export const BENCH_EMAIL = "bench@example.com";
export const BENCH_PASSWORD = "bench password that is long enough";

const dir = mkdtempSync(join(tmpdir(), "tessera-bench-"));
const config = parseConfig({
  NODE_ENV: "development",
  JWT_SECRET: SECRET,
  JWT_ISSUER: ISSUER,
  JWT_AUDIENCE: AUDIENCE,
  DATABASE_PATH: join(dir, "tessera.sqlite"),
  AUTH_IP_RATE_LIMIT: "100000000/60",
  LOGIN_RATE_LIMIT: "100000000/60",
  ACCOUNT_RATE_LIMIT: "100000000/3600",
});
const { db, writeBatch } = openNodeDatabase(config.databasePath);
await migrateToLatest(db);
let implementation;
const passwords = await createNodePasswordHasher(config.argon2, { log: (_m, f) => (implementation = f.implementation) });
const app = createApp({ db, writeBatch, config, passwords, audit: () => {}, clientIp: nodeClientIp(config.trustProxy), tokenDigests: nodeTokenDigests });

const root = new Hono();
root.get(PROTECTED_PATH, requireAuth({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE }), (c) => c.json({ sub: c.get("auth").sub }));
root.route("/", app);

const registered = await app.request("/auth/register", {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ email: BENCH_EMAIL, password: BENCH_PASSWORD }),
});
if (registered.status !== 201) throw new Error(`bench user registration failed: ${registered.status}`);
const { access_token: accessToken, user } = await registered.json();

// Refresh chains to start from, a fresh set for each refresh round (BENCH_REFRESH_CHAINS in
// all): a round ends with requests in flight whose successors never reach the load generator,
// so carrying chains over would leave each round with fewer than the last.
const refreshTokens = [];
for (let i = 0; i < Number(process.env.BENCH_REFRESH_CHAINS ?? 64); i++) {
  const { refreshToken } = await app.services.sessions.start({ userId: user.id, clientId: config.firstPartyClientId, scope: "read write", userAgent: "bench", ip: HOST });
  refreshTokens.push(refreshToken);
}

// A machine client for the client_credentials and introspection scenarios.
const { client, secret: clientSecret } = await app.services.clients.create({ name: "bench", scopes: ["read"], audience: null });

serve({ fetch: root.fetch, port: 0, hostname: HOST }, (info) =>
  announce(
    info.port,
    {
      accessToken,
      refreshTokens,
      clientId: client.id,
      clientSecret,
      email: BENCH_EMAIL,
      password: BENCH_PASSWORD,
      argon2: config.argon2,
      hasher: implementation,
    },
    async () => {
      await passwords.close();
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  ),
);
