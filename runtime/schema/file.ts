// `File` (security.md, "uploads"): a part of a multipart body that the server
// saved. Only the runtime makes one (runtime/server/uploads/), so the check is
// a brand, never a shape: a JSON object `{ name, type, size, path }` from a
// client is not a File, or its `path` could point anywhere on the disk.
import { INVALID, mismatch, type SchemaNode } from "./node.js";

const BRAND = Symbol.for("tova.file");

/** A saved upload, as a `File` parameter receives it. JSON shows the four fields. */
export class SavedFile {
  declare readonly [BRAND]: true;
  constructor(
    /** The file name the client gave (untrusted text: never a path to use). */
    readonly name: string,
    /** The type the content shows (magic bytes), e.g. `image/png`. */
    readonly type: string,
    /** Bytes. */
    readonly size: number,
    /** Where the server saved it: a generated name under the uploads directory. */
    readonly path: string,
  ) {}
}
Object.defineProperty(SavedFile.prototype, BRAND, { value: true });

export function isUploadedFile(value: unknown): value is SavedFile {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

export const fileNode: SchemaNode = {
  kind: "file",
  name: "File",
  optional: false,
  check: isUploadedFile,
  explain: (value, at) => (isUploadedFile(value) ? null : mismatch("File", value, at)),
  // No text is a File: a path or query value never binds to one.
  parse: () => INVALID,
};

/** True for `File`, `[File]` and `Option<File>`: the parameter takes file parts of a multipart body. */
export function takesFiles(node: SchemaNode): boolean {
  const base = node.optional && node.inner ? node.inner : node;
  return base.kind === "file" || (base.kind === "array" && base.inner?.kind === "file");
}
