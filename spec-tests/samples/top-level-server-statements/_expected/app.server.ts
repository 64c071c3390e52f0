import { createApp, loadEnv } from "./runtime/server.js";
import { t } from "./runtime/schema.js";
import { health } from "./app.shared.js";

const { GREETING } = loadEnv({ GREETING: { type: t.string, default: "Hello" } });

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("GET", "/health", health, []);
app.route("GET", "/hello", (name: string) => `${GREETING}, ${name}!`, [{ name: "name", schema: t.string }]);

await app.listen();
