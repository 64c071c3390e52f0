import type * as ast from "../../frontend/ast.js";
import type { Checker } from "./checker.js";
import { ANY, array, NEVER, type Ty } from "./ty.js";

/**
 * The names a `match` pattern binds, with the types of the parts they match:
 * `Some(v)` on an `Option<Int>` binds `v: Int`, `Circle(r)` binds the
 * variant's field, `[first, ...rest]` on `[T]` binds `T` and `[T]`.
 */
export function bindPattern(c: Checker, p: ast.Pattern, subject: Ty): void {
  switch (p.kind) {
    case "PBind":
      c.define(p.name, subject);
      return;
    case "PVariant": {
      const arg = p.args[0];
      switch (p.name) {
        case "Some":
          if (arg) bindPattern(c, arg, subject.k === "option" ? subject.inner : subject.k === "nil" ? NEVER : subject);
          return;
        case "None":
          return;
        case "Ok":
          if (arg) bindPattern(c, arg, subject.k === "result" ? subject.ok : ANY);
          return;
        case "Err":
          if (arg) bindPattern(c, arg, subject.k === "result" ? subject.err : ANY);
          return;
      }
      const fields = c.decls.variantFields(p.name, subject.k === "named" ? subject.args : []);
      p.args.forEach((a, i) => bindPattern(c, a, fields[i]?.ty ?? ANY));
      return;
    }
    case "PArray": {
      const el = subject.k === "array" ? subject.el : ANY;
      for (const x of p.elements) bindPattern(c, x, el);
      if (p.rest) c.define(p.rest, subject.k === "array" ? subject : array(ANY));
      return;
    }
    case "PObject": {
      const fields = subject.k === "object" ? subject.fields : subject.k === "named" ? c.decls.fields(subject.name, subject.args) : null;
      for (const f of p.fields) {
        const t = fields?.get(f.key) ?? ANY;
        if (f.pattern) bindPattern(c, f.pattern, t);
        else c.define(f.key, t);
      }
      return;
    }
    default:
      return;
  }
}
