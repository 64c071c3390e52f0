// `env NAME: Type = default` declarations (scaling.md "Environment
// Management"): read once at start-up, converted to the declared type. A
// program with several missing or malformed variables hears about all of
// them in one error, not one per restart.
import type { Schema } from "../schema/index.js";
import { INVALID, type SchemaNode } from "../schema/node.js";
import { exitWithError } from "./lifecycle.js";

/** One declared variable: its type and, optionally, a default used when it is unset. */
export interface EnvVar {
  type: Schema<any>;
  default?: unknown;
}

/** The values `loadEnv` answers for a spec. */
export type EnvValues<S extends Record<string, EnvVar>> = {
  [K in keyof S]: S[K]["type"] extends Schema<infer T> ? T : never;
};

/**
 * Reads the declared variables from `process.env`. Int, Float and Bool are
 * parsed; an unset variable takes its default, or null for an Option. Every
 * missing or malformed variable is collected, named in one error on stderr,
 * and the process exits 1.
 *
 * @example
 * const { PORT, DATABASE_URL, API_KEY } = loadEnv({
 *   PORT: { type: t.int, default: 3000 },
 *   DATABASE_URL: { type: t.string },
 *   API_KEY: { type: t.option(t.string), default: null },
 * });
 */
export function loadEnv<S extends Record<string, EnvVar>>(spec: S): EnvValues<S> {
  const values: Record<string, unknown> = {};
  const missing: string[] = [];
  const malformed: string[] = [];
  for (const [name, variable] of Object.entries(spec)) {
    const node = variable.type as unknown as SchemaNode;
    const text = process.env[name];
    if (text === undefined) {
      if ("default" in variable && variable.default !== undefined) values[name] = variable.default;
      else if (node.optional) values[name] = null;
      else missing.push(name);
      continue;
    }
    const value = parseVariable(node, text);
    if (value === INVALID) malformed.push(`${name} (expected ${node.name}, got ${JSON.stringify(text)})`);
    else values[name] = value;
  }
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`missing environment variable${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`);
  if (malformed.length > 0) problems.push(`malformed environment variable${malformed.length > 1 ? "s" : ""}: ${malformed.join(", ")}`);
  if (problems.length > 0) exitWithError(problems.join("; "));
  return values as EnvValues<S>;
}

/** Lists come as JSON (`["a","b"]`) or comma-separated (`a,b`). */
function parseVariable(node: SchemaNode, text: string): unknown {
  const base = node.optional ? node.inner! : node;
  if (base.kind === "array" && !text.trim().startsWith("[")) {
    const items = text.split(",").map((s) => base.inner!.parse(s.trim()));
    return items.includes(INVALID) ? INVALID : items;
  }
  return node.parse(text);
}
