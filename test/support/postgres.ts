// A fresh PostgreSQL schema per test app, on the server named by TESSERA_TEST_POSTGRES_URL
// (scripts/with-postgres.sh starts one). Each app's pool has its schema as search_path, so test
// files run in parallel without seeing each other's rows.
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Kysely } from "kysely";
import type { Database } from "../../src/db/schema.js";
import { migrateToLatest, readPostgresMigrationFiles, type NodeDatabase } from "../../src/node/database.js";
import { openPostgresDatabase, type PostgresOptions } from "../../src/node/postgres-database.js";

/** The server the PostgreSQL tests use, or `undefined` when none was given. */
export const POSTGRES_URL: string | undefined = process.env.TESSERA_TEST_POSTGRES_URL || undefined;

/** The one line printed when they are skipped. */
export const POSTGRES_SKIPPED_LINE =
  "PostgreSQL tests skipped: TESSERA_TEST_POSTGRES_URL is not set. Run them with `scripts/with-postgres.sh npm test` (starts a throwaway server) or set it to a server of your own.";

export function requirePostgresUrl(): string {
  if (!POSTGRES_URL) throw new Error(POSTGRES_SKIPPED_LINE);
  return POSTGRES_URL;
}

const opened: Array<{ db: Kysely<Database>; schema: string }> = [];
const files = POSTGRES_URL ? readPostgresMigrationFiles() : [];

/** A new, empty schema's name (not yet created). */
export function newSchemaName(): string {
  return `tessera_test_${randomBytes(6).toString("hex")}`;
}

/**
 * A migrated PostgreSQL database of its own, with the write batch the Node entry uses there
 * (one transaction per batch). Closed, and its schema dropped, by closePostgresTestDatabases.
 *
 * @example
 * const { db, writeBatch } = await createPostgresTestDatabase();
 */
export async function createPostgresTestDatabase(options: Partial<PostgresOptions> = {}): Promise<NodeDatabase & { schema: string }> {
  const schema = options.schema ?? newSchemaName();
  const database = openPostgresDatabase(requirePostgresUrl(), { poolSize: 4, idleTimeoutMs: 1_000, ...options, schema });
  opened.push({ db: database.db, schema });
  await database.db.schema.createSchema(schema).ifNotExists().execute();
  await migrateToLatest(database.db, files, schema);
  return { ...database, schema };
}

/** Ends every pool this test file opened and drops their schemas. */
export async function closePostgresTestDatabases(): Promise<void> {
  const all = opened.splice(0);
  if (all.length === 0) return;
  const admin = new pg.Client(requirePostgresUrl());
  await admin.connect();
  try {
    for (const { db, schema } of all) {
      await db.destroy().catch(() => {});
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  } finally {
    await admin.end();
  }
}

/** A plain client on the test server, for what the app must not do itself (terminate backends, hold locks). */
export async function adminClient(schema?: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: requirePostgresUrl(), ...(schema && { options: `-c search_path=${schema}` }) });
  await client.connect();
  return client;
}
