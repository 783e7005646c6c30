import { sql, type Migration, type MigrationProvider } from "kysely";

/** A migration file: `0001_init.sql` and its text. */
export interface SqlMigrationFile {
  name: string;
  sql: string;
}

/**
 * Splits a migration file into statements. The files are plain DDL written
 * by us (no triggers or string literals containing ';'), so splitting on a
 * statement-ending ';' after stripping comments is enough.
 */
export function splitStatements(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.replace(/--.*$/, ""))
    .join("\n")
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Serves the same `migrations/NNNN_name.sql` files that wrangler applies on
 * D1, as Kysely migrations keyed by file name (without `.sql`).
 *
 * @example
 * new Migrator({ db, provider: new SqlFileMigrationProvider(files) })
 */
export class SqlFileMigrationProvider implements MigrationProvider {
  constructor(private readonly files: readonly SqlMigrationFile[]) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {};
    for (const file of [...this.files].sort((a, b) => a.name.localeCompare(b.name))) {
      const statements = splitStatements(file.sql);
      migrations[file.name.replace(/\.sql$/, "")] = {
        async up(db) {
          for (const statement of statements) await sql.raw(statement).execute(db);
        },
      };
    }
    return migrations;
  }
}
