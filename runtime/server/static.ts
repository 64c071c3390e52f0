// `static { dir, cache }` (security.md, "Server statements"): the files under
// `dir` at their path, for GET and HEAD, with ETag/304, Last-Modified, byte
// ranges and `cache` as Cache-Control. A path that leaves `dir`, names a
// dotfile or a directory, or reaches (through a symlink) anything outside
// `dir` is not served: the request goes on to the router, which answers 404.
// Routes (and the runtime's own paths) win over files: a path the program
// claims is never looked up on disk.
//
// Hono's serve-static was read for its logic; it is not used because it
// works on a Hono context inside the router, has no ETag/Range, and decodes
// the path once without rejecting encoded separators. Bun.file serves the
// bytes (sendfile for whole files).
import { realpathSync, statSync } from "node:fs";
import path from "node:path";
import { TrieRouter } from "hono/router/trie-router";
import { exitWithError } from "./lifecycle.js";
import { pathOf } from "./request.js";
import type { Layer } from "./layers/layer.js";

/** `cache` as a Cache-Control value: text as given, a duration (ms) as `public, max-age=<seconds>`. */
export function cacheControlOf(config: { cache?: string | number } | undefined): string | null {
  const cache = config?.cache;
  return typeof cache === "number" ? `public, max-age=${Math.floor(cache / 1000)}` : (cache ?? null);
}

/** The values of `app.config("static", { dir, cache })`. */
export interface StaticConfig {
  /** The directory, relative to the build folder (`app.baseDir`) or absolute. Default `public`. */
  dir?: string;
  /** A Cache-Control value as written, or a duration in milliseconds (`public, max-age=<seconds>`). */
  cache?: string | number;
}

/** A predicate over paths that routes, /healthz, websockets, SSE or the client's files answer. */
export function routeClaims(patterns: readonly string[]): (pathname: string) => boolean {
  if (patterns.length === 0) return () => false;
  const router = new TrieRouter<true>();
  for (const p of patterns) router.add("ALL", p, true);
  return (pathname) => router.match("GET", pathname)[0].length > 0;
}

/**
 * The decoded segments of a request path, or null when the path must not
 * reach the disk: a segment that does not decode, is empty (`//`), starts
 * with `.` (dotfiles, `.`, `..`, however encoded), or holds a separator or
 * NUL after decoding (`%2f`, `%5c`, `\`).
 */
export function safeSegments(pathname: string): string[] | null {
  const raw = pathname.split("/");
  if (raw[0] !== "") return null;
  const segments: string[] = [];
  for (let i = 1; i < raw.length; i++) {
    let s: string;
    try {
      s = decodeURIComponent(raw[i]!);
    } catch {
      return null;
    }
    if (s === "" || s.startsWith(".") || /[/\\\0]/.test(s)) return null;
    segments.push(s);
  }
  return segments.length ? segments : null;
}

/** The `static` layer. `base` is the build folder; `claimed` tells paths that belong to the router. */
export function staticFiles(config: StaticConfig, base: string, claimed: (pathname: string) => boolean): Layer {
  const dir = path.resolve(base, config.dir ?? "public");
  let root: string;
  try {
    root = realpathSync(dir);
    if (!statSync(root).isDirectory()) throw new Error("not a directory");
  } catch {
    exitWithError(`static: the directory ${JSON.stringify(config.dir ?? "public")} (${dir}) does not exist or is not a directory`);
  }
  const cacheControl = cacheControlOf(config);
  return (next) => (req, server) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next(req, server);
    const pathname = pathOf(req.url);
    if (claimed(pathname)) return next(req, server);
    const segments = safeSegments(pathname);
    if (!segments || claimed(`/${segments.join("/")}`)) return next(req, server);
    const file = resolveInside(root, segments);
    return file ? answer(req, file, cacheControl) : next(req, server);
  };
}

interface Found {
  path: string;
  size: number;
  mtimeMs: number;
}

/** The file's real path when it is a regular file inside `root` that no dot-named link target hides. */
function resolveInside(root: string, segments: string[]): Found | null {
  let real: string;
  try {
    real = realpathSync(path.join(root, ...segments));
  } catch {
    return null;
  }
  const rel = path.relative(root, real);
  // A symlink may point out of the directory, or at a dotfile inside it.
  if (rel === "" || path.isAbsolute(rel) || rel.split(path.sep).some((s) => s === ".." || s.startsWith("."))) return null;
  const stat = statSync(real, { throwIfNoEntry: false });
  return stat?.isFile() ? { path: real, size: stat.size, mtimeMs: stat.mtimeMs } : null;
}

function answer(req: Request, file: Found, cacheControl: string | null): Response {
  const etag = `"${Math.floor(file.mtimeMs).toString(16)}-${file.size.toString(16)}"`;
  const lastModified = new Date(Math.floor(file.mtimeMs / 1000) * 1000).toUTCString();
  const headers: Record<string, string> = { etag, "last-modified": lastModified, "accept-ranges": "bytes" };
  if (cacheControl) headers["cache-control"] = cacheControl;
  if (notModified(req, etag, file.mtimeMs)) return new Response(null, { status: 304, headers });
  const body = Bun.file(file.path);
  headers["content-type"] = body.type;
  const head = req.method === "HEAD";
  const range = requestedRange(req, etag, lastModified, file.size);
  if (range === "unsatisfiable") {
    headers["content-range"] = `bytes */${file.size}`;
    return new Response(null, { status: 416, headers });
  }
  if (range) {
    const [start, end] = range;
    headers["content-range"] = `bytes ${start}-${end}/${file.size}`;
    headers["content-length"] = String(end - start + 1);
    return new Response(head ? null : body.slice(start, end + 1), { status: 206, headers });
  }
  headers["content-length"] = String(file.size);
  return new Response(head ? null : body, { status: 200, headers });
}

/** `If-None-Match` (weak comparison, RFC 9110 13.1.2), else `If-Modified-Since`. */
function notModified(req: Request, etag: string, mtimeMs: number): boolean {
  const match = req.headers.get("if-none-match");
  if (match !== null) {
    return match.split(",").some((t) => {
      const tag = t.trim();
      return tag === "*" || tag.replace(/^W\//, "") === etag;
    });
  }
  const since = req.headers.get("if-modified-since");
  if (since === null) return false;
  const time = Date.parse(since);
  return !Number.isNaN(time) && Math.floor(mtimeMs / 1000) * 1000 <= time;
}

/**
 * One byte range from `Range: bytes=a-b | a- | -n` (RFC 9110 14.2), or null to
 * send the whole file: no Range, a syntax the server may ignore, several
 * ranges, or an `If-Range` that no longer matches.
 */
function requestedRange(req: Request, etag: string, lastModified: string, size: number): [number, number] | "unsatisfiable" | null {
  const header = req.headers.get("range");
  if (header === null) return null;
  const ifRange = req.headers.get("if-range");
  if (ifRange !== null && ifRange.trim() !== etag && ifRange.trim() !== lastModified) return null;
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header);
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Number(m[2]);
  if (end < start) return null;
  if (start >= size) return "unsatisfiable";
  return [start, Math.min(end, size - 1)];
}
