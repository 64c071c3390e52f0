// One request, from Hono's match to the Response: request id, body, middleware,
// argument binding, the handler, result mapping, errors, the log line.
//
// The common case (typed parameters, no body, no middleware, a synchronous
// handler) runs without a promise or a `req`/`res` object; everything else
// takes the async path. Both end in `respond`, which echoes the request id,
// adds the headers middleware set, logs the request and counts it done
// (graceful shutdown waits for that count).
import { PeerUnavailable, propagatesRequestIds, withRequestId } from "./peers.js";
import { ModelInputError } from "../db/errors.js";
import { BindError, type Binder } from "./binding.js";
import { jsonString, logEvent, logRequestLine, requestLineHead } from "./log.js";
import { queryStringOf, requestIdOf, TovaRequestImpl } from "./request.js";
import { answeredResponse, jsonResponse, preparedJsonResponse, toResponse, TovaResponseImpl, withHeaders } from "./response.js";
import { routeAnswer, rpcAnswer, type Answer } from "./results.js";
import type { TovaRequest, TovaResponse } from "./types.js";
import { hasBody, mediaType, readText, TooLarge } from "./uploads/body.js";
import { FormError, readForm, type Form, type PartKind } from "./uploads/multipart.js";
import type { UploadConfig } from "./uploads/store.js";
import { isPrepared, preparedPromise, type DefaultHeaders } from "./layers/headers.js";

export type Middleware = (req: TovaRequest, res: TovaResponse) => unknown;
export type ErrorHandler = (err: any, req: TovaRequest, res: TovaResponse) => unknown;

/** A registered handler and how to call it. */
export interface Endpoint {
  kind: "route" | "rpc" | "req-res" | "health" | "not-found" | "not-allowed";
  handler: (...args: any[]) => unknown;
  /** Route binders read path, query and body; RPC binders read the body. */
  bind: Binder | ((body: unknown) => unknown[] | BindError) | null;
  /** The request body must be read before anything runs. */
  readsBody: boolean;
  /** Middleware does not run (the built-in /healthz, so probes never need credentials). */
  skipsMiddleware: boolean;
  /** A route with `File` parameters: it takes `multipart/form-data` (what each name takes), not JSON. */
  form?: ReadonlyMap<string, PartKind> | null;
  /** `not-allowed` (405): the methods the path has, for `Allow`. */
  allow?: string;
}

/** Path parameters, as Hono's request gives them (decoded). */
export interface PathParams {
  param(name: string): string | undefined;
  param(): Record<string, string>;
}

