import { check } from "../compile.js";
import { locate, type Located } from "../diagnostics/render.js";

/**
 * One-line test helpers (style.md, "esbuild"): a program is a string (file
 * `main.tova`) or an in-memory map of files; nothing depends on the disk.
 */
export type Files = string | Record<string, string>;

export function sourcesOf(files: Files): { path: string; text: string }[] {
  if (typeof files === "string") return [{ path: "main.tova", text: files }];
  return Object.entries(files).map(([path, text]) => ({ path, text }));
}

/** Every diagnostic of a program, with line and column. */
export function diagnose(files: Files, options: { basePort?: number } = {}): Located[] {
  const sources = sourcesOf(files);
  const ds = check(sources, { stem: "main", ...options });
  return locate(ds, new Map(sources.map((s) => [s.path, s.text])));
}

/** Only the errors. */
export function errorsOf(files: Files): Located[] {
  return diagnose(files).filter((d) => d.severity === "error");
}

/** `CODE line:col` of every diagnostic, the compact form error tests compare. */
export function codesAt(files: Files): string[] {
  return diagnose(files).map((d) => `${d.code} ${d.line}:${d.column}`);
}
