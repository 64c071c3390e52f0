// The servers the HTTP benchmark compares, by name (run with bun, PORT set):
//   raw       a hand-written Bun.serve answering the same JSON
//   route     a generated-style Tova app: one route, request ids and logs on
//   raw-rpc   Bun.serve parsing a JSON body and answering {"result": ...}, validation by hand
//   rpc       a Tova RPC function with a validated record argument
import { createApp } from "../../dist/runtime/server.js";
import { t } from "../../dist/runtime/schema.js";

const kind = process.argv[2];
const port = Number(process.env.PORT);
const payload = { status: "ok", service: "api", items: [1, 2, 3] };

if (kind === "raw") {
  Bun.serve({ port, fetch: () => Response.json(payload) });
} else if (kind === "raw-rpc") {
  Bun.serve({
    port,
    async fetch(req) {
      const body = await req.json();
      const m = body.__args[0];
      if (typeof m?.service !== "string" || typeof m.value !== "number") return Response.json({ error: "bad" }, { status: 400 });
      return Response.json({ result: { accepted: m.service } });
    },
  });
} else {
  const app = createApp({ name: null, port, portEnv: "PORT" });
  if (kind === "route") app.route("GET", "/", () => payload, []);
  else {
    const Metric = t.record("Metric", { service: t.string, name: t.string, value: t.float, timestamp: t.string, tags: t.array(t.string) });
    app.rpc("ingest", (m) => ({ accepted: m.service }), [{ name: "metric", schema: Metric }]);
  }
  const server = Bun.serve(await app.start());
  app.stopOnSignals(server);
}
console.error("ready");
