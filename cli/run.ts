import path from "node:path";
import { sessionAppKey } from "./app-key.js";
import { build } from "./build.js";
import { EXIT, UsageError } from "./errors.js";
import { runWithBun } from "./toolchain.js";

export interface RunArgs {
  path: string;
  out: string;
  port?: number | undefined;
  typecheck: boolean;
}

/**
 * `tova run <file>`: build, then run the program's default server with Bun,
 * or the shared block as a script when the program has no server.
 */
export async function runRun(args: RunArgs): Promise<number> {
  const built = await build({ path: args.path, emit: [], out: args.out, port: args.port, typecheck: args.typecheck, verbose: false });
  if (built.code !== EXIT.ok) return built.code;
  const servers = built.entries.filter((e) => e.kind === "server");
  const entry = servers.find((e) => e.block === null) ?? (servers.length === 0 ? built.entries.find((e) => e.kind === "shared") : undefined);
  if (!entry) {
    const names = servers.map((s) => `"${s.block}"`).join(", ");
    throw new UsageError(`this program has only named servers (${names}); run them all with \`tova dev\`, or one with \`bun run ${args.out}/${servers[0]!.js}\``);
  }
  // The server signs what it sends to its peers with the app's key (security.md, "Between the application's own servers").
  return runWithBun(path.join(args.out, entry.js), { ...process.env, TOVA_APP_KEY: sessionAppKey() });
}
