import type * as ast from "../../frontend/ast.js";
import type { ClientBlock } from "../../ir/types.js";
import { walkExpr } from "../../ir/walk.js";
import { RUNTIME, type ModuleContext } from "./context.js";
import { emitFunctions, emitTopLevel } from "./emit-common.js";
import { declaredTypeNames, safeName } from "./hygiene.js";
import { BodyEmitter } from "./lower/index.js";
import { emitTypes } from "./emit-shared.js";
import { tsType } from "./types.js";

/**
 * `<stem>.client[.<name>].ts`: state as signals, computed values, effects and
 * components as typed code against the client runtime, and a typed RPC
 * client for the `server.f()` calls the block makes.
 */
export function emitClient(ctx: ModuleContext, client: ClientBlock): void {
  const { file } = ctx;
  const body = new BodyEmitter(ctx, file);
  for (const n of [...client.states.map((s) => s.name), ...client.computeds.map((c) => c.name), ...client.components.map((c) => c.name), ...client.fns.map((f) => f.name), ...client.bindings.map((b) => b.name), ...declaredTypeNames(client.types)]) {
    ctx.moduleNames.add(n);
  }
  if (client.types.length) emitTypes(ctx, file, client.types, true);
  emitRpcClient(ctx, client);
  for (const s of client.states) {
    const signal = ctx.runtime(RUNTIME.client, "signal");
    const type = s.type ? `<${tsType(s.type, ctx.useType)}>` : "";
    file.line(`export const ${safeName(s.name)} = ${signal}${type}(${body.topLevel(() => body.expr(s.value), s.span)})`, s.span);
  }
  for (const c of client.computeds) {
    const computed = ctx.runtime(RUNTIME.client, "computed");
    file.line(`export const ${safeName(c.name)} = ${computed}(() => ${body.topLevel(() => body.expr(c.value), c.span)})`, c.span);
  }
  ctx.inferAsync([...ctx.app.shared.fns, ...client.fns]);
  emitTopLevel(ctx, body, client.bindings, client.stmts, false);
  emitFunctions(ctx, body, client.fns, true);
  for (const e of client.effects) {
    const effect = ctx.runtime(RUNTIME.client, "effect");
    const fn: ast.LambdaExpr = { kind: "Lambda", name: null, async: false, params: [], returnType: null, body: e.body, span: e.span };
    file.line(`${effect}(${body.topLevel(() => body.handler(fn), e.span)})`, e.span);
    file.blank();
  }
  for (const c of client.components) {
    // A component receives its props as functions: `<TodoItem todo={todo} />` is `h(TodoItem, { todo: () => todo.value })`.
    const lowered = body.component(c.params, c.body, (p) => tsType(p.type, ctx.useType));
    const child = ctx.runtimeType(RUNTIME.client, "Child");
    file.function({ name: c.name, exported: true, async: false, typeParams: [], params: lowered.param ? [lowered.param] : [], returnType: child }, lowered.write, c.span);
    file.blank();
  }
  const root = client.components.find((c) => c.name === "App" && c.params.length === 0) ?? client.components.find((c) => c.params.length === 0);
  if (root) {
    const mount = ctx.runtime(RUNTIME.client, "mount");
    file.line(`${mount}(${root.name})`);
  }
}

/** The server functions a client block calls as `server.f(...)`. */
export function serverCalls(ctx: ModuleContext, client: ClientBlock): Set<string> {
  const called = new Set<string>();
  const visit = (e: ast.Expr) => {
    if (e.kind === "Member" && e.object.kind === "Ident" && e.object.name === "server" && ctx.names.symbols.get(e.object)?.kind === "builtin") called.add(e.name);
  };
  for (const s of client.states) walkExpr(s.value, visit);
  for (const c of client.computeds) walkExpr(c.value, visit);
  for (const e of client.effects) walkExpr(e.body, visit);
  for (const c of client.components) walkExpr(c.body, visit);
  for (const f of client.fns) walkExpr(f.body, visit);
  for (const b of client.bindings) walkExpr(b.value, visit);
  return called;
}

/** `const server = rpcClient<{ get_users(): Promise<User[]> }>()`, typed from the server blocks' functions. */
function emitRpcClient(ctx: ModuleContext, client: ClientBlock) {
  const called = serverCalls(ctx, client);
  if (!called.size) return;
  const members = [...called].map((name) => {
    const fn = ctx.app.servers.flatMap((s) => s.fns).find((f) => f.kind === "fn" && f.name === name);
    if (!fn) return `${name}(...args: any[]): Promise<any>`;
    const params = fn.params.map((p) => `${p.name}${p.optional ? "?" : ""}: ${tsType(p.type, ctx.useType)}`);
    // An `Err` answers an error status, which the call throws (runtime/client/rpc.ts): a Result gives its Ok value.
    const ret = fn.returnType?.kind === "TName" && fn.returnType.name === "Result" && fn.returnType.args[0] ? fn.returnType.args[0] : fn.returnType;
    return `${name}(${params.join(", ")}): Promise<${ret ? tsType(ret, ctx.useType) : "any"}>`;
  });
  const rpcClient = ctx.runtime(RUNTIME.client, "rpcClient");
  ctx.file.line(`const ${ctx.rpcObject} = ${rpcClient}<{ ${members.join("; ")} }>()`);
  ctx.file.blank();
}
