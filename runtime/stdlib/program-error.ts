// A failure of what the program asked for at run time, not a bug of Tova's:
// a file that is not there or cannot be read, a file that is not the CSV or
// JSON its name says. Left uncaught (a top-level `read`, a `for` over a
// `stream` of a missing file), it ends the process with one line at its place
// in the .tova source, `app.tova:1:8: error: cannot read "sales.csv": no such
// file`, and exit code 1: never a stack trace for a user's mistake. Inside a
// request it is a 500 like any other error (runtime/server).
//
// The report is set up by the first ProgramError made, so a program that never
// makes one, and a test run that has its own handlers, is left as it was: an
// error of any other kind is printed and ends the process as it would without
// this listener, and is left alone where other listeners handle it.

export class ProgramError extends Error {
  /** Where the program asked, when the failure comes later (a stream's file is opened at its first batch). */
  readonly asked: Error | undefined;
  constructor(message: string, options?: { cause?: unknown; asked?: Error }) {
    super(message, options);
    this.name = "ProgramError";
    this.asked = options?.asked;
    reportUncaught();
  }
}

let reporting = false;

function reportUncaught(): void {
  if (reporting || typeof process === "undefined" || typeof process.on !== "function") return;
  reporting = true;
  const on = (event: "uncaughtException" | "unhandledRejection") => (err: unknown) => {
    if (err instanceof ProgramError) {
      process.stderr.write(`${placeOf(err)}error: ${err.message}\n`);
      process.exit(1);
    }
    if (process.listenerCount(event) > 1) return; // someone else's (a test runner's)
    console.error(err);
    process.exit(1);
  };
  process.on("uncaughtException", on("uncaughtException"));
  process.on("unhandledRejection", on("unhandledRejection"));
}

/** `app.tova:3:8: `: the first place in the program's own source on the error's stack (Bun maps it through the source maps). */
function placeOf(err: Error): string {
  const m = /([^\s()]+\.tova):(\d+):(\d+)/.exec(`${err.stack ?? ""}\n${err instanceof ProgramError ? (err.asked?.stack ?? "") : ""}`);
  if (!m) return "";
  const cwd = `${process.cwd()}/`;
  const file = m[1]!.startsWith(cwd) ? m[1]!.slice(cwd.length) : m[1]!;
  return `${file}:${m[2]}:${m[3]}: `;
}

/** Why a file could not be opened, in words: `no such file`, not `ENOENT`. */
export function fileProblem(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case "ENOENT": return "no such file";
    case "EACCES": case "EPERM": return "permission denied";
    case "EISDIR": return "it is a directory";
    case "ENOTDIR": return "a part of its path is not a directory";
    default: return err instanceof Error ? err.message : String(err);
  }
}

/**
 * A list function given something else (a String through an untyped parameter, which the type checker
 * could not see): the program's mistake, said in its words at its line (as above), not a
 * TypeError from inside the runtime.
 */
export function listOf(name: string, xs: unknown): void {
  if (!Array.isArray(xs)) throw new ProgramError(`\`${name}\` takes a list, but was given ${kindOf(xs)}`);
}

function kindOf(x: unknown): string {
  if (x === null || x === undefined) return "None";
  if (typeof x === "string") return "a String";
  if (typeof x === "number") return Number.isInteger(x) ? "an Int" : "a Float";
  if (typeof x === "boolean") return "a Bool";
  if (typeof x === "function") return "a function";
  return "a record or map";
}
