// CSV (RFC 4180): fields separated by commas, records by LF or CRLF; a field
// in double quotes may hold commas, newlines and doubled quotes. The parser
// is incremental (`push` chunks, `end`), so `stream` never holds a whole file.
//
// Cells become values the way a table of rows needs them (scaling.md,
// `drop_nil(.id)`, `where(.active == true)`): an unquoted empty cell is None,
// unquoted `true`/`false` are Bools, unquoted numbers are numbers; a quoted
// cell is always a string.

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function cell(text: string, quoted: boolean): unknown {
  if (quoted) return text;
  if (text === "") return null;
  if (text === "true") return true;
  if (text === "false") return false;
  if (NUMBER.test(text)) return Number(text);
  return text;
}

/** Turns CSV text, chunk by chunk, into rows keyed by the header line. */
export class CsvParser {
  private header: string[] | null = null;
  private record: unknown[] = [];
  private field = "";
  private quoted = false;
  private inQuotes = false;
  private quoteSeen = false; // a `"` inside quotes: either the end or the first of `""`
  private started = false; // the current record has at least one character
  private pendingCr = false; // the last record ended at a CR: a LF right after it belongs to it
  private rows: Record<string, unknown>[] = [];

  /** The header line's names, once it has been read. */
  get columns(): string[] | null {
    return this.header;
  }

  /** Parses a chunk; answers the rows it completed. */
  push(chunk: string): Record<string, unknown>[] {
    if (this.header === null && !this.started && chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    let i = 0;
    while (i < chunk.length) {
      if (this.inQuotes) {
        if (this.quoteSeen) {
          this.quoteSeen = false;
          if (chunk[i] === '"') {
            this.field += '"';
            i++;
            continue;
          }
          this.inQuotes = false; // the quote closed the field; chunk[i] follows it
        } else {
          const close = chunk.indexOf('"', i);
          if (close === -1) {
            this.field += chunk.slice(i);
            break;
          }
          this.field += chunk.slice(i, close);
          this.quoteSeen = true;
          i = close + 1;
          continue;
        }
      }
      const ch = chunk[i]!;
      if (ch === "\n" && this.pendingCr) {
        this.pendingCr = false; // the LF of a CRLF split across chunks
        i++;
        continue;
      }
      this.pendingCr = false;
      this.started = true;
      if (ch === '"' && this.field === "" && !this.quoted) {
        this.inQuotes = this.quoted = true;
        i++;
      } else if (ch === ",") {
        this.endField();
        i++;
      } else if (ch === "\n" || ch === "\r") {
        this.endRecord();
        this.pendingCr = ch === "\r";
        i++;
      } else {
        // Plain text up to the next special character, in one slice.
        let j = i + 1;
        while (j < chunk.length) {
          const c = chunk.charCodeAt(j);
          if (c === 44 || c === 10 || c === 13 || c === 34) break;
          j++;
        }
        this.field += chunk.slice(i, j);
        i = j;
      }
    }
    return this.take();
  }

  /** Ends the input; answers the last rows. */
  end(): Record<string, unknown>[] {
    if (this.quoteSeen) {
      this.quoteSeen = false;
      this.inQuotes = false;
    }
    if (this.inQuotes) throw new Error("CSV: a quoted field is not closed at the end of the input");
    if (this.started) this.endRecord();
    return this.take();
  }

  private take(): Record<string, unknown>[] {
    const rows = this.rows;
    this.rows = [];
    return rows;
  }

  private endField(): void {
    this.record.push(this.header === null ? this.field : cell(this.field, this.quoted));
    this.field = "";
    this.quoted = false;
  }

  private endRecord(): void {
    this.endField();
    const record = this.record;
    this.record = [];
    this.started = false;
    if (this.header === null) {
      this.header = record as string[];
      return;
    }
    if (record.length === 1 && record[0] === null) return; // a blank line
    const row: Record<string, unknown> = {};
    for (let i = 0; i < this.header.length; i++) row[this.header[i]!] = i < record.length ? record[i] : null;
    this.rows.push(row);
  }
}

/** The column names of a header line. */
export function headerOf(line: string): string[] {
  const parser = new CsvParser();
  parser.push(line + "\n");
  return parser.columns ?? [];
}

/** All rows of a CSV text. */
export function parseCsv(text: string): Record<string, unknown>[] {
  const parser = new CsvParser();
  const rows = parser.push(text);
  for (const row of parser.end()) rows.push(row);
  return rows;
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  // Quote what would not read back as the same value: separators, quotes, edge spaces, and strings that look like None, Bools or numbers.
  const ambiguous = typeof value === "string" && (text === "" || text === "true" || text === "false" || NUMBER.test(text));
  return ambiguous || /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CSV lines (each ending in "\n") for `rows` under `columns`; the header line first when asked. */
export function formatCsv(rows: readonly Record<string, unknown>[], columns: readonly string[], withHeader: boolean): string {
  let out = withHeader ? columns.map(formatCell).join(",") + "\n" : "";
  for (const row of rows) out += columns.map((c) => formatCell(row[c])).join(",") + "\n";
  return out;
}

/** The columns of `rows`: every key, in order of first appearance. */
export function columnsOf(rows: readonly Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key in row) seen.add(key);
  return [...seen];
}