/** What all requests of one app share. */
export interface Shared {
  inflight: number;
  middleware: Middleware[];
  onError: ErrorHandler | null;
  /** `,"service":"<name>"` for named servers, else "": spliced into every request log line. */
  serviceField: string;
  /** The body of the built-in GET /healthz. */
  health(): Record<string, unknown>;
  /** Bytes a JSON (or text) body may have: `max_body`, else 1 MB (security.md, "max_body"). */
  bodyLimit: number;
  /** `uploads { }`, for routes with `File` parameters. */
  uploads: UploadConfig | null;
  /** The headers layer's default headers (layers/headers.ts): JSON answers are built with them. */
  defaultHeaders: DefaultHeaders | null;
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v instanceof Promise || (typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function");

function errorFields(err: unknown): { message: string; stack?: string } {
  if (err instanceof Error) return err.stack ? { message: err.message, stack: err.stack } : { message: err.message };
  return { message: String(err) };
}

/** Runs one request. */
export class Exchange {
  private req: TovaRequestImpl | undefined;
  private res: TovaResponseImpl | undefined;
  private bodyText = "";
  /** A multipart body's fields and saved files (routes with `File` parameters). */
  form: Form | null = null;
  private committed = false;
  /** Set when this exchange gives every answer the default headers itself (`runHere`). */
  private defaults: DefaultHeaders | null = null;
  private readonly t0 = performance.now();
  private readonly id: string;
  body: unknown = undefined;

  /**
   * `params` is null for a path without parameters (matched without Hono);
   * `logHead` is the request line's constant part for the route
   * (`requestLineHead`), when the caller has it made already.
   */
  constructor(
    private readonly app: Shared,
    private readonly ep: Endpoint,
    private readonly raw: Request,
    private readonly server: unknown,
    private readonly url: string,
    private readonly path: string,
    private readonly params: PathParams | null,
    private readonly logHead: string | null = null,
  ) {
    this.id = requestIdOf(raw);
    app.inflight++;
  }

  // RouteInput, for the binders.
  pathParam(name: string): string | undefined {
    return this.params?.param(name);
  }
  handlerRequest(): TovaRequestImpl {
    const req = this.request();
    req.body = this.body;
    return req;
  }
  handlerResponse(): TovaResponseImpl {
    return this.response();
  }
  get queryString(): string {
    return queryStringOf(this.url);
  }

  run(): Response | Promise<Response> {
    // Peer calls and events carry the request id (X-Request-Id); only processes that make them pay for it.
    return propagatesRequestIds() ? withRequestId(this.id, () => this.runHere()) : this.runHere();
  }

  private runHere(): Response | Promise<Response> {
    const ep = this.ep;
    if (ep.readsBody || ep.kind === "req-res" || (this.app.middleware.length > 0 && !ep.skipsMiddleware)) {
      const defaults = this.app.defaultHeaders;
      const method = this.raw.method;
      if (defaults === null || method === "GET" || method === "HEAD") return this.runAsync();
      // Every answer gets the default headers here (`respondWith`), so the headers layer need not wait for it (issue 15).
      this.defaults = defaults;
      return preparedPromise(this.runAsync());
    }
    try {
      const value = this.call();
      return isThenable(value) ? Promise.resolve(value).then((v) => this.answer(v), (e) => this.fail(e)) : this.answer(value);
    } catch (err) {
      return this.fail(err);
    }
  }

  private async runAsync(): Promise<Response> {
    try {
      if (this.ep.readsBody) {
        if (this.ep.form) {
          const refused = await this.readFormBody();
          if (refused !== null) return refused;
        } else {
          // Checked, then read with one await: no async function per step (issue 15, the RPC path).
          const check = this.checkType();
          if (check instanceof Response) return check;
          if (check) {
            const text = await readText(this.raw, this.app.bodyLimit);
            if (text instanceof TooLarge) return this.respondJson(413, { error: text.message });
            this.bodyText = text;
          }
        }
      }
      if (this.app.middleware.length > 0 && !this.ep.skipsMiddleware) {
        const req = this.request();
        const res = this.response();
        for (const middleware of this.app.middleware) {
          const r = middleware(req, res);
          if (isThenable(r)) await r;
          if (res.sent) return this.respondWith(answeredResponse(res, this.id));
        }
      }
      let value = this.call();
      if (isThenable(value)) value = await value;
      return this.answer(value);
    } catch (err) {
      return this.fail(err);
    }
  }

  /**
   * The request body's type (security.md, "max_body", "Requests"): routes and
   * RPC with body parameters take `application/json` only (415), routes with
   * `File` parameters `multipart/form-data` only (`readFormBody`); a
   * `(req, res)` handler takes any body as text. Answers the refusal, else
   * whether to read the body (as text, within the limit: `readText`).
   */
  private checkType(): Response | boolean {
    const raw = this.raw;
    if (this.ep.kind === "req-res") return true;
    const type = raw.headers.get("content-type");
    if (type === "application/json" || mediaType(type) === "application/json") return true;
    // No body at all is no arguments; any other body is not JSON.
    return hasBody(raw) ? this.respondJson(415, { error: "expected an application/json body" }) : false;
  }

  private async readFormBody(): Promise<Response | null> {
    const ep = this.ep;
    const raw = this.raw;
    if (mediaType(raw.headers.get("content-type")) !== "multipart/form-data" || this.app.uploads === null) {
      return this.respondJson(415, { error: "expected a multipart/form-data body" });
    }
    const form = await readForm(raw, ep.form!, this.app.uploads, this.app.bodyLimit);
    if (form instanceof FormError) return this.respondJson(form.status, form.param === undefined ? { error: form.message } : { error: form.message, param: form.param });
    if (form instanceof TooLarge) return this.respondJson(413, { error: form.message });
    this.form = form;
    return null;
  }

  /** Binds the arguments and calls the handler; a BindError is returned, not thrown. */
  private call(): unknown {
    const ep = this.ep;
    switch (ep.kind) {
      case "health":
      case "not-found":
      case "not-allowed":
        return undefined;
      case "req-res": {
        const req = this.request();
        const parsed = this.parseBody(true);
        if (parsed instanceof BindError) return parsed;
        req.body = parsed;
        return ep.handler(req, this.response());
      }
      case "route": {
        const parsed = this.parseBody(false);
        if (parsed instanceof BindError) return parsed;
        this.body = parsed;
        const args = (ep.bind as Binder)(this);
        if (args instanceof BindError) return args;
        if (this.form) {
          // Accepted: the files move to their final names before the handler sees their paths.
          this.form.batch.commit();
          this.committed = true;
        }
        return ep.handler.apply(null, args);
      }
      case "rpc": {
        const parsed = this.parseBody(false);
        if (parsed instanceof BindError) return parsed;
        const args = (ep.bind as (body: unknown) => unknown[] | BindError)(parsed);
        return args instanceof BindError ? args : ep.handler.apply(null, args);
      }
    }
  }

  /**
   * The JSON body; undefined when empty. A `(req, res)` handler gets the text
   * of a body that is not declared JSON.
   */
  private parseBody(lenient: boolean): unknown {
    if (this.bodyText === "") return undefined;
    if (lenient && !(this.raw.headers.get("content-type") ?? "").includes("json")) return this.bodyText;
    try {
      return JSON.parse(this.bodyText);
    } catch (err) {
      return new BindError(`malformed JSON body: ${(err as Error).message}`, this.ep.kind === "rpc" ? "__args" : "body");
    }
  }

  /** The Response for a handler's value. */
  private answer(value: unknown): Response {
    if (value instanceof BindError) {
      return this.respondJson(400, { error: value.message, param: value.param });
    }
    const res = this.res;
    if (res?.sent) return this.respondWith(answeredResponse(res, this.id));
    let answer: Answer | Response;
    switch (this.ep.kind) {
      case "rpc":
        answer = rpcAnswer(value);
        break;
      case "health":
        answer = { status: 200, value: this.app.health() };
        break;
      case "not-found":
        answer = { status: 404, value: { error: "Not Found" } };
        break;
      case "not-allowed": {
        const response = this.respondJson(405, { error: "Method Not Allowed" });
        response.headers.set("allow", this.ep.allow ?? "");
        return response;
      }
      default:
        // A `(req, res)` handler that set a status and returned nothing answers that status, empty.
        if (res?.statusSet && (value === null || value === undefined)) return this.respond(res.statusCode, null, null);
        answer = routeAnswer(value);
    }
    if (answer instanceof Response) return this.respondWith(withHeaders(answer, this.id, res?.headers ?? null));
    const status = res?.statusSet && answer.status === 200 ? res.statusCode : answer.status;
    const response = this.respondJson(status, answer.value);
    if (answer.result) response.headers.set("x-tova-result", answer.result);
    return response;
  }

  /** A thrown error: on_error answers it if it can, else 500 without details. */
  private fail(err: unknown): Response | Promise<Response> {
    logEvent("error", "request failed", { ...errorFields(err), ...this.where() });
    const onError = this.app.onError;
    // A peer that did not answer, and that the handler did not catch: 503 naming the peer.
    if (!onError && err instanceof PeerUnavailable) return this.respondJson(503, { error: err.message, peer: err.peer, request_id: this.currentId() });
    // A model write or filter that does not fit the model (runtime/db/errors.ts): the handler passed request data through.
    if (!onError && err instanceof ModelInputError) return this.respondJson(400, { error: err.message, field: err.field });
    if (!onError) return this.internalError();
    const res = this.response();
    const afterwards = (): Response => (res.sent ? this.respondWith(answeredResponse(res, this.id)) : this.internalError());
    const failed = (e: unknown): Response => {
      logEvent("error", "on_error failed", { ...errorFields(e), ...this.where() });
      return this.internalError();
    };
    try {
      const r = onError(err, this.request(), res);
      return isThenable(r) ? Promise.resolve(r).then(afterwards, failed) : afterwards();
    } catch (e) {
      return failed(e);
    }
  }

  private internalError(): Response {
    return this.respondJson(500, { error: "Internal Server Error", request_id: this.currentId() });
  }

  private respondJson(status: number, value: unknown): Response {
    const defaults = this.app.defaultHeaders;
    // Without `res` headers (which the headers layer would override), the default headers go in as the Response is built.
    if (defaults !== null && (this.res === undefined || this.res.headers === null)) {
      return this.respondWith(preparedJsonResponse(status, value, this.id, defaults.for(this.raw)));
    }
    return this.respondWith(jsonResponse(status, value, this.id, this.res));
  }

  private respond(status: number, body: string | null, type: string | null): Response {
    return this.respondWith(toResponse(status, body, type, this.id, this.res));
  }

  /** Every response ends here: the default headers (see `runHere`), the log line, the in-flight count, on_finish callbacks. */
  private respondWith(answer: Response): Response {
    const response = this.defaults !== null && !isPrepared(answer) ? this.defaults.apply(this.raw, answer) : answer;
    this.app.inflight--;
    // Uploads: nothing stays for a refused request (a 4xx/5xx answer, or an answer before the handler ran).
    if (this.form && (!this.committed || response.status >= 400)) this.form.batch.discard();
    // The id: the request's own (a SAFE_ID token or a UUID, nothing to escape) unless middleware set `req.id`.
    const id = this.req ? jsonString(String(this.req.id)) : `"${this.id}"`;
    logRequestLine(this.logHead ?? requestLineHead(this.app.serviceField, this.raw.method, this.path), response.status, performance.now() - this.t0, id);
    // `res.status` in on_finish is the status that was sent (a 400, 404 or 500 included).
    if (this.res) this.res.statusCode = response.status;
    this.res?.finish((err) => logEvent("error", "on_finish failed", { ...errorFields(err), ...this.where() }));
    return response;
  }

  private currentId(): string {
    return this.req ? String(this.req.id) : this.id;
  }

  private where(): Record<string, string> {
    return { request_id: this.currentId(), method: this.raw.method, path: this.path };
  }

  private request(): TovaRequestImpl {
    return (this.req ??= new TovaRequestImpl(this.raw, this.path, this.id, this.params?.param() ?? {}, this.server));
  }

  private response(): TovaResponseImpl {
    return (this.res ??= new TovaResponseImpl());
  }
}
