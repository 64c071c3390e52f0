import { createApp } from "./runtime/server.js";

export function scrape() {
  return "up 1";
}

const app = createApp({ name: "metrics", port: 3000, portEnv: "PORT_METRICS" });
app.route("GET", "/metrics", scrape, []);
app.rpc("scrape", scrape, []);

await app.listen();
