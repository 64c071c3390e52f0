import type * as ast from "../../frontend/ast.js";
import { didYouMean } from "../../diagnostics/catalog.js";
import type { Checker } from "./checker.js";
import { ANY, array, BOOL, fn, INT, named, option, show, STRING, type Ty } from "./ty.js";

/**
 * A model's accessor functions (decisions.md, "Models"): `create(obj)`,
 * `find(id)`, `all()`, `where(filter)`, `update(id, changes)`, `delete(id)`,
 * `count()`, `delete_all()`. The objects they take are checked against the
 * model's fields, so `Item.create({ qyt: 1 })` is a compile error naming the
 * field rather than a 500 at run time.
 */
const SUFFIXES = ["_lte", "_gte", "_lt", "_gt", "_ne", "_in", "_like"];

export function modelMember(c: Checker, accessor: string, e: ast.MemberExpr): Ty {
  const model = c.app.servers.flatMap((s) => s.models).find((m) => m.accessor === accessor);
  if (!model) return ANY;
  const row = named(model.typeName);
  const check = (f: Ty) => f;
  switch (e.name) {
    case "create":
      return check(fn([ANY], row, 1, null, ["values"]));
    case "find":
      return fn([INT], option(row), 1, null, ["id"]);
    case "all":
      return fn([], array(row));
    case "where":
      return check(fn([ANY], array(row), 1, null, ["filter"]));
    case "first":
      return check(fn([ANY], option(row), 0, null, ["filter"]));
    case "update":
      return check(fn([INT, ANY], option(row), 2, null, ["id", "changes"]));
    case "delete":
      return fn([INT], BOOL, 1, null, ["id"]);
    case "count":
    case "delete_all":
      return check(fn([ANY], INT, 0, null, ["filter"]));
    default: {
      const names = ["create", "find", "all", "where", "update", "delete", "count", "delete_all"];
      const near = didYouMean(e.name, names);
      c.error("E0210", e.nameSpan, `model \`${accessor}\` has no function \`${e.name}\``, near ? `did you mean \`${near}\`?` : `its functions are ${names.map((n) => `\`${n}\``).join(", ")}`);
      return ANY;
    }
  }
}

/**
 * Checks the object literals a model function takes (after the call's
 * arguments were inferred): `create` and `update` take fields (not `id`),
 * `where` and the others take filters (a field, optionally with a suffix:
 * `timestamp_lt`, `id_in`).
 */
export function checkModelArguments(c: Checker, accessor: string, fnName: string, call: ast.CallExpr): void {
  const model = c.app.servers.flatMap((s) => s.models).find((m) => m.accessor === accessor);
  if (!model) return;
  const values = new ModelValues(c, model.typeName, c.decls.fields(model.typeName) ?? new Map());
  const arg = call.args[fnName === "update" ? 1 : 0]?.value;
  if (arg?.kind === "Object" && !arg.fromNamedArgs) values.object(fnName, arg);
}

class ModelValues {
  constructor(
    private readonly c: Checker,
    private readonly model: string,
    private readonly fields: ReadonlyMap<string, Ty>,
  ) {}

  /** Called for the object argument of `name`: reports unknown keys and values of the wrong type. */
  object(fnName: string, arg: ast.ObjectLit): void {
    const filters = fnName !== "create" && fnName !== "update";
    const given = new Set(arg.entries.map((e) => (e.kind === "Prop" ? e.key : "")));
    // Missing fields, unless a field is misspelt (that one error says it) or spread in.
    if (fnName === "create" && !arg.entries.some((e) => e.kind === "Spread") && [...given].every((k) => this.fields.has(k))) {
      const missing = [...this.fields].filter(([k, t]) => k !== "id" && !given.has(k) && t.k !== "option" && t.k !== "any").map(([k]) => `\`${k}\``);
      if (missing.length) this.c.error("E0202", arg.span, `missing ${missing.length === 1 ? "field" : "fields"} ${missing.join(", ")} in \`${this.model}.create\``, "every field that is not an Option must be given");
    }
    for (const entry of arg.entries) {
      if (entry.kind === "Spread") continue;
      const { field, suffix } = filters ? this.split(entry.key) : { field: entry.key, suffix: "" };
      const want = this.fields.get(field);
      if (!want || (!filters && field === "id")) {
        const candidates = [...this.fields.keys()].filter((k) => filters || k !== "id");
        const near = didYouMean(entry.key, candidates);
        const what = field === "id" && !filters ? `\`id\` is set by the database and cannot be ${fnName === "create" ? "given" : "changed"}` : `model \`${this.model}\` has no field \`${field}\``;
        this.c.error("E0210", entry.keySpan, what, near ? `did you mean \`${near}\`?` : `its fields are ${candidates.map((k) => `\`${k}\``).join(", ")}`);
        continue;
      }
      const expected = suffix === "_in" ? array(want) : suffix === "_like" ? STRING : want;
      const t = this.c.info.exprs.get(entry.value) ?? ANY;
      if (!this.c.assignable(t, expected)) this.c.mismatch(entry.value.span, `field \`${field}\` of \`${this.model}\``, expected, t);
    }
  }

  private split(key: string): { field: string; suffix: string } {
    if (this.fields.has(key)) return { field: key, suffix: "" };
    const suffix = SUFFIXES.find((s) => key.endsWith(s));
    return suffix ? { field: key.slice(0, -suffix.length), suffix } : { field: key, suffix: "" };
  }
}

export { show };
