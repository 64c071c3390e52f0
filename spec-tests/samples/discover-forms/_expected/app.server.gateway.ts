import { createApp, peer } from "./runtime/server.js";
import { t } from "./runtime/schema.js";

const billing = peer<{ latest_invoice(): Promise<number> }>("billing", {
  url: "http://localhost:4001",
  urlEnv: "URL_BILLING",
  portEnv: "PORT_BILLING",
  port: 4001,
  health: null,
  breaker: { threshold: 5, resetTimeoutMs: 30000, timeoutMs: 10000, halfOpenRequests: 1 },
});
const search = peer<{ query(term: string): Promise<string[]> }>("search", {
  url: "http://localhost:4002",
  urlEnv: "URL_SEARCH",
  portEnv: "PORT_SEARCH",
  port: 4002,
  health: "/health",
  breaker: { threshold: 3, resetTimeoutMs: 30000, timeoutMs: 10000, halfOpenRequests: 1 },
});
const inventory = peer<{ stock(sku: string): Promise<number> }>("inventory", {
  url: "http://localhost:4003",
  urlEnv: "URL_INVENTORY",
  portEnv: "PORT_INVENTORY",
  port: 4003,
  health: "/healthz",
  breaker: { threshold: 5, resetTimeoutMs: 60000, timeoutMs: 10000, halfOpenRequests: 1 },
});

export async function overview(sku: string) {
  const invoice = await billing.latest_invoice();
  const hits = await search.query(sku);
  const stock = await inventory.stock(sku);
  return { invoice, hits, stock };
}

const app = createApp({ name: "gateway", port: 3000, portEnv: "PORT_GATEWAY" });
app.route("GET", "/overview", overview, [{ name: "sku", schema: t.string }]);
app.rpc("overview", overview, [{ name: "sku", schema: t.string }]);

await app.listen();
