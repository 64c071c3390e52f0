import type { Span } from "../../frontend/span.js";
import type { Diagnostic } from "../../diagnostics/types.js";
import { diagnostic } from "../../diagnostics/catalog.js";
import { emptyClient, emptyData, emptyServer, emptyShared, lowerDeploy } from "../lower.js";
import type { App, ClientBlock, DeployTarget, FileIR, SecurityBlock, ServerBlock } from "../types.js";

/**
 * Blocks with the same kind and name merge across the files of an
 * application (named-blocks.md, "Named Blocks Across Files"). Files are taken
 * in sorted path order, so the result does not depend on the order they were
 * given in; two definitions of one name in a merged block are an error that
 * shows both places.
 */
export function mergeBlocks(files: readonly FileIR[], stem: string): { app: App; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const sorted = [...files].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const servers = new Map<string, ServerBlock>();
  const clients = new Map<string, ClientBlock>();
  const shared = emptyShared();
  const data = emptyData();
  const securities: SecurityBlock[] = [];
  const deployBlocks = new Map<string, { name: string; entries: FileIR["deploys"][number]["entries"]; span: Span; nameSpan: Span }>();

  for (const f of sorted) {
    for (const s of f.servers) mergeNamed(servers, s, emptyServer);
    for (const c of f.clients) mergeNamed(clients, c, emptyClient);
    appendAll(shared, f.shared);
    appendAll(data, f.data);
    securities.push(...f.security);
    for (const d of f.deploys) {
      const prev = deployBlocks.get(d.name);
      deployBlocks.set(d.name, prev ? { ...prev, entries: [...prev.entries, ...d.entries] } : d);
    }
  }

  for (const s of servers.values()) checkServerDuplicates(s, diagnostics);
  checkTables([...servers.values()], diagnostics);
  for (const c of clients.values()) {
    reportDuplicates(
      [...c.states.map((x) => named(x.name, x.nameSpan)), ...c.computeds.map((x) => named(x.name, x.nameSpan)), ...c.components.map((x) => named(x.name, x.nameSpan)), ...c.fns.map((x) => named(x.name, x.nameSpan))],
      blockLabel("client", c.name),
      diagnostics,
    );
  }
  reportDuplicates([...shared.types.map((t) => named(t.name, t.nameSpan))], "shared types", diagnostics);
  // Variants are values (language.md, "Types"): two enums of one scope may not share a variant name.
  reportDuplicates(
    shared.types.flatMap((t) => (t.def.kind === "enum" ? t.def.variants.map((v) => named(v.name, v.span)) : [])),
    "the shared scope (variants are values)",
    diagnostics,
  );
  reportDuplicates([...shared.fns.map((t) => named(t.name, t.nameSpan))], "the shared scope", diagnostics);
  reportDuplicates(data.sources.map((x) => named(x.name, x.nameSpan)), "the data block", diagnostics);

  // Statements outside every block run in each process that loads the shared scope: every server (emit-server.ts).
  const first = shared.stmts[0];
  if (first && servers.size > 1) {
    const names = [...servers.values()].map((s) => (s.name === null ? "the unnamed server" : `"${s.name}"`));
    diagnostics.push(
      diagnostic("W0003", first.span, `this statement is outside every block, so it runs once in each of the ${servers.size} server processes (${names.join(", ")})`, {
        hint: "to run it once, move it into the server block that should run it (into its `on_start` for work at start)",
      }),
    );
  }

  const deploys: DeployTarget[] = [];
  for (const d of deployBlocks.values()) {
    const lowered = lowerDeploy(d);
    deploys.push(lowered.target);
    diagnostics.push(...lowered.diagnostics);
  }

  const app: App = {
    stem,
    files: sorted.map((f) => f.file),
    shared,
    servers: [...servers.values()],
    clients: [...clients.values()],
    data,
    security: securities.length ? { ...securities[0]!, entries: securities.flatMap((x) => x.entries) } : null,
    deploys,
  };
  return { app, diagnostics };
}

