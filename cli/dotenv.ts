import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";

/** The files `tova dev` and `tova run` read, later ones winning: `.env`, then `.env.local`. */
export const DOTENV_FILES = [".env", ".env.local"] as const;

/**
 * The variables of the project's `.env` and `.env.local` (beside the program,
 * or in the directory given), parsed by Node's own `.env` parser. Values
 * already in the environment win: the caller puts these first.
 */
export function readDotEnv(project: string): { values: Record<string, string>; files: string[] } {
  const values: Record<string, string> = {};
  const files: string[] = [];
  for (const name of DOTENV_FILES) {
    const file = path.join(project, name);
    if (!existsSync(file)) continue;
    Object.assign(values, parseEnv(readFileSync(file, "utf8")));
    files.push(name);
  }
  return { values, files };
}
