// The type of an uploaded file from its content (security.md, "uploads":
// `allowed_types` is "checked against the file's content, not only its
// declared type"): magic bytes for the common binary types, and a text check
// for the text types. Only these types can be checked, so only these may be
// listed in `allowed_types` (the app refuses to start otherwise; the compiler
// should say so first).

/** The types the runtime recognises by content, with the extension a saved file gets. */
export const UPLOAD_TYPES: Readonly<Record<string, string>> = {
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "image/gif": ".gif",
  "image/webp": ".webp",
  "application/pdf": ".pdf",
  "application/zip": ".zip",
  "application/gzip": ".gz",
  "text/plain": ".txt",
  "text/csv": ".csv",
  "application/json": ".json",
  "text/markdown": ".md",
  "text/html": ".html",
  "image/svg+xml": ".svg",
  "application/xml": ".xml",
};

/** Text types a client may declare for text content (detected as text/plain unless it looks like markup). */
const PLAIN_TEXT_TYPES = new Set(["text/plain", "text/csv", "application/json", "text/markdown"]);

const startsWith = (head: Uint8Array, bytes: number[], at = 0) => bytes.every((b, i) => head[at + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** A binary type from the first bytes, or null. */
export function magicType(head: Uint8Array): string | null {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(head, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(head, ascii("GIF87a")) || startsWith(head, ascii("GIF89a"))) return "image/gif";
  if (startsWith(head, ascii("RIFF")) && startsWith(head, ascii("WEBP"), 8)) return "image/webp";
  if (startsWith(head, ascii("%PDF-"))) return "application/pdf";
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return "application/zip";
  if (startsWith(head, [0x1f, 0x8b])) return "application/gzip";
  return null;
}

/**
 * Watches a part's bytes as they arrive: the first 16 bytes for the magic
 * numbers, and every byte for text (valid UTF-8, no NUL or other control
 * characters but tab, newlines and form feed).
 */
export class Sniffer {
  private head = new Uint8Array(16);
  private headLength = 0;
  private text = true;
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  private firstText = "";

  push(chunk: Uint8Array): void {
    if (this.headLength < 16) {
      const n = Math.min(16 - this.headLength, chunk.length);
      this.head.set(chunk.subarray(0, n), this.headLength);
      this.headLength += n;
    }
    if (!this.text) return;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) {
        this.text = false;
        return;
      }
    }
    try {
      const decoded = this.decoder.decode(chunk, { stream: true });
      if (this.firstText.length < 64) this.firstText += decoded.slice(0, 64);
    } catch {
      this.text = false;
    }
  }

  /** The type the content shows, given the type the client declared (which picks among the plain-text types). */
  type(declared: string): string | null {
    const magic = magicType(this.head.subarray(0, this.headLength));
    if (magic !== null) return magic;
    if (!this.text) return null;
    try {
      this.decoder.decode(); // a multi-byte character cut off at the end is not text
    } catch {
      return null;
    }
    const start = this.firstText.replace(/^\uFEFF/, "").trimStart().toLowerCase();
    if (start.startsWith("<?xml")) return start.includes("<svg") ? "image/svg+xml" : "application/xml";
    if (start.startsWith("<svg")) return "image/svg+xml";
    if (start.startsWith("<")) return "text/html";
    return PLAIN_TEXT_TYPES.has(declared) ? declared : "text/plain";
  }
}

/** True when `type` is one of `allowed` (`image/*` allows every image type). */
export function typeAllowed(type: string, allowed: readonly string[]): boolean {
  for (const a of allowed) {
    if (a === type) return true;
    if (a.endsWith("/*") && type.startsWith(a.slice(0, -1))) return true;
  }
  return false;
}
