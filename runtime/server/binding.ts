// Arguments from a request (decisions.md "Routes and RPC"): route parameters
// bind by name, path first, then the query string (GET, DELETE) or JSON body
// fields (POST, PUT, PATCH); a parameter marked wholeBody takes the whole
// body; RPC takes `{"__args": [...]}`. Strings from the path and query are
// converted to the declared type; JSON values are checked strictly. Anything
// missing, extra or wrongly typed is a BindError (a 400 naming the
// parameter), so a handler only ever sees values of its declared types.
//
// Each binder is compiled once, at registration: the per-request work is a
// loop over precomputed slots.
import { INVALID, isPlainObject, mismatch, type SchemaNode } from "../schema/node.js";
import { takesFiles } from "../schema/file.js";
import { parseQuery, type Query } from "./query.js";
import type { Param, ValueParam } from "./types.js";

/** A 400 answer: `{"error": message, "param": param}`. */
export class BindError {
  constructor(
    readonly message: string,
    readonly param: string,
  ) {}
}

/** What a route binder reads from one request. */
export interface RouteInput {
  pathParam(name: string): string | undefined;
  /** The query string, or "" when there is none. */
  queryString: string;
  /** The parsed JSON body; undefined when there was none. */
  body: unknown;
  /** A multipart body (uploads): field texts and saved files by name; null for JSON. */
  form: { fields: Map<string, string[]>; files: Map<string, unknown[]> } | null;
  /** The request object (`req.body` set), for a handler that takes it beside bound parameters. */
  handlerRequest(): unknown;
  /** The response object, for a handler that takes `res` beside bound parameters. */
  handlerResponse(): unknown;
}

export type Binder = (input: RouteInput) => unknown[] | BindError;

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/** True when `method` binds parameters from a JSON body. */
export function bindsBody(method: string): boolean {
  return BODY_METHODS.has(method.toUpperCase());
}

/** The `:name` parameters of a route path (`/a/:id{[0-9]+}/:rest?` has id and rest). */
export function pathParamNames(path: string): Set<string> {
  return new Set([...path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!));
}

const nodeOf = (p: ValueParam): SchemaNode => p.schema as unknown as SchemaNode;

/** The parameters bound from the request's data: not the request or response objects themselves. */
export function valueParams(params: Param[]): ValueParam[] {
  return params.filter((p): p is ValueParam => !("from" in p));
}

/** Absent: a parameter with a default gets undefined (so the default applies), an Option null. */
function checked(node: SchemaNode, value: unknown, name: string, hasDefault = false): unknown {
  if (value === undefined) return hasDefault ? undefined : node.optional ? null : new BindError(`missing parameter "${name}"`, name);
  return node.check(value) ? value : new BindError(node.explain(value, name) ?? mismatch(node.name, value, name), name);
}

function converted(node: SchemaNode, text: string, name: string): unknown {
  const value = node.parse(text);
  return value === INVALID ? new BindError(node.explain(text, name) ?? mismatch(node.name, text, name), name) : value;
}

/** A query parameter: all values for an array type (`?tag=a&tag=b`), else the first. */
function fromQuery(node: SchemaNode, query: Query, name: string, hasDefault: boolean): unknown {
  const values = query.get(name);
  if (values === undefined) return checked(node, undefined, name, hasDefault);
  const base = node.optional ? node.inner! : node;
  if (base.kind === "array" && !values[0]!.startsWith("[")) {
    const out: unknown[] = [];
    for (const text of values) {
      const one = converted(base.inner!, text, name);
      if (one instanceof BindError) return one;
      out.push(one);
    }
    return out;
  }
  return converted(node, values[0]!, name);
}

/**
 * For a route with a `File` or `[File]` parameter (security.md, "uploads"):
 * what each body parameter takes from a multipart body. Null for any other
 * route, which takes JSON only.
 */
export function formKinds(method: string, path: string, params: Param[]): Map<string, "file" | "files" | "field"> | null {
  const values = valueParams(params);
  if (!bindsBody(method) || !values.some((p) => takesFiles(nodeOf(p)))) return null;
  const inPath = pathParamNames(path);
  const kinds = new Map<string, "file" | "files" | "field">();
  for (const p of values) {
    if (inPath.has(p.name)) continue;
    const node = nodeOf(p);
    const base = node.optional && node.inner ? node.inner : node;
    kinds.set(p.name, !takesFiles(node) ? "field" : base.kind === "array" ? "files" : "file");
  }
  return kinds;
}

