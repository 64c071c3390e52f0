import type { ConfigEntry } from "../ast.js";
import type { Token } from "../tokens.js";
import { accept, expected, gen, mark, nest, next, op, peek, peekAt, skipSeparators, spanFrom, type P, type Run } from "./core.js";
import { expr } from "./expressions.js";

/**
 * Configuration bodies: `{ key: value, ... }` with `,` or new lines between
 * entries, nested `key { ... }` / `key label { ... }` sections (`auth jwt`,
 * `role Admin`, `protect "/api/*"`), and `key value` (`trust_proxy true`). Used by
 * `deploy`, `security`, `db`, `discover`, `cors`, `rate_limit`, `tls`,
 * `sessions`, `cache`, `static`, `uploads`.
 */
export const configBody: P<ConfigEntry[]> = gen(() => nest(configBodyF, (): ConfigEntry[] => []));

function configBodyF(run: Run): ConfigEntry[] {
  run(op("{"));
  const entries: ConfigEntry[] = [];
  for (;;) {
    run(skipSeparators);
    while (run(accept("op", ","))) run(skipSeparators);
    if (run(accept("op", "}"))) return entries;
    entries.push(run(configEntry));
    const t = run(peek);
    if (!(t.kind === "nl" || (t.kind === "op" && (t.value === "," || t.value === "}" || t.value === ";")))) {
      run(expected("`,` or a new line"));
    }
  }
}

const isOp = (t: Token, v: string) => t.kind === "op" && t.value === v;
const endsEntry = (t: Token) => t.kind === "nl" || t.kind === "eof" || isOp(t, ",") || isOp(t, "}") || isOp(t, ";");

const configEntry: P<ConfigEntry> = gen((run): ConfigEntry => {
  const start = run(mark);
  const k = run(peek);
  if (k.kind !== "ident" && k.kind !== "kw" && k.kind !== "str") return run(expected<ConfigEntry>("a key"));
  run(next);
  const keySpan = run(spanFrom(start));
  if (run(accept("op", ":"))) {
    run(skipSeparatorsNoSemicolon);
    const value = run(expr);
    return { kind: "ConfigEntry", key: k.value, keySpan, label: null, value, entries: null, span: run(spanFrom(start)) };
  }
  let label: string | null = null;
  let labelSpan: ConfigEntry["labelSpan"];
  const l = run(peek);
  if ((l.kind === "ident" || l.kind === "str") && isOp(run(peekAt(1)), "{")) {
    const ls = run(mark);
    run(next);
    label = l.value;
    labelSpan = run(spanFrom(ls));
  } else if (!isOp(l, "{") && !endsEntry(l)) {
    // `trust_proxy true`, `trust_proxy ["10.0.0.1"]` (security.md): a bare value on the key's line.
    const value = run(expr);
    return { kind: "ConfigEntry", key: k.value, keySpan, label: null, value, entries: null, span: run(spanFrom(start)) };
  }
  const entries = run(configBody);
  return { kind: "ConfigEntry", key: k.value, keySpan, label, ...(labelSpan ? { labelSpan } : {}), value: null, entries, span: run(spanFrom(start)) };
});

const skipSeparatorsNoSemicolon = gen((run) => {
  while (run(peek).kind === "nl") run(next);
  return null;
});
