import { createApp } from "./runtime/server.js";
import { t } from "./runtime/schema.js";

export function query(term: string): string[] {
  return [term];
}

const app = createApp({ name: "search", port: 4002, portEnv: "PORT_SEARCH" });
app.rpc("query", query, [{ name: "term", schema: t.string }]);

await app.listen();
