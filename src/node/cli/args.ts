import { parseArgs } from "node:util";
import * as v from "valibot";
import { OptionalName } from "../../schemas/fields.js";
import { EmailSchema } from "../../users/email.js";
import { isRole, ROLES, type Role } from "../../verify/roles.js";
import { usageError } from "./cli-error.js";
import type { Command, Options, Values } from "./command.js";

export const emailOption: Options = { email: { type: "string" } };

/**
 * A command's options, strictly: no positionals, no unknown flags, and
 * never a password (arguments end up in shell history and `ps`).
 *
 * @example
 * const values = parseOptions("disable", COMMANDS.disable, ["--email", "eve@example.com"]);
 */
export function parseOptions(name: string, command: Command, args: string[]): Values {
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

function required(values: Values, name: string): string {
  const value = values[name];
  if (typeof value !== "string" || value.trim() === "") throw usageError(`--${name} is required`);
  return value;
}

/**
 * `--email`, checked and normalized as registration does.
 *
 * @example
 * const email = emailArg({ email: "Ada@Example.com" }); // "ada@example.com"
 */
export function emailArg(values: Values): string {
  const parsed = v.safeParse(EmailSchema, required(values, "email"));
  if (!parsed.success) throw usageError(`--email ${parsed.issues[0].message}`);
  return parsed.output;
}

/**
 * `--role`, case-insensitive, one of the known roles.
 *
 * @example
 * const role = roleArg({ role: "Admin" }); // "admin"
 */
export function roleArg(values: Values): Role {
  const role = required(values, "role").trim().toLowerCase();
  if (!isRole(role)) throw usageError(`--role must be one of: ${ROLES.join(", ")}`);
  return role;
}

/**
 * `--name`, optional, with the same rules as a name sent over HTTP (trimmed, at most 200
 * characters, empty means none).
 *
 * @example
 * const name = nameArg({ name: "  Ada " }); // "Ada"
 */
export function nameArg(values: Values): string | null {
  const parsed = v.safeParse(OptionalName, values.name);
  if (!parsed.success) throw usageError(`--name ${parsed.issues[0].message}`);
  return parsed.output ?? null;
}
