import { existsSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { Migrator, type Kysely } from "kysely";
import * as v from "valibot";
import { jsonLineAuditSink } from "../audit/audit-log.js";
import { ConfigError, parseConfig, type Config, type Env } from "../config.js";
import { SqlFileMigrationProvider } from "../db/migrations.js";
import type { AccountRow, Database } from "../db/schema.js";
import { AppError } from "../errors.js";
import { createHashWasmHasher, hashWithHashWasm } from "../passwords/hash-wasm-hasher.js";
import { normalizePassword, passwordProblem } from "../passwords/password-policy.js";
import { createServices } from "../services.js";
import { createAdminUsers, type AdminActor, type AdminUsers } from "../users/admin-users.js";
import { EmailSchema } from "../users/email.js";
import { isRole, ROLES, type Role } from "../verify/roles.js";
import { CliError, usageError } from "./cli-error.js";
import { migrateToLatest, openDatabase, readMigrationFiles } from "./database.js";
import { readPassword, type PasswordSource } from "./password-input.js";

export interface CliIo {
  stdin: PasswordSource;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Env;
}

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values = Record<string, string | boolean | undefined>;

interface Command {
  summary: string;
  usage: string;
  details: string;
  options: Options;
  run(values: Values, io: CliIo): Promise<void>;
}

const OPERATOR: AdminActor = { kind: "operator" };
const ENV_NOTE = "Configuration comes from the environment (DATABASE_PATH, ARGON2_*, PASSWORD_MIN_LENGTH, ...).";

const emailOption: Options = { email: { type: "string" } };

function say(io: CliIo, line: string): void {
  io.stdout.write(`${line}\n`);
}

function required(values: Values, name: string): string {
  const value = values[name];
  if (typeof value !== "string" || value.trim() === "") throw usageError(`--${name} is required`);
  return value;
}

function emailArg(values: Values): string {
  const parsed = v.safeParse(EmailSchema, required(values, "email"));
  if (!parsed.success) throw usageError(`--email ${parsed.issues[0].message}`);
  return parsed.output;
}

function roleArg(values: Values): Role {
  const role = required(values, "role").trim().toLowerCase();
  if (!isRole(role)) throw usageError(`--role must be one of: ${ROLES.join(", ")}`);
  return role;
}

function loadConfig(env: Env): Config {
  try {
    // The CLI issues no tokens, so a missing JWT_SECRET (a random one per process) is not worth a warning here.
    return parseConfig(env, { warn: () => {} });
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(`configuration error: ${e.message}`);
    throw e;
  }
}

/** Opens the configured database and refuses one that is missing or behind on migrations. */
async function openReadyDatabase(config: Config): Promise<Kysely<Database>> {
  const path = config.databasePath;
  // A typo in DATABASE_PATH must not quietly create a new, empty database.
  if (path !== ":memory:" && !existsSync(path)) {
    throw new CliError(`no database at ${path}; set DATABASE_PATH or run \`tessera migrate\` first`);
  }
  const db = openDatabase(path);
  const migrator = new Migrator({ db, provider: new SqlFileMigrationProvider(readMigrationFiles()) });
  const pending = (await migrator.getMigrations()).filter((m) => m.executedAt === undefined);
  if (pending.length > 0) {
    await db.destroy();
    throw new CliError(`the database at ${path} has ${pending.length} pending migration(s); run \`tessera migrate\` first`);
  }
  return db;
}

/** Runs `fn` with the app's own services over the configured database, then closes it. */
async function withAdmin<T>(io: CliIo, fn: (admin: AdminUsers, users: ReturnType<typeof createServices>["users"]) => Promise<T>): Promise<T> {
  const config = loadConfig(io.env);
  const db = await openReadyDatabase(config);
  try {
    const s = createServices({
      db,
      config,
      // In-process hashing: one hash per run, no worker pool to start and stop.
      passwords: createHashWasmHasher(config.argon2),
      // Audit lines go to stderr so stdout carries only the command's result.
      audit: jsonLineAuditSink((line) => io.stderr.write(`${line}\n`)),
      logError: (message, fields) => io.stderr.write(`${JSON.stringify({ level: "error", message, ...fields })}\n`),
    });
    return await fn(createAdminUsers(s), s.users);
  } finally {
    await db.destroy();
  }
}

async function userByEmail(users: { findByEmail(email: string): Promise<AccountRow | undefined> }, email: string): Promise<AccountRow> {
  const user = await users.findByEmail(email);
  if (!user) throw new CliError(`no user with the email ${email}`);
  return user;
}

export const COMMANDS: Record<string, Command> = {
  migrate: {
    summary: "Create the database or bring it up to date",
    usage: "tessera migrate",
    details: "Applies every pending file in migrations/ to DATABASE_PATH. Safe to run again.",
    options: {},
    async run(_values, io) {
      const config = loadConfig(io.env);
      const db = openDatabase(config.databasePath);
      try {
        const applied = await migrateToLatest(db);
        say(io, applied.length === 0 ? "Database is up to date." : `Applied migrations: ${applied.join(", ")}`);
      } finally {
        await db.destroy();
      }
    },
  },

  "create-user": {
    summary: "Create an account with a role",
    usage: "tessera create-user --email EMAIL --role viewer|user|admin [--name NAME]",
    details:
      "The password is read from stdin when piped (one line), otherwise from a prompt that does not echo.\n" +
      "It is never taken as an argument: arguments end up in shell history and `ps`.\n" +
      "Example: printf '%s\\n' \"$PASSWORD\" | tessera create-user --email ops@example.com --role admin",
    options: { ...emailOption, role: { type: "string" }, name: { type: "string" } },
    async run(values, io) {
      const email = emailArg(values);
      const role = roleArg(values);
      const name = typeof values.name === "string" && values.name.trim() !== "" ? values.name.trim().slice(0, 200) : null;
      const user = await withAdmin(io, async (admin) => {
        // Asked only once the database is known to be ready, so a typo does not cost a prompt.
        const password = await readPassword(io.stdin, io.stderr, { confirm: true });
        return admin.create({ email, password, name, role }, OPERATOR);
      });
      say(io, `Created ${user.email} with the role ${user.role} (id ${user.id}).`);
    },
  },

  "set-role": {
    summary: "Change a user's role (revokes their sessions)",
    usage: "tessera set-role --email EMAIL --role viewer|user|admin",
    details: "Every session of the user is revoked so new tokens carry the new role. The last enabled admin cannot be demoted.",
    options: { ...emailOption, role: { type: "string" } },
    async run(values, io) {
      const email = emailArg(values);
      const role = roleArg(values);
      await withAdmin(io, async (admin, users) => {
        const before = await userByEmail(users, email);
        if (before.role === role) return say(io, `${email} already has the role ${role}; nothing changed.`);
        await admin.update(before.id, { role }, OPERATOR);
        say(io, `${email}: role changed from ${before.role} to ${role}; every session revoked.`);
      });
    },
  },

  disable: {
    summary: "Disable a user (revokes their sessions)",
    usage: "tessera disable --email EMAIL",
    details: "A disabled user cannot sign in or refresh. The last enabled admin cannot be disabled.",
    options: emailOption,
    async run(values, io) {
      const email = emailArg(values);
      await withAdmin(io, async (admin, users) => {
        const before = await userByEmail(users, email);
        if (before.disabled_at !== null) return say(io, `${email} is already disabled; nothing changed.`);
        await admin.update(before.id, { disabled: true }, OPERATOR);
        say(io, `${email} is disabled; every session revoked.`);
      });
    },
  },

  enable: {
    summary: "Enable a disabled user",
    usage: "tessera enable --email EMAIL",
    details: "The user can sign in again; sessions revoked when they were disabled stay revoked.",
    options: emailOption,
    async run(values, io) {
      const email = emailArg(values);
      await withAdmin(io, async (admin, users) => {
        const before = await userByEmail(users, email);
        if (before.disabled_at === null) return say(io, `${email} is already enabled; nothing changed.`);
        await admin.update(before.id, { disabled: false }, OPERATOR);
        say(io, `${email} is enabled.`);
      });
    },
  },

  "revoke-sessions": {
    summary: "Sign a user out everywhere",
    usage: "tessera revoke-sessions --email EMAIL",
    details: "Revokes every session (refresh token family) of the user. Access tokens already issued stay valid until they expire.",
    options: emailOption,
    async run(values, io) {
      const email = emailArg(values);
      await withAdmin(io, async (admin, users) => {
        const user = await userByEmail(users, email);
        const count = await admin.revokeSessions(user.id, OPERATOR);
        say(io, `${email}: ${count} session(s) revoked.`);
      });
    },
  },

  "generate-secret": {
    summary: "Print a new random secret for JWT_SECRET",
    usage: "tessera generate-secret",
    details: "32 random bytes from the system CSPRNG, base64url (43 characters). Printed once; nothing is stored.",
    options: {},
    async run(_values, io) {
      say(io, Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url"));
    },
  },

  "hash-password": {
    summary: "Print an argon2id hash of a password (for seeding D1)",
    usage: "tessera hash-password",
    details:
      "Reads the password like create-user, checks the password rules, and prints a PHC string made with the\n" +
      "configured ARGON2_* parameters, e.g. for `wrangler d1 execute` on Workers (see docs/administration.md).",
    options: {},
    async run(_values, io) {
      const config = loadConfig(io.env);
      const password = await readPassword(io.stdin, io.stderr, { confirm: true });
      const problem = passwordProblem(password, config.passwordMinLength);
      if (problem) throw new CliError(`the password ${problem}`);
      say(io, await hashWithHashWasm(normalizePassword(password), config.argon2));
    },
  },
};

function toolHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    "Usage: tessera <command> [options]",
    "",
    "Operator tool for a Tessera database (Node).",
    "",
    "Commands:",
    ...lines,
    "",
    "Run `tessera <command> --help` for a command's options.",
    ENV_NOTE,
    "Exit codes: 0 done, 1 the operation failed, 2 the command line is wrong.",
  ].join("\n");
}

