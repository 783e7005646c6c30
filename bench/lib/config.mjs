// Settings every bench process shares, so servers and load generators agree.
export const SECRET = "bench-secret-that-is-long-enough-0123456789abcdef";
export const ISSUER = "tessera";
export const AUDIENCE = "tessera";
export const HOST = "127.0.0.1";
export const PROTECTED_PATH = "/bench/protected";
export const CONNECTIONS = 10;

/**
 * The Ed25519 key of the EdDSA rows, fixed so servers and load generators agree (a bench key,
 * nothing else): private JWK, and `kid` its RFC 7638 thumbprint as Tessera publishes it.
 */
export const EDDSA_PRIVATE_JWK = {
  kty: "OKP",
  crv: "Ed25519",
  x: "SwfPg_cPLeS2GnAvitOHNaCnnRXODddJUEfJx3GxLEU",
  d: "0RBlYqgBbw2RWuJnH84aHC6SCzQ8qgobW76_niNC3Fs",
  kid: "V9O-S3jCdqkPpLHRSQhsUSzvt-E3aOXWvBsNU5V6NKk",
};
const { d: _private, ...publicJwk } = EDDSA_PRIVATE_JWK;
/** The key set a sibling verifies the EdDSA rows' tokens against. */
export const EDDSA_JWKS = { keys: [{ ...publicJwk, alg: "EdDSA", use: "sig" }] };
