import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Every ```tova block of ../shared/spec/*.md, with its kind as defined in
 * ../shared/spec/README.md. Read fresh on every run, so a new block in the
 * spec is picked up without editing any test.
 */
export type BlockKind = "program" | "fragment" | "snippet";

export interface SpecBlock {
  id: string;
  page: string;
  heading: string;
  line: number;
  kind: BlockKind;
  /** The code, with fragment placeholders already replaced by `{ }` / `()`. */
  code: string;
}

export const SPEC_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "shared", "spec");

/**
 * The blocks README.md names as complete programs, by page and the heading
 * above them. security.md's block is a snippet (its `protect`ed routes are
 * elsewhere), so it falls to the default.
 */
function isProgram(page: string, heading: string): boolean {
  switch (page) {
    case "language.md":
    case "deploy-blocks.md":
    case "client.md":
      return true;
    case "monitoring-service.md":
      return heading === "The Full Application";
    case "named-blocks.md":
      return heading.startsWith("Example: Multi-Server Application");
    case "scaling.md":
      return heading === "Environment Management" || heading === "Health Checks";
    default:
      return false;
  }
}

const PLACEHOLDER = /\{\s*\.\.\.\s*\}|\(\.\.\.\)/;

export function specBlocks(dir = SPEC_DIR): SpecBlock[] {
  const out: SpecBlock[] = [];
  for (const page of readdirSync(dir).filter((f) => f.endsWith(".md")).sort()) {
    const text = readFileSync(join(dir, page), "utf8");
    let heading = "";
    let index = 0;
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const h = /^#{1,6}\s+(.*)$/.exec(lines[i]!);
      if (h) heading = h[1]!.trim();
      if (lines[i]!.trim() !== "```tova") continue;
      const start = i + 1;
      let end = start;
      while (end < lines.length && lines[end]!.trim() !== "```") end++;
      const raw = lines.slice(start, end).join("\n") + "\n";
      const fragment = PLACEHOLDER.test(raw);
      out.push({
        id: `${page.replace(/\.md$/, "")}_${String(index++).padStart(2, "0")}`,
        page,
        heading,
        line: start + 1,
        kind: fragment ? "fragment" : isProgram(page, heading) ? "program" : "snippet",
        code: fragment ? raw.replace(/\{\s*\.\.\.\s*\}/g, "{ }").replace(/\(\.\.\.\)/g, "()") : raw,
      });
      i = end;
    }
  }
  return out;
}
