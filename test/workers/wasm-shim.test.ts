// Why the shim exists and what it promises: workerd refuses runtime wasm compilation, so hash-wasm
// gets the precompiled modules that wrangler bundled from scripts/extract-wasm.mjs's output.
import { argon2id, argon2Verify, blake2b } from "hash-wasm";
import { describe, expect, it } from "vitest";
import argon2 from "../../src/worker/wasm/argon2.wasm";
import blake2bWasm from "../../src/worker/wasm/blake2b.wasm";
import { installHashWasmShim } from "../../src/worker/wasm-shim.js";

const EMPTY_WASM = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
// @cloudflare/workers-types leaves compile() out because workerd always rejects it.
const wasm = WebAssembly as unknown as {
  compile(bytes: BufferSource): Promise<WebAssembly.Module>;
  instantiate(bytes: BufferSource): Promise<unknown>;
};

function markerOf(module: WebAssembly.Module): Uint8Array {
  const [section] = WebAssembly.Module.customSections(module, "tessera:source");
  let marker = `tessera-wasm ${new TextDecoder().decode(section)}`;
  while (new TextEncoder().encode(marker).byteLength % 3 !== 0) marker += " ";
  return new TextEncoder().encode(marker);
}

describe("workerd refuses runtime wasm compilation", () => {
  it("rejects WebAssembly.compile of raw bytes (before the shim)", async () => {
    await expect(wasm.compile(EMPTY_WASM)).rejects.toThrow(/disallowed/i);
  });

  it("gets the extracted .wasm files as precompiled modules", () => {
    expect(argon2).toBeInstanceOf(WebAssembly.Module);
    expect(WebAssembly.Module.exports(argon2).map((e) => e.name)).toContain("Hash_Calculate");
    expect(WebAssembly.Module.exports(blake2bWasm).map((e) => e.name)).toContain("Hash_Calculate");
  });
});

describe("the hash-wasm shim hands over precompiled modules", () => {
  it("makes argon2id and argon2Verify work, and installing twice is harmless", async () => {
    installHashWasmShim({ argon2, blake2b: blake2bWasm });
    installHashWasmShim([argon2, blake2bWasm]);
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const hash = await argon2id({
      password: "pw",
      salt,
      memorySize: 64,
      iterations: 1,
      parallelism: 1,
      hashLength: 32,
      outputType: "encoded",
    });
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await argon2Verify({ password: "pw", hash })).toBe(true);
    expect(await argon2Verify({ password: "pw!", hash })).toBe(false);
    expect(await blake2b("abc", 256)).toBe("bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  });

  it("answers the slim build's markers with the matching module", async () => {
    installHashWasmShim({ argon2, blake2b: blake2bWasm });
    expect(await wasm.compile(markerOf(argon2))).toBe(argon2);
    expect(await wasm.compile(markerOf(blake2bWasm))).toBe(blake2bWasm);
  });

  it("passes unknown bytes to the real compile, which fails with a hint", async () => {
    installHashWasmShim({ argon2, blake2b: blake2bWasm });
    await expect(wasm.compile(EMPTY_WASM)).rejects.toThrow(/wasm-shim: 8 bytes match none of the precompiled modules \[7148, 7449 B\]/);
    await expect(wasm.instantiate(EMPTY_WASM)).rejects.toThrow(/disallowed/i);
  });
});
