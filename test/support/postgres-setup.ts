// Setup file of vitest.postgres.config.ts: every test file ends its pools and drops its schemas.
import { afterAll } from "vitest";
import { closePostgresTestDatabases } from "./postgres.js";

afterAll(closePostgresTestDatabases);
