import { model, sqlite } from "./runtime/db.js";
import { t } from "./runtime/schema.js";
import { Date, Process, len } from "./runtime/stdlib.js";
import { createApp } from "./runtime/server.js";

const db = sqlite("./health.db");

export interface Check {
  id: number;
  name: string;
  ok: boolean;
}
export const Check = await model<Check>(db, "Check", "checks", { name: t.string, ok: t.bool });

export async function healthz() {
  const failing = len(await Check.where({ ok: false }));
  return {
    status: failing === 0 ? "ok" : "degraded",
    uptime: Process.uptime(),
    failing_checks: failing,
    timestamp: Date.now(),
  };
}

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("GET", "/healthz", healthz, []);
app.rpc("healthz", healthz, []);

await app.listen();
