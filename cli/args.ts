import { parseArgs } from "node:util";
import { UsageError } from "./errors.js";

/**
 * A small declarative command line on Node's `parseArgs`: a table of
 * commands, each with its positionals and options, turned into the values a
 * command's handler gets, its help text, and a `UsageError` for every
 * mistake (an unknown option or command, an extra argument, a missing one, a
 * value outside the choices). `main.ts` holds the table; this file knows
 * nothing about Tova's commands.
 */

export interface OptionSpec {
  readonly type: "string" | "boolean";
  /** Used when the option is absent (and passed through `coerce`). Booleans default to false. */
  readonly default?: string | boolean;
  /** The values a string option accepts. */
  readonly choices?: readonly string[];
  /** A string option that may be repeated (`--emit ir --emit ts`): its value is every occurrence, in order. */
  readonly multiple?: boolean;
  /** Turns the string value (or the default) into the handler's value; it throws a `UsageError` to refuse it. */
  readonly coerce?: (value: never) => unknown;
  readonly describe?: string;
  /** Accepted but left out of the help text. */
  readonly hidden?: boolean;
}

export interface PositionalSpec {
  readonly name: string;
  readonly required?: boolean;
  /** Takes every remaining argument (`fmt [paths..]`); the last positional only. */
  readonly array?: boolean;
  readonly choices?: readonly string[];
  readonly describe?: string;
  /** What `missing <name>: ...` says when a required one is left out (default: `describe`). */
  readonly missing?: string;
}

type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
type Choice<S> = S extends { readonly choices: readonly (infer C extends string)[] } ? C : string;

type OptionValue<O extends OptionSpec> = O extends { readonly coerce: (value: never) => infer R }
  ? R | (O extends { readonly default: string } ? never : undefined)
  : O["type"] extends "boolean"
    ? boolean
    : O extends { readonly multiple: true }
      ? Choice<O>[]
      : Choice<O> | (O extends { readonly default: string } ? never : undefined);

type PositionalValue<P extends PositionalSpec> = P extends { readonly array: true } ? string[] : Choice<P> | (P extends { readonly required: true } ? never : undefined);

/** What a command's handler gets: each positional by its name, each option by its camel-cased name (`--setup-git` is `setupGit`). */
export type Values<P extends readonly PositionalSpec[], O extends Readonly<Record<string, OptionSpec>>> = {
  [K in P[number] as K["name"]]: PositionalValue<K>;
} & { [K in keyof O & string as Camel<K>]: OptionValue<O[K]> };

export interface CommandSpec<P extends readonly PositionalSpec[], O extends Readonly<Record<string, OptionSpec>>> {
  readonly name: string;
  readonly describe: string;
  readonly positionals: P;
  readonly options: O;
  /** Returns the exit code. */
  readonly run: (values: Values<P, O>) => Promise<number>;
}

