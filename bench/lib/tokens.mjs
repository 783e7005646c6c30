// Mints Tessera-shaped access tokens with node:crypto: fast enough to pre-generate
// one per request of a whole run, so the load generator spends nothing on signing.
import { createHash, createHmac, createPrivateKey, randomUUID, sign } from "node:crypto";
import { AUDIENCE, EDDSA_PRIVATE_JWK, ISSUER, SECRET } from "./config.mjs";

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** The kid Tessera publishes: base64url of the first 12 bytes of SHA-256(key). */
export function keyId(secret = SECRET) {
  return createHash("sha256").update(secret).digest().subarray(0, 12).toString("base64url");
}

/** The JWS signature of `input`: HS256 with `secret`, or EdDSA with the bench's Ed25519 key. */
function signer(alg, secret) {
  if (alg === "HS256") return (input) => createHmac("sha256", secret).update(input).digest("base64url");
  if (alg !== "EdDSA") throw new Error(`no bench key for ${alg}`);
  const key = createPrivateKey({ key: EDDSA_PRIVATE_JWK, format: "jwk" });
  return (input) => sign(null, Buffer.from(input), key).toString("base64url");
}

export function mintTokens(count, { secret = SECRET, ttlSeconds = 3600, alg = "HS256" } = {}) {
  const kid = alg === "HS256" ? keyId(secret) : EDDSA_PRIVATE_JWK.kid;
  const header = b64({ alg, typ: "at+jwt", kid });
  const signature = signer(alg, secret);
  const iat = Math.floor(Date.now() / 1000);
  const tokens = new Array(count);
  for (let i = 0; i < count; i++) {
    const payload = b64({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: `user-${i % 1000}`,
      client_id: "tessera",
      iat,
      exp: iat + ttlSeconds,
      jti: randomUUID(),
      sid: `session-${i % 1000}`,
      role: "user",
      scope: "read write",
    });
    const input = `${header}.${payload}`;
    tokens[i] = `${input}.${signature(input)}`;
  }
  return tokens;
}
