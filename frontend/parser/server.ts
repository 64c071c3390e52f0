import type { ConfigStmtName, Expr, FieldDecl, LambdaExpr, Stmt } from "../ast.js";
import type { Token } from "../tokens.js";
import { diagnostic } from "../../diagnostics/catalog.js";
import {
  accept, context, expected, gen, mark, name, next, op, peek, peekAt, skipSeparators, spanFrom, stringLit, type P, type Run,
} from "./core.js";
import { configBody } from "./config.js";
import { expr, lambda } from "./expressions.js";
import { blockExpr, fieldList, fnDecl } from "./statements.js";
import { typeExpr } from "./types.js";

/**
 * Server block statements (named-blocks.md, scaling.md, monitoring-service.md,
 * decisions.md "Syntax variants that all must parse"). Each word is a keyword
 * only when the token after it fits: `route GET`, `db {`, `env NAME:`, ...
 * Returns null when the current token starts no server statement.
 */

const isOp = (t: Token, v: string) => t.kind === "op" && t.value === v;
const CONFIG_WORDS = new Set<ConfigStmtName>(["cors", "rate_limit", "tls", "sessions", "cache", "static", "uploads"]);

export const serverStatement: P<Stmt | null> = gen((run): Stmt | null => {
  const t = run(peek);
  const n = run(peekAt(1));
  switch (t.value) {
    case "route":
      return n.kind === "ident" ? run(route) : null;
    case "model":
      return n.kind === "ident" && /^[A-Z]/.test(n.value) ? run(model) : null;
    case "db":
      return isOp(n, "{") ? run(configStmt("Db")) : null;
    case "env":
      return n.kind === "ident" && isOp(run(peekAt(2)), ":") ? run(env) : null;
    case "port":
      return n.kind === "num" || n.kind === "str" || (n.kind === "ident" && !isOp(run(peekAt(2)), "(")) ? run(valueStmt("Port")) : null;
    case "max_body":
      return n.kind === "num" || n.kind === "ident" ? run(valueStmt("MaxBody")) : null;
    case "discover":
      return n.kind === "str" ? run(discover) : null;
    case "schedule":
      return n.kind === "str" ? run(schedule) : null;
    case "subscribe":
      return n.kind === "str" ? run(subscribe) : null;
    case "emit":
      return n.kind === "str" ? run(emit) : null;
    case "background":
      return n.kind === "kw" && (n.value === "fn" || n.value === "async") ? run(fnDecl("background")) : null;
    case "middleware":
      return n.kind === "kw" && (n.value === "fn" || n.value === "async") ? run(fnDecl("middleware")) : null;
    case "on_start":
    case "on_stop":
    case "on_error":
      return (n.kind === "kw" && (n.value === "fn" || n.value === "async")) || isOp(n, "{") ? run(lifecycle) : null;
    case "ws":
      return isOp(n, "{") ? run(websocket) : null;
    case "websocket":
      return n.kind === "str" || isOp(n, "{") ? run(websocket) : null;
    case "sse":
      return n.kind === "str" ? run(sse) : null;
    default:
      if (CONFIG_WORDS.has(t.value as ConfigStmtName) && isOp(n, "{")) return run(configStmt("Config"));
      return null;
  }
});

function strSpan(run: Run, t: Token) {
  return { file: run(context).file, start: t.start, end: t.end };
}

const route: P<Stmt> = gen((run) => {
  const start = run(mark);
  run(next);
  const method = run(name("an HTTP method"));
  const path = run(stringLit);
  run(op("=>"));
  const handler = run(expr);
  return { kind: "Route", method: method.value, methodSpan: strSpan(run, method), path: path.value, pathSpan: strSpan(run, path), handler, span: run(spanFrom(start)) };
});

const model: P<Stmt> = gen((run) => {
  const start = run(mark);
  run(next);
  const n = run(name("a model name"));
  const fields: FieldDecl[] | null = isOp(run(peek), "{") ? run(fieldList) : null;
  return { kind: "Model", name: n.value, nameSpan: strSpan(run, n), fields, span: run(spanFrom(start)) };
});

function configStmt(kind: "Db" | "Config"): P<Stmt> {
  return gen((run): Stmt => {
    const start = run(mark);
    const word = run(next);
    const entries = run(configBody);
    const span = run(spanFrom(start));
    return kind === "Db" ? { kind: "Db", entries, span } : { kind: "Config", name: word.value as ConfigStmtName, entries, span };
  });
}

const env: P<Stmt> = gen((run) => {
  const start = run(mark);
  run(next);
  const n = run(name("a variable name"));
  run(op(":"));
  const type = run(typeExpr);
  const dflt = run(accept("op", "=")) ? run(expr) : null;
  return { kind: "Env", name: n.value, nameSpan: strSpan(run, n), type, default: dflt, span: run(spanFrom(start)) };
});

function valueStmt(kind: "Port" | "MaxBody"): P<Stmt> {
  return gen((run): Stmt => {
    const start = run(mark);
    run(next);
    const value = run(expr);
    return { kind, value, span: run(spanFrom(start)) };
  });
}

