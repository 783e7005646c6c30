import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } from "jose";
import { hashWithHashWasm } from "../../passwords/hash-wasm-hasher.js";
import { normalizePassword, passwordProblem } from "../../passwords/password-policy.js";
import { CliError } from "./cli-error.js";
import { usageError } from "./cli-error.js";
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

  "generate-key": {
    summary: "Print a new private key for JWT_PRIVATE_KEY (EdDSA or ES256)",
    usage: "tessera generate-key [--alg EdDSA|ES256] [--format pem|jwk]",
    details:
      "A new Ed25519 (EdDSA, the default) or P-256 (ES256) key from the system CSPRNG. stdout gets the private key,\n" +
      "PKCS#8 PEM or a private JWK, for JWT_PRIVATE_KEY; stderr gets its public JWK with its kid, the entry to add to\n" +
      "JWT_PREVIOUS_PUBLIC_KEYS when the key is published ahead of a rotation (see docs/key-rotation.md). Nothing is stored.",
    options: { alg: { type: "string" }, format: { type: "string" } },
    async run(values, io) {
      const alg = values.alg ?? "EdDSA";
      if (alg !== "EdDSA" && alg !== "ES256") throw usageError("--alg must be EdDSA or ES256 (HS256 uses a secret: tessera generate-secret)");
      const format = values.format ?? "pem";
      if (format !== "pem" && format !== "jwk") throw usageError("--format must be pem or jwk");
      const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
      const publicJwk = await exportJWK(publicKey);
      const kid = await calculateJwkThumbprint(publicJwk);
      io.stdout.write(format === "pem" ? await exportPKCS8(privateKey) + "\n" : `${JSON.stringify(await exportJWK(privateKey))}\n`);
      io.stderr.write(`public key: ${JSON.stringify({ ...publicJwk, kid, alg, use: "sig" })}\n`);
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
