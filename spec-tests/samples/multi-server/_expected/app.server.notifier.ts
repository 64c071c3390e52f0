import { broadcast, createApp } from "./runtime/server.js";
import { t } from "./runtime/schema.js";

export function notify(event: string, data: string): boolean {
  broadcast(event, { message: data });
  return true;
}

const app = createApp({ name: "notifier", port: 3005, portEnv: "PORT_NOTIFIER" });
app.rpc("notify", notify, [
  { name: "event", schema: t.string },
  { name: "data", schema: t.string },
]);

await app.listen();
