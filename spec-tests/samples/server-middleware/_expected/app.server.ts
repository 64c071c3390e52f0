import { createApp, loadEnv } from "./runtime/server.js";
import { t } from "./runtime/schema.js";
import { Date, JSON, print, unwrapOr, uuid } from "./runtime/stdlib.js";

const { API_TOKEN } = loadEnv({ API_TOKEN: { type: t.string, default: "dev-token" } });

export function trace(req: any, res: any): any {
  const req_id = unwrapOr(req.headers["x-request-id"], uuid());
  req.id = req_id;
  res.setHeader("X-Request-ID", req_id);
}

export function logger(req: any, res: any): any {
  const start = Date.now();
  res.on_finish(() => {
    const duration = Date.now() - start;
    print(JSON.stringify({ method: req.method, path: req.path, duration_ms: duration, request_id: req.id }));
  });
}

export function require_token(req: any, res: any) {
  if (req.headers["authorization"] !== `Bearer ${API_TOKEN}`) {
    res.status(401);
    res.json({ error: "unauthorized" });
  }
}

export function ping(): string {
  return "pong";
}

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.use(trace);
app.use(logger);
app.use(require_token);
app.route("GET", "/ping", ping, []);
app.rpc("ping", ping, []);

await app.listen();
