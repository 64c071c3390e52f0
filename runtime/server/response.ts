// `res` for middleware, `(req, res)` handlers and `on_error`, and the one
// function that turns an answer into a fetch Response. Every response the
// server sends goes through `toResponse`, so the headers middleware set and
// the `X-Request-Id` echo appear on all of them (errors and 404s included).
import type { ResponseStatus, TovaResponse } from "./types.js";
import { prepared } from "./layers/headers.js";

export const JSON_TYPE = "application/json";
const TEXT_TYPE = "text/plain; charset=utf-8";

type Body = string | Uint8Array | ArrayBuffer | Blob | ReadableStream | null;
type ResponseBody = ConstructorParameters<typeof Response>[0];

/** The `res` object: collects status, headers and at most one answer. */
export class TovaResponseImpl implements TovaResponse {
  [key: string]: any;
  statusCode = 200;
  /** True once `status()` was called: a handler's returned value then keeps that status. */
  statusSet = false;
  sent = false;
  body: Body = null;
  contentType: string | null = null;
  /** Headers by lower-case name. */
  headers: Record<string, string> | null = null;
  /** A Response given to `send`, answered as it is. */
  passthrough: Response | null = null;
  private finishers: (() => void)[] | null = null;
  private statusAccessor: ResponseStatus | null = null;

  /**
   * `res.status(404)` sets the status; `res.status` alone stands for it
   * (scaling.md "Structured Logging" logs `status: res.status` in
   * `on_finish`): it serialises, prints and compares (`<`, `>=`) as the number.
   */
  get status(): ResponseStatus {
    if (this.statusAccessor) return this.statusAccessor;
    const set = (code: number): TovaResponse => {
      this.statusCode = code;
      this.statusSet = true;
      return this;
    };
    const current = () => this.statusCode;
    return (this.statusAccessor = Object.assign(set, { toJSON: current, valueOf: current, toString: () => String(this.statusCode) }));
  }

  json(value: unknown): void {
    this.answer(JSON.stringify(value) ?? "null", JSON_TYPE);
  }

  text(value: string): void {
    this.answer(String(value), TEXT_TYPE);
  }

  send(value: unknown): void {
    if (value instanceof Response) {
      if (!this.sent) this.passthrough = value;
      this.sent = true;
    } else if (value === null || value === undefined) this.answer(null, null);
    else if (typeof value === "string") this.answer(value, TEXT_TYPE);
    else if (value instanceof Uint8Array || value instanceof ArrayBuffer || value instanceof Blob || value instanceof ReadableStream) {
      this.answer(value, "application/octet-stream");
    } else this.json(value);
  }

  setHeader(name: string, value: string): void {
    (this.headers ??= {})[name.toLowerCase()] = String(value);
  }

  header(name: string, value: string): void {
    this.setHeader(name, value);
  }

  redirect(url: string, status: number = 302): void {
    this.status(status);
    this.setHeader("location", url);
    this.answer(null, null);
  }

  on_finish(fn: () => void): void {
    (this.finishers ??= []).push(fn);
  }

  /** The first answer wins; later ones are ignored. */
  private answer(body: Body, type: string | null): void {
    if (this.sent) return;
    this.sent = true;
    this.body = body;
    if (type !== null && !this.headers?.["content-type"]) this.contentType = type;
  }

  /** Runs the on_finish callbacks; one that throws does not stop the others. */
  finish(onError: (err: unknown) => void): void {
    if (!this.finishers) return;
    for (const fn of this.finishers) {
      try {
        fn();
      } catch (err) {
        onError(err);
      }
    }
  }
}

/**
 * The fetch Response for an answer: the content type, `X-Request-Id`, then
 * `res`'s headers (when there is a `res`), so middleware can override both.
 * Headers are set on the new Response rather than passed in its init: on Bun
 * that is about twice as fast, and this runs on every request.
 */
export function toResponse(
  status: number,
  body: Body,
  contentType: string | null,
  requestId: string,
  res: TovaResponseImpl | undefined,
): Response {
  const response = new Response(body as ResponseBody, status === 200 ? undefined : { status });
  const headers = response.headers;
  if (contentType !== null) headers.set("content-type", contentType);
  else if (typeof body === "string") headers.delete("content-type"); // not the text/plain a string body implies
  headers.set("x-request-id", requestId);
  const extra = res?.headers;
  if (extra) for (const name in extra) headers.set(name, extra[name]!);
  return response;
}

/**
 * A JSON answer. Response.json serializes natively and sets the content type
 * itself, which on Bun is cheaper than JSON.stringify plus a header.
 */
export function jsonResponse(status: number, value: unknown, requestId: string, res: TovaResponseImpl | undefined): Response {
  const response = status === 200 ? Response.json(value) : Response.json(value, { status });
  const headers = response.headers;
  headers.set("x-request-id", requestId);
  const extra = res?.headers;
  if (extra) for (const name in extra) headers.set(name, extra[name]!);
  return response;
}

/**
 * A JSON answer built with the default headers of the headers layer already
 * in (`defaults`, copied natively by the constructor): the layer then skips
 * them (layers/headers.ts, `prepared`). For an answer without `res` headers,
 * which the layer would override.
 */
export function preparedJsonResponse(status: number, value: unknown, requestId: string, defaults: Headers): Response {
  const response = Response.json(value, status === 200 ? { headers: defaults } : { status, headers: defaults });
  response.headers.set("x-request-id", requestId);
  return prepared(response);
}

/** The Response for what `res` answered. */
export function answeredResponse(res: TovaResponseImpl, requestId: string): Response {
  if (res.passthrough) return withHeaders(res.passthrough, requestId, res.headers);
  return toResponse(res.statusCode, res.body, res.contentType, requestId, res);
}

/** A Response the handler built itself, with the request id and `res`'s headers added. */
export function withHeaders(response: Response, requestId: string, extra: Record<string, string> | null): Response {
  let target = response;
  try {
    if (!response.headers.has("x-request-id")) response.headers.set("x-request-id", requestId);
  } catch {
    // Immutable headers (a Response from fetch): copy it.
    target = new Response(response.body, response);
    if (!target.headers.has("x-request-id")) target.headers.set("x-request-id", requestId);
  }
  if (extra) for (const name in extra) target.headers.set(name, extra[name]!);
  return target;
}
