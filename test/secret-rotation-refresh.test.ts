import { describe, expect, it } from "vitest";
import { createTestApp, createTestDatabase, manualClock, TEST_SECRET } from "./support/harness.js";

const NEW_SECRET = "the-next-signing-secret-0123456789abcdefgh";

// Successors are derived from the secret; a rotation of JWT_SECRET inside the grace window must
// still recognise the successor the old secret derived, or two tabs refreshing across a deploy
// would look like token theft and sign the user out.
describe("a secret rotation inside the grace window is not mistaken for reuse", () => {
  async function rotatedAcrossADeploy(previousSecrets: string) {
    const database = await createTestDatabase();
    const clock = manualClock();
    const before = await createTestApp({ database, clock });
    const { refresh_token } = await before.register();
    const first = await before.refresh(refresh_token);
    expect(first.status).toBe(200);
    clock.advance(2_000);
    const after = await createTestApp({
      database,
      clock,
      env: { JWT_SECRET: NEW_SECRET, JWT_PREVIOUS_SECRETS: previousSecrets },
    });
    return { after, spent: refresh_token, successor: first.json.refresh_token as string };
  }

  it("with the old secret listed as previous, the late duplicate gets the same successor", async () => {
    const { after, spent, successor } = await rotatedAcrossADeploy(TEST_SECRET);
    const late = await after.refresh(spent);
    expect(late.status).toBe(200);
    expect(late.json.refresh_token).toBe(successor);
    expect(after.audit.some((e) => e.type === "refresh_reuse_detected")).toBe(false);
    // The session lives on: the successor still rotates.
    expect((await after.refresh(successor)).status).toBe(200);
  });

  it("without it, the duplicate is treated as reuse and the session ends", async () => {
    const { after, spent, successor } = await rotatedAcrossADeploy("");
    expect((await after.refresh(spent)).status).toBe(400);
    expect(after.audit.some((e) => e.type === "refresh_reuse_detected")).toBe(true);
    expect((await after.refresh(successor)).status).toBe(400);
  });
});
