// Where uploads go (security.md, "uploads { max_size, allowed_types, dir }"):
// each file part is written, as it arrives, to a hidden temporary name in the
// uploads directory (the same file system, so the final rename is atomic),
// renamed to a generated name only once the whole request is accepted, and
// deleted when anything refuses it: a part over `max_size`, a type outside
// `allowed_types`, a field that does not bind, or the handler's own error
// answer. The generated name is a UUID with the extension of the type the
// content shows, never anything from the client.
import { nodeCrypto } from "../../builtins.js";
import { mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { dataPath } from "../../stdlib/data-dir.js";
import { exitWithError } from "../lifecycle.js";
import { UPLOAD_TYPES } from "./sniff.js";

/** `uploads { }` as the runtime uses it. */
export interface UploadConfig {
  /** Bytes per file part. */
  maxSize: number;
  /** Types a file may have (its content and its declared type both); null: any. */
  allowed: string[] | null;
  /** Absolute. */
  dir: string;
}

/** Without `max_size`, a file part may have 10 megabytes. */
export const DEFAULT_MAX_SIZE = 10 * 1024 * 1024;
/** A request carries at most this many file parts (a `[File]` parameter takes several). */
export const MAX_FILES = 100;

/**
 * The statement's values as the compiler passes them (`max_size` in bytes,
 * `allowed_types` a list, `dir` as written). A type the runtime cannot
 * recognise by content stops the start: it could not be enforced.
 */
export function uploadConfig(values: Record<string, unknown> | undefined): UploadConfig {
  const v = values ?? {};
  const maxSize = typeof v["max_size"] === "number" && v["max_size"] > 0 ? Math.floor(v["max_size"]) : DEFAULT_MAX_SIZE;
  let allowed: string[] | null = null;
  if (v["allowed_types"] !== undefined && v["allowed_types"] !== null) {
    allowed = (Array.isArray(v["allowed_types"]) ? v["allowed_types"] : [v["allowed_types"]]).map((t) => String(t).trim().toLowerCase());
    const unknown = allowed.filter((t) => !(t in UPLOAD_TYPES) && !(t.endsWith("/*") && Object.keys(UPLOAD_TYPES).some((k) => k.startsWith(t.slice(0, -1)))));
    if (unknown.length > 0) {
      exitWithError(`uploads: allowed_types ${unknown.map((t) => JSON.stringify(t)).join(", ")} cannot be checked against a file's content (known: ${Object.keys(UPLOAD_TYPES).join(", ")})`);
    }
  }
  const dir = path.resolve(dataPath(typeof v["dir"] === "string" && v["dir"] !== "" ? v["dir"] : "uploads"));
  return { maxSize, allowed, dir };
}

/** One file part on its way: at `temp` until the request is accepted, then at `final`. */
export interface Pending {
  temp: string;
  final: string;
}

/** The files of one request. */
export class Batch {
  readonly pending: Pending[] = [];
  private committed = false;

  constructor(private readonly dir: string) {}

  /** A new temporary file name (the directory is created on first use). */
  next(extension: string): Pending {
    mkdirSync(this.dir, { recursive: true });
    const id = nodeCrypto().randomUUID();
    const entry = { temp: path.join(this.dir, `.upload-${id}.part`), final: path.join(this.dir, id + extension) };
    this.pending.push(entry);
    return entry;
  }

  /** Sets the extension of the last file once its type is known. */
  rename(entry: Pending, extension: string): void {
    entry.final = entry.final.replace(/(\.[a-z]+)?$/, "") + extension;
  }

  /** The request is accepted: every file to its final name. */
  commit(): void {
    for (const p of this.pending) renameSync(p.temp, p.final);
    this.committed = true;
  }

  /** The request is refused: nothing stays. Synchronous, so the answer leaves only once the files are gone. */
  discard(): void {
    for (const p of this.pending) {
      rmSync(this.committed ? p.final : p.temp, { force: true });
    }
    this.pending.length = 0;
  }
}
