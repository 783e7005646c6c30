#!/usr/bin/env node
// The `tessera` operator CLI; its code is built into dist/ by `npm run build`.
import "../dist/node/cli.js";
