// PostgreSQL for the Node entry: a `pg` pool behind Kysely's PostgresDialect, and migrations
// that several instances may start at once. Never imported by the Workers entry.
import pg from "pg";
import { Kysely, PostgresDialect, type PostgresCursor, type PostgresPool, type PostgresPoolClient } from "kysely";
import type { Database } from "../db/schema.js";
import { transactionBatch } from "../db/write-batch.js";
import { migrateToLatest, readPostgresMigrationFiles, type NodeDatabase } from "./database.js";

export interface PostgresOptions {
  /** Connections this instance keeps open at most (`DATABASE_POOL_SIZE`). */
  poolSize: number;
  /** Schema to work in (tests give each app its own); the server's default search_path otherwise. */
  schema?: string;
  /** How long to wait for a connection, pooled or new, before the request fails (never a hang). */
  connectTimeoutMs?: number;
  /** How long one statement may run on the server before it is cancelled. */
  statementTimeoutMs?: number;
  /** Idle connections are closed after this long. */
  idleTimeoutMs?: number;
  /** Where errors of idle connections go (the server closed them; the pool replaces them). */
  logError?: (message: string, fields: Record<string, unknown>) => void;
}

// int8 (BIGINT, and COUNT(*)): epoch milliseconds and counts, far below 2^53. Parsed as numbers
// so rows look exactly like SQLite's; set per pool, not on the global `pg.types`.
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID && format !== "binary" ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** The connection settings shared by the pool and the migration lock's own connection. */
function clientConfig(url: string, options: PostgresOptions): pg.ClientConfig {
  const statementTimeout = options.statementTimeoutMs ?? 10_000;
  return {
    connectionString: url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    // The server cancels a slow statement; the client gives up a little later, for when the
    // server cannot even answer (a dead network path) rather than leave a request hanging.
    statement_timeout: statementTimeout,
    query_timeout: statementTimeout + 5_000,
    // A transaction left open by a lost client must not hold row locks for long.
    idle_in_transaction_session_timeout: 30_000,
    keepAlive: true,
    types,
    ...(options.schema !== undefined && { options: `-c search_path=${quoteIdentifier(options.schema)}` }),
  };
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Opens a pool to the PostgreSQL server at `url`. Multi-statement writes (a refresh rotation,
 * a session and its first token) run as one transaction each; correctness across instances
 * rests on the statements themselves (conditional updates, upserts, advisory locks), never on
 * anything held in this process.
 *
 * @example
 * const { db, writeBatch } = openPostgresDatabase(config.databaseUrl, { poolSize: config.databasePoolSize });
 * const app = createApp({ db, writeBatch, config, passwords });
 */
export function openPostgresDatabase(url: string, options: PostgresOptions): NodeDatabase {
  const pool = new pg.Pool({
    ...clientConfig(url, options),
    max: options.poolSize,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
  });
  // A connection the server closes (restart, failover, pg_terminate_backend) emits "error".
  // Unheard, that event would crash the process: the pool listens while a connection is idle,
  // and this listener covers the time it is checked out, when the query in flight fails with
  // the same error (and its request answers 503). The pool then opens a new connection.
  const lost = (e: Error & { code?: string }) => options.logError?.("database connection lost", { name: e.name, code: e.code });
  pool.on("error", lost);
  pool.on("connect", (client) => client.on("error", () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
  return { db, writeBatch: transactionBatch(db) };
}

// Distinct statements the app sends are few (queries are built from fixed shapes); past this,
// a statement runs unnamed, as pg does by default.
const STATEMENT_NAMES = 512;

/**
 * The pool as Kysely sees it, with every statement run as a named prepared statement: each
 * connection parses and plans a statement once, then only binds and executes it. Parsing and
 * planning cost the server more than running the hot statements (a refresh, a rate-limit hit),
 * as preparing did on SQLite (see the statement cache in database.ts). Names are per pool, so a
 * text keeps its name on every connection. The hot statements all name their columns.
 */
function preparingPool(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    // A prepared `SELECT *` or `RETURNING *` fails ("cached plan must not change result type")
    // once a migration adds a column, which a rolling deploy does under running instances;
    // statements that name their columns keep working, so only they are prepared.
    if (text.includes("*")) return undefined;
    let name = names.get(text);
    if (name === undefined && names.size < STATEMENT_NAMES) names.set(text, (name = `tessera_${names.size}`));
    return name;
  };
  return {
    async connect() {
      const client = await pool.connect();
      return {
        query: ((sqlOrCursor: string | PostgresCursor<unknown>, parameters?: readonly unknown[]) =>
          typeof sqlOrCursor === "string"
            ? client.query({ name: nameOf(sqlOrCursor), text: sqlOrCursor, values: [...(parameters ?? [])] })
            : client.query(sqlOrCursor as never)) as unknown as PostgresPoolClient["query"],
        release: () => client.release(),
      };
    },
    end: () => pool.end(),
  };
}

// Any fixed number will do, as long as every instance uses the same one.
const MIGRATION_LOCK = 7_430_225_531_001;

/**
 * Applies pending migrations while holding a session-level advisory lock on a connection of
 * its own, so instances started together on an empty database migrate once: the others wait,
 * then find nothing to do. Kysely's own lock is taken only after it has created its
 * bookkeeping tables, which two instances would otherwise race to create.
 *
 * @example
 * const applied = await migratePostgres(config.databaseUrl, db, { poolSize: 10 });
 */
export async function migratePostgres(
  url: string,
  db: Kysely<Database>,
  options: PostgresOptions,
  files = readPostgresMigrationFiles(),
): Promise<string[]> {
  // Not a pooled connection: with DATABASE_POOL_SIZE=1 the migrator needs the pool's only one.
  const lock = new pg.Client({ ...clientConfig(url, options), statement_timeout: 0, query_timeout: undefined });
  await lock.connect();
  try {
    await lock.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    const { rows } = await lock.query<{ schema: string }>("SELECT current_schema() AS schema");
    return await migrateToLatest(db, files, rows[0]?.schema ?? undefined);
  } finally {
    // Ending the session releases the lock, whatever happened above.
    await lock.end();
  }
}
