// The shared session-repository contract inside workerd: D1 through our Kysely dialect.
import { env } from "cloudflare:workers";
import { Kysely } from "kysely";
import type { Database } from "../../src/db/schema.js";
import { D1Dialect, d1Batch } from "../../src/worker/d1-dialect.js";
import { describeSessionRepositoryContract } from "../contract/session-repository-contract.js";

describeSessionRepositoryContract(
  "D1",
  async () => ({
    db: new Kysely<Database>({ dialect: new D1Dialect(env.DB) }),
    writeBatch: (queries) => d1Batch(env.DB, queries),
  }),
);
