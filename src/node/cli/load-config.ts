import { ConfigError, parseConfig, type Config, type Env } from "../../config.js";
import { CliError } from "./cli-error.js";

/**
 * The service's own configuration rules, with a bad value reported as one CLI error line.
 *
 * @example
 * const config = loadConfig(io.env);
 */
export function loadConfig(env: Env): Config {
  try {
    // The CLI issues no tokens, so a missing JWT_SECRET (a random one per process) is not worth a warning here.
    return parseConfig(env, { warn: () => {} });
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(`configuration error: ${e.message}`);
    throw e;
  }
}
