import type { JWK } from "jose";
import { ConfigError } from "../config-error.js";

/** How access tokens are signed: a shared secret, or a private key whose public half is published. */
export type SigningAlgorithm = "HS256" | "EdDSA" | "ES256";
export type AsymmetricAlgorithm = Exclude<SigningAlgorithm, "HS256">;

const ALGORITHMS: readonly SigningAlgorithm[] = ["HS256", "EdDSA", "ES256"];

/** The configured private key, not yet imported (importing is asynchronous: `service-keys.ts`). */
export type PrivateKeyInput = { format: "pkcs8"; pem: string } | { format: "jwk"; jwk: JWK };

export interface SigningKeyConfig {
  algorithm: SigningAlgorithm;
  /** `null` in HS256 mode, and in development when a key is generated at start. */
  privateKey: PrivateKeyInput | null;
  /** Public keys still accepted and published (rotation); empty in HS256 mode. */
  previousPublicKeys: JWK[];
}

// Members that only a private (or symmetric) JWK has: none of them may ever be published.
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/**
 * The algorithm a JWK is for, from its key type and curve: Ed25519 signs EdDSA, P-256 signs
 * ES256; `null` for any other key.
 *
 * @example
 * jwkAlgorithm({ kty: "OKP", crv: "Ed25519", x: "…" }); // "EdDSA"
 */
export function jwkAlgorithm(jwk: JWK): AsymmetricAlgorithm | null {
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519") return "EdDSA";
  if (jwk.kty === "EC" && jwk.crv === "P-256") return "ES256";
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// Messages name the variable and what is wrong with it, never any part of the key.
function checkJwkAlgorithm(name: string, jwk: JWK, algorithm: AsymmetricAlgorithm): void {
  const keyAlgorithm = jwkAlgorithm(jwk);
  if (keyAlgorithm === null) throw new ConfigError(`${name}: must be an Ed25519 (OKP) or P-256 (EC) key`);
  if (keyAlgorithm !== algorithm) throw new ConfigError(`${name}: a key for ${keyAlgorithm}, but JWT_ALGORITHM is ${algorithm}`);
  if (jwk.alg !== undefined && jwk.alg !== algorithm) throw new ConfigError(`${name}: its "alg" is not ${algorithm}`);
}

function parsePrivateKey(raw: string, algorithm: AsymmetricAlgorithm): PrivateKeyInput {
  // A PEM squeezed onto one line of a .env file keeps its line breaks as the two characters \n.
  const text = raw.startsWith("-----") ? raw.replaceAll("\\n", "\n") : raw;
  if (text.startsWith("-----BEGIN PRIVATE KEY-----")) return { format: "pkcs8", pem: text };
  if (text.startsWith("-----BEGIN ")) {
    throw new ConfigError("JWT_PRIVATE_KEY: must be PKCS#8 (-----BEGIN PRIVATE KEY-----); convert with `openssl pkcs8 -topk8 -nocrypt`");
  }
  if (text.startsWith("{")) {
    let jwk: unknown;
    try {
      jwk = JSON.parse(text);
    } catch {
      throw new ConfigError("JWT_PRIVATE_KEY: not valid JSON (expected a private JWK or a PKCS#8 PEM)");
    }
    if (!isObject(jwk)) throw new ConfigError("JWT_PRIVATE_KEY: must be a private JWK object");
    if (typeof jwk.d !== "string") throw new ConfigError("JWT_PRIVATE_KEY: a public JWK; the private key (with \"d\") is needed");
    checkJwkAlgorithm("JWT_PRIVATE_KEY", jwk as JWK, algorithm);
    return { format: "jwk", jwk: jwk as JWK };
  }
  // Most likely an HS256 secret put in the wrong variable: say so rather than guess.
  throw new ConfigError("JWT_PRIVATE_KEY: not a PKCS#8 PEM or a private JWK (an HS256 secret belongs in JWT_SECRET)");
}

function parsePreviousPublicKeys(raw: string): JWK[] {
  const name = "JWT_PREVIOUS_PUBLIC_KEYS";
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw new ConfigError(`${name}: must be a JSON array of public JWKs`);
  }
  if (!Array.isArray(list)) throw new ConfigError(`${name}: must be a JSON array of public JWKs`);
  return list.map((jwk: unknown, i) => {
    const label = `${name}[${i}]`;
    if (!isObject(jwk) || typeof jwk.kty !== "string") throw new ConfigError(`${label}: must be a JWK object`);
    // These keys are published at /.well-known/jwks.json: a private one would leak.
    if (PRIVATE_MEMBERS.some((m) => m in jwk)) throw new ConfigError(`${label}: a private key; list public keys only`);
    const keyAlgorithm = jwkAlgorithm(jwk as JWK);
    if (keyAlgorithm === null) throw new ConfigError(`${label}: must be an Ed25519 (OKP) or P-256 (EC) public key`);
    // A previous key may be of the other algorithm (a switch from EdDSA to ES256, say), not of another than its own.
    if (jwk.alg !== undefined && jwk.alg !== keyAlgorithm) throw new ConfigError(`${label}: its "alg" is not ${keyAlgorithm}`);
    return jwk as JWK;
  });
}

/**
 * Reads `JWT_ALGORITHM`, `JWT_PRIVATE_KEY` and `JWT_PREVIOUS_PUBLIC_KEYS`. Throws `ConfigError`
 * for a key that cannot be right whatever the environment; a missing key is generated in
 * development (with a warning) and refused in production.
 *
 * @example
 * parseSigningKeyConfig({ JWT_ALGORITHM: "EdDSA", JWT_PRIVATE_KEY: pem }, { production: true });
 */
export function parseSigningKeyConfig(
  env: Record<string, string | undefined>,
  options: { production: boolean; warn?: (message: string) => void },
): SigningKeyConfig {
  const given = (env.JWT_ALGORITHM ?? "").trim();
  const algorithm = given === "" ? "HS256" : ALGORITHMS.find((a) => a.toLowerCase() === given.toLowerCase());
  if (algorithm === undefined) throw new ConfigError("JWT_ALGORITHM: must be HS256, EdDSA or ES256");
  const privateKey = (env.JWT_PRIVATE_KEY ?? "").trim();
  const previous = (env.JWT_PREVIOUS_PUBLIC_KEYS ?? "").trim();

  if (algorithm === "HS256") {
    // Set but unused would look like asymmetric signing while tokens are still HS256.
    if (privateKey !== "") throw new ConfigError("JWT_PRIVATE_KEY: only used with JWT_ALGORITHM EdDSA or ES256 (HS256 signs with JWT_SECRET)");
    if (previous !== "") throw new ConfigError("JWT_PREVIOUS_PUBLIC_KEYS: only used with JWT_ALGORITHM EdDSA or ES256");
    return { algorithm, privateKey: null, previousPublicKeys: [] };
  }

  const previousPublicKeys = previous === "" ? [] : parsePreviousPublicKeys(previous);
  if (privateKey !== "") return { algorithm, privateKey: parsePrivateKey(privateKey, algorithm), previousPublicKeys };
  if (options.production) {
    throw new ConfigError(`JWT_PRIVATE_KEY: required in production with JWT_ALGORITHM ${algorithm}; make one with \`tessera generate-key --alg ${algorithm}\``);
  }
  options.warn?.(
    `WARNING: JWT_PRIVATE_KEY is not set; using a random ${algorithm} key for this process only. Its tokens fail after a restart and on any other instance. Make one with \`tessera generate-key --alg ${algorithm}\` before deploying.`,
  );
  return { algorithm, privateKey: null, previousPublicKeys };
}
