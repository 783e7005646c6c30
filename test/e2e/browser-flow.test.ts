import { existsSync } from "node:fs";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PASSWORD } from "../support/harness.js";
import { hasChromium, launchChromium } from "./support/chromium.js";
import { startForeignSite, startTessera } from "./support/servers.js";

const SCREENSHOT = new URL("../../docs/demo-signed-in.png", import.meta.url);
const COOKIE = "__Host-tessera_rt";

describe.skipIf(!hasChromium)("in real Chromium", () => {
  let tessera: Awaited<ReturnType<typeof startTessera>>;
  let foreign: Awaited<ReturnType<typeof startForeignSite>>;
  let context: BrowserContext;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let users = 0;

  beforeAll(async () => {
    tessera = await startTessera();
    foreign = await startForeignSite();
    browser = await launchChromium();
    context = browser.context;
  });

  afterAll(async () => {
    await browser?.close();
    await tessera?.stop();
    await foreign?.stop();
  });

  beforeEach(async () => {
    for (const page of context.pages()) await page.close();
    await context.clearCookies();
  });

  /** Each run starts from an empty in-memory database, so simple addresses are unique. */
  function newEmail(): string {
    return `user${++users}@example.com`;
  }

  async function openDemo(): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${tessera.origin}/demo`);
    await page.waitForSelector('#status:not([data-state="loading"])');
    return page;
  }

  async function expectSignedIn(page: Page, email: string): Promise<void> {
    await page.waitForSelector('#status[data-state="signed-in"]');
    expect(await page.textContent("#status")).toBe(`Signed in as ${email}`);
    expect(await page.textContent("#me")).toContain(email);
  }

  async function signUp(page: Page, email: string): Promise<void> {
    await page.fill("#signup-form [name=name]", "Demo User");
    await page.fill("#signup-form [name=email]", email);
    await page.fill("#signup-form [name=password]", PASSWORD);
    await page.click("#signup-form button");
    await expectSignedIn(page, email);
  }

  async function signIn(page: Page, email: string): Promise<void> {
    await page.fill("#signin-form [name=email]", email);
    await page.fill("#signin-form [name=password]", PASSWORD);
    await page.click("#signin-form button");
    await expectSignedIn(page, email);
  }

  async function refreshCookie() {
    return (await context.cookies(tessera.origin)).find((c) => c.name === COOKIE);
  }

  /** A refresh straight from the page's script, bypassing the demo's cross-tab coordination. */
  function rawRefresh(page: Page) {
    return page.evaluate(async () => {
      const res = await fetch("/auth/session/refresh", { method: "POST", headers: { "X-Requested-With": "tessera" } });
      return { status: res.status, body: await res.json() };
    });
  }

  function getMe(page: Page, token: string) {
    return page.evaluate(async (t) => (await fetch("/users/me", { headers: { Authorization: `Bearer ${t}` } })).status, token);
  }

  /** A fresh account, signed in in one tab. */
  async function signedInTab(): Promise<{ page: Page; email: string }> {
    const page = await openDemo();
    const email = newEmail();
    await signUp(page, email);
    return { page, email };
  }

  describe("the demo SPA signs up, signs in and signs out in real Chromium", () => {
    it("signs up, shows /users/me and its one session, signs out and signs back in", async () => {
      const page = await context.newPage();
      const doc = await page.goto(`${tessera.origin}/demo`);
      expect(doc?.status()).toBe(200);
      // The demo page has its own CSP that allows its script; the API keeps default-src 'none'.
      expect(doc?.headers()["content-security-policy"]).toContain("script-src 'self'");
      await page.waitForSelector('#status[data-state="signed-out"]');
      expect(await page.textContent("#status")).toBe("Not signed in.");

      const email = "ada@example.com";
      const seenBefore = tessera.seen.length;
      await signUp(page, email);
      // Sign-up went through the cookie flow: one request, no bearer refresh token to get rid of.
      const posts = tessera.seen.slice(seenBefore).filter((r) => r.method === "POST");
      expect(posts.map((r) => `${r.path} ${r.status}`)).toEqual(["/auth/session/register 201"]);
      expect(posts[0]!.origin).toBe(tessera.origin);
      await page.waitForSelector("#sessions tr");
      expect(await page.locator("#sessions tr").count()).toBe(1);
      expect(await page.textContent("#sessions td.current")).toBe("this tab");

      await page.click("#signout-button");
      await page.waitForSelector('#status[data-state="signed-out"]');
      expect(await refreshCookie()).toBeUndefined();

      await signIn(page, email);
      const signIns = tessera.seen.filter((r) => r.method === "POST" && r.path === "/auth/session");
      expect(signIns.at(-1)).toMatchObject({ origin: tessera.origin, status: 200 });

      await page.waitForSelector("#sessions tr");
      if (!existsSync(SCREENSHOT) || process.env.UPDATE_SCREENSHOTS === "1") {
        await page.screenshot({ path: SCREENSHOT.pathname, fullPage: true });
      }
    });
  });

  describe("a demo served at PUBLIC_URL needs no ALLOWED_ORIGINS", () => {
    it("signs up, and a reload stays signed in, with only PUBLIC_URL naming its origin", async () => {
      const own = await startTessera("PUBLIC_URL");
      try {
        const page = await context.newPage();
        await page.goto(`${own.origin}/demo`);
        await page.waitForSelector('#status[data-state="signed-out"]');
        const email = newEmail();
        await signUp(page, email);
        await page.reload();
        await expectSignedIn(page, email);
        expect(own.seen.filter((r) => r.method === "POST").map((r) => `${r.path} ${r.status}`)).toEqual([
          "/auth/session/refresh 401", // the first page load: no session yet
          "/auth/session/register 201",
          "/auth/session/refresh 200",
        ]);
      } finally {
        await own.stop();
      }
    });
  });

  describe("the refresh cookie is HttpOnly and invisible to the page", () => {
    it("is stored as a Secure, HttpOnly, SameSite=Strict, host-only __Host- cookie on http://localhost", async () => {
      const page = await openDemo();
      const email = newEmail();
      await signUp(page, email);
      await page.click("#signout-button");
      await page.waitForSelector('#status[data-state="signed-out"]');

      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith("/auth/session") && r.request().method() === "POST"),
        signIn(page, email),
      ]);
      const cookie = await refreshCookie();
      // Chromium treats http://localhost as a secure context, so it keeps a Secure, __Host- cookie.
      expect(cookie).toMatchObject({ name: COOKIE, domain: "localhost", path: "/", httpOnly: true, secure: true, sameSite: "Strict" });
      expect(cookie!.value).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
      expect(Math.abs(cookie!.expires - (Date.now() / 1000 + 1_209_600))).toBeLessThan(120);
      expect(await response.text()).not.toContain(cookie!.value);
      expect(await page.evaluate(() => document.cookie)).toBe("");
    });
  });

  describe("a reload stays signed in through the cookie", () => {
    it("rotates the cookie on load and shows the same user", async () => {
      const { page, email } = await signedInTab();
      const before = await refreshCookie();
      const seenBefore = tessera.seen.length;
      await page.reload();
      await expectSignedIn(page, email);
      const refreshes = tessera.seen.slice(seenBefore).filter((r) => r.path === "/auth/session/refresh");
      expect(refreshes.map((r) => r.status)).toEqual([200]);
      expect((await refreshCookie())!.value).not.toBe(before!.value);
    });
  });

  describe("two tabs refreshing at the same moment both stay signed in", () => {
    it("both succeed when they present the same cookie at once, and the demo's coordinated refresh works after", async () => {
      const { page: a, email } = await signedInTab();
      const b = await openDemo();
      await expectSignedIn(b, email);

      const seenBefore = tessera.seen.length;
      tessera.holdRefreshesUntil(2);
      const [ra, rb] = await Promise.all([rawRefresh(a), rawRefresh(b)]);
      expect([ra.status, rb.status]).toEqual([200, 200]);
      const raced = tessera.seen.slice(seenBefore).filter((r) => r.path === "/auth/session/refresh");
      expect(raced).toHaveLength(2);
      expect(raced[0]!.cookie).toBe(raced[1]!.cookie); // a true race: the same token, presented twice
      expect(await getMe(a, ra.body.access_token)).toBe(200);
      expect(await getMe(b, rb.body.access_token)).toBe(200);

      // The demo's own refresh, clicked in both tabs at once, takes turns through Web Locks.
      await Promise.all([a.click("#refresh-button"), b.click("#refresh-button")]);
      await a.waitForFunction(() => document.querySelector("#log")!.textContent!.includes("refresh (button)"));
      await b.waitForFunction(() => document.querySelector("#log")!.textContent!.includes("refresh (button)"));
      await a.click("#profile-button");
      await b.click("#profile-button");
      await expectSignedIn(a, email);
      await expectSignedIn(b, email);
      expect(tessera.seen.slice(seenBefore).filter((r) => r.path === "/auth/session/refresh" && r.status !== 200)).toEqual([]);
      expect((await rawRefresh(a)).status).toBe(200);
    });
  });

  describe("signing out in one tab ends the other tab's refresh", () => {
    it("signs the other tab out and the old cookie no longer refreshes", async () => {
      const { page: a, email } = await signedInTab();
      const b = await openDemo();
      await expectSignedIn(b, email);
      const old = (await refreshCookie())!;

      await a.click("#signout-button");
      await a.waitForSelector('#status[data-state="signed-out"]');
      await b.waitForSelector('#status[data-state="signed-out"]');
      expect(await b.textContent("#status")).toBe("Signed out in another tab.");

      const afterSignOut = await rawRefresh(b);
      expect(afterSignOut.status).toBe(401);
      expect(afterSignOut.body.error).toBe("invalid_token");

      // Even a copy of the cookie kept from before is dead: the session itself was revoked.
      await context.addCookies([{ ...old }]);
      const withOld = await rawRefresh(b);
      expect(withOld).toEqual({ status: 401, body: { error: "invalid_token", error_description: "The session has ended; sign in again." } });
      expect(await refreshCookie()).toBeUndefined();
    });
  });

  describe("a page on a non-allowed origin cannot obtain a token with the user's cookie", () => {
    it("is stopped by the Origin check and CORS although the browser sends the cookie", async () => {
      const { page: spa } = await signedInTab();
      const cookieBefore = (await refreshCookie())!.value;
      const seenBefore = tessera.seen.length;

      const evil = await context.newPage();
      await evil.goto(`${foreign.origin}/`);
      const outcome = await evil.evaluate(async (api) => {
        const attempt = async (init: RequestInit, path = "/auth/session/refresh") => {
          try {
            const res = await fetch(api + path, { method: "POST", credentials: "include", ...init });
            return res.type === "opaque" ? "opaque" : `read ${res.status}: ${await res.text()}`;
          } catch (e) {
            return (e as Error).name;
          }
        };
        return {
          withHeader: await attempt({ headers: { "X-Requested-With": "tessera" } }), // needs a preflight
          simple: await attempt({}), // no preflight, but no header and a foreign Origin
          noCors: await attempt({ mode: "no-cors" }), // fire-and-forget; CORP same-origin blocks even the opaque answer
          login: await attempt({ headers: { "Content-Type": "text/plain" }, body: '{"email":"a@b.c","password":"x"}' }, "/auth/session"),
        };
      }, tessera.origin);

      expect(outcome).toEqual({ withHeader: "TypeError", simple: "TypeError", noCors: "TypeError", login: "TypeError" });
      const fromEvil = tessera.seen.slice(seenBefore).filter((r) => r.origin === foreign.origin);
      const reachedApp = fromEvil.filter((r) => r.method !== "OPTIONS");
      // The header-carrying request never left the preflight; the other three reached the app and were refused.
      expect(fromEvil.filter((r) => r.method === "OPTIONS").map((r) => r.path)).toEqual(["/auth/session/refresh"]);
      expect(reachedApp.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
        "POST /auth/session/refresh 403",
        "POST /auth/session/refresh 403",
        "POST /auth/session 403",
      ]);
      // Same site (localhost on another port), so SameSite=Strict does not stop the cookie; the checks do.
      expect(reachedApp.some((r) => r.cookie?.includes(cookieBefore))).toBe(true);

      expect((await refreshCookie())!.value).toBe(cookieBefore);
      expect((await rawRefresh(spa)).status).toBe(200);
    });
  });

  describe("the demo refreshes silently before the access token expires", () => {
    it("rotates on its timer a minute before expiry and stays signed in", async () => {
      const page = await context.newPage();
      await page.clock.install();
      await page.goto(`${tessera.origin}/demo`);
      await page.waitForSelector('#status[data-state="signed-out"]');
      const email = newEmail();
      await signUp(page, email);
      const seenBefore = tessera.seen.length;

      await page.clock.fastForward(839_000); // not yet: 900 s tokens are refreshed at 840 s
      expect(tessera.seen.slice(seenBefore).filter((r) => r.path === "/auth/session/refresh")).toEqual([]);
      await page.clock.fastForward(2_000);
      await page.waitForFunction(() => document.querySelector("#log")!.textContent!.includes("refresh (timer)"));
      expect(tessera.seen.slice(seenBefore).filter((r) => r.path === "/auth/session/refresh").map((r) => r.status)).toEqual([200]);
      await page.click("#profile-button");
      await expectSignedIn(page, email);
    });
  });
});
