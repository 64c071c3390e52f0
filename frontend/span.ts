/** A half-open range of UTF-16 offsets into one source file. */
export interface Span {
  file: string;
  start: number;
  end: number;
}

export function span(file: string, start: number, end: number): Span {
  return { file, start, end };
}

/** The smallest span covering both. */
export function join(a: Span, b: Span): Span {
  return { file: a.file, start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

/** Maps offsets to 1-based line and column numbers for one file. */
export class LineMap {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }
  lineText(line: number): string {
    return this.lineSlice(line, 0, Infinity);
  }
  /** The length of a line, without its line break. */
  lineLength(line: number): number {
    const [start, end] = this.bounds(line);
    return end - start;
  }
  /** Columns `from` (0-based) up to `to` of a line, without copying the rest of a long line. */
  lineSlice(line: number, from: number, to: number): string {
    const [start, end] = this.bounds(line);
    return this.text.slice(start + Math.max(0, from), Math.min(end, start + to));
  }
  private bounds(line: number): [number, number] {
    const start = this.starts[line - 1] ?? this.text.length;
    const next = this.starts[line];
    let end = next === undefined ? this.text.length : next - 1;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return [start, end];
  }
  get lineCount(): number {
    return this.starts.length;
  }
}
