import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JWK, type JWTHeaderParameters } from "jose";
import { accessTokenClaims } from "./tokens.js";

/** A signing key of a test issuer, with the public JWK a key set publishes for it. */
export interface IssuerKey {
  alg: string;
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public key as published: with its thumbprint `kid`, `alg` and `use`. */
  jwk: JWK;
}

export async function issuerKey(alg: "EdDSA" | "ES256" | "ES384" | "RS256" | "PS256"): Promise<IssuerKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { alg, kid, privateKey, publicKey, jwk: { ...jwk, kid, alg, use: "sig" } };
}

export interface SignOptions {
  header?: Partial<JWTHeaderParameters> & Record<string, unknown>;
  claims?: Record<string, unknown>;
  omit?: string[];
}

/** Signs an access token with `key` exactly as told: Tessera's claims and header unless changed. */
export async function signWith(key: IssuerKey, options: SignOptions = {}): Promise<string> {
  // A fresh jti each: tests count what reaches the key set, and a repeated token is a cache hit.
  const claims = accessTokenClaims({ jti: crypto.randomUUID(), ...options.claims }, options.omit);
  const header = { alg: key.alg, typ: "at+jwt", kid: key.kid, ...options.header } as JWTHeaderParameters;
  for (const [k, v] of Object.entries(header)) if (v === undefined) delete (header as Record<string, unknown>)[k];
  return new SignJWT(claims).setProtectedHeader(header).sign(key.privateKey);
}

/** What the key-set server answers next: a key set, any status and body, or nothing at all. */
export type JwksAnswer = { keys: JWK[] } | { status: number; body: string } | "hang";

const JWKS_PATH = "/.well-known/jwks.json";

/** A real HTTP server on 127.0.0.1 publishing a key set at `url`, as an issuer's JWKS endpoint does (404 elsewhere). */
export interface JwksServer {
  url: string;
  /** How many requests it has answered (or left hanging). */
  requests: number;
  answer(next: JwksAnswer): void;
  close(): Promise<void>;
}

export async function startJwksServer(initial: JwksAnswer): Promise<JwksServer> {
  let answer = initial;
  const server: Server = createServer((req, res) => {
    jwks.requests++;
    if (req.url !== JWKS_PATH) {
      res.writeHead(404).end();
      return;
    }
    if (answer === "hang") return;
    if ("keys" in answer) {
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "public, max-age=300" });
      res.end(JSON.stringify(answer));
      return;
    }
    res.writeHead(answer.status, { "Content-Type": "application/json" });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const jwks: JwksServer = {
    url: `http://127.0.0.1:${port}${JWKS_PATH}`,
    requests: 0,
    answer(next) {
      answer = next;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return jwks;
}

/** The URL of a port nothing listens on: a key-set endpoint that is down. */
export async function downJwksUrl(): Promise<string> {
  const server = await startJwksServer({ keys: [] });
  await server.close();
  return server.url;
}
