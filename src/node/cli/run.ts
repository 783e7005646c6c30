import { AppError } from "../../errors.js";
import { parseOptions } from "./args.js";
import { CliError, usageError } from "./cli-error.js";
import { CLIENT_COMMANDS } from "./client-commands.js";
import { say, type CliIo, type Command } from "./command.js";
import { MIGRATE_COMMAND } from "./migrate-command.js";
import { SECRET_COMMANDS } from "./secret-commands.js";
import { USER_COMMANDS } from "./user-commands.js";

/** Every command, in the order `tessera --help` lists them. */
const COMMANDS: Record<string, Command> = { migrate: MIGRATE_COMMAND, ...USER_COMMANDS, ...CLIENT_COMMANDS, ...SECRET_COMMANDS };

const ENV_NOTE = "Configuration comes from the environment (DATABASE_PATH, ARGON2_*, PASSWORD_MIN_LENGTH, ...).";

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

/**
 * Runs one CLI invocation and returns its exit code. Every failure becomes
 * one line on stderr; nothing secret is ever printed except what the
 * command exists to print (`generate-secret`, `hash-password`, a client secret from
 * `create-client` or `rotate-client-secret`).
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
    const values = parseOptions(name, command, rest);
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
