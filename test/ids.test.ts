import { describe, expect, it } from "vitest";
import { UUID_PATTERN, uuidv7 } from "../src/ids.js";

describe("uuidv7", () => {
  it("carries the millisecond timestamp in its first 48 bits, version 7 and the RFC 9562 variant", () => {
    for (const ms of [0, 1, 0xffffff, 0x1000000, Date.UTC(2026, 10, 22, 12, 0, 0, 123), 2 ** 48 - 1]) {
      const id = uuidv7(ms);
      expect(id).toMatch(UUID_PATTERN);
      expect(Number.parseInt(id.replace(/-/g, "").slice(0, 12), 16)).toBe(ms);
      expect(id[14]).toBe("7");
      expect("89ab").toContain(id[19]);
    }
  });

  it("sorts by creation time", () => {
    const ids = [1_700_000_000_000, 1_700_000_000_001, 1_700_000_065_536, 1_800_000_000_000].map(uuidv7);
    expect([...ids].sort()).toEqual(ids);
  });

  it("never repeats, across many refills of its random pool", () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7(1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    // the 74 random bits are not stuck: every hex digit appears in the random part
    const randomPart = ids.map((id) => id.slice(24)).join("");
    expect(new Set(randomPart).size).toBe(16);
  });
});
