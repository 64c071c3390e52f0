import { createApp } from "./runtime/server.js";
import { t } from "./runtime/schema.js";

export function stock(sku: string): number {
  return 7;
}

const app = createApp({ name: "inventory", port: 4003, portEnv: "PORT_INVENTORY" });
app.rpc("stock", stock, [{ name: "sku", schema: t.string }]);

await app.listen();
