/**
 * The step-by-step output of `tova deploy` (deploy-blocks.md, section 4):
 * section titles, then `→ step` lines ending in ✓ or ✗ at one column.
 */
const COLUMN = 50;

export class Progress {
  /** At a terminal (and not in CI) a step's line is drawn when it begins and redrawn when it ends. */
  private readonly live: boolean;

  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {
    const ci = process.env["CI"] !== undefined && process.env["CI"] !== "" && process.env["CI"] !== "false";
    this.live = (out as { isTTY?: boolean }).isTTY === true && !ci;
  }

  /**
   * A step that takes a while: `→ text...` while it runs (at a terminal), then
   * the step's line with ✓ or ✗ and its duration. `end` may name the outcome
   * differently (`Uploading bundle` → `Uploaded ...`).
   */
  begin(text: string): (ok?: boolean, doneText?: string) => void {
    const started = performance.now();
    if (this.live) this.out.write(`    → ${text}...`);
    return (ok = true, doneText = text) => {
      if (this.live) this.out.write("\r\u001b[2K");
      const ms = performance.now() - started;
      const lead = `  → ${doneText}`;
      this.out.write(`  ${lead.padEnd(COLUMN)} ${ok ? "✓" : "✗ FAILED"} (${ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`})\n`);
    };
  }

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