/** Appends `block` to the block of the same name, which the first appearance creates. */
function mergeNamed<B extends { name: string | null; file: string; span: Span }>(
  into: Map<string, B>,
  block: B,
  empty: (name: string | null, file: string, span: Span) => B,
) {
  // The unnamed block is keyed apart from every name, `""` included.
  const key = block.name === null ? "\u0000default" : `"${block.name}"`;
  let target = into.get(key);
  if (!target) {
    target = empty(block.name, block.file, block.span);
    into.set(key, target);
  }
  appendAll(target, block);
}

/** Concatenates every array field of `from` onto `into` (blocks are records of lists). */
function appendAll<T extends object>(into: T, from: T) {
  for (const key of Object.keys(from) as (keyof T)[]) {
    const v = from[key];
    if (Array.isArray(v)) (into[key] as unknown[]).push(...v);
  }
}

interface Named {
  name: string;
  span: Span;
}

const named = (name: string, span: Span): Named => ({ name, span });

export function blockLabel(kind: string, name: string | null): string {
  return name === null ? `the default ${kind} block` : `${kind} "${name}"`;
}

function checkServerDuplicates(s: ServerBlock, diagnostics: Diagnostic[]) {
  const where = blockLabel("server", s.name);
  reportDuplicates(
    [
      ...s.fns.map((f) => named(f.name, f.nameSpan)),
      ...s.models.map((m) => named(m.accessor, m.nameSpan)),
      ...s.envs.map((e) => named(e.name, e.nameSpan)),
      ...s.peers.map((p) => named(p.name, p.nameSpan)),
    ],
    where,
    diagnostics,
  );
  reportDuplicates(s.types.map((t) => named(t.name, t.nameSpan)), where, diagnostics);
  reportDuplicates(s.routes.map((r) => named(`${r.method} ${r.path}`, r.span)), where, diagnostics, "E0308");
  reportDuplicates(s.ports.map((p) => named("port", p.span)), where, diagnostics);
  reportDuplicates(s.dbs.map((d) => named("db", d.span)), where, diagnostics);
  const redis = s.dbs.find((d) => d.adapter === "redis");
  const model = s.models[0];
  if (redis && model) {
    // decisions.md / scale-out.md: `db { type: "redis" }` gives the application Redis (events, jobs, schedules, sessions), not tables.
    diagnostics.push(
      diagnostic("E0307", model.nameSpan, `\`model ${model.typeName}\` needs a SQL database, but this server's \`db { type: "redis" }\` is Redis, which has no tables`, {
        hint: 'keep models on SQLite (`db { path: "app.db" }`) or PostgreSQL (`db { adapter: "postgres", url: env("DATABASE_URL") }`); for Redis beside it, put `redis { }` in the deploy block\'s `db` (scale-out.md), which sets REDIS_URL',
      }),
    );
  }
}

function reportDuplicates(items: Named[], where: string, diagnostics: Diagnostic[], code: "E0103" | "E0308" = "E0103") {
  const first = new Map<string, Named>();
  for (const item of items) {
    const prev = first.get(item.name);
    if (!prev) {
      first.set(item.name, item);
      continue;
    }
    const what = code === "E0308" ? `route \`${item.name}\`` : `\`${item.name}\``;
    diagnostics.push(
      diagnostic(code, item.span, `${what} is defined twice in ${where}`, {
        labels: [{ span: prev.span, message: "first defined here" }],
        hint: prev.span.file !== item.span.file ? "blocks with the same name merge across files; rename or remove one of them" : "rename or remove one of them",
      }),
    );
  }
}

/** Two models whose names map to one table (`Person` and `Persons` are both `persons`) would read and write each other's rows. */
function checkTables(servers: readonly ServerBlock[], diagnostics: Diagnostic[]) {
  const byTable = new Map<string, ServerBlock["models"][number]>();
  for (const m of servers.flatMap((s) => s.models)) {
    const first = byTable.get(m.table);
    if (!first) byTable.set(m.table, m);
    else if (first.typeName !== m.typeName) {
      diagnostics.push(
        diagnostic("E0311", m.nameSpan, `\`model ${m.typeName}\` and \`model ${first.typeName}\` would share the table "${m.table}", and read and write each other's rows`, {
          hint: "rename one of the models",
        }),
      );
    }
  }
}
