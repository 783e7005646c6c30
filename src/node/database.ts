import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import SQLite from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect } from "kysely";
import { SqlFileMigrationProvider, type SqlMigrationFile } from "../db/migrations.js";
import type { Database } from "../db/schema.js";
import type { WriteBatch } from "../db/write-batch.js";
import { groupCommitBatch } from "./group-commit.js";

/** `migrations/` at the package root, whether running from `src/` (tsx) or `dist/`. */
export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../migrations");

export function readMigrationFiles(dir = MIGRATIONS_DIR): SqlMigrationFile[] {
  return migrationNames(dir).map((name) => ({ name, sql: readFileSync(join(dir, name), "utf8") }));
}

function migrationNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort();
}

/**
 * The same numbered sequence for PostgreSQL: each file from `postgres/` where its SQL must
 * differ (types), else the shared file. A variant without a shared file of the same name
 * would fork the sequence, so it is refused.
 *
 * @example
 * await migrateToLatest(db, readPostgresMigrationFiles());
 */
export function readPostgresMigrationFiles(dir = MIGRATIONS_DIR): SqlMigrationFile[] {
  const variants = new Set(migrationNames(join(dir, "postgres")));
  const shared = readMigrationFiles(dir);
  const stray = [...variants].filter((name) => !shared.some((f) => f.name === name));
  if (stray.length > 0) throw new Error(`migrations/postgres/${stray[0]} has no file of the same name in migrations/`);
  return shared.map((f) => (variants.has(f.name) ? { name: f.name, sql: readFileSync(join(dir, "postgres", f.name), "utf8") } : f));
}

export interface NodeDatabase {
  db: Kysely<Database>;
  /** Group commit on the same connection (see group-commit.ts). */
  writeBatch: WriteBatch;
}

/**
 * better-sqlite3 behind Kysely, plus the write batch the app should use
 * with it. WAL lets readers run while one writer writes; foreign keys are
 * off by default in SQLite and the schema relies on their cascades.
 *
 * @example
 * const { db, writeBatch } = openNodeDatabase("./data/tessera.sqlite");
 * const app = createApp({ db, writeBatch, config, passwords });
 */
export function openNodeDatabase(path: string): NodeDatabase {
  if (path !== ":memory:") mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const prepare = statementCache(sqlite);
  return {
    db: new Kysely<Database>({ dialect: new SqliteDialect({ database: { close: () => sqlite.close(), prepare } }) }),
    writeBatch: groupCommitBatch(sqlite, prepare),
  };
}

/** The database alone, for tools that write one statement at a time (CLI, migrations). */
export function openDatabase(path: string): Kysely<Database> {
  return openNodeDatabase(path).db;
}

const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely's SQLite driver prepares every query anew, and preparing cost more
 * than running the hot queries (refresh, rate limits). Statements are reused
 * by SQL text, oldest dropped first. Nothing runs two queries at once on
 * this connection (Kysely holds it for a whole query, the group commit is
 * synchronous), so no statement is ever used twice at the same time.
 */
function statementCache(sqlite: SQLite.Database): (sql: string) => SQLite.Statement {
  const statements = new Map<string, SQLite.Statement>();
  return (sql) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = sqlite.prepare(sql);
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value as string);
      statements.set(sql, statement);
    }
    return statement;
  };
}

/**
 * Applies every pending migration file; idempotent (recorded in `kysely_migration`). On
 * PostgreSQL, `schema` names where that record lives (the one the tables go to): Kysely
 * otherwise looks for it in any schema of the database and may find another's.
 */
export async function migrateToLatest(db: Kysely<Database>, files = readMigrationFiles(), schema?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new SqlFileMigrationProvider(files), ...(schema !== undefined && { migrationTableSchema: schema }) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error("migration failed");
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
