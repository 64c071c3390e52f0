import { doc, type Doc } from "prettier";
import type { FieldDecl, Param, Pattern, TypeExpr } from "../frontend/ast.js";
import type { Source } from "./source.js";
import { printExpr } from "./print-expr.js";

const { group, indent, softline, line, join } = doc.builders;

/** Type expressions (language.md, "Types"): `Int`, `[T]`, `{K: V}`, `Option<T>`, `fn(A) -> B`. */
export function printType(t: TypeExpr): Doc {
  switch (t.kind) {
    case "TName":
      return t.args.length ? [t.name, "<", join(", ", t.args.map(printType)), ">"] : t.name;
    case "TArray":
      return ["[", printType(t.element), "]"];
    case "TMap":
      return ["{", printType(t.key), ": ", printType(t.value), "}"];
    case "TFn":
      return ["fn(", join(", ", t.params.map(printType)), ") -> ", printType(t.result)];
  }
}

export function printTypeParams(names: readonly string[]): Doc {
  return names.length ? ["<", names.join(", "), ">"] : "";
}

/** `(a: Int, b = 1)`, one per line when they do not fit. */
export function printParams(params: readonly Param[], src: Source): Doc {
  if (params.length === 0) return "()";
  const printed = params.map((p) => [p.name, p.type ? [": ", printType(p.type)] : "", p.default ? [" = ", printExpr(p.default, src)] : ""]);
  return group(["(", indent([softline, join([",", line], printed)]), softline, ")"]);
}

/** `name: Type` of records, models and variants (a variant's field may have no name). */
export function printField(f: FieldDecl): Doc {
  return f.name ? [f.name, ": ", printType(f.type)] : printType(f.type);
}

/** Match patterns (language.md, "Expressions"); literals as written. */
export function printPattern(p: Pattern, src: Source): Doc {
  switch (p.kind) {
    case "PWild":
      return "_";
    case "PBind":
      return p.name;
    case "PLit":
      // A string as written (its quotes and escapes); a number without the spaces a `-` may have after it.
      return typeof p.value === "string" ? src.slice(p.span) : src.slice(p.span).replace(/\s+/g, "");
    case "PRange":
      return src.slice(p.span).replace(/\s+/g, "");
    case "PVariant": {
      // The head as written: `Warning` or `Severity.Warning`.
      const text = src.slice(p.span);
      const open = text.indexOf("(");
      const head = (open < 0 ? text : text.slice(0, open)).replace(/\s+/g, "");
      return p.args.length ? [head, "(", join(", ", p.args.map((a) => printPattern(a, src))), ")"] : head;
    }
    case "PArray":
      return ["[", join(", ", [...p.elements.map((e) => printPattern(e, src)), ...(p.rest !== null ? ["..." + p.rest] : [])]), "]"];
    case "PObject":
      if (p.fields.length === 0) return "{}";
      return ["{ ", join(", ", p.fields.map((f) => (f.pattern ? [f.key, ": ", printPattern(f.pattern, src)] : f.key))), " }"];
  }
}
