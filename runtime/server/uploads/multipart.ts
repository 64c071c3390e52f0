// `multipart/form-data` bodies (RFC 7578), parsed as they arrive: file parts
// go to disk chunk by chunk (store.ts), so memory stays small whatever the
// client sends, and a refusal is known at the first byte that earns it (a
// part name the route does not take, a part past `max_size`, fields past the
// body limit) and answered at once without reading the rest.
//
// Written here rather than taken from Bun's `Request.formData()`, which
// reads the whole body into memory before any part can be looked at, and
// from Hono's `parseBody`, which calls it.
import { open, type FileHandle } from "node:fs/promises";
import { SavedFile } from "../../schema/file.js";
import { Batch, MAX_FILES, type Pending, type UploadConfig } from "./store.js";
import { drain, mediaType, TooLarge } from "./body.js";
import { Sniffer, typeAllowed, UPLOAD_TYPES } from "./sniff.js";

/** What the route takes by name: one file, several files, or a form field (text, converted like a query value). */
export type PartKind = "file" | "files" | "field";

/** A refusal: 400 (malformed, a name that does not bind), 413 (too large), 415 (a type not allowed). */
export class FormError {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly message: string,
    readonly param?: string,
  ) {}
}

/** The parsed form: field texts and saved files by name, and the files' batch (commit or discard). */
export interface Form {
  fields: Map<string, string[]>;
  files: Map<string, SavedFile[]>;
  batch: Batch;
}

const HEADER_LIMIT = 16 * 1024;
const CRLF = Buffer.from("\r\n");
const HEADERS_END = Buffer.from("\r\n\r\n");

/** The boundary of a multipart Content-Type, or null. */
export function boundaryOf(contentType: string): string | null {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]!) : null;
}

/** `form-data; name="a"; filename="b.png"`: the parameters, quoted or not. */
function disposition(value: string): { name?: string; filename?: string } {
  const out: Record<string, string> = {};
  const re = /;\s*([a-z*]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/gi;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    out[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3]!;
  }
  return { name: out["name"], filename: out["filename"] };
}

function partHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/** The last path segment of a client's file name: `../../evil.png` is `evil.png`. */
const baseName = (name: string) => name.split(/[\\/]/).pop() ?? "";

interface OpenFile {
  kind: "file";
  name: string;
  filename: string;
  declared: string;
  size: number;
  sniffer: Sniffer;
  handle: FileHandle;
  pending: Pending;
}
interface OpenField {
  kind: "field";
  name: string;
  chunks: Buffer[];
}

/**
 * Reads a multipart body. `kinds` says which names the route takes;
 * `fieldLimit` bounds the bytes of all non-file parts together (the body limit
 * of JSON); `config` bounds each file. Nothing is left on disk unless the
 * answer is a Form, whose batch the caller commits or discards.
 */
export async function readForm(raw: Request, kinds: ReadonlyMap<string, PartKind>, config: UploadConfig, fieldLimit: number): Promise<Form | FormError | TooLarge> {
  const boundary = boundaryOf(raw.headers.get("content-type") ?? "");
  if (boundary === null) return new FormError(400, "a multipart body needs a boundary");
  const batch = new Batch(config.dir);
  const form: Form = { fields: new Map(), files: new Map(), batch };
  const reader = raw.body?.getReader() ?? null;
  let part: OpenFile | OpenField | null = null;
  let fieldBytes = 0;
  try {
    const result = await parse(reader, boundary, {
      start: async (headerText) => {
        const headers = partHeaders(headerText);
        const { name, filename } = disposition(headers.get("content-disposition") ?? "");
        if (name === undefined) return new FormError(400, "a form part without a name");
        const kind = kinds.get(name);
        if (kind === undefined) return new FormError(400, `unexpected field "${name}"`, name);
        if (filename === undefined) {
          if (kind !== "field") return new FormError(400, `${name}: expected a file, got a form field without a file name`, name);
          part = { kind: "field", name, chunks: [] };
          return null;
        }
        if (kind === "field") return new FormError(400, `${name}: expected a form field, got a file`, name);
        const count = [...form.files.values()].reduce((n, list) => n + list.length, 0);
        if (kind === "file" && form.files.has(name)) return new FormError(400, `${name}: expected one file, got several`, name);
        if (count >= MAX_FILES) return new FormError(413, `more than ${MAX_FILES} files in one request`);
        const pending = batch.next("");
        const handle = await open(pending.temp, "wx", 0o600);
        part = { kind: "file", name, filename: baseName(filename), declared: mediaType(headers.get("content-type") ?? "application/octet-stream"), size: 0, sniffer: new Sniffer(), handle, pending };
        return null;
      },
      data: async (bytes) => {
        const p = part!;
        if (p.kind === "field") {
          fieldBytes += bytes.length;
          if (fieldBytes > fieldLimit) return new TooLarge(fieldLimit, "the form's fields are");
          p.chunks.push(Buffer.from(bytes));
          return null;
        }
        p.size += bytes.length;
        if (p.size > config.maxSize) return new TooLarge(config.maxSize, `the file "${p.name}" is`);
        p.sniffer.push(bytes);
        await p.handle.write(bytes);
        return null;
      },
      end: async () => {
        const p = part!;
        part = null;
        if (p.kind === "field") {
          const list = form.fields.get(p.name) ?? [];
          list.push(Buffer.concat(p.chunks).toString("utf8"));
          form.fields.set(p.name, list);
          return null;
        }
        await p.handle.close();
        const type = p.sniffer.type(p.declared);
        if (config.allowed !== null && (type === null || !typeAllowed(type, config.allowed) || !typeAllowed(p.declared, config.allowed))) {
          const shown = type ?? "unrecognised content";
          return new FormError(415, `${p.name}: the file's type (${shown}, declared ${p.declared}) is not one of ${config.allowed.join(", ")}`, p.name);
        }
        const finalType = type ?? "application/octet-stream";
        batch.rename(p.pending, UPLOAD_TYPES[finalType] ?? "");
        const list = form.files.get(p.name) ?? [];
        list.push(new SavedFile(p.filename, finalType, p.size, p.pending.final));
        form.files.set(p.name, list);
        return null;
      },
    });
    if (result !== null) throw result;
    return form;
  } catch (err) {
    const open = part as OpenFile | OpenField | null;
    if (open?.kind === "file") await open.handle.close().catch(() => undefined);
    batch.discard();
    if (reader !== null) await drain(reader);
    if (err instanceof FormError || err instanceof TooLarge) return err;
    throw err;
  }
}

