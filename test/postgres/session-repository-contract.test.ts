// The shared session-repository contract on PostgreSQL: a schema of its own per test, with the
// write batch the Node entry uses there (one transaction per batch).
import { describeSessionRepositoryContract } from "../contract/session-repository-contract.js";
import { createPostgresTestDatabase } from "../support/postgres.js";

describeSessionRepositoryContract("PostgreSQL, one transaction per batch", createPostgresTestDatabase);
