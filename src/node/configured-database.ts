import type { Config } from "../config.js";
import { isDatabaseUnavailable } from "../db/database-errors.js";
import { migrateToLatest, openNodeDatabase, readMigrationFiles, readPostgresMigrationFiles, type NodeDatabase } from "./database.js";
import { migratePostgres, openPostgresDatabase } from "./postgres-database.js";

export interface ConfiguredDatabase extends NodeDatabase {
  kind: "postgres" | "sqlite";
  /** Applies pending migrations (on PostgreSQL under the lock that lets instances start together). */
  migrate(): Promise<string[]>;
  /** The migration files of this database's dialect. */
  migrationFiles(): ReturnType<typeof readMigrationFiles>;
}

type Log = (message: string, fields: Record<string, unknown>) => void;

/**
 * The database the configuration names: PostgreSQL when `DATABASE_URL` is set, else SQLite at
 * `DATABASE_PATH`, with the write batch each should use (SQLite's group commit, or one
 * PostgreSQL transaction per batch).
 *
 * @example
 * const database = openConfiguredDatabase(config);
 * await database.migrate();
 */
export function openConfiguredDatabase(config: Pick<Config, "databasePath" | "databaseUrl" | "databasePoolSize">, logError?: Log): ConfiguredDatabase {
  const url = config.databaseUrl;
  if (url === null) {
    const sqlite = openNodeDatabase(config.databasePath);
    return { ...sqlite, kind: "sqlite", migrate: () => migrateToLatest(sqlite.db), migrationFiles: () => readMigrationFiles() };
  }
  const options = { poolSize: config.databasePoolSize, logError };
  const postgres = openPostgresDatabase(url, options);
  return { ...postgres, kind: "postgres", migrate: () => migratePostgres(url, postgres.db, options), migrationFiles: () => readPostgresMigrationFiles() };
}

/**
 * Waits for the database to answer, for instances started before their database (a deploy,
 * a restart of both): retries only while it is unreachable, backing off up to `withinMs`, with
 * one JSON line per failed attempt. Anything else (bad password, no such database) fails at once.
 *
 * @example
 * await waitForDatabase(() => pingDatabase(db), { log: (line) => console.warn(line) });
 */
export async function waitForDatabase(
  ping: () => Promise<void>,
  options: { log: (line: string) => void; withinMs?: number; sleep?: (ms: number) => Promise<void> },
): Promise<void> {
  const withinMs = options.withinMs ?? 30_000;
  const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const started = Date.now();
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      await ping();
      return;
    } catch (e) {
      if (!isDatabaseUnavailable(e)) throw e;
      const reason = String((e as { code?: unknown }).code ?? (e as Error).message);
      if (Date.now() - started + delay > withinMs) {
        throw new Error(`database not reachable after ${attempt} attempts in ${Math.round((Date.now() - started) / 1000)} s (${reason})`);
      }
      options.log(JSON.stringify({ level: "warn", message: "database not reachable yet, retrying", attempt, retry_in_ms: delay, reason }));
      await sleep(delay);
      delay = Math.min(delay * 2, 4_000);
    }
  }
}
