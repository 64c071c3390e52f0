import { Date, fmt, print } from "./runtime/stdlib.js";
import { createApp } from "./runtime/server.js";

let started_at = 0;

export function uptime_ms(): number {
  return Date.now() - started_at;
}

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("GET", "/uptime", uptime_ms, []);
app.rpc("uptime_ms", uptime_ms, []);
app.onStart(() => {
  started_at = Date.now();
  print("[app] starting");
});
app.onStart(() => {
  print("[app] warming caches");
});
app.onStop(() => {
  print("[app] shutting down");
});
app.onStop(() => {
  print("[app] flushing logs");
});
app.onError((err: any, req: any, res: any) => {
  print(fmt`[app][ERROR] ${err.message} on ${req.method} ${req.path}`);
  res.status(500);
  res.json({ error: "Internal error", request_id: req.id });
});

await app.listen();