/** A command with its types erased, for the table. */
export interface Command {
  readonly name: string;
  readonly describe: string;
  readonly positionals: readonly PositionalSpec[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly run: (values: Record<string, unknown>) => Promise<number>;
}

/** One entry of the command table; its handler's argument is typed from its positionals and options. */
export function command<const P extends readonly PositionalSpec[], const O extends Readonly<Record<string, OptionSpec>>>(spec: CommandSpec<P, O>): Command {
  return spec as unknown as Command;
}

export interface Program {
  /** The executable's name, as the help text and the messages spell it. */
  readonly name: string;
  /** Read only for `--version`. */
  readonly version: () => string;
  readonly commands: readonly Command[];
  /** The message when no command is named. */
  readonly noCommand: string;
}

export type Parsed =
  | { readonly kind: "help"; readonly text: string }
  | { readonly kind: "version"; readonly text: string }
  | { readonly kind: "run"; readonly command: Command; readonly values: Record<string, unknown> };

const HELP = { name: "help", short: "h" } as const;
const VERSION = { name: "version", short: "v" } as const;

/** Parses `argv` (without `node` and the script) and runs the command it names; help and the version go to stdout. */
export async function runCommandLine(program: Program, argv: readonly string[]): Promise<number> {
  const parsed = parse(program, argv);
  if (parsed.kind === "run") return parsed.command.run(parsed.values);
  process.stdout.write(parsed.text.endsWith("\n") ? parsed.text : `${parsed.text}\n`);
  return 0;
}

/** What `argv` asks for, or a `UsageError` saying what is wrong with it. */
export function parse(program: Program, argv: readonly string[]): Parsed {
  const top = `(see \`${program.name} --help\`)`;
  // The command is the first argument; only --help and --version may come before it.
  let i = 0;
  let help = false;
  let version = false;
  for (; i < argv.length && argv[i]!.startsWith("-") && argv[i] !== "-"; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      i++;
      break;
    }
    if (arg === "--help" || arg === "-h") help = true;
    else if (arg === "--version" || arg === "-v") version = true;
    else throw new UsageError(`unknown option ${arg.replace(/=.*$/s, "")} ${top}`);
  }
  const name = argv[i];
  const cmd = name === undefined ? undefined : program.commands.find((c) => c.name === name);
  if (!cmd) {
    if (help) return { kind: "help", text: programHelp(program) };
    if (version) return { kind: "version", text: program.version() };
    if (name === undefined) throw new UsageError(`${program.noCommand} ${top}`);
    throw new UsageError(`unknown command ${name} ${top}`);
  }
  const see = `(see \`${program.name} ${cmd.name} --help\`)`;

  const config: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = {
    [HELP.name]: { type: "boolean", short: HELP.short },
    [VERSION.name]: { type: "boolean", short: VERSION.short },
  };
  for (const [key, spec] of Object.entries(cmd.options)) config[key] = { type: spec.type, multiple: spec.type === "string" && spec.multiple === true };
  // Not strict: every unknown option, missing value and negation is judged below, in the CLI's own words.
  const { tokens } = parseArgs({ args: argv.slice(i + 1), options: config, allowPositionals: true, strict: false, tokens: true });

