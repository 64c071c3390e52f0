/**
 * The step-by-step output of `tova deploy` (deploy-blocks.md, section 4):
 * section titles, then `→ step` lines ending in ✓ or ✗ at one column.
 */
const COLUMN = 50;

export class Progress {
  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  line(text = ""): void {
    this.out.write(text === "" ? "\n" : `  ${text}\n`);
  }

  /** A line that states a finished step: `Connecting to host...   ✓`. */
  done(text: string, ok = true, indent = 0): void {
    const lead = indent ? `${" ".repeat(indent)}→ ${text}` : text;
    this.out.write(`  ${lead.padEnd(COLUMN)} ${ok ? "✓" : "✗ FAILED"}\n`);
  }

  /** A step under a section: `  → Uploading bundle (2.1 MB)   ✓`. */
  step(text: string, ok = true): void {
    this.done(text, ok, 2);
  }

  /** A plain fact under a section: `  → 2 instances, domain: myapp.com`. */
  note(text: string): void {
    this.out.write(`    → ${text}\n`);
  }

  /** Output of the server, indented under the step it belongs to. */
  detail(text: string): void {
    for (const l of text.replace(/\s+$/, "").split("\n")) this.out.write(`      ${l}\n`);
  }
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
