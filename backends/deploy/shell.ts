/**
 * The only shell-quoting code of the deploy backend (style.md, "Kamal"):
 * every value that reaches a generated script or unit goes through here.
 */

/** A POSIX single-quoted word: safe for any string, including quotes and newlines. */
export function quote(value: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'"'"'`)}'`;
}

/** `NAME=value`, quoted. */
export function assign(name: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a shell variable name: ${name}`);
  return `${name}=${quote(value)}`;
}

/** A command from its words, each quoted. */
export function command(...words: string[]): string {
  return words.map(quote).join(" ");
}
