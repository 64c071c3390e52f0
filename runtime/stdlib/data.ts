// Tables of rows in files (scaling.md "Streaming Large Files"): `read`,
// `write` and `stream`, for CSV, JSON (an array of rows) and JSON Lines,
// chosen by the file's extension. node:fs works the same on Bun and Node; it
// is imported lazily so that the stdlib still loads in a browser.
import type * as Fs from "node:fs";
import { columnsOf, CsvParser, formatCsv, headerOf, parseCsv } from "./csv.js";
import { dataPath } from "./data-dir.js";
import { fileProblem, ProgramError } from "./program-error.js";

type Format = "csv" | "json" | "jsonl";

function formatOf(path: string): Format {
  const lower = path.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  if (lower.endsWith(".json")) return "json";
  throw new ProgramError(`${JSON.stringify(path)} is not a file type Tova reads or writes: name it .csv, .json or .jsonl`);
}

let fsModule: typeof Fs | undefined;
async function loadFs(): Promise<typeof Fs> {
  return (fsModule ??= await import("node:fs"));
}
// Loaded at start-up where node:fs exists, so that `read` and `write` can stay synchronous.
if (typeof process !== "undefined" && process.versions?.node) fsModule = await import("node:fs");
function fs(): typeof Fs {
  if (!fsModule) throw new Error("files can only be read and written on the server");
  return fsModule;
}

function parseJsonLines(text: string): unknown[] {
  return text.split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line));
}

/**
 * All rows of a file: CSV (with a header line), JSON (an array) or JSON Lines.
 * @example source customers = read("customers.csv")
 */
export function read(file: string): any[] {
  const path = dataPath(file);
  const format = formatOf(path);
  let text: string;
  try {
    text = fs().readFileSync(path, "utf8");
  } catch (err) {
    throw new ProgramError(`cannot read ${JSON.stringify(file)}: ${fileProblem(err)}`, { cause: err });
  }
  switch (format) {
    case "csv":
      return parseCsv(text);
    case "jsonl":
      return parsed(file, () => parseJsonLines(text));
    case "json": {
      const value = parsed(file, () => JSON.parse(text) as unknown);
      return Array.isArray(value) ? value : [value];
    }
  }
}

/** A JSON file's rows; text that is not JSON is the file's problem, named as such. */
function parsed<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof SyntaxError) throw new ProgramError(`${JSON.stringify(file)} is not valid JSON: ${err.message}`, { cause: err });
    throw err;
  }
}

/** Options of `write`. */
export interface WriteOptions {
  /** Add to the end of the file instead of replacing it (a CSV header is written only once). */
  append?: boolean;
}

/**
 * Writes rows to a file in the format its extension names.
 * @example write(cleaned, "output.csv", append: true)
 */
export function write(rows: readonly any[], file: string, options: WriteOptions = {}): void {
  const path = dataPath(file);
  try {
    writeRows(rows, file, path, options);
  } catch (err) {
    if (err instanceof ProgramError || !(err as { code?: unknown } | null)?.code) throw err;
    throw new ProgramError(`cannot write ${JSON.stringify(file)}: ${fileProblem(err)}`, { cause: err });
  }
}

function writeRows(rows: readonly any[], file: string, path: string, options: WriteOptions): void {
  const f = fs();
  const exists = f.existsSync(path) && f.statSync(path).size > 0;
  const append = options.append === true && exists;
  switch (formatOf(path)) {
    case "csv": {
      // Appending keeps the file's own column order, from its header line.
      const columns = append ? headerOf(headerLine(f, path)) : columnsOf(rows);
      const text = formatCsv(rows, columns, !append);
      if (append) f.appendFileSync(path, text);
      else f.writeFileSync(path, text);
      return;
    }
    case "jsonl": {
      const text = rows.map((r) => JSON.stringify(r) + "\n").join("");
      if (append) f.appendFileSync(path, text);
      else f.writeFileSync(path, text);
      return;
    }
    case "json": {
      const all = append ? [...parsed(file, () => JSON.parse(f.readFileSync(path, "utf8")) as unknown[]), ...rows] : rows;
      f.writeFileSync(path, JSON.stringify(all, null, 2) + "\n");
      return;
    }
  }
}

/** The first line of a file, read a block at a time. */
function headerLine(f: typeof Fs, path: string): string {
  const fd = f.openSync(path, "r");
  try {
    const buffer = Buffer.alloc(64 * 1024);
    let text = "";
    for (;;) {
      const n = f.readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) return text;
      text += buffer.toString("utf8", 0, n);
      const end = text.search(/\r?\n/);
      if (end !== -1) return text.slice(0, end);
    }
  } finally {
    f.closeSync(fd);
  }
}

/** A file's text a chunk at a time; a file that cannot be read (missing, a directory: found at the first read) is the program's error. */
async function* chunksOf(f: typeof Fs, path: string, file: string, asked: Error): AsyncGenerator<string> {
  try {
    for await (const chunk of f.createReadStream(path, { encoding: "utf8", highWaterMark: 256 * 1024 })) yield chunk as string;
  } catch (err) {
    if (!(err as { code?: unknown } | null)?.code) throw err;
    throw new ProgramError(`cannot read ${JSON.stringify(file)}: ${fileProblem(err)}`, { cause: err, asked });
  }
}

/** Options of `stream`. */
export interface StreamOptions {
  /** Most rows in one batch (default 10,000). */
  batch?: number;
}

/**
 * Yields the rows of a CSV or JSON Lines file in arrays of at most `batch`
 * rows, reading the file a chunk at a time. A `.json` array is read whole.
 * @example stream("huge_file.csv", batch: 10000) |> each(fn(batch) write(batch, "out.csv", append: true))
 */
export function stream(file: string, options: StreamOptions = {}): AsyncGenerator<any[], void, undefined> {
  // The generator's body runs at the first batch, where the caller's line is no longer on the stack: kept here.
  return batches(file, options, new Error());
}

async function* batches(file: string, options: StreamOptions, asked: Error): AsyncGenerator<any[], void, undefined> {
  const path = dataPath(file);
  const size = Math.max(1, options.batch ?? 10_000);
  const format = formatOf(path);
  if (format === "json") {
    let rows: any[];
    try {
      rows = read(file);
    } catch (err) {
      throw err instanceof ProgramError ? new ProgramError(err.message, { cause: err.cause, asked }) : err;
    }
    for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
    return;
  }
  const f = await loadFs();
  const csv = new CsvParser();
  let pendingLine = "";
  let batch: any[] = [];
  const rowsOf = (chunk: string): unknown[] => {
    if (format === "csv") return csv.push(chunk);
    const lines = (pendingLine + chunk).split("\n");
    pendingLine = lines.pop()!;
    return parsed(file, () => lines.filter((l) => l.trim() !== "").map((l) => JSON.parse(l)));
  };
  for await (const chunk of chunksOf(f, path, file, asked)) {
    for (const row of rowsOf(chunk)) {
      batch.push(row);
      if (batch.length === size) {
        yield batch;
        batch = [];
      }
    }
  }
  const rest = format === "csv" ? csv.end() : pendingLine.trim() === "" ? [] : [parsed(file, () => JSON.parse(pendingLine))];
  for (const row of rest) {
    batch.push(row);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
