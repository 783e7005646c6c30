// Peer: Hono + plain jose with the same Ed25519 public key, imported once, same checks as
// Tessera (alg, typ, iss, aud, required claims): the floor of the EdDSA rows.
import { importJWK } from "jose";
import { serveJoseVerifier } from "../lib/jose-server.mjs";
import { EDDSA_JWKS } from "../lib/config.mjs";

serveJoseVerifier(await importJWK(EDDSA_JWKS.keys[0], "EdDSA"), "EdDSA");