function commandHelp(command: Command): string {
  return [`Usage: ${command.usage}`, "", command.summary + ".", command.details, "", ENV_NOTE].join("\n");
}

function parse(name: string, command: Command, args: string[]): Values {
  if (args.some((a) => a === "--password" || a.startsWith("--password="))) {
    throw usageError("passwords are never taken as arguments (shell history, ps); pipe it on stdin or answer the prompt");
  }
  try {
    const { values } = parseArgs({
      args,
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    });
    return values as Values;
  } catch (e) {
    const message = (e as Error).message.split("\n")[0]!.replace(/\. This command does not take positional arguments$/, "");
    throw usageError(`${name}: ${message} (see \`tessera ${name} --help\`)`);
  }
}

/**
 * Runs one CLI invocation and returns its exit code. Every failure becomes
 * one line on stderr; nothing secret is ever printed except what the
 * command exists to print (`generate-secret`, `hash-password`).
 *
 * @example
 * process.exitCode = await runCli(["disable", "--email", "eve@example.com"], { stdin, stdout, stderr, env });
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined) {
      io.stderr.write(`${toolHelp()}\n`);
      return 2;
    }
    if (name === "--help" || name === "-h" || name === "help") {
      const topic = name === "help" ? rest[0] : undefined;
      if (topic !== undefined && !Object.hasOwn(COMMANDS, topic)) throw usageError(`unknown command "${topic}"; run \`tessera --help\``);
      say(io, topic === undefined ? toolHelp() : commandHelp(COMMANDS[topic]!));
      return 0;
    }
    if (!Object.hasOwn(COMMANDS, name)) throw usageError(`unknown command "${name}"; run \`tessera --help\``);
    const command = COMMANDS[name]!;
    const values = parse(name, command, rest);
    if (values.help === true) {
      say(io, commandHelp(command));
      return 0;
    }
    await command.run(values, io);
    return 0;
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr.write(`tessera: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof AppError) {
      io.stderr.write(`tessera: ${e.description}\n`);
      return 1;
    }
    // Unexpected (a locked or corrupt database, say): name and message only, for the operator to act on.
    const error = e as Error;
    io.stderr.write(`tessera: unexpected error: ${error?.name ?? "Error"}: ${error?.message ?? String(e)}\n`);
    return 1;
  }
}
