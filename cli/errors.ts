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

const REASONS: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOTDIR: "a part of this path is not a directory",
  EISDIR: "is a directory",
  EEXIST: "already exists and is not a directory",
  ELOOP: "too many levels of symbolic links",
  ENOSPC: "no space left on the device",
  EROFS: "read-only file system",
  ENAMETOOLONG: "file name too long",
};

/**
 * A file-system error (missing path, no permission, `--out` naming a file)
 * is about the user's machine, not a Tova bug: it becomes one line naming
 * the path, without a stack trace. Anything that is not an errno error is
 * returned unchanged.
 */
export function explainFsError(e: unknown, p: string): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== "string" || !/^E[A-Z]+$/.test(code)) return e;
  return new UsageError(`${p}: ${REASONS[code] ?? `failed (${code})`}`);
}
