import type { Span } from "../frontend/span.js";
import type { Diagnostic, Label, Severity } from "./types.js";

/**
 * Every diagnostic code the compiler emits, with when it fires. Codes are
 * stable: tests and users refer to them. E0xxx syntax, E01xx names, E02xx
 * types, E03xx server statements, E04xx deploy blocks, W0xxx warnings.
 */
export const CODES = {
  // --- lexing and parsing
  E0001: "a character that starts no token",
  E0002: "a string or interpolation that is never closed",
  E0003: "a block comment that is never closed",
  E0004: "a malformed number literal",
  E0005: "an unknown escape sequence in a string",
  E0010: "the parser expected something else at this token",
  E0011: "a `{`, `(` or `[` that is never closed",
  E0012: "a JSX closing tag that does not match its opening tag",
  E0013: "a statement that is not allowed in this kind of block",
  E0014: "an assignment to something that cannot be assigned",
  E0015: "a block name that is empty",
  E0016: "code nested more than 256 brackets deep (frontend/limits.ts); the nested part is skipped",
  E0017: "a source file that is not valid UTF-8 text (reported once, at the first invalid byte; the file is not parsed)",
  E0018: "too many syntax errors in one file (100, frontend/limits.ts): the front end stops reading it there",
  // --- names
  E0101: "a name that is not defined in any enclosing scope",
  E0102: "a type name that is not declared",
  E0103: "two definitions of one name in one (merged) block",
  E0104: "an assignment to an immutable binding",
  E0105: "a `var` of another server block mutated",
  E0106: "a function of another server block called without `discover`",
  E0107: "`server.f()` from a client when several server blocks define `f`",
  E0108: "`server.f()` from a client when no server block defines `f`, or `f` has no RPC endpoint (it takes `req` or files)",
  E0110: "a call to a function the discovered peer does not define, or that has no RPC endpoint (it takes `req` or files)",
  E0111: "a `spawn_job` of something that is not a `background fn`",
  E0112: "a data-block name used outside the server blocks and the data block (only servers load the data block)",
  E0113: "a `bind:` attribute that is not `bind:value` or `bind:checked` on a state",
  E0120: "a local import (`./file.js`) whose file is missing, outside the importing file's directory, or another file under the same path",
  // --- types
  E0201: "an unknown field in a record construction",
  E0202: "a missing field in a record construction",
  E0203: "a `match` that misses variants of an enum, Option or Result",
  E0204: "a call with the wrong number of arguments",
  E0205: "a route handler that does not take the route's path parameters",
  E0206: "a value whose type does not match the declared type",
  E0207: "a match pattern naming a variant its subject's type does not have",
  E0208: "(retired: TypeScript's errors in emitted code are compiler bugs, E0900; Tova's own checker reports the program's)",
  E0209: "an operation the value's type does not allow: arithmetic on an Option or text, calling something that is not a function, indexing a record",
  E0210: "a field or function that the record, object, model or type does not have",
  E0211: "a `!` outside a function, on a value that is neither a Result nor an Option, or whose failure the function cannot return",
  E0212: "a `return` outside a function",
  E0213: "a comparison of two values whose types never compare equal",
  E0214: "a function that waits (it reads the database or calls another server) kept where Tova cannot await its calls: in a list or a record, returned, or given to a function held in a name",
  // --- server statements
  E0301: "two server blocks that claim the same explicit port",
  E0302: "a port that is not an integer between 1 and 65535",
  E0303: "a cron expression that is not valid",
  E0304: "an unknown key in a `discover` or circuit-breaker configuration",
  E0305: "a circuit-breaker setting that is not a number or duration",
  E0306: "a route method that is not an HTTP method",
  E0307: "a `db` configuration with an unknown adapter or a missing key",
  E0308: "two routes with the same method and path in one server",
  E0309: "an `env` declaration whose default does not match its type",
  E0310: "two server names that map to the same `PORT_<NAME>` variable",
  E0311: "two models that would share one table",
  // --- deploy blocks
  E0401: "a `deploy` block without `server`",
  E0402: "a `deploy` block without `domain`",
  E0403: "a `deploy` property with a value of the wrong type",
  E0404: "an unknown `deploy` property",
  E0405: "a `deploy` block whose `server` list is empty",
  E0406: "a `deploy` block whose `server` list names one host twice",
  E0407: "a SQLite database (a `db` using SQLite, or models without a `db`) in an application deployed to more than one host",
  // --- security (security.md)
  E0501: "an unknown setting or statement in the `security` block or a security statement (named with its key path)",
  E0502: "a secret written in the program instead of read from the environment",
  E0503: "a `protect` rule that requires a role the block does not declare",
  E0504: "a `protect` pattern that is not a path",
  E0505: "`origins: [\"*\"]` together with `credentials: true`",
  E0506: "a security setting whose value is of the wrong kind",
  E0507: "a security statement missing a setting it needs, or a form the runtime does not enforce",
  // --- compiler bugs
  E0900: "emitted TypeScript that does not type-check: a bug in Tova, reported at the .tova construct that produced the code",
  // --- warnings
  W0001: "an event published that no server subscribes to",
  W0002: "a `...` placeholder standing for elided code",
  W0003: "statements outside every block, which run in each server process of the application",
} as const;

export type Code = keyof typeof CODES;

export interface Extra {
  hint?: string;
  labels?: Label[];
  severity?: Severity;
}

export function diagnostic(code: Code, span: Span, message: string, extra: Extra = {}): Diagnostic {
  const d: Diagnostic = {
    code,
    severity: extra.severity ?? (code.startsWith("W") ? "warning" : "error"),
    message,
    span,
    labels: extra.labels ?? [],
  };
  if (extra.hint !== undefined) d.hint = extra.hint;
  return d;
}

export function lexError(code: string, span: Span, message: string, hint?: string): Diagnostic {
  return diagnostic(code as Code, span, message, hint === undefined ? {} : { hint });
}

/** E0018: where the front end stopped reading a file with too many syntax errors (frontend/limits.ts). */
export function tooManyErrors(span: Span): Diagnostic {
  return diagnostic("E0018", span, "too many syntax errors in this file: stopped reading it here", {
    hint: "fix the errors above first; is this a Tova source file?",
  });
}

// ---- message constructors used by more than one stage -----------------

/**
 * Edit distance where swapping two neighbouring letters counts once (optimal string alignment):
 * enough to suggest `user_name` for `usr_name` and `name` for `nmae`.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const al = a.toLowerCase();
  const bl = b.toLowerCase();
  let before = new Array<number>(b.length + 1).fill(0); // row i - 2
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j); // row i - 1
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1);
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = al[i - 1] === bl[j - 1] ? 0 : 1;
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && al[i - 1] === bl[j - 2] && al[i - 2] === bl[j - 1]) row[j] = Math.min(row[j]!, before[j - 2]! + 1);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/** The closest candidate within a third of the name's length, if any. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Math.max(1, Math.floor(name.length / 3));
  for (const c of candidates) {
    if (c === name) continue;
    const d = editDistance(name, c);
    if (d <= bestScore && (best === undefined || d < bestScore)) {
      best = c;
      bestScore = d;
    }
  }
  return best;
}

export function suggestion(name: string, candidates: Iterable<string>): Extra {
  const near = didYouMean(name, candidates);
  return near ? { hint: `did you mean \`${near}\`?` } : {};
}
