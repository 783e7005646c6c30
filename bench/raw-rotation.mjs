// Item 3 floor: the rotation as one better-sqlite3 transaction with prepared statements
// and node:crypto (no HTTP, no Kysely, no JWT) — what a refresh cannot beat. `job.chains`
// sessions are rotated in turn, as many as the HTTP run rotates.
import { createHash, createHmac, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { readMigrationFiles } from "../dist/node/database.js";
import { serveJob } from "./lib/child.mjs";

serveJob(async (job) => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-raw-"));
  const db = new Database(join(dir, "raw.sqlite"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  for (const file of readMigrationFiles()) db.exec(file.sql);
  const now = Date.now();
  db.prepare("INSERT INTO users (id, email, role, created_at, updated_at) VALUES (?, ?, 'user', ?, ?)").run("u1", "raw@example.com", now, now);
  const sha = (t) => createHash("sha256").update(t).digest("base64url");
  const successorKey = randomBytes(32);
  const find = db.prepare(
    `SELECT t.id, t.rotated_at, t.expires_at, s.id AS sid, s.revoked_at, s.expires_at AS s_exp, u.disabled_at
     FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id JOIN users u ON u.id = s.user_id WHERE t.token_hash = ?`,
  );
  const insert = db.prepare(
    "INSERT INTO refresh_tokens (id, session_id, token_hash, created_at, expires_at, rotated_at) VALUES (?, ?, ?, ?, ?, NULL) ON CONFLICT (token_hash) DO NOTHING",
  );
  const mark = db.prepare("UPDATE refresh_tokens SET rotated_at = ? WHERE id = ? AND rotated_at IS NULL");
  const touch = db.prepare("UPDATE sessions SET last_used_at = ? WHERE id = ?");
  const rotate = db.transaction((token) => {
    const t = Date.now();
    const row = find.get(sha(token));
    if (!row || row.rotated_at !== null || row.expires_at <= t || row.revoked_at !== null || row.s_exp <= t || row.disabled_at !== null) throw new Error("invalid_grant");
    const successor = `rt_${createHmac("sha256", successorKey).update(token).digest("base64url")}`;
    insert.run(randomUUID(), row.sid, sha(successor), t, t + 1_209_600_000);
    if (mark.run(t, row.id).changes !== 1) throw new Error("lost race");
    touch.run(t, row.sid);
    return successor;
  });
  // As many sessions, each with its own chain, as the HTTP run rotates (the bench server's pool),
  // taken in turn: one chain alone keeps every page the rotation touches hot and flatters the floor.
  const chains = [];
  for (let c = 0; c < job.chains; c++) {
    const sessionId = `s${c}`;
    db.prepare("INSERT INTO sessions (id, user_id, client_id, scope, created_at, last_used_at, expires_at) VALUES (?, 'u1', 'tessera', 'read', ?, ?, ?)").run(sessionId, now, now, now + 7_776_000_000);
    const first = `rt_${randomBytes(32).toString("base64url")}`;
    db.prepare("INSERT INTO refresh_tokens (id, session_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)").run(`t${c}`, sessionId, sha(first), now, now + 1_209_600_000);
    chains.push(first);
  }
  let turn = 0;
  const rotateNext = () => {
    chains[turn] = rotate(chains[turn]);
    turn = (turn + 1) % chains.length;
  };

  for (let i = 0; i < 2000; i++) rotateNext(); // warm-up
  const end = performance.now() + job.seconds * 1000;
  let count = 0;
  const start = performance.now();
  while (performance.now() < end) {
    rotateNext();
    count++;
  }
  const elapsed = (performance.now() - start) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { rotations: count, rps: count / elapsed, chains: chains.length };
});
