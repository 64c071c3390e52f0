/**
 * A mistake in how the CLI was called or in what it was pointed at (a missing
 * path, a file that is not `.tova`, an unknown `--emit`). `main.ts` prints
 * its message on one line and exits 2, never with a stack trace; anything
 * else that escapes a command is an internal error.
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Exit codes of every command (README.md, "Command line"). */
export const EXIT = {
  ok: 0,
  /** The program has errors (diagnostics were printed). */
  errors: 1,
  /** The command line or the input paths are wrong. */
  usage: 2,
  /** A bug in Tova (EX_SOFTWARE from sysexits.h). */
  internal: 70,
} as const;
