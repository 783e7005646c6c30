// The shared session-repository contract on Node: better-sqlite3, a fresh in-memory database per test.
import { describeSessionRepositoryContract } from "./contract/session-repository-contract.js";
import { transactionBatch } from "../src/db/write-batch.js";
import { createTestDb } from "./support/harness.js";

describeSessionRepositoryContract("better-sqlite3", createTestDb, transactionBatch);
