/**
 * Smaller variants of a program's text, for the second phase of shrinking
 * (shrink.ts): delete one statement (a line with the block it opens),
 * replace one block statement by the statements of its first block, or
 * replace one number with 0. Some variants are invalid (a deleted `var`
 * leaves its uses undefined): the batch keeps only those the evaluator runs
 * and that fail the same way, so the variants need not be valid themselves.
 */
export function* sourceVariants(source: string): Generator<string> {
  const lines = source.replace(/\n$/, "").split("\n");
  const units = statementUnits(lines);
  // Largest first: deleting a whole function or loop saves the most.
  for (const [from, to] of [...units].sort((a, b) => b[1] - b[0] - (a[1] - a[0]))) {
    yield join([...lines.slice(0, from), ...lines.slice(to + 1)]);
    if (to > from + 1 && lines[from]!.trimEnd().endsWith("{")) {
      const bodyEnd = firstBlockEnd(lines, from);
      const body = lines.slice(from + 1, bodyEnd).map(dedent);
      yield join([...lines.slice(0, from), ...body, ...lines.slice(to + 1)]);
    }
  }
  // Type-preserving simplifications, so the program stays well-typed (the generator's `+=` / `-=`, `result`
  // and function parameters are Int; `print` takes anything): a whole right side or argument becomes 0.
  for (const [from, to] of [...units, ...resultUnit(lines)]) {
    const m = /^(\s*)(\w+ [+-]= |result = |print\()/.exec(lines[from]!);
    if (!m || (to === from && /^\s*(\w+ [+-]= |result = )0$|^\s*print\(0\)$/.test(lines[from]!))) continue;
    yield join([...lines.slice(0, from), `${m[1]}${m[2]}0${m[2] === "print(" ? ")" : ""}`, ...lines.slice(to + 1)]);
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    for (const m of line.matchAll(/(?<!fn )\b([fh]\d+)\(/g)) {
      const end = closing(line, m.index! + m[0].length - 1);
      if (end < 0 || /^\(0(, 0)*\)$/.test(line.slice(m.index! + m[1]!.length, end + 1))) continue;
      const arity = splitArgs(line.slice(m.index! + m[0].length, end));
      yield join([...lines.slice(0, i), `${line.slice(0, m.index! + m[0].length)}${Array(arity).fill("0").join(", ")}${line.slice(end)}`, ...lines.slice(i + 1)]);
    }
  }
  // Numbers to 0.
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    for (const m of line.matchAll(/(?<![\w"])[1-9]\d*\b(?![^"]*"(?:[^"]*"[^"]*")*[^"]*$)/g)) {
      yield join([...lines.slice(0, i), line.slice(0, m.index) + "0" + line.slice(m.index! + m[0].length), ...lines.slice(i + 1)]);
    }
  }
}

const join = (lines: string[]): string => lines.join("\n") + "\n";

function dedent(line: string): string {
  return line.startsWith("  ") ? line.slice(2) : line;
}

/** Braces outside string literals (interpolations are inside them). */
function braceDelta(line: string): number {
  const code = line.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return (code.match(/\{/g)?.length ?? 0) - (code.match(/\}/g)?.length ?? 0);
}

/** Each statement as [first line, last line]: a line, and when it opens braces, up to where they close. */
function statementUnits(lines: string[]): [number, number][] {
  const units: [number, number][] = [];
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === "" || t.startsWith("}") || /^result = /.test(t)) continue;
    let depth = 0;
    let j = i;
    for (; j < lines.length; j++) {
      depth += braceDelta(lines[j]!);
      if (depth <= 0) break;
    }
    if (depth === 0) units.push([i, j]);
  }
  return units;
}

/** The final `result = ...` statement (not deleted, but simplified). */
function resultUnit(lines: string[]): [number, number][] {
  const from = lines.findIndex((l) => l.startsWith("result = "));
  return from < 0 ? [] : [[from, lines.length - 1]];
}

/** The line that closes the first block a statement opens (`}` or `} else {`). */
function firstBlockEnd(lines: string[], from: number): number {
  let depth = braceDelta(lines[from]!);
  for (let j = from + 1; j < lines.length; j++) {
    const t = lines[j]!.trim();
    if (depth === 1 && t.startsWith("}")) return j;
    depth += braceDelta(lines[j]!);
  }
  return lines.length;
}

/** The index of the `)` that closes the `(` at `open`, or -1 when it is not on this line. */
function closing(line: string, open: number): number {
  let depth = 0;
  for (let k = open; k < line.length; k++) {
    if (line[k] === '"') {
      k = line.indexOf('"', k + 1);
      if (k < 0) return -1;
      continue;
    }
    if (line[k] === "(") depth++;
    if (line[k] === ")" && --depth === 0) return k;
  }
  return -1;
}

/** How many arguments a call's argument text has (commas at depth 0). */
function splitArgs(text: string): number {
  let depth = 0;
  let n = 1;
  for (const ch of text) {
    if (ch === "(" || ch === "[" || ch === "{") depth++;
    if (ch === ")" || ch === "]" || ch === "}") depth--;
    if (ch === "," && depth === 0) n++;
  }
  return n;
}
