// `tessera` operator CLI (Node): see `tessera --help` and docs/administration.md.
import { runCli } from "./cli/run.js";

const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
// Writes to files, pipes and terminals are synchronous on POSIX, so nothing is lost by exiting now;
// exiting explicitly keeps a paused TTY stdin from holding the process open.
process.exit(code);
