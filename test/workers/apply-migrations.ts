// Setup file of the workerd suite: the same migrations wrangler applies, on the test D1 database.
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
