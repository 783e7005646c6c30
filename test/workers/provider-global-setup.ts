// Global setup of the workerd suite (runs in Node): a real OpenID provider on 127.0.0.1 that the
// Worker reaches with its own fetch, as it would reach Google.
import type { TestProject } from "vitest/node";
import { startOidcProvider } from "../support/providers.js";

declare module "vitest" {
  export interface ProvidedContext {
    oidcIssuer: string;
  }
}

export default async function setup(project: TestProject) {
  const provider = await startOidcProvider();
  provider.state.idClaims = { sub: "workers-1", email: "worker.user@example.com", email_verified: true, name: "Worker User" };
  project.provide("oidcIssuer", provider.issuer);
  return () => provider.stop();
}
