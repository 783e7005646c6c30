import { hashWithHashWasm } from "../../passwords/hash-wasm-hasher.js";
import { normalizePassword, passwordProblem } from "../../passwords/password-policy.js";
import { CliError } from "./cli-error.js";
import { say, type Command } from "./command.js";
import { loadConfig } from "./load-config.js";
import { readPassword } from "./password-input.js";

/** The commands that print a secret or a hash and store nothing. */
export const SECRET_COMMANDS: Record<string, Command> = {
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
