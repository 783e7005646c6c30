import { describe, expect, it } from "vitest";
import {
  AccessTokenError,
  createAccessTokenVerifier,
  verifyAccessToken,
  type AccessTokenVerifier,
  type VerifyOptions,
} from "../src/verify/index.js";
import { manualClock } from "./support/harness.js";
import { craftToken, tamperPayload, tamperSignature } from "./support/tokens.js";

const SECRET = "sibling-shared-secret-0123456789abcdef";
const OTHER = "another-secret-entirely-0123456789abcdef";
const base: VerifyOptions = { secret: SECRET, issuer: "tessera", audience: "tessera" };

async function rejection(verifier: AccessTokenVerifier, token: string): Promise<string> {
  try {
    await verifier.verify(token);
  } catch (e) {
    if (e instanceof AccessTokenError) return e.code;
    throw e;
  }
  return "accepted";
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

// A hit returns the very claims object stored on first sight; a miss builds a new one.
// That identity is how these tests tell the cache path from the jose path.

describe("a repeated token is served from the cache", () => {
  it("returns the same frozen claims without verifying the signature again", async () => {
    const verifier = createAccessTokenVerifier(base);
    const token = await craftToken({ secret: SECRET });
    const first = await verifier.verify(token);
    const second = await verifier.verify(token);
    expect(second).toBe(first);
    expect(Object.isFrozen(second)).toBe(true);
    expect(second.sub).toBe("user-1");
  });
});

describe("a cache hit re-checks the token's times against the clock", () => {
  it("refuses a cached token once the clock passes exp plus the leeway, and keeps refusing it", async () => {
    const clock = manualClock(Date.now());
    const verifier = createAccessTokenVerifier({ ...base, clockToleranceSeconds: 5, now: clock.now });
    const exp = nowSeconds() + 60;
    const token = await craftToken({ secret: SECRET, claims: { exp } });
    const claims = await verifier.verify(token);
    clock.set((exp + 4) * 1000);
    expect(await verifier.verify(token)).toBe(claims); // still inside the 5 s leeway
    clock.set((exp + 5) * 1000);
    expect(await rejection(verifier, token)).toBe("ERR_TOKEN_EXPIRED");
    clock.set(Date.now());
    // Dropped on expiry: even a clock set back cannot bring the old entry back.
    const again = await verifier.verify(token);
    expect(again).not.toBe(claims);
    expect(again.exp).toBe(exp);
  });

  it("refuses a cached token when the clock moves back before nbf or iat", async () => {
    const clock = manualClock(Date.now());
    const verifier = createAccessTokenVerifier({ ...base, clockToleranceSeconds: 0, now: clock.now });
    const now = nowSeconds();
    const notBefore = await craftToken({ secret: SECRET, claims: { nbf: now - 10, iat: now - 20 } });
    const issued = await craftToken({ secret: SECRET, claims: { iat: now } });
    await verifier.verify(notBefore);
    await verifier.verify(issued);
    clock.set((now - 11) * 1000);
    expect(await rejection(verifier, notBefore)).toBe("ERR_TOKEN_NOT_YET_VALID");
    clock.set((now - 1) * 1000);
    expect(await rejection(verifier, issued)).toBe("ERR_TOKEN_CLAIM_INVALID");
  });
});

describe("a tampered token is never served from the cache", () => {
  it("refuses a changed payload or signature of a cached token", async () => {
    const verifier = createAccessTokenVerifier(base);
    const token = await craftToken({ secret: SECRET });
    await verifier.verify(token);
    expect(await rejection(verifier, tamperPayload(token, { role: "admin" }))).toBe("ERR_TOKEN_SIGNATURE_INVALID");
    expect(await rejection(verifier, tamperSignature(token))).toBe("ERR_TOKEN_SIGNATURE_INVALID");
    expect(await rejection(verifier, `${token}.`)).toBe("ERR_TOKEN_MALFORMED");
    expect(await rejection(verifier, token)).toBe("accepted");
  });

  it("does not remember rejected tokens", async () => {
    const verifier = createAccessTokenVerifier(base);
    const forged = tamperPayload(await craftToken({ secret: SECRET }), { sub: "admin" });
    expect(await rejection(verifier, forged)).toBe("ERR_TOKEN_SIGNATURE_INVALID");
    expect(await rejection(verifier, forged)).toBe("ERR_TOKEN_SIGNATURE_INVALID");
  });
});

describe("the cache holds at most cacheSize tokens, dropping the oldest first", () => {
  it("evicts the first token when a third arrives in a cache of two", async () => {
    const verifier = createAccessTokenVerifier({ ...base, cacheSize: 2 });
    const [a, b, c] = await Promise.all(["a", "b", "c"].map((jti) => craftToken({ secret: SECRET, claims: { jti } })));
    const claimsA = await verifier.verify(a!);
    const claimsB = await verifier.verify(b!);
    const claimsC = await verifier.verify(c!);
    expect(await verifier.verify(b!)).toBe(claimsB);
    expect(await verifier.verify(c!)).toBe(claimsC);
    const againA = await verifier.verify(a!); // evicted: verified afresh, and now evicts b
    expect(againA).not.toBe(claimsA);
    expect(againA.jti).toBe("a");
    expect(await verifier.verify(c!)).toBe(claimsC);
    expect(await verifier.verify(b!)).not.toBe(claimsB);
  });

  it("drops an evicted slot's token only if that slot still holds it", async () => {
    const clock = manualClock(Date.now());
    const verifier = createAccessTokenVerifier({ ...base, cacheSize: 2, clockToleranceSeconds: 0, now: clock.now });
    const exp = nowSeconds() + 60;
    const [a, b] = await Promise.all(["a", "b"].map((jti) => craftToken({ secret: SECRET, claims: { jti, exp } })));
    await verifier.verify(a!); // first slot
    clock.set(exp * 1000);
    expect(await rejection(verifier, a!)).toBe("ERR_TOKEN_EXPIRED"); // dropped from the map, its slot stays
    clock.set(Date.now());
    const cachedAgain = await verifier.verify(a!); // second slot
    await verifier.verify(b!); // reuses the first slot, whose entry is no longer a's
    expect(await verifier.verify(a!)).toBe(cachedAgain);
  });

  it("counts a token verified twice at once as one entry", async () => {
    const verifier = createAccessTokenVerifier({ ...base, cacheSize: 2 });
    const [a, b] = await Promise.all(["a", "b"].map((jti) => craftToken({ secret: SECRET, claims: { jti } })));
    const claimsA = await verifier.verify(a!);
    await Promise.all([verifier.verify(b!), verifier.verify(b!)]);
    expect(await verifier.verify(a!)).toBe(claimsA);
  });

  it("refuses a cacheSize that is negative, fractional or not finite", () => {
    for (const cacheSize of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createAccessTokenVerifier({ ...base, cacheSize }), String(cacheSize)).toThrow(
        new TypeError("cacheSize must be a whole number, 0 or more"),
      );
    }
  });
});

describe("cacheSize 0 turns the cache off", () => {
  it("verifies a repeated token afresh every time", async () => {
    const verifier = createAccessTokenVerifier({ ...base, cacheSize: 0 });
    const token = await craftToken({ secret: SECRET });
    const first = await verifier.verify(token);
    const second = await verifier.verify(token);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });
});

describe("a new key ring starts with an empty cache", () => {
  it("does not accept a token cached under a key that the new secrets no longer hold", async () => {
    const token = await craftToken({ secret: SECRET });
    const before = { ...base };
    const claims = await verifyAccessToken(token, before);
    expect(await verifyAccessToken(token, before)).toBe(claims);
    const rotated = createAccessTokenVerifier({ ...base, secret: OTHER });
    expect(await rejection(rotated, token)).toBe("ERR_TOKEN_KEY_UNKNOWN");
    const withPrevious: VerifyOptions = { ...base, secret: [OTHER, SECRET] };
    const fresh = await verifyAccessToken(token, withPrevious);
    expect(fresh).not.toBe(claims);
    expect(fresh).toEqual(claims);
  });
});