interface Sink {
  start(headers: string): Promise<FormError | TooLarge | null>;
  data(bytes: Uint8Array): Promise<FormError | TooLarge | null>;
  end(): Promise<FormError | TooLarge | null>;
}

/**
 * The parser: a delimiter is CRLF `--boundary`; the body is read as if it
 * began with CRLF, so the first delimiter looks like the others. Body bytes
 * that might be the start of a delimiter are held back until the next chunk.
 */
async function parse(reader: ReadableStreamDefaultReader<Uint8Array> | null, boundary: string, sink: Sink): Promise<FormError | TooLarge | null> {
  if (reader === null) return new FormError(400, "an empty multipart body");
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let buf: Buffer = Buffer.from(CRLF);
  let state: "preamble" | "after" | "headers" | "body" | "done" = "preamble";
  let skipped = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (state === "done") continue; // the epilogue is ignored
    buf = buf.length === 0 ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : Buffer.concat([buf, value]);
    for (;;) {
      if (state === "preamble") {
        const at = buf.indexOf(delimiter);
        if (at === -1) {
          const keep = Math.min(buf.length, delimiter.length - 1);
          skipped += buf.length - keep;
          if (skipped > HEADER_LIMIT) return new FormError(400, "malformed multipart body: no boundary");
          buf = buf.subarray(buf.length - keep);
          break;
        }
        buf = buf.subarray(at + delimiter.length);
        state = "after";
      }
      if (state === "after") {
        if (buf.length < 2) break;
        if (buf[0] === 0x2d && buf[1] === 0x2d) {
          state = "done";
          break;
        }
        const eol = buf.indexOf(CRLF);
        if (eol === -1) {
          if (buf.length > 256) return new FormError(400, "malformed multipart body");
          break;
        }
        buf = buf.subarray(eol + 2);
        state = "headers";
      }
      if (state === "headers") {
        let headerText: string;
        if (buf.length >= 2 && buf[0] === 0x0d && buf[1] === 0x0a) {
          headerText = "";
          buf = buf.subarray(2);
        } else {
          const end = buf.indexOf(HEADERS_END);
          if (end === -1) {
            if (buf.length > HEADER_LIMIT) return new FormError(400, "a form part's headers are too large");
            break;
          }
          headerText = buf.toString("utf8", 0, end);
          buf = buf.subarray(end + 4);
        }
        const refused = await sink.start(headerText);
        if (refused) return refused;
        state = "body";
      }
      if (state === "body") {
        const at = buf.indexOf(delimiter);
        if (at === -1) {
          const safe = buf.length - (delimiter.length - 1);
          if (safe > 0) {
            const refused = await sink.data(buf.subarray(0, safe));
            if (refused) return refused;
            buf = buf.subarray(safe);
          }
          break;
        }
        if (at > 0) {
          const refused = await sink.data(buf.subarray(0, at));
          if (refused) return refused;
        }
        const refused = await sink.end();
        if (refused) return refused;
        buf = buf.subarray(at + delimiter.length);
        state = "after";
      }
    }
    // Bytes held back are copied, so the chunk Bun gave can go.
    if (buf.length > 0) buf = Buffer.from(buf);
  }
  return state === "done" ? null : new FormError(400, "malformed multipart body: it ends before its closing boundary");
}
