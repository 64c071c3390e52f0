import { createApp } from "./runtime/server.js";
import { env, split } from "./runtime/stdlib.js";

export function products() {
  return [{ id: 1, name: "Lamp" }];
}

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("GET", "/products", products, []);
app.rpc("products", products, []);
app.config("cors", {
  origins: split(env("ALLOWED_ORIGINS"), ","),
  methods: ["GET", "POST", "PUT", "DELETE"],
  credentials: true,
  max_age: 86_400,
});
app.config("rate_limit", { requests: 100, window: 60_000 /* 1.minute */, key: (req: any) => req.ip });
app.config("tls", { cert: env("TLS_CERT"), key: env("TLS_KEY") });
app.config("sessions", {
  secret: env("SESSION_SECRET"),
  max_age: 604_800_000 /* 7.days */,
  secure: true,
  http_only: true,
  same_site: "strict",
  database: "app.db",
});
app.config("cache", { default: "public, max-age=60, stale-while-revalidate=30" });
app.config("static", { cache: "public, max-age=31536000, immutable" });
app.config("uploads", {
  max_size: 10_485_760 /* 10.megabytes */,
  allowed_types: ["image/png", "image/jpeg", "application/pdf"],
});
app.maxBody(5_242_880 /* 5.megabytes */);

await app.listen();
