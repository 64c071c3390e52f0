import type { CheckedApp } from "../../ir/checked.js";
import type { Field, TypeDecl } from "../../ir/types.js";
import { TsFile } from "./builders.js";
import { ModuleContext } from "./context.js";
import { emitClient } from "./emit-client.js";
import { emitServer } from "./emit-server.js";
import { emitShared } from "./emit-shared.js";
import { waitingEscapes } from "./escapes.js";
import type { Diagnostic } from "../../diagnostics/types.js";
import type { TypeTable } from "./types.js";
import { userNames } from "./hygiene.js";

/** One emitted module: its file name, and its code with source markers (see builders.ts). */
export interface EmittedModule {
  path: string;
  code: string;
  kind: "shared" | "server" | "client";
  /** The server block's name for server modules. */
  block: string | null;
}

/**
 * The TypeScript backend: one module per block (decisions.md, "Output"):
 * `<stem>.shared.ts`, `<stem>.server.ts`, `<stem>.server.<name>.ts`,
 * `<stem>.client.ts`. Pure: text in, text out.
 */
export function emitTypeScript(app: CheckedApp): { modules: EmittedModule[]; files: string[]; diagnostics: Diagnostic[] } {
  const fileIndex = new Map(app.files.map((f, i) => [f, i]));
  const reserved = userNames(app);
  const types = typeTable(app, reserved);
  const modules: EmittedModule[] = [];
  const diagnostics: Diagnostic[] = [];
  const make = (owner: ModuleContext["owner"]) => {
    const file = new TsFile(fileIndex);
    return { file, ctx: new ModuleContext(app, owner, file, types, fileIndex, reserved) };
  };
  {
    const { file, ctx } = make({ kind: "shared" });
    emitShared(ctx);
    diagnostics.push(...waitingEscapes(ctx, app.shared.fns, app.shared.bindings, app.shared.stmts));
    modules.push({ path: `${app.stem}.shared.ts`, code: file.toString(), kind: "shared", block: null });
  }
  for (const server of app.servers) {
    const { file, ctx } = make({ kind: "server", server });
    emitServer(ctx, server);
    diagnostics.push(...waitingEscapes(ctx, server.fns, server.bindings, server.stmts));
    modules.push({ path: `${app.stem}.server${server.name === null ? "" : `.${server.name}`}.ts`, code: file.toString(), kind: "server", block: server.name });
  }
  for (const client of app.clients) {
    const { file, ctx } = make({ kind: "client", client });
    emitClient(ctx, client);
    modules.push({ path: `${app.stem}.client${client.name === null ? "" : `.${client.name}`}.ts`, code: file.toString(), kind: "client", block: client.name });
  }
  return { modules, files: app.files, diagnostics };
}

function typeTable(app: CheckedApp, reserved: ReadonlySet<string>): TypeTable {
  const decls = new Map<string, TypeDecl>();
  for (const t of app.shared.types) decls.set(t.name, t);
  for (const s of app.servers) for (const t of s.types) if (!decls.has(t.name)) decls.set(t.name, t);
  for (const c of app.clients) for (const t of c.types) if (!decls.has(t.name)) decls.set(t.name, t);
  const models = new Map<string, Field[]>();
  for (const s of app.servers) {
    for (const m of s.models) {
      const fields = m.fields ?? (decls.get(m.typeName)?.def.kind === "record" ? (decls.get(m.typeName)!.def as { fields: Field[] }).fields : []);
      models.set(m.typeName, fields);
    }
  }
  const variants = new Map<string, { decl: TypeDecl; fields: string[] }>();
  for (const d of decls.values()) {
    if (d.def.kind === "enum") for (const v of d.def.variants) variants.set(v.name, { decl: d, fields: v.fields.map((f) => f.name) });
  }
  // Schema constants are exported by the shared module and imported by the others under the same name.
  const schemaNames = new Map<string, string>();
  const taken = new Set(reserved);
  for (const d of decls.values()) {
    let name = `${d.name}Schema`;
    for (let n = 2; taken.has(name); n++) name = `${d.name}Schema${n}`;
    taken.add(name);
    schemaNames.set(d.name, name);
  }
  return { decls, models, variants, schemaNames };
}
