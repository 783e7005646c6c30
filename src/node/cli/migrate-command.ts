import { openConfiguredDatabase } from "../configured-database.js";
import { say, type Command } from "./command.js";
import { loadConfig } from "./load-config.js";

/** `tessera migrate`: the one command that may create the database. */
export const MIGRATE_COMMAND: Command = {
  summary: "Create the database or bring it up to date",
  usage: "tessera migrate",
  details: "Applies every pending file in migrations/ to DATABASE_URL (PostgreSQL) or DATABASE_PATH (SQLite). Safe to run again, and alongside running instances.",
  options: {},
  async run(_values, io) {
    const config = loadConfig(io.env);
    const { db, migrate } = openConfiguredDatabase(config);
    try {
      const applied = await migrate();
      say(io, applied.length === 0 ? "Database is up to date." : `Applied migrations: ${applied.join(", ")}`);
    } finally {
      await db.destroy();
    }
  },
};
