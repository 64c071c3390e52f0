import type { TypeDecl, TypeExpr } from "../../ir/types.js";
import { propertyName } from "./builders.js";

/**
 * Tova types as TypeScript types, and as runtime schemas (`t.int`, ...) for
 * the validation of arguments at the boundary (decisions.md, "Routes and RPC").
 */

export interface TypeTable {
  /** Every declared type by name (shared, server and client blocks). */
  decls: ReadonlyMap<string, TypeDecl>;
  /** Every enum variant by name, with its enum and its field names. */
  variants: ReadonlyMap<string, { decl: TypeDecl; fields: string[] }>;
  /** Model row types by name, with their fields. */
  models: ReadonlyMap<string, { name: string; type: TypeExpr }[]>;
  /** The schema constant of each declared type (`UserSchema`), named against the program's own names. */
  schemaNames: ReadonlyMap<string, string>;
}

export function tsType(t: TypeExpr | null, use: (name: string) => void): string {
  if (!t) return "any";
  switch (t.kind) {
    case "TArray": {
      const inner = tsType(t.element, use);
      return /[|&]/.test(inner) ? `(${inner})[]` : `${inner}[]`;
    }
    case "TMap":
      return `Record<string, ${tsType(t.value, use)}>`;
    case "TFn":
      return `(${t.params.map((p, i) => `arg${i}: ${tsType(p, use)}`).join(", ")}) => ${tsType(t.result, use)}`;
    case "TName": {
      const args = t.args.map((a) => tsType(a, use));
      switch (t.name) {
        case "Int":
        case "Float":
          return "number";
        case "String":
          return "string";
        case "Bool":
          return "boolean";
        case "Any":
        case "Json":
        case "Object":
          return "any";
        case "Nil":
        case "Void":
          return "null";
        case "File":
          use("UploadedFile");
          return "UploadedFile";
        case "Option":
          return `${args[0] ?? "any"} | null`;
        case "Result":
          use("Result");
          return `Result<${args[0] ?? "any"}, ${args[1] ?? "any"}>`;
        default:
          use(t.name);
          return args.length ? `${t.name}<${args.join(", ")}>` : t.name;
      }
    }
  }
}

/**
 * The schema expression for a type: `t.int`, `t.array(t.string)`, `UserSchema`, ...
 * `b` is the schema builders' local name in the module (`t`, unless the program uses `t`).
 */
export function schemaOf(type: TypeExpr | null, table: TypeTable, use: (name: string) => void, b: string, ref?: (type: string, schema: string) => string): string {
  const of = (x: TypeExpr | null): string => schemaOf(x, table, use, b, ref);
  if (!type) return `${b}.any`;
  switch (type.kind) {
    case "TArray":
      return `${b}.array(${of(type.element)})`;
    case "TMap":
      return `${b}.map(${of(type.value)})`;
    case "TFn":
      return `${b}.any`;
    case "TName":
      switch (type.name) {
        case "Int":
          return `${b}.int`;
        case "Float":
          return `${b}.float`;
        case "String":
          return `${b}.string`;
        case "Bool":
          return `${b}.bool`;
        case "Option":
          return `${b}.option(${of(type.args[0] ?? null)})`;
        case "Result":
          return `${b}.result(${of(type.args[0] ?? null)}, ${of(type.args[1] ?? null)})`;
        case "File":
          return `${b}.file`;
        default: {
          const decl = table.decls.get(type.name);
          if (decl && decl.typeParams.length === 0 && decl.def.kind !== "alias") {
            const name = table.schemaNames.get(type.name) ?? `${type.name}Schema`;
            use(name);
            return ref ? ref(type.name, name) : name;
          }
          if (decl && decl.def.kind === "alias") return of(decl.def.type);
          return `${b}.any`;
        }
      }
  }
}

/** The declaration of a type: an interface, a string union, or a discriminated union. */
export function typeDeclText(d: TypeDecl, use: (name: string) => void): { kind: "interface"; fields: { name: string; type: string }[] } | { kind: "alias"; type: string } {
  switch (d.def.kind) {
    case "record":
      return { kind: "interface", fields: d.def.fields.map((f) => ({ name: f.name, type: tsType(f.type, use) })) };
    case "alias":
      return { kind: "alias", type: tsType(d.def.type, use) };
    case "enum": {
      if (isUnitEnum(d)) return { kind: "alias", type: d.def.variants.map((v) => JSON.stringify(v.name)).join(" | ") };
      const members = d.def.variants.map((v) => {
        const fields = v.fields.map((f, i) => `${propertyName(variantField(f.name, i))}: ${tsType(f.type, use)}`);
        return `{ tag: ${JSON.stringify(v.name)}${fields.length ? "; " + fields.join("; ") : ""} }`;
      });
      return { kind: "alias", type: members.join(" | ") };
    }
  }
}

/** An enum whose variants carry no fields becomes a union of string literals. */
export function isUnitEnum(d: TypeDecl): boolean {
  return d.def.kind === "enum" && d.def.variants.every((v) => v.fields.length === 0);
}

/** Positional variant fields (`Circle(Float)`) are named `_0`, `_1`, ... */
export function variantField(name: string, index: number): string {
  return name || `_${index}`;
}
