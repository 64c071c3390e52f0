// Request bodies read up to a limit (security.md, "max_body SIZE"): the limit
// counts the bytes actually read, with or without a Content-Length. A body
// over it is answered 413 at once: the handler never runs, and the server
// stops reading it.
//
// The 413 keeps the connection open (no `Connection: close`): measured on Bun
// 1.4.5, closing while the client is still sending makes the kernel reset the
// connection, and the reset destroys the answer on its way (curl saw `100`
// then a reset in 2 of 3 tries, a raw client saw nothing); without the close,
// curl and raw clients got the 413 every time, curl stopped sending, and Bun
// discards the rest of the body of a client that keeps sending. A client that
// itself asked for `Connection: close` gets the connection closed after the
// answer whatever we do, so before answering, the rest of a body is read and
// dropped up to DRAIN_BYTES / DRAIN_MS (`drain`): a 5 MB upload over a 1 KB
// limit is then answered, not reset; past that, the answer is best effort.

/** Without `max_body`, JSON bodies stop at 1 megabyte (security.md). */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** How much of a refused body is read and dropped before the answer (see above). */
export const DRAIN_BYTES = 16 * 1024 * 1024;
export const DRAIN_MS = 2000;

/** Reads and drops the rest of a body, up to DRAIN_BYTES or DRAIN_MS; then stops reading it. */
export async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  const deadline = Date.now() + DRAIN_MS;
  let dropped = 0;
  try {
    while (dropped <= DRAIN_BYTES && Date.now() < deadline) {
      const { done, value } = await reader.read();
      if (done) return;
      dropped += value.byteLength;
    }
  } catch {
    return;
  }
  reader.cancel().catch(() => undefined);
}

/** Thrown when a body is over its limit: answered 413. */
export class TooLarge {
  constructor(
    readonly limit: number,
    /** What is too large, with its verb: "the request body is". */
    readonly what = "the request body is",
  ) {}
  get message(): string {
    return `${this.what} larger than ${this.limit} bytes`;
  }
}

/** True when the request says it has a body (a non-zero Content-Length, or chunked framing). */
export function hasBody(raw: Request): boolean {
  const length = raw.headers.get("content-length");
  if (length !== null) return length.trim() !== "0";
  return raw.headers.has("transfer-encoding");
}

/**
 * The body as text, or a TooLarge. A body framed by Content-Length alone is
 * exactly that long, so the header is checked before reading and the body is
 * read natively (the fast path the RPC bench measures); one with a
 * Transfer-Encoding is counted as it arrives, whatever a Content-Length says.
 */
export function readText(raw: Request, limit: number): Promise<string | TooLarge> {
  const headers = raw.headers;
  const length = headers.get("content-length");
  if (length !== null && !headers.has("transfer-encoding")) {
    const declared = Number(length);
    // Not an async function: the body's own promise is what the caller awaits (one promise less per request).
    return declared > limit ? refuseDeclared(raw, declared, limit) : raw.text();
  }
  return readCounted(raw, limit);
}

/** A Content-Length over the limit: the rest is drained when it is not too much (see above), then 413. */
async function refuseDeclared(raw: Request, declared: number, limit: number): Promise<TooLarge> {
  if (declared <= limit + DRAIN_BYTES && raw.body !== null) await drain(raw.body.getReader());
  return new TooLarge(limit);
}

/** A body without a Content-Length (chunked): counted as it arrives. */
async function readCounted(raw: Request, limit: number): Promise<string | TooLarge> {
  const body = raw.body;
  if (body === null) return "";
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await drain(reader);
      return new TooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The media type of a Content-Type value, lower case, without parameters. */
export function mediaType(contentType: string | null): string {
  if (contentType === null) return "";
  const semi = contentType.indexOf(";");
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}
