/** The package version, for the OpenAPI document (test/openapi.test.ts keeps it equal to package.json's). */
export const TESSERA_VERSION = "0.1.0";
