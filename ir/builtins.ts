/**
 * Names every program can use without declaring them (language.md,
 * "Standard library"; decisions.md, "Gradual typing"), and the ones each
 * block kind adds.
 */

/** The standard library of language.md, plus Option/Result constructors. */
export const STDLIB = [
  "print", "len", "range", "map", "filter", "each", "reduce", "sum", "min", "max", "sort_by", "take", "skip", "first", "last", "find",
  "any", "all", "join", "split", "trim", "upper", "lower", "contains", "starts_with", "ends_with", "to_string", "to_int", "to_float",
  "uuid", "env", "unwrapOr", "unwrap_or", "ok_or", "is_some", "is_none", "is_ok", "is_err", "keys", "values", "entries", "sleep",
  "read", "write", "stream", "where", "drop_nil", "reverse", "sort", "unique", "flat_map", "group_by", "count", "abs", "round", "floor",
  "ceil", "replace", "Some", "None", "Ok", "Err", "Process",
  // HTTP caching helpers act on a response object, so they work in any function (scaling.md, "Caching").
  "cache_control", "etag",
] as const;

/** JavaScript globals: dynamically typed, accepted anywhere (decisions.md, "Gradual typing"). */
export const JS_GLOBALS = [
  "fetch", "Date", "JSON", "Math", "console", "Promise", "Object", "Array", "String", "Number", "Boolean", "Error", "TypeError",
  "RangeError", "Map", "Set", "WeakMap", "Symbol", "BigInt", "RegExp", "URL", "URLSearchParams", "Response", "Request", "Headers",
  "FormData", "Blob", "TextEncoder", "TextDecoder", "AbortController", "AbortSignal", "setTimeout", "clearTimeout", "setInterval",
  "clearInterval", "queueMicrotask", "structuredClone", "encodeURIComponent", "decodeURIComponent", "encodeURI", "decodeURI",
  "parseInt", "parseFloat", "isNaN", "isFinite", "crypto", "performance", "globalThis", "process", "Bun", "Buffer", "Intl", "Infinity", "NaN",
  "undefined",
] as const;

/** Server-only functions (named-blocks.md, monitoring-service.md, scaling.md). */
export const SERVER_BUILTINS = ["publish", "spawn_job", "broadcast", "delete_all", "sign_jwt", "has_role", "can"] as const;

/** Client-only names: the RPC object and the browser's globals. */
export const CLIENT_BUILTINS = [
  "server", "document", "window", "localStorage", "sessionStorage", "navigator", "location", "history", "WebSocket", "EventSource",
  "alert", "requestAnimationFrame",
] as const;

/** Type names that need no declaration. */
export const BUILTIN_TYPES = ["Int", "Float", "String", "Bool", "Any", "Option", "Result", "Nil", "Void", "Date", "Json", "Object", "Promise", "Error", "File"] as const;

/** Variants of the built-in Option and Result. */
export const BUILTIN_VARIANTS: Record<string, { type: "Option" | "Result"; arity: number }> = {
  Some: { type: "Option", arity: 1 },
  None: { type: "Option", arity: 0 },
  Ok: { type: "Result", arity: 1 },
  Err: { type: "Result", arity: 1 },
};

/** Accessor functions every model has (decisions.md, "Models"). */
export const MODEL_FUNCTIONS = ["create", "find", "all", "where", "update", "delete", "count", "first", "delete_all"] as const;
