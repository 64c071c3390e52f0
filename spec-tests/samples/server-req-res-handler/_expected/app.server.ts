import { cache_control, etag, fmt } from "./runtime/stdlib.js";
import { createApp } from "./runtime/server.js";

export function download(req: any, res: any): any {
  const name = req.params.name;
  res.setHeader("Content-Disposition", fmt`attachment; filename=${name}`);
  res.text(fmt`contents of ${name}`);
}

export function get_products(req: any, res: any): any {
  cache_control(res, "public, max-age=60");
  etag(res, "products-v1");
  res.json([{ id: 1, name: "Lamp" }]);
}

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("GET", "/files/:name", download, "req-res");
app.route("GET", "/products", get_products, "req-res");
app.route(
  "GET",
  "/echo",
  (req: any, res: any) => {
    res.json({ query: req.query, request_id: req.id });
  },
  "req-res",
);

await app.listen();
