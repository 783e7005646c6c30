import { existsSync } from "node:fs";
import { Migrator, type Kysely } from "kysely";
import type { Config } from "../../config.js";
import { SqlFileMigrationProvider } from "../../db/migrations.js";
import type { Database } from "../../db/schema.js";
import { openConfiguredDatabase } from "../configured-database.js";
import { CliError } from "./cli-error.js";

/**
 * Opens the configured database (PostgreSQL at DATABASE_URL, else SQLite at DATABASE_PATH)
 * and refuses one that is missing or behind on migrations.
 *
 * @example
 * const db = await openReadyDatabase(loadConfig(io.env));
 */
export async function openReadyDatabase(config: Config): Promise<Kysely<Database>> {
  const path = config.databasePath;
  // A typo in DATABASE_PATH must not quietly create a new, empty database.
  if (config.databaseUrl === null && path !== ":memory:" && !existsSync(path)) {
    throw new CliError(`no database at ${path}; set DATABASE_PATH or run \`tessera migrate\` first`);
  }
  const database = openConfiguredDatabase(config);
  const { db } = database;
  const migrator = new Migrator({ db, provider: new SqlFileMigrationProvider(database.migrationFiles()) });
  const pending = (await migrator.getMigrations()).filter((m) => m.executedAt === undefined);
  if (pending.length > 0) {
    await db.destroy();
    const where = config.databaseUrl === null ? `the database at ${path}` : "the database at DATABASE_URL";
    throw new CliError(`${where} has ${pending.length} pending migration(s); run \`tessera migrate\` first`);
  }
  return db;
}
