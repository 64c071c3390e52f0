import type { Program } from "../frontend/ast.js";

/**
 * The syntax tree without positions, as JSON: two texts with the same shape
 * mean the same program. JSX text is compared as JSX reads it (lines trimmed,
 * joined by a space; backends/typescript/lower/jsx.ts), since the formatter
 * re-indents elements.
 */
export function shapeOf(p: Program): string {
  return JSON.stringify(p.items, (key, value: unknown) => {
    if (key === "span" || key.endsWith("Span")) return undefined;
    if (Array.isArray(value) && value.some((c) => (c as { kind?: string } | null)?.kind === "JsxText")) return mergeText(value);
    return value;
  });
}

function mergeText(children: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const c of children) {
    const prev = out[out.length - 1] as { kind?: string; text?: string } | undefined;
    const cur = c as { kind?: string; text?: string };
    if (cur.kind === "JsxText") {
      const text = (prev?.kind === "JsxText" ? prev.text + " " : "") + readText(cur.text ?? "");
      if (prev?.kind === "JsxText") out[out.length - 1] = { kind: "JsxText", text: text.trim() };
      else out.push({ kind: "JsxText", text: text.trim() });
    } else out.push(c);
  }
  return out.filter((c) => (c as { kind?: string; text?: string }).kind !== "JsxText" || (c as { text: string }).text !== "");
}

function readText(raw: string): string {
  return raw
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .join(" ");
}
