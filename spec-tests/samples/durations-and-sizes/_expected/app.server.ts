import { createApp, loadEnv } from "./runtime/server.js";
import { t } from "./runtime/schema.js";
import { Date } from "./runtime/stdlib.js";
import { retention } from "./app.shared.js";

const { SESSION_HOURS, GRACE_MINUTES } = loadEnv({
  SESSION_HOURS: { type: t.int, default: 12 },
  GRACE_MINUTES: { type: t.int, default: 5 },
});

export function session_expiry(now: number): number {
  return now + SESSION_HOURS * 3600000 /* .hours */ + GRACE_MINUTES * 60000 /* .minutes */;
}

export function cutoff(): number {
  return Date.now() - retention;
}

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("GET", "/expiry", session_expiry, [{ name: "now", schema: t.int }]);
app.rpc("session_expiry", session_expiry, [{ name: "now", schema: t.int }]);
app.rpc("cutoff", cutoff, []);

await app.listen();
