import { createApp, loadEnv } from "./runtime/server.js";
import { t } from "./runtime/schema.js";

const { PORT } = loadEnv({ PORT: { type: t.int, default: 9090 } });

export function stats() {
  return { server: "admin" };
}

const app = createApp({ name: "admin", port: 9090, portEnv: "PORT_ADMIN" });
app.route("GET", "/stats", stats, []);
app.rpc("stats", stats, []);

await app.listen();
