// The shared session-repository contract on Node: better-sqlite3, a fresh in-memory database
// per test, with the group-commit batch the Node entry uses and with the plain transaction
// batch `createApp` falls back to.
import { transactionBatch } from "../src/db/write-batch.js";
import { describeSessionRepositoryContract } from "./contract/session-repository-contract.js";
import { createTestDatabase } from "./support/harness.js";

describeSessionRepositoryContract("better-sqlite3, group commit", createTestDatabase);
describeSessionRepositoryContract("better-sqlite3, one transaction per batch", async () => {
  const { db } = await createTestDatabase();
  return { db, writeBatch: transactionBatch(db) };
});
