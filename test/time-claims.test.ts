import { describe, expect, it } from "vitest";
import { AccessTokenError, verifyAccessToken, type VerifyOptions } from "../src/verify/index.js";
import { createTestApp, TEST_SECRET } from "./support/harness.js";
import { kidOf, rawSignedToken } from "./support/tokens.js";

const SECRET = "time-claims-secret-0123456789abcdefghij";
const options: VerifyOptions = { secret: SECRET, issuer: "tessera", audience: "tessera", cacheSize: 0 };

/** A payload written by hand, so a claim can hold what JSON.stringify never writes (`1e309`). */
function payload(times: { exp: string; iat: string; nbf?: string }): string {
  const nbf = times.nbf === undefined ? "" : `,"nbf":${times.nbf}`;
  return `{"iss":"tessera","aud":"tessera","sub":"user-1","jti":"j-1","exp":${times.exp},"iat":${times.iat}${nbf}}`;
}

async function codeOf(token: string, opts: VerifyOptions = options): Promise<string> {
  try {
    await verifyAccessToken(token, opts);
    return "accepted";
  } catch (e) {
    if (e instanceof AccessTokenError) return e.code;
    throw e;
  }
}

const now = () => Math.floor(Date.now() / 1000);

describe("time claims must be finite whole numbers (NumericDate)", () => {
  const header = async (secret: string) => ({ alg: "HS256", typ: "at+jwt", kid: await kidOf(secret) });

  it("a well-formed token with the same shape is accepted (the control)", async () => {
    const token = await rawSignedToken(await header(SECRET), payload({ exp: String(now() + 60), iat: String(now()), nbf: String(now()) }), SECRET);
    expect(await codeOf(token)).toBe("accepted");
  });

  for (const [name, times] of [
    ["exp 1e309 (Infinity: a token that never expires)", () => ({ exp: "1e309", iat: String(now()) })],
    ["exp with a fraction", () => ({ exp: `${now() + 60}.5`, iat: String(now()) })],
    ["iat -1e309", () => ({ exp: String(now() + 60), iat: "-1e309" })],
    ["nbf -1e309", () => ({ exp: String(now() + 60), iat: String(now()), nbf: "-1e309" })],
  ] as const) {
    it(`refuses ${name} with ERR_TOKEN_CLAIM_INVALID`, async () => {
      const token = await rawSignedToken(await header(SECRET), payload(times()), SECRET);
      expect(await codeOf(token)).toBe("ERR_TOKEN_CLAIM_INVALID");
    });
  }

  it("the service refuses a never-expiring token signed with its own key", async () => {
    const t = await createTestApp();
    const { user, access_token } = await t.register();
    // A live session, so the refusal can only come from the time claim.
    const { sid } = JSON.parse(Buffer.from(access_token.split(".")[1]!, "base64url").toString("utf8"));
    const claims = `{"iss":"tessera","aud":"tessera","sub":"${user.id}","jti":"j","sid":"${sid}","client_id":"tessera","role":"user","scope":"read","exp":1e309,"iat":${now()}}`;
    const token = await rawSignedToken(await header(TEST_SECRET), claims, TEST_SECRET);
    const res = await t.call("GET", "/users/me", { token });
    expect(res.status).toBe(401);
    expect(res.json.error).toBe("invalid_token");
  });
});
