import { stripMarkers } from "./builders.js";

/**
 * The readable `.ts` a user gets with `--emit ts`: markers removed, then
 * formatted by prettier. Prettier is loaded only when formatting is asked for.
 */
export async function formatModule(code: string): Promise<string> {
  const prettier = await import("prettier");
  return prettier.format(stripMarkers(code), { parser: "typescript", printWidth: 110 });
}
