import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { OAuth2Server } from "oauth2-mock-server";

/**
 * A real OpenID provider on 127.0.0.1 (discovery, JWKS, RS256-signed ID tokens). `idClaims` are
 * merged into every ID token it signs; `tokenResponse` may rewrite the token endpoint's answer.
 */
export async function startOidcProvider() {
  const server = new OAuth2Server();
  await server.issuer.keys.generate("RS256");
  await server.start(0, "127.0.0.1");
  const state = {
    idClaims: {} as Record<string, unknown>,
    tokenResponse: undefined as undefined | ((r: { body: unknown; statusCode: number }) => void),
    authorizeRedirect: undefined as undefined | ((url: URL) => void),
  };
  server.service.on("beforeTokenSigning", (token: { payload: Record<string, unknown> }) => {
    // Fires for the access token and the ID token alike; only the ID token carries the aud we check.
    Object.assign(token.payload, state.idClaims);
  });
  server.service.on("beforeResponse", (r: { body: unknown; statusCode: number }) => state.tokenResponse?.(r));
  server.service.on("beforeAuthorizeRedirect", (r: { url: URL }) => state.authorizeRedirect?.(r.url));
  return {
    issuer: server.issuer.url!,
    state,
    reset() {
      state.idClaims = {};
      state.tokenResponse = undefined;
      state.authorizeRedirect = undefined;
    },
    stop: () => server.stop(),
  };
}

export interface GithubUser {
  id: number;
  login: string;
  name: string | null;
  emails: Array<{ email: string; primary: boolean; verified: boolean }>;
}

/**
 * A stand-in for GitHub's OAuth endpoints and REST API (under `/api/v3`, as on GitHub Enterprise
 * Server): authorize, access_token (checks the client secret and the PKCE verifier), /user, /user/emails.
 */
export async function startGithubStandIn(clientId: string, clientSecret: string) {
  const codes = new Map<string, { challenge: string; user: GithubUser }>();
  const tokens = new Map<string, GithubUser>();
  const state = { user: { id: 4242, login: "octo", name: "Octo Cat", emails: [] } as GithubUser };
  const app = new Hono();
  app.get("/login/oauth/authorize", (c) => {
    const q = c.req.query();
    if (q.client_id !== clientId || q.code_challenge_method !== "S256" || !q.code_challenge) return c.text("bad request", 400);
    const code = crypto.randomUUID();
    codes.set(code, { challenge: q.code_challenge, user: state.user });
    const url = new URL(q.redirect_uri!);
    url.searchParams.set("code", code);
    url.searchParams.set("state", q.state!);
    return c.redirect(url.href, 302);
  });
  app.post("/login/oauth/access_token", async (c) => {
    const form = await c.req.parseBody();
    const grant = codes.get(String(form.code));
    codes.delete(String(form.code));
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(String(form.code_verifier))));
    const challenge = Buffer.from(digest).toString("base64url");
    if (!grant || form.client_id !== clientId || form.client_secret !== clientSecret || challenge !== grant.challenge) {
      return c.json({ error: "bad_verification_code", error_description: "The code passed is incorrect or expired." });
    }
    const token = `gho_${crypto.randomUUID().replaceAll("-", "")}`;
    tokens.set(token, grant.user);
    return c.json({ access_token: token, token_type: "bearer", scope: "read:user,user:email" });
  });
  const userOf = (auth: string | undefined) => tokens.get((auth ?? "").replace(/^Bearer /, ""));
  app.get("/api/v3/user", (c) => {
    const user = userOf(c.req.header("Authorization"));
    return user ? c.json({ id: user.id, login: user.login, name: user.name }) : c.json({ message: "Bad credentials" }, 401);
  });
  app.get("/api/v3/user/emails", (c) => {
    const user = userOf(c.req.header("Authorization"));
    return user ? c.json(user.emails) : c.json({ message: "Bad credentials" }, 401);
  });
  let server: ServerType;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) => resolve(info.port));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    apiUrl: `http://127.0.0.1:${port}/api/v3`,
    state,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