/** The four forms of decisions.md: `at "url"`, `at "url" { }`, `at "url" with { }`, `{ url: ... }`. */
const discover: P<Stmt> = gen((run): Stmt => {
  const start = run(mark);
  run(next);
  const peer = run(stringLit);
  let at: Expr | null = null;
  let form: "at" | "at-config" | "at-with" | "config" = "config";
  if (run(peek).kind === "ident" && run(peek).value === "at") {
    run(next);
    at = run(expr);
    form = "at";
  }
  if (run(peek).kind === "ident" && run(peek).value === "with") {
    run(next);
    form = "at-with";
    if (!isOp(run(peek), "{")) run(expected("`{` after `with`"));
  } else if (isOp(run(peek), "{") && at) form = "at-config";
  if (!at && !isOp(run(peek), "{")) run(expected("`at \"url\"` or `{`"));
  const entries = isOp(run(peek), "{") ? run(configBody) : [];
  return { kind: "Discover", peer: peer.value, peerSpan: strSpan(run, peer), at, entries, form, span: run(spanFrom(start)) };
});

/** `schedule "cron" fn name() { }`, `schedule "cron" fn() { }`, `schedule "name" cron("cron") { }`. */
const schedule: P<Stmt> = gen((run): Stmt => {
  const start = run(mark);
  run(next);
  const first = run(stringLit);
  const t = run(peek);
  if (t.kind === "ident" && t.value === "cron") {
    run(next);
    run(op("("));
    const c = run(stringLit);
    run(op(")"));
    const body = run(blockExpr);
    return { kind: "Schedule", name: first.value, cron: c.value, cronSpan: strSpan(run, c), body, form: "cron", span: run(spanFrom(start)) };
  }
  if (isOp(t, "{")) {
    const body = run(blockExpr);
    return { kind: "Schedule", name: null, cron: first.value, cronSpan: strSpan(run, first), body, form: "fn", span: run(spanFrom(start)) };
  }
  const fn = run(lambda);
  const body = fn.body.kind === "Block" ? fn.body : { kind: "Block" as const, stmts: [{ kind: "ExprStmt" as const, expr: fn.body, span: fn.body.span }], span: fn.body.span };
  return { kind: "Schedule", name: fn.name, cron: first.value, cronSpan: strSpan(run, first), body, form: "fn", span: run(spanFrom(start)) };
});

const subscribe: P<Stmt> = gen((run) => {
  const start = run(mark);
  run(next);
  const event = run(stringLit);
  const handler = run(lambda);
  return { kind: "Subscribe", event: event.value, eventSpan: strSpan(run, event), handler, span: run(spanFrom(start)) };
});

const emit: P<Stmt> = gen((run) => {
  const start = run(mark);
  run(next);
  const event = run(stringLit);
  const value = run(expr);
  return { kind: "Emit", event: event.value, eventSpan: strSpan(run, event), value, span: run(spanFrom(start)) };
});

/** `on_start fn() { }` or `on_start { }` (a block is a handler without parameters). */
const lifecycle: P<Stmt> = gen((run) => {
  const start = run(mark);
  const hook = run(next).value as "on_start" | "on_stop" | "on_error";
  let handler: LambdaExpr;
  if (isOp(run(peek), "{")) {
    const bs = run(mark);
    const body = run(blockExpr);
    handler = { kind: "Lambda", name: null, async: false, params: [], returnType: null, body, span: run(spanFrom(bs)) };
  } else handler = run(lambda);
  return { kind: "Lifecycle", hook, handler, span: run(spanFrom(start)) };
});

/** `ws { on_open fn(socket) { } ... }` and `websocket "/ws" { ... }`. */
const websocket: P<Stmt> = gen((run) => {
  const start = run(mark);
  run(next);
  const path = run(peek).kind === "str" ? run(stringLit).value : null;
  run(op("{"));
  const handlers: { name: string; span: ReturnType<typeof strSpan>; handler: LambdaExpr }[] = [];
  for (;;) {
    run(skipSeparators);
    if (run(accept("op", "}"))) break;
    const dots = run(accept("op", "..."));
    if (dots) {
      const ctx = run(context);
      ctx.diagnostics.push(diagnostic("W0002", { file: ctx.file, start: dots.start, end: dots.end }, "`...` stands for elided code", { hint: "replace it with real handlers before building" }));
      continue;
    }
    const n = run(name("a handler name such as `on_open`, `on_message` or `on_close`"));
    const handler = run(lambda);
    handlers.push({ name: n.value, span: strSpan(run, n), handler });
  }
  return { kind: "WebSocket", path, handlers, span: run(spanFrom(start)) };
});

const sse: P<Stmt> = gen((run) => {
  const start = run(mark);
  run(next);
  const path = run(stringLit);
  const handler = run(lambda);
  return { kind: "Sse", path: path.value, pathSpan: strSpan(run, path), handler, span: run(spanFrom(start)) };
});