/** A body parameter from a multipart form: files as saved, fields converted from text like query values. */
function fromForm(node: SchemaNode, form: NonNullable<RouteInput["form"]>, name: string, hasDefault: boolean): unknown {
  if (takesFiles(node)) {
    const files = form.files.get(name);
    if (files === undefined) return checked(node, undefined, name, hasDefault);
    const base = node.optional && node.inner ? node.inner : node;
    return checked(node, base.kind === "array" ? files : files[0], name, hasDefault);
  }
  const values = form.fields.get(name);
  if (values !== undefined && values.length > 1 && (node.optional ? node.inner! : node).kind !== "array") {
    return new BindError(`${name}: expected one value, got ${values.length}`, name);
  }
  return fromQuery(node, form.fields, name, hasDefault);
}

type Slot =
  | { name: string; node: SchemaNode; hasDefault: boolean; source: "path" | "query" | "body" | "whole" }
  | { name: string; node: null; hasDefault: false; source: "request" | "response" };

/**
 * A path parameter is one segment of the path, but the router decodes `%2F` in it: `/files/..%2Fsecret` would give
 * `../secret` to a handler that builds a file name from it. Such a value is refused (400). A segment that is
 * `..` itself (or `%2E%2E`) never gets here: the URL is normalised before routing.
 */
function notASegment(text: string): boolean {
  return text.includes("/") || text.includes("\\");
}

/** The binder of a route handler's parameters. */
export function routeBinder(method: string, path: string, params: Param[]): Binder {
  const inPath = pathParamNames(path);
  const body = bindsBody(method);
  const slots: Slot[] = params.map((p): Slot =>
    "from" in p
      ? { name: p.name, node: null, hasDefault: false, source: p.from }
      : {
          name: p.name,
          node: nodeOf(p),
          hasDefault: p.optional === true,
          source: inPath.has(p.name) ? "path" : p.wholeBody && body ? "whole" : body ? "body" : "query",
        },
  );
  const queryNames = new Set(slots.filter((s) => s.source === "query").map((s) => s.name));
  const bodyNames = new Set(slots.filter((s) => s.source === "body").map((s) => s.name));
  const firstBody = slots.find((s) => s.source === "body");

  return (input) => {
    const query = !body && input.queryString !== "" ? parseQuery(input.queryString) : null;
    if (query) for (const key of query.keys()) if (!queryNames.has(key)) return new BindError(`unexpected query parameter "${key}"`, key);
    if (firstBody && input.form === null) {
      if (input.body !== undefined && !isPlainObject(input.body)) return new BindError("expected a JSON object body", firstBody.name);
      const fields = input.body as Record<string, unknown> | undefined;
      if (fields) for (const key in fields) if (!bodyNames.has(key)) return new BindError(`unexpected field "${key}"`, key);
    }
    const args = new Array<unknown>(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (slot.node === null) {
        args[i] = slot.source === "request" ? input.handlerRequest() : input.handlerResponse();
        continue;
      }
      const { name, node, hasDefault, source } = slot;
      let value: unknown;
      if (source === "path") {
        const text = input.pathParam(name);
        value = text === undefined ? checked(node, undefined, name, hasDefault) : notASegment(text) ? new BindError(`path parameter "${name}" must be one path segment: no "/" or "\\"`, name) : converted(node, text, name);
      } else if (source === "query") {
        value = query ? fromQuery(node, query, name, hasDefault) : checked(node, undefined, name, hasDefault);
      } else if (input.form !== null) {
        value = source === "whole" ? new BindError("expected a JSON body", name) : fromForm(node, input.form, name, hasDefault);
      } else if (source === "body") {
        // Own fields only: a parameter named `constructor` is not Object's.
        const fields = input.body as Record<string, unknown> | undefined;
        value = checked(node, fields && Object.hasOwn(fields, name) ? fields[name] : undefined, name, hasDefault);
      } else {
        value = checked(node, input.body, name, hasDefault);
      }
      if (value instanceof BindError) return value;
      args[i] = value;
    }
    return args;
  };
}

/** The binder of an RPC function: `{"__args": [...]}`, positional, checked strictly. */
export function rpcBinder(params: ValueParam[]): (body: unknown) => unknown[] | BindError {
  const names = params.map((p) => p.name);
  const nodes = params.map(nodeOf);
  const defaults = params.map((p) => p.optional === true);
  return (body) => {
    let args: unknown[];
    if (body === undefined) args = [];
    else if (isPlainObject(body) && (body.__args === undefined || Array.isArray(body.__args))) args = (body.__args as unknown[]) ?? [];
    else return new BindError('expected a body of the form {"__args": [...]}', "__args");
    if (args.length > nodes.length) {
      return new BindError(`too many arguments: expected at most ${nodes.length}, got ${args.length}`, "__args");
    }
    const out = new Array<unknown>(nodes.length);
    for (let i = 0; i < nodes.length; i++) {
      const value = checked(nodes[i]!, args[i], names[i]!, defaults[i]);
      if (value instanceof BindError) return value;
      out[i] = value;
    }
    return out;
  };
}
