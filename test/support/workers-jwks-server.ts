// Global setup of the workerd suite, run in Node: a JWKS endpoint on 127.0.0.1 for a sibling
// inside workerd to fetch with `jwksUrl`, and the private key that signs its tokens.
import { exportJWK } from "jose";
import type { TestProject } from "vitest/node";
import { issuerKey, startJwksServer } from "./public-keys.js";

declare module "vitest" {
  interface ProvidedContext {
    jwksUrl: string;
    jwksSigningKey: string;
  }
}

export default async function startWorkersJwksServer(project: TestProject): Promise<() => Promise<void>> {
  const key = await issuerKey("EdDSA");
  const server = await startJwksServer({ keys: [key.jwk] });
  project.provide("jwksUrl", server.url);
  project.provide("jwksSigningKey", JSON.stringify({ ...(await exportJWK(key.privateKey)), kid: key.kid, alg: key.alg }));
  return () => server.close();
}
