import { sql, type Kysely } from "kysely";
import type { Database } from "./schema.js";

/**
 * Asks the database the cheapest question there is; rejects when it does not answer.
 *
 * @example
 * await pingDatabase(db); // throws while the database is unreachable
 */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`SELECT 1`.execute(db);
}
