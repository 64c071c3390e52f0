// The public surface of uploads for generated code (security.md, "uploads"):
// the type of a `File` parameter. The schema is `t.file` (runtime/schema).

/** What a `File` parameter receives: the client's file name, the type its content shows, its size in bytes and where the server saved it. */
export interface UploadedFile {
  /** The file name the client sent, without directories (untrusted text). */
  readonly name: string;
  /** The type the content shows (`image/png`), checked against `allowed_types`. */
  readonly type: string;
  readonly size: number;
  /** An absolute path under the uploads directory, with a generated name. */
  readonly path: string;
}
