// `protect` patterns and the path they are matched against (security.md,
// "protect": "matched against the normalised path (`//`, `/./`, `/../` and
// percent-encoded slashes resolved first)").
//
// The rules, so that no spelling of a protected path reaches its handler
// unprotected:
// - Normalising: every %XX escape is decoded once (so `%2f`, `%2e`, `%61`
//   all count as the characters they stand for), `\` is a `/`, empty and `.`
//   segments are dropped and `..` removes the segment before it (never above
//   the root). A path whose escapes are not UTF-8 is refused (400).
// - Routing: when the normalised path is spelt differently from the request's
//   path, the request is rewritten to the normalised path (re-encoded), so the
//   router sees exactly the path `protect` checked. `/api%2fadmin` IS
//   `/api/admin`, for `protect` and for the router alike.
// - Case: patterns match ASCII- and Unicode-case-insensitively (`/API/admin`
//   is checked as `/api/admin`), while the router stays case-sensitive. A
//   differently-cased path is therefore protected at least as strictly as the
//   path it resembles, and routes only where the program registered it.
// - Trailing slash: ignored when matching (`/api/admin/` matches
//   `protect "/api/admin"`); the router stays strict, so `/api/admin/` is
//   checked and then answered 404 (no such route).
// - `P/*` matches `P` itself and everything under it; `P*` (no slash before
//   the star) every path that starts with `P`; a pattern without `*` exactly
//   its path (the compiler's `/rpc/<fn>` side-door entries). First match wins.

/** A path that needs the slow normalisation: an escape, a backslash, `//`, or a `.`/`..` segment. */
const ODD = /%|\\|\/\/|\/\.\.?(?:\/|$)/;

export interface NormalPath {
  /** The decoded, resolved path that `protect` patterns are matched against. */
  check: string;
  /** The same path re-encoded for a URL: what the router gets. */
  routed: string;
}

/** False for the usual path, which is its own normal form (one regex test, no allocation). */
export function needsNormalising(path: string): boolean {
  return ODD.test(path);
}

/** The normalised path of a request path; null if its escapes do not decode (malformed UTF-8 or `%zz`). */
export function normalisePath(path: string): NormalPath | null {
  if (!ODD.test(path)) return { check: path, routed: path };
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  const parts = decoded.replace(/\\/g, "/").split("/");
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) {
    const s = parts[i]!;
    if (s === "" || s === ".") continue;
    if (s === "..") out.pop();
    else out.push(s);
  }
  const last = parts[parts.length - 1];
  const trailing = parts.length > 1 && (last === "" || last === "." || last === "..") && out.length > 0;
  const check = "/" + out.join("/") + (trailing ? "/" : "");
  // encodeURI leaves `?` and `#` as they are; in a path they must stay escaped.
  const routed = encodeURI(check).replace(/[?#]/g, (c) => (c === "?" ? "%3F" : "%23"));
  return { check, routed };
}

/** One `protect` entry as the compiler writes it. */
export interface ProtectRule {
  pattern: string;
  require: string;
}

interface Compiled {
  /** Matches this path (lower-cased, without a trailing slash) exactly. */
  exact: string | null;
  /** Matches every (lower-cased) path that starts with this. */
  prefix: string | null;
  require: string;
}

/** The trailing slash does not count (except for the root itself). */
function withoutSlash(p: string): string {
  return p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p;
}

/** Matches a normalised path against the rules, first match first; null when none applies. */
export type Matcher = (checkPath: string) => string | null;

/** Compiles the rules once, at start. A pattern that is not a path stops the start. */
export function protectMatcher(rules: readonly ProtectRule[]): Matcher {
  const compiled: Compiled[] = rules.map((rule) => {
    const star = rule.pattern.indexOf("*");
    if (!rule.pattern.startsWith("/") || (star !== -1 && star !== rule.pattern.length - 1)) {
      throw new Error(`protect ${JSON.stringify(rule.pattern)}: a pattern is a path with at most a trailing *`);
    }
    const base = star === -1 ? rule.pattern : rule.pattern.slice(0, -1);
    // Written by the program, not decoded: only `//` and dot segments are resolved, and case folded.
    const normal = (base === "/" ? "/" : normaliseSegments(base)).toLowerCase();
    if (star === -1) return { exact: withoutSlash(normal), prefix: null, require: rule.require };
    if (base.endsWith("/")) {
      const dir = withoutSlash(normal);
      return { exact: dir, prefix: dir === "/" ? "/" : dir + "/", require: rule.require };
    }
    return { exact: null, prefix: normal, require: rule.require };
  });
  return (checkPath) => {
    const lower = checkPath.toLowerCase();
    const bare = withoutSlash(lower);
    for (const rule of compiled) {
      if (rule.exact !== null && bare === rule.exact) return rule.require;
      if (rule.prefix !== null && lower.startsWith(rule.prefix)) return rule.require;
    }
    return null;
  };
}

/** `//` and dot segments resolved, the trailing slash kept (patterns only). */
function normaliseSegments(p: string): string {
  const out: string[] = [];
  const parts = p.split("/");
  for (let i = 1; i < parts.length; i++) {
    const s = parts[i]!;
    if (s === "" || s === ".") continue;
    if (s === "..") out.pop();
    else out.push(s);
  }
  return "/" + out.join("/") + (p.endsWith("/") && out.length > 0 ? "/" : "");
}
