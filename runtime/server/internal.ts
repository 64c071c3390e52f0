// Requests between the application's own servers (security.md, "Between the
// application's own servers"): every request a server sends for the runtime's
// own use (an event to `POST /rpc/__event`, a peer RPC call) carries
//
//   X-Tova-Timestamp: <unix milliseconds>
//   X-Tova-Signature: <hex HMAC-SHA256 of "v1\n<timestamp>\n<METHOD>\n<path>\n<body>">
//
// made with TOVA_APP_KEY, the key the app's servers share (`tova dev` and
// `tova deploy` give every process the same one). A server started without it
// makes up its own, so it accepts only what it signed itself. The receiver
// checks the timestamp against a window, recomputes the MAC and compares in
// constant time, and remembers the signatures it accepted for as long as they
// could be valid, so an exact replay is refused too. Method and path are
// signed, so a signed event cannot be replayed against another endpoint.
import { nodeCrypto } from "../builtins.js";
import { pathOf } from "./request.js";
import { readText, TooLarge } from "./uploads/body.js";

export const TIMESTAMP_HEADER = "x-tova-timestamp";
export const SIGNATURE_HEADER = "x-tova-signature";
/** How far a request's timestamp may be from the receiver's clock, either way. */
export const WINDOW_MS = 60_000;
/** The shortest TOVA_APP_KEY accepted: what `tova dev`/`tova deploy` generate is 64 hex digits. */
export const MIN_KEY_LENGTH = 32;

let key: Buffer | undefined;
let generated = false;

/** The application key: TOVA_APP_KEY, or 32 random bytes made up once per process. */
export function appKey(): Buffer {
  if (key) return key;
  const text = process.env["TOVA_APP_KEY"];
  if (text === undefined || text === "") {
    generated = true;
    return (key = nodeCrypto().randomBytes(32));
  }
  if (text.length < MIN_KEY_LENGTH) {
    throw new Error(`TOVA_APP_KEY is ${text.length} characters long; it must have at least ${MIN_KEY_LENGTH} (tova dev and tova deploy generate one)`);
  }
  return (key = Buffer.from(text, "utf8"));
}

/** True when this process made up its own key (no TOVA_APP_KEY): it accepts only its own internal requests. */
export function keyIsOwn(): boolean {
  appKey();
  return generated;
}

function mac(timestamp: string, method: string, path: string, body: string): Buffer {
  return nodeCrypto().createHmac("sha256", appKey()).update(`v1\n${timestamp}\n${method}\n${path}\n`).update(body).digest();
}

/** The headers that prove a request comes from one of the app's servers. */
export function signatureHeaders(method: string, path: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = String(now);
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: mac(timestamp, method, path, body).toString("hex") };
}

/** Signatures accepted within the window, with the time each stops being valid (insertion order ≈ expiry order). */
const seen = new Map<string, number>();

function forgetExpired(now: number): void {
  for (const [signature, until] of seen) {
    if (until > now) break;
    seen.delete(signature);
  }
}

const TIMESTAMP = /^\d{1,15}$/;
const SIGNATURE = /^[0-9a-f]{64}$/;

/**
 * What can be checked before the body is read: both headers present, well
 * formed, and a timestamp inside the window. Null when the request may go on.
 */
export function precheck(headers: Headers, now = Date.now()): string | null {
  const timestamp = headers.get(TIMESTAMP_HEADER);
  const signature = headers.get(SIGNATURE_HEADER);
  if (timestamp === null || signature === null) return "this endpoint is internal: the request must be signed with the application's key";
  if (!TIMESTAMP.test(timestamp) || !SIGNATURE.test(signature)) return "malformed signature headers";
  if (Math.abs(now - Number(timestamp)) > WINDOW_MS) return "the request's timestamp is outside the accepted window (a replay, or clocks apart)";
  return null;
}

/**
 * Checks a request's signature against its body. Null when it is genuine,
 * first seen, and within the window (it is then remembered); otherwise why not.
 */
export function verify(method: string, path: string, headers: Headers, body: string, now = Date.now()): string | null {
  const early = precheck(headers, now);
  if (early !== null) return early;
  const timestamp = headers.get(TIMESTAMP_HEADER)!;
  const signature = headers.get(SIGNATURE_HEADER)!;
  // Both sides are 32 bytes (the header was checked to be 64 hex digits), as timingSafeEqual requires.
  if (!nodeCrypto().timingSafeEqual(Buffer.from(signature, "hex"), mac(timestamp, method, path, body))) {
    return "bad signature: the request was not signed with this application's key";
  }
  forgetExpired(now);
  if (seen.has(signature)) return "this request was already received (a replay)";
  seen.set(signature, Number(timestamp) + WINDOW_MS);
  return null;
}

/** True when a request carries the signature headers (it claims to come from one of the app's servers). */
export function claimsInternal(raw: Request): boolean {
  return raw.headers.has(SIGNATURE_HEADER) && raw.headers.has(TIMESTAMP_HEADER);
}

/**
 * For a layer that lets the app's own servers through (a peer's RPC call
 * under `protect "/rpc/*"`): reads the body (up to `limit` bytes) and checks
 * the signature of a request that `claimsInternal`. Answers the request to
 * pass on (its body read, so a new Request with the same bytes), or null when
 * the claim is false, stale, replayed or the body too large.
 */
export async function admitSigned(raw: Request, limit: number): Promise<Request | null> {
  if (precheck(raw.headers) !== null) return null;
  const text = await readText(raw, limit);
  if (text instanceof TooLarge) return null;
  if (verify(raw.method, pathOf(raw.url), raw.headers, text) !== null) return null;
  return new Request(raw.url, { method: raw.method, headers: raw.headers, body: text === "" ? null : text });
}

/**
 * The signature of an event entry in a Redis stream (scale-out.md): Redis is
 * shared, so an entry proves it was written by one of the app's servers the
 * same way a request does. No window or replay check: the stream is the log
 * of what was published, and its consumer group delivers each entry once.
 */
export function signEntry(event: string, data: string): string {
  // The name's length first: a name may hold anything, even a newline, and must not run into the data.
  return nodeCrypto().createHmac("sha256", appKey()).update(`v1-event\n${Buffer.byteLength(event)}:${event}\n`).update(data).digest("hex");
}

/** Whether `signature` is `signEntry(event, data)`, compared in constant time. */
export function verifyEntry(event: string, data: string, signature: string): boolean {
  return SIGNATURE.test(signature) && nodeCrypto().timingSafeEqual(Buffer.from(signature, "hex"), Buffer.from(signEntry(event, data), "hex"));
}
