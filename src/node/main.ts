// Node entry: `npm start`. Parses the environment, opens SQLite (or PostgreSQL when
// DATABASE_URL is set), applies migrations, and serves the runtime-agnostic app until
// SIGTERM/SIGINT.
import { serve } from "@hono/node-server";
import { createApp } from "../app.js";
import { bootstrapAdmin } from "../bootstrap-admin.js";
import { ConfigError, parseConfig } from "../config.js";
import { nodeClientIp } from "./client-ip.js";
import { withApiDocs } from "./api-docs-page.js";
import { withDemo } from "./demo.js";
import { pingDatabase } from "../db/ping.js";
import { openConfiguredDatabase, waitForDatabase } from "./configured-database.js";
import { createNodePasswordHasher } from "./native-password-hasher.js";
import { nodeTokenDigests } from "./node-crypto-digests.js";

const PURGE_INTERVAL_MS = 30 * 60 * 1000;

async function main(): Promise<void> {
  const config = parseConfig(process.env, { warn: (m) => console.warn(m) });

  const logError = (message: string, fields: Record<string, unknown>) => console.error(JSON.stringify({ level: "error", message, ...fields }));
  const database = openConfiguredDatabase(config, logError);
  const { db, writeBatch } = database;
  // A PostgreSQL server may come up after this instance (a deploy, both restarted); SQLite is a file.
  if (database.kind === "postgres") await waitForDatabase(() => pingDatabase(db), { log: (line) => console.warn(line), withinMs: config.databaseStartupWait * 1000 });
  const applied = await database.migrate();
  if (applied.length > 0) console.log(JSON.stringify({ level: "info", message: "migrations applied", applied }));

  const passwords = await createNodePasswordHasher(config.argon2);
  const app = createApp({ db, writeBatch, config, passwords, clientIp: nodeClientIp(config.trustProxy), tokenDigests: nodeTokenDigests });
  await app.services.keys; // a signing key that does not import stops the start here, as a configuration error
  await bootstrapAdmin(app.services, config);

  const server = serve({ fetch: withDemo(withApiDocs(app.fetch, config), config), port: config.port, hostname: config.host }, (info) => {
    console.log(JSON.stringify({ level: "info", message: "tessera listening", url: `http://${info.address}:${info.port}`, environment: config.environment }));
  });

  // Workers purge from a cron trigger; on Node a timer does the same job.
  const purge = setInterval(() => {
    Promise.all([app.services.sessions.purgeExpired(), app.services.limiter.purgeExpired()]).catch((e: unknown) =>
      console.error(JSON.stringify({ level: "error", message: "purge failed", name: (e as Error)?.name })),
    );
  }, PURGE_INTERVAL_MS);
  purge.unref();

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(purge);
    console.log(JSON.stringify({ level: "info", message: "shutting down", signal }));
    // close() stops accepting and waits for in-flight requests; then release the DB (on
    // PostgreSQL, end the pool's connections) and the hash threads.
    server.close(async () => {
      await passwords.close();
      await db.destroy();
      process.exit(0);
    });
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((e: unknown) => {
  // From parseConfig, the signing keys or, once the database is open, the bootstrap admin: the same one line.
  if (e instanceof ConfigError) console.error(`tessera: configuration error: ${e.message}`);
  else console.error(`tessera: failed to start: ${(e as Error)?.message ?? "unknown error"}`);
  process.exit(1);
});
