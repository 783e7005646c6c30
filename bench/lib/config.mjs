// Settings every bench process shares, so servers and load generators agree.
export const SECRET = "bench-secret-that-is-long-enough-0123456789abcdef";
export const ISSUER = "tessera";
export const AUDIENCE = "tessera";
export const HOST = "127.0.0.1";
export const PROTECTED_PATH = "/bench/protected";
export const CONNECTIONS = 10;
