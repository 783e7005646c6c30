import { CliError } from "./cli-error.js";

const MAX_PIPED_BYTES = 64 * 1024;

/** The parts of `process.stdin` the prompt needs (a TTY adds `setRawMode`). */
export interface PasswordSource extends NodeJS.ReadableStream {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/**
 * Reads a password from piped stdin (one line; the trailing newline is
 * dropped, nothing else is trimmed) or, on a terminal, from a prompt that
 * does not echo. Never from an argument: arguments end up in shell history
 * and in `ps` output.
 *
 * @example
 * const password = await readPassword(process.stdin, process.stderr, { confirm: true });
 */
export async function readPassword(
  stdin: PasswordSource,
  prompts: NodeJS.WritableStream,
  options: { confirm: boolean },
): Promise<string> {
  if (!stdin.isTTY || typeof stdin.setRawMode !== "function") return readPiped(stdin);
  const labels = options.confirm ? ["Password: ", "Repeat password: "] : ["Password: "];
  const [password, repeated] = await promptHidden(stdin, prompts, labels);
  if (password === undefined || password === "") throw new CliError("no password entered");
  if (options.confirm && repeated !== password) throw new CliError("the passwords do not match");
  return password;
}

async function readPiped(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_PIPED_BYTES) throw new CliError("the password on stdin is too long");
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
  if (text === "") throw new CliError("no password on stdin (pipe it in, or run in a terminal to be prompted)");
  if (/[\r\n]/.test(text)) throw new CliError("the password on stdin must be a single line");
  return text;
}

/** One raw-mode session for all answers, so a pasted "a⏎b⏎" is not cut between prompts. */
function promptHidden(stdin: PasswordSource, out: NodeJS.WritableStream, labels: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const wasRaw = stdin.isRaw === true;
    const answers: string[] = [];
    let value = "";
    // Raw mode: keystrokes reach us one by one and the terminal does not echo them.
    // Switched on before the prompt is shown, so nothing typed after it is ever echoed.
    stdin.setRawMode!(true);
    stdin.setEncoding("utf8");
    stdin.resume();
    out.write(labels[0]!);

    const finish = (error?: CliError) => {
      stdin.removeListener("data", onData);
      stdin.setRawMode!(wasRaw);
      stdin.pause();
      out.write("\n");
      if (error) reject(error);
      else resolve(answers);
    };

    // Returns true once every answer is in (or the user gave up).
    const enter = (): boolean => {
      answers.push(value);
      value = "";
      if (answers.length === labels.length) return true;
      out.write(`\n${labels[answers.length]}`);
      return false;
    };

    function onData(chunk: string | Buffer): void {
      for (const ch of String(chunk)) {
        if (ch === "\r" || ch === "\n") {
          if (enter()) return finish();
          continue;
        }
        if (ch === "\u0003") return finish(new CliError("cancelled", 130)); // Ctrl-C
        if (ch === "\u0004") return finish(new CliError("cancelled", 130)); // Ctrl-D
        if (ch === "\u007f" || ch === "\b") {
          value = [...value].slice(0, -1).join("");
          continue;
        }
        if (ch === "\u001b") return; // an escape sequence (arrow keys): drop the rest of it
        if (ch >= " ") value += ch;
      }
    }

    stdin.on("data", onData);
  });
}
