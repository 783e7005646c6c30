// JWT_ALGORITHM, JWT_PRIVATE_KEY and JWT_PREVIOUS_PUBLIC_KEYS: what is accepted, what is refused
// (at parse time, or when the key is imported at start), and that no message repeats the key.
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, type Env } from "../src/config.js";
import { loadServiceKeys } from "../src/tokens/service-keys.js";
import { TEST_SECRET } from "./support/harness.js";

async function keyPair(alg: "EdDSA" | "ES256" | "RS256") {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { pem: await exportPKCS8(privateKey), jwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey), spki: await exportSPKI(publicKey) };
}

/** Parses and then imports, as the entries do before serving; the ConfigError message either step throws. */
async function refusal(env: Env): Promise<string> {
  try {
    const config = parseConfig({ JWT_SECRET: TEST_SECRET, ...env });
    await loadServiceKeys({ ...config.jwt, secrets: [config.jwt.secret] });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("accepted");
}

describe("JWT_ALGORITHM", () => {
  it("defaults to HS256 and takes EdDSA or ES256, in any case", () => {
    expect(parseConfig({}).jwt.algorithm).toBe("HS256");
    expect(parseConfig({ JWT_ALGORITHM: "eddsa" }).jwt.algorithm).toBe("EdDSA");
    expect(parseConfig({ JWT_ALGORITHM: "ES256" }).jwt.algorithm).toBe("ES256");
  });

  it("refuses anything else, RS256 and none included", async () => {
    for (const alg of ["RS256", "none", "HS512"]) expect(await refusal({ JWT_ALGORITHM: alg })).toBe("JWT_ALGORITHM: must be HS256, EdDSA or ES256");
  });

  it("still requires JWT_SECRET in production with an asymmetric key (it keys the refresh-token successors)", async () => {
    const { pem } = await keyPair("EdDSA");
    expect(() => parseConfig({ NODE_ENV: "production", JWT_ALGORITHM: "EdDSA", JWT_PRIVATE_KEY: pem })).toThrow(
      "JWT_SECRET: required in production",
    );
  });
});

describe("JWT_PRIVATE_KEY", () => {
  it("is generated per start in development, with a warning", async () => {
    const warnings: string[] = [];
    const config = parseConfig({ JWT_SECRET: TEST_SECRET, JWT_ALGORITHM: "EdDSA" }, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringContaining("WARNING: JWT_PRIVATE_KEY is not set; using a random EdDSA key for this process only")]);
    const [a, b] = await Promise.all([1, 2].map(() => loadServiceKeys({ ...config.jwt, secrets: [TEST_SECRET] })));
    expect(a!.ring.signing.kid).not.toBe(b!.ring.signing.kid);
  });

  it("is required in production", async () => {
    expect(await refusal({ NODE_ENV: "production", JWT_ALGORITHM: "ES256" })).toBe(
      "JWT_PRIVATE_KEY: required in production with JWT_ALGORITHM ES256; make one with `tessera generate-key --alg ES256`",
    );
  });

  it("takes PKCS#8 PEM (also with its line breaks written as \\n) and private JWKs, signing under the thumbprint kid", async () => {
    const { pem, jwk } = await keyPair("EdDSA");
    const fromPem = parseConfig({ JWT_ALGORITHM: "EdDSA", JWT_PRIVATE_KEY: pem, NODE_ENV: "production", JWT_SECRET: TEST_SECRET });
    const oneLine = parseConfig({ JWT_ALGORITHM: "EdDSA", JWT_PRIVATE_KEY: pem.replaceAll("\n", "\\n"), JWT_SECRET: TEST_SECRET });
    const fromJwk = parseConfig({ JWT_ALGORITHM: "EdDSA", JWT_PRIVATE_KEY: JSON.stringify(jwk), JWT_SECRET: TEST_SECRET });
    const kids = await Promise.all([fromPem, oneLine, fromJwk].map(async (c) => (await loadServiceKeys({ ...c.jwt, secrets: [TEST_SECRET] })).ring.signing.kid));
    expect(new Set(kids).size).toBe(1);
  });

  it("refuses an HS256 secret, a public key, another key format and a malformed key, without repeating it", async () => {
    const ed = await keyPair("EdDSA");
    const cases: Array<[string, string]> = [
      [TEST_SECRET, "JWT_PRIVATE_KEY: not a PKCS#8 PEM or a private JWK (an HS256 secret belongs in JWT_SECRET)"],
      [JSON.stringify(ed.publicJwk), 'JWT_PRIVATE_KEY: a public JWK; the private key (with "d") is needed'],
      [ed.spki, "JWT_PRIVATE_KEY: must be PKCS#8 (-----BEGIN PRIVATE KEY-----); convert with `openssl pkcs8 -topk8 -nocrypt`"],
      ["{not json", "JWT_PRIVATE_KEY: not valid JSON (expected a private JWK or a PKCS#8 PEM)"],
      ["-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----", "JWT_PRIVATE_KEY: not a valid EdDSA private key"],
    ];
    for (const [key, message] of cases) {
      const got = await refusal({ NODE_ENV: "production", JWT_ALGORITHM: "EdDSA", JWT_PRIVATE_KEY: key });
      expect(got).toBe(message);
      for (const part of key.match(/.{16}/gs) ?? []) expect(got).not.toContain(part);
    }
  });

  it("refuses a key that does not match the algorithm, as PEM and as JWK", async () => {
    const p256 = await keyPair("ES256");
    const rsa = await keyPair("RS256");
    const env = { NODE_ENV: "production", JWT_ALGORITHM: "EdDSA" };
    expect(await refusal({ ...env, JWT_PRIVATE_KEY: p256.pem })).toBe("JWT_PRIVATE_KEY: not a valid EdDSA private key");
    expect(await refusal({ ...env, JWT_PRIVATE_KEY: rsa.pem })).toBe("JWT_PRIVATE_KEY: not a valid EdDSA private key");
    expect(await refusal({ ...env, JWT_PRIVATE_KEY: JSON.stringify(p256.jwk) })).toBe("JWT_PRIVATE_KEY: a key for ES256, but JWT_ALGORITHM is EdDSA");
    expect(await refusal({ ...env, JWT_PRIVATE_KEY: JSON.stringify(rsa.jwk) })).toBe("JWT_PRIVATE_KEY: must be an Ed25519 (OKP) or P-256 (EC) key");
    const ed = await keyPair("EdDSA");
    expect(await refusal({ ...env, JWT_PRIVATE_KEY: JSON.stringify({ ...ed.jwk, alg: "ES256" }) })).toBe('JWT_PRIVATE_KEY: its "alg" is not EdDSA');
  });

  it("refuses a JWK whose private part belongs to another key", async () => {
    const [a, b] = await Promise.all([keyPair("ES256"), keyPair("ES256")]);
    const mixed: JWK = { ...a.jwk, d: b.jwk.d };
    expect(await refusal({ JWT_ALGORITHM: "ES256", JWT_PRIVATE_KEY: JSON.stringify(mixed) })).toMatch(
      /^JWT_PRIVATE_KEY: (its private and public parts do not belong together|not a valid ES256 private key)$/,
    );
  });

  it("is refused in HS256 mode, where it would look used and sign nothing", async () => {
    const { pem } = await keyPair("EdDSA");
    expect(await refusal({ JWT_PRIVATE_KEY: pem })).toBe(
      "JWT_PRIVATE_KEY: only used with JWT_ALGORITHM EdDSA or ES256 (HS256 signs with JWT_SECRET)",
    );
  });
});

