import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { EXIT, UsageError } from "./errors.js";
import { starterFiles, TEMPLATES, type Template } from "./templates.js";

export interface NewArgs {
  name: string;
  template: string;
}

/** A project's name: what its directory, its database file and its domain placeholder are called. */
const NAME = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * `tova new <name> [--template api|fullstack|services]`: a directory with a
 * commented starter program, `.gitignore`, `.env.example` and a README with
 * the commands to run and to deploy it. Never writes into a directory that
 * has anything in it.
 */
export async function runNew(args: NewArgs): Promise<number> {
  if (!(TEMPLATES as readonly string[]).includes(args.template)) {
    throw new UsageError(`unknown template "${args.template}": choose ${TEMPLATES.join(", ")}`);
  }
  const dir = path.resolve(args.name);
  const name = path.basename(dir).toLowerCase();
  if (!NAME.test(name)) {
    throw new UsageError(`"${path.basename(dir)}" cannot name a project: use lower-case letters, digits, "-" and "_", starting with a letter`);
  }
  const existing = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return [];
    if (err.code === "ENOTDIR") throw new UsageError(`${args.name} is a file, not a directory`);
    throw err;
  });
  if (existing.length > 0) throw new UsageError(`${args.name} is not empty: tova new writes only into a new or empty directory`);
  await mkdir(dir, { recursive: true });
  const files = starterFiles(name, args.template as Template);
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(dir, file), text, { flag: "wx" });
  const where = path.relative(process.cwd(), dir) || ".";
  process.stdout.write(
    `Created ${where}/ (${args.template}): ${Object.keys(files).join(", ")}\n\n` + `  cd ${where}\n  tova dev app.tova\n\n` + `The README says what to try first and how to deploy.\n`,
  );
  return EXIT.ok;
}