  const given = new Map<string, string | boolean | string[]>();
  const positionals: string[] = [];
  const problems: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") {
      positionals.push(token.value);
      continue;
    }
    if (token.kind === "option-terminator") continue;
    const flag = token.rawName;
    if (token.name === HELP.name) help = true;
    else if (token.name === VERSION.name) version = true;
    else if (Object.hasOwn(cmd.options, token.name)) {
      const spec = cmd.options[token.name]!;
      if (spec.type === "boolean") {
        const value = token.inlineValue ? token.value : "true";
        if (value !== "true" && value !== "false") problems.push(`${flag} takes no value ${see}`);
        else given.set(token.name, value === "true");
      } else if (token.value === undefined) {
        problems.push(`${flag} needs a value ${see}`);
      } else if (!token.inlineValue && /^-./s.test(token.value)) {
        // `--out --json`: parseArgs took the next option as the value.
        problems.push(`${flag} needs a value (for one that starts with "-", write ${flag}=${token.value}) ${see}`);
      } else if (spec.multiple) {
        given.set(token.name, [...((given.get(token.name) as string[] | undefined) ?? []), token.value]);
      } else {
        given.set(token.name, token.value);
      }
    } else if (token.name.startsWith("no-") && cmd.options[token.name.slice(3)]?.type === "boolean" && !token.inlineValue) {
      given.set(token.name.slice(3), false);
    } else {
      problems.push(`unknown option ${flag} ${see}`);
    }
  }
  // `tova build --help` is help even when the rest of the line is wrong.
  if (help) return { kind: "help", text: commandHelp(program, cmd) };
  if (version) return { kind: "version", text: program.version() };
  if (problems.length > 0) throw new UsageError(problems[0]!);

  const values: Record<string, unknown> = {};
  const rest = [...positionals];
  for (const spec of cmd.positionals) {
    if (spec.array) {
      const all = rest.splice(0);
      for (const value of all) checkChoice(`<${spec.name}>`, spec.choices, value, see);
      values[spec.name] = all;
      continue;
    }
    const value = rest.shift();
    if (value === undefined) {
      if (spec.required) throw new UsageError(`missing <${spec.name}>${(spec.missing ?? spec.describe) ? `: ${spec.missing ?? spec.describe}` : ""} ${see}`);
    } else {
      checkChoice(`<${spec.name}>`, spec.choices, value, see);
    }
    values[spec.name] = value;
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])} ${see}`);

  for (const [key, spec] of Object.entries(cmd.options)) {
    const raw = given.has(key) ? given.get(key) : spec.type === "boolean" ? (spec.default ?? false) : spec.multiple ? [] : spec.default;
    if (spec.type === "string" && raw !== undefined) for (const value of ([] as unknown[]).concat(raw)) checkChoice(`--${key}`, spec.choices, String(value), see);
    values[camel(key)] = spec.coerce && raw !== undefined ? (spec.coerce as (value: unknown) => unknown)(raw) : raw;
  }
  return { kind: "run", command: cmd, values };
}

function checkChoice(what: string, choices: readonly string[] | undefined, value: string, see: string): void {
  if (choices && !choices.includes(value)) throw new UsageError(`${what} must be one of ${choices.join(", ")}, got ${JSON.stringify(value)} ${see}`);
}

function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `tova --help`: every command with its description. */
export function programHelp(program: Program): string {
  const rows = program.commands.map((c): [string, string] => [`${program.name} ${usage(c)}`, c.describe]);
  return [
    `Usage: ${program.name} <command> [options]`,
    "",
    "Commands:",
    ...table(rows),
    "",
    "Options:",
    ...table([
      ["-h, --help", "show help (after a command: that command's arguments and options)"],
      ["-v, --version", "show the version number"],
    ]),
    "",
  ].join("\n");
}

/** `tova <command> --help`: its arguments and its options with their defaults. */
export function commandHelp(program: Program, cmd: Command): string {
  const lines = [`Usage: ${program.name} ${usage(cmd)}${Object.values(cmd.options).some((o) => !o.hidden) ? " [options]" : ""}`, "", cmd.describe, ""];
  if (cmd.positionals.length > 0) {
    lines.push("Arguments:");
    lines.push(...table(cmd.positionals.map((p): [string, string] => [placeholder(p), [p.describe ?? "", p.choices ? `(one of: ${p.choices.join(", ")})` : ""].filter(Boolean).join(" ")])));
    lines.push("");
  }
  const rows: [string, string][] = [];
  for (const [key, spec] of Object.entries(cmd.options)) {
    if (spec.hidden) continue;
    const negated = spec.type === "boolean" && spec.default === true;
    const flag = negated ? `--no-${key}` : spec.type === "boolean" ? `--${key}` : `--${key} <${spec.choices ? spec.choices.join("|") : "value"}>`;
    const notes = [
      spec.multiple ? "(repeatable, or a comma list)" : "",
      spec.type === "string" && spec.default !== undefined ? `(default: ${spec.default})` : "",
    ];
    rows.push([flag, [spec.describe ?? "", ...notes].filter(Boolean).join(" ")]);
  }
  rows.push(["-h, --help", "show this help"]);
  lines.push("Options:", ...table(rows), "");
  return lines.join("\n");
}

function usage(cmd: Command): string {
  return [cmd.name, ...cmd.positionals.map(placeholder)].join(" ");
}

function placeholder(p: PositionalSpec): string {
  return p.array ? `[${p.name}..]` : p.required ? `<${p.name}>` : `[${p.name}]`;
}

/** Two columns, the second wrapped to 100 characters under itself; a name wider than 32 gets a line of its own. */
function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(0, ...rows.map(([left]) => left.length).filter((n) => n <= 32));
  const room = Math.max(100 - width - 4, 40);
  const out: string[] = [];
  for (const [left, right] of rows) {
    const wrapped = wrap(right, room);
    // A name wider than the column gets a line of its own.
    if (left.length > width) out.push(`  ${left}`);
    else out.push(`  ${left.padEnd(width)}  ${wrapped.shift() ?? ""}`.trimEnd());
    for (const line of wrapped) out.push(`${" ".repeat(width + 4)}${line}`);
  }
  return out;
}

function wrap(text: string, room: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
