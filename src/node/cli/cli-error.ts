/**
 * A failure the CLI reports as one line on stderr. Exit code 2 means the
 * command line itself is wrong (unknown command or option, bad value);
 * 1 means the operation could not be done.
 *
 * @example
 * throw new CliError("no user with that email");
 */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** A command line that cannot be run as written (exit code 2). */
export function usageError(message: string): CliError {
  return new CliError(message, 2);
}
