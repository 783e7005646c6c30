import type { ParseArgsConfig } from "node:util";
import type { Env } from "../../config.js";
import type { PasswordSource } from "./password-input.js";

/** What a CLI invocation reads and writes; injected so tests can drive it in-process. */
export interface CliIo {
  stdin: PasswordSource;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Env;
}

export type Options = NonNullable<ParseArgsConfig["options"]>;
export type Values = Record<string, string | boolean | undefined>;

/** One `tessera <name>` command: its help text, its options and what it does. */
export interface Command {
  summary: string;
  usage: string;
  details: string;
  options: Options;
  run(values: Values, io: CliIo): Promise<void>;
}

/**
 * Writes one line of the command's result to stdout.
 *
 * @example
 * say(io, `${email} is enabled.`);
 */
export function say(io: CliIo, line: string): void {
  io.stdout.write(`${line}\n`);
}
