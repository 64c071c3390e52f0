import { createApp } from "./runtime/server.js";

export function latest_invoice(): number {
  return 42;
}

const app = createApp({ name: "billing", port: 4001, portEnv: "PORT_BILLING" });
app.rpc("latest_invoice", latest_invoice, []);

await app.listen();
