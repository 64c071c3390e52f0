import { createApp, loadEnv } from "./runtime/server.js";
import { t } from "./runtime/schema.js";
import { is_some } from "./runtime/stdlib.js";

const { DATABASE_URL, API_KEY, FEATURE_FLAG, SAMPLE_RATE, MAX_ITEMS, GREETING } = loadEnv({
  DATABASE_URL: { type: t.string },
  API_KEY: { type: t.option(t.string), default: null },
  FEATURE_FLAG: { type: t.bool, default: false },
  SAMPLE_RATE: { type: t.float, default: 0.25 },
  MAX_ITEMS: { type: t.int, default: 50 },
  GREETING: { type: t.string, default: "hello" },
});

export function settings() {
  return {
    database: DATABASE_URL,
    has_key: is_some(API_KEY),
    feature: FEATURE_FLAG,
    sample_rate: SAMPLE_RATE,
    max_items: MAX_ITEMS,
    greeting: GREETING,
  };
}

export function auth_header(): string {
  if (API_KEY != null) {
    return `Bearer ${API_KEY}`;
  } else {
    return "";
  }
}

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("GET", "/settings", settings, []);
app.rpc("settings", settings, []);
app.rpc("auth_header", auth_header, []);

await app.listen();
