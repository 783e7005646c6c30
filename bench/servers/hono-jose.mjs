// Peer: Hono + plain jose, key imported once, same checks as Tessera (alg, typ, iss, aud).
import { serveJoseVerifier } from "../lib/jose-server.mjs";
import { SECRET } from "../lib/config.mjs";

const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
serveJoseVerifier(key, "HS256");
