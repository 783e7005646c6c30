const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

// Random bytes are drawn in blocks: a getRandomValues call per id is dear, and ids sit on the refresh path.
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomBytes10(): number {
  if (poolOffset + 10 > POOL_SIZE) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const at = poolOffset;
  poolOffset += 10;
  return at;
}

/**
 * A UUIDv7 (RFC 9562): 48-bit millisecond timestamp then random bits, so ids
 * sort by creation time and page stably.
 *
 * @example
 * uuidv7(Date.now()) // "01936f2e-8c4b-7a1d-9f3e-5b2c4d6e8f10"
 */
export function uuidv7(nowMs: number): string {
  const ts = Math.max(0, Math.floor(nowMs));
  const high = Math.floor(ts / 0x1000000); // top 24 of the 48 bits
  const low = ts % 0x1000000;
  const r = randomBytes10();
  const h = (b: number) => HEX[b]!;
  return (
    h((high >>> 16) & 0xff) +
    h((high >>> 8) & 0xff) +
    h(high & 0xff) +
    h((low >>> 16) & 0xff) +
    "-" +
    h((low >>> 8) & 0xff) +
    h(low & 0xff) +
    "-" +
    h((pool[r]! & 0x0f) | 0x70) +
    h(pool[r + 1]!) +
    "-" +
    h((pool[r + 2]! & 0x3f) | 0x80) +
    h(pool[r + 3]!) +
    "-" +
    h(pool[r + 4]!) +
    h(pool[r + 5]!) +
    h(pool[r + 6]!) +
    h(pool[r + 7]!) +
    h(pool[r + 8]!) +
    h(pool[r + 9]!)
  );
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
