import type { Kysely } from "kysely";
import type { ClientRow, ClientTable, Database } from "../db/schema.js";

// The only module that writes `clients`. Functions take `db` first and own all SQL.

export async function insertClient(db: Kysely<Database>, row: ClientRow): Promise<void> {
  await db.insertInto("clients").values(row).execute();
}

export async function findClient(db: Kysely<Database>, id: string): Promise<ClientRow | undefined> {
  return db.selectFrom("clients").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Every client, oldest first. */
export async function listClients(db: Kysely<Database>): Promise<ClientRow[]> {
  return db.selectFrom("clients").selectAll().orderBy("created_at", "asc").orderBy("id", "asc").execute();
}

export type ClientPatch = Partial<
  Pick<ClientTable, "name" | "scopes" | "disabled_at" | "secret_hash" | "previous_secret_hash" | "previous_secret_expires_at">
>;

export async function updateClient(db: Kysely<Database>, id: string, patch: ClientPatch, now: number): Promise<ClientRow | undefined> {
  return db
    .updateTable("clients")
    .set({ ...patch, updated_at: now })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Replaces the secret only if it is still `expectedHash`, the one the caller read; `undefined`
 * when another rotation got there first (its new secret must stay valid, not become "previous").
 */
export async function replaceClientSecret(
  db: Kysely<Database>,
  id: string,
  expectedHash: string,
  patch: Pick<ClientTable, "secret_hash" | "previous_secret_hash" | "previous_secret_expires_at">,
  now: number,
): Promise<ClientRow | undefined> {
  return db
    .updateTable("clients")
    .set({ ...patch, updated_at: now })
    .where("id", "=", id)
    .where("secret_hash", "=", expectedHash)
    .returningAll()
    .executeTakeFirst();
}

/** Records a successful authentication (the admin API shows when a client was last used). */
export async function touchClient(db: Kysely<Database>, id: string, now: number): Promise<void> {
  await db.updateTable("clients").set({ last_used_at: now }).where("id", "=", id).execute();
}

export async function deleteClient(db: Kysely<Database>, id: string): Promise<boolean> {
  const deleted = await db.deleteFrom("clients").where("id", "=", id).returning("id").executeTakeFirst();
  return deleted !== undefined;
}
