import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOidcProvider } from "../support/providers.js";
import { hasChromium, launchChromium } from "./support/chromium.js";
import { startTessera } from "./support/servers.js";

describe.skipIf(!hasChromium)("in real Chromium: the demo's provider button", () => {
  let provider: Awaited<ReturnType<typeof startOidcProvider>>;
  let tessera: Awaited<ReturnType<typeof startTessera>>;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    provider = await startOidcProvider();
    provider.state.idClaims = { sub: "browser-1", email: "button.user@example.com", email_verified: true, name: "Button User" };
    tessera = await startTessera("PUBLIC_URL", {
      GOOGLE_CLIENT_ID: "tessera-google",
      GOOGLE_CLIENT_SECRET: "google-secret",
      GOOGLE_ISSUER: provider.issuer,
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await tessera?.stop();
    await provider?.stop();
  });

  it("goes to the local provider and comes back signed in, with no token in any URL", async () => {
    const page = await browser.context.newPage();
    const urls: string[] = [];
    page.on("framenavigated", (frame) => urls.push(frame.url()));
    await page.goto(`${tessera.origin}/demo`);
    await page.waitForSelector('#status[data-state="signed-out"]');
    await page.click("#provider-buttons a:text('Continue with Google')");
    await page.waitForSelector('#status[data-state="signed-in"]');
    expect(await page.textContent("#status")).toBe("Signed in as button.user@example.com");
    expect(page.url()).toBe(`${tessera.origin}/demo`);
    expect(urls.some((u) => u.startsWith(provider.issuer))).toBe(false); // the provider only redirected
    expect(urls.join(" ")).not.toMatch(/rt_|access_token|eyJ/);
    const cookies = await browser.context.cookies(tessera.origin);
    expect(cookies.map((c) => c.name).sort()).toEqual(["__Host-tessera_rt"]);
  });
});