describe("JWT_PREVIOUS_PUBLIC_KEYS", () => {
  it("takes public JWKs of either algorithm, with or without their thumbprint kid", async () => {
    const [current, ed, p256] = await Promise.all([keyPair("EdDSA"), keyPair("EdDSA"), keyPair("ES256")]);
    const config = parseConfig({
      JWT_SECRET: TEST_SECRET,
      JWT_ALGORITHM: "EdDSA",
      JWT_PRIVATE_KEY: current.pem,
      JWT_PREVIOUS_PUBLIC_KEYS: JSON.stringify([ed.publicJwk, p256.publicJwk]),
    });
    const { jwks, ring } = await loadServiceKeys({ ...config.jwt, secrets: [TEST_SECRET] });
    expect(jwks!.keys.map((k) => k.alg)).toEqual(["EdDSA", "EdDSA", "ES256"]);
    expect(ring.algorithms).toEqual(["EdDSA", "ES256"]);
  });

  it("refuses a private key (it would be published), a symmetric key, other curves, bad JSON and a kid that is not the thumbprint", async () => {
    const [current, ed, p384] = await Promise.all([keyPair("EdDSA"), keyPair("EdDSA"), generateKeyPair("ES384", { extractable: true })]);
    const env = { JWT_ALGORITHM: "EdDSA", JWT_PRIVATE_KEY: current.pem };
    const cases: Array<[string, string]> = [
      [JSON.stringify([ed.jwk]), "JWT_PREVIOUS_PUBLIC_KEYS[0]: a private key; list public keys only"],
      [JSON.stringify([ed.publicJwk, { kty: "oct", k: "c2VjcmV0" }]), "JWT_PREVIOUS_PUBLIC_KEYS[1]: a private key; list public keys only"],
      [JSON.stringify([await exportJWK(p384.publicKey)]), "JWT_PREVIOUS_PUBLIC_KEYS[0]: must be an Ed25519 (OKP) or P-256 (EC) public key"],
      [JSON.stringify(ed.publicJwk), "JWT_PREVIOUS_PUBLIC_KEYS: must be a JSON array of public JWKs"],
      ["[", "JWT_PREVIOUS_PUBLIC_KEYS: must be a JSON array of public JWKs"],
      [JSON.stringify([{ ...ed.publicJwk, kid: "my-key" }]), "JWT_PREVIOUS_PUBLIC_KEYS[0]: its kid is not the key's RFC 7638 thumbprint"],
      [JSON.stringify([{ ...ed.publicJwk, x: "AAAA" }]), "JWT_PREVIOUS_PUBLIC_KEYS[0]: not a valid EdDSA public key"],
      [JSON.stringify([{ ...ed.publicJwk, alg: "ES256" }]), 'JWT_PREVIOUS_PUBLIC_KEYS[0]: its "alg" is not EdDSA'],
    ];
    for (const [keys, message] of cases) expect(await refusal({ ...env, JWT_PREVIOUS_PUBLIC_KEYS: keys })).toBe(message);
  });

  it("is refused in HS256 mode", async () => {
    const ed = await keyPair("EdDSA");
    expect(await refusal({ JWT_PREVIOUS_PUBLIC_KEYS: JSON.stringify([ed.publicJwk]) })).toBe(
      "JWT_PREVIOUS_PUBLIC_KEYS: only used with JWT_ALGORITHM EdDSA or ES256",
    );
  });
});
