import { base64url, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, importPKCS8, type JWK } from "jose";
import { ConfigError } from "../config-error.js";
import { accessTokenHeader, createHmacKeyRing, createVerificationRing, type HmacSha256, type KeyRing, type SigningKey, type VerificationKey } from "../verify/key-ring.js";
import { jwkAlgorithm, type AsymmetricAlgorithm, type PrivateKeyInput, type SigningKeyConfig } from "./signing-key-config.js";

/** A published public key: its public members, its thumbprint `kid`, its algorithm and `use`. */
export type PublishedJwk = JWK & { kid: string; alg: AsymmetricAlgorithm; use: "sig" };

/** The service's keys, imported once at start. */
export interface ServiceKeys {
  /** Signs with the current key; verifies with every key. */
  ring: KeyRing;
  /** What `/.well-known/jwks.json` serves (current key first); `null` in HS256 mode, where nothing is public. */
  jwks: { keys: PublishedJwk[] } | null;
}

export interface ServiceKeySettings extends SigningKeyConfig {
  /** JWT_SECRET then JWT_PREVIOUS_SECRETS: the HS256 keys. */
  secrets: readonly string[];
}

const encoder = new TextEncoder();

/** Only the public members, whatever else the JWK carries (`d`, `kid`, `ext`, `key_ops`). */
function publicMembers(jwk: JWK): JWK {
  return jwk.kty === "EC" ? { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } : { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
}

// Web Crypto's parameters for each JWS algorithm; ECDSA signatures come out as r‖s, JWS's own form.
function signParams(alg: AsymmetricAlgorithm): { name: string; hash?: string } {
  return alg === "ES256" ? { name: "ECDSA", hash: "SHA-256" } : { name: "Ed25519" };
}

async function signText(alg: AsymmetricAlgorithm, key: CryptoKey, text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign(signParams(alg), key, encoder.encode(text)));
}

async function importPrivateKey(input: PrivateKeyInput | null, alg: AsymmetricAlgorithm): Promise<{ privateKey: CryptoKey; publicJwk: JWK }> {
  if (input === null) {
    const { privateKey, publicKey } = await generateKeyPair(alg);
    return { privateKey, publicJwk: publicMembers(await exportJWK(publicKey)) };
  }
  try {
    if (input.format === "pkcs8") {
      // Extractable only to read the public half off it; the key never leaves the process.
      const privateKey = await importPKCS8(input.pem, alg, { extractable: true });
      return { privateKey, publicJwk: publicMembers(await exportJWK(privateKey)) };
    }
    const privateKey = (await importJWK({ ...input.jwk, ext: false }, alg)) as CryptoKey;
    return { privateKey, publicJwk: publicMembers(input.jwk) };
  } catch {
    throw new ConfigError(`JWT_PRIVATE_KEY: not a valid ${alg} private key`);
  }
}

async function verificationKey(publicJwk: JWK, alg: AsymmetricAlgorithm, label: string): Promise<VerificationKey> {
  try {
    const key = (await importJWK(publicJwk, alg)) as CryptoKey;
    return { kid: await calculateJwkThumbprint(publicJwk), alg, key };
  } catch {
    throw new ConfigError(`${label}: not a valid ${alg} public key`);
  }
}

interface CurrentKey {
  signing: SigningKey;
  verification: VerificationKey;
  publicJwk: JWK;
}

async function currentKey(settings: ServiceKeySettings, alg: AsymmetricAlgorithm): Promise<CurrentKey> {
  const { privateKey, publicJwk } = await importPrivateKey(settings.privateKey, alg);
  const verification = await verificationKey(publicJwk, alg, "JWT_PRIVATE_KEY");
  // A JWK whose `d` belongs to another key imports fine and signs tokens nobody can verify.
  const probe = "tessera key check";
  const signature = await signText(alg, privateKey, probe);
  if (!(await crypto.subtle.verify(signParams(alg), verification.key, signature as Uint8Array<ArrayBuffer>, encoder.encode(probe)))) {
    throw new ConfigError("JWT_PRIVATE_KEY: its private and public parts do not belong together");
  }
  const signing: SigningKey = {
    kid: verification.kid,
    alg,
    encodedHeader: base64url.encode(accessTokenHeader(alg, verification.kid)),
    sign: async (input) => base64url.encode(await signText(alg, privateKey, input)),
  };
  return { signing, verification, publicJwk };
}

async function previousKey(jwk: JWK, index: number): Promise<VerificationKey> {
  const label = `JWT_PREVIOUS_PUBLIC_KEYS[${index}]`;
  const key = await verificationKey(publicMembers(jwk), jwkAlgorithm(jwk)!, label);
  // Tessera's tokens name their key by its thumbprint; a different kid means a key from elsewhere.
  if (jwk.kid !== undefined && jwk.kid !== key.kid) throw new ConfigError(`${label}: its kid is not the key's RFC 7638 thumbprint`);
  return key;
}

function published(key: VerificationKey, publicJwk: JWK): PublishedJwk {
  return { ...publicJwk, kid: key.kid, alg: key.alg as AsymmetricAlgorithm, use: "sig" };
}

/**
 * Imports the configured signing keys once: HS256 secrets, or an Ed25519/P-256 private key
 * (generated when none is configured, in development) with the previous public keys. Throws
 * `ConfigError` for a key that does not import, does not match its algorithm, or whose halves
 * do not match; the entries wait for it before serving.
 *
 * @example
 * const { ring, jwks } = await loadServiceKeys({ ...config.jwt, secrets: [config.jwt.secret] });
 */
export async function loadServiceKeys(settings: ServiceKeySettings, options: { hmacSha256?: HmacSha256 } = {}): Promise<ServiceKeys> {
  const { algorithm } = settings;
  if (algorithm === "HS256") return { ring: await createHmacKeyRing(settings.secrets, options), jwks: null };
  const current = await currentKey(settings, algorithm);
  const previous = await Promise.all(settings.previousPublicKeys.map(previousKey));
  const keys = [published(current.verification, current.publicJwk)];
  settings.previousPublicKeys.forEach((jwk, i) => {
    if (!keys.some((k) => k.kid === previous[i]!.kid)) keys.push(published(previous[i]!, publicMembers(jwk)));
  });
  return {
    ring: { ...createVerificationRing([current.verification, ...previous]), signing: current.signing },
    jwks: { keys },
  };
}
